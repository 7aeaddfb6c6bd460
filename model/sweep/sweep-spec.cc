/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "sweep-spec.h"

#include "ns3/scenario.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace ns3
{
namespace vclos
{

using Json = nlohmann::json;

namespace
{

/// Keys of a sweep file.
const char* const kSweepKeys[] = {"name", "description", "base", "set", "axes", "zip"};
/// Most dotted components of one key.
constexpr std::size_t kMaxKeyComponents = 8;
/// Most digits of an array index in a dotted key.
constexpr std::size_t kMaxIndexDigits = 9;
/// Longest excerpt of a value quoted in a message.
constexpr std::size_t kQuoteBytes = 60;

/// \return \p s cut to kQuoteBytes bytes (with "...")
std::string
Quote(const std::string& s)
{
    return s.size() <= kQuoteBytes ? s : s.substr(0, kQuoteBytes) + "...";
}

/// \return the message prefix "<file>: <key>: "
std::string
At(const std::string& source, const std::string& key)
{
    return source + ": " + (key.empty() ? "(top level)" : key) + ": ";
}

/// \return how \p key of member \p member is written in messages, e.g. axes["seed"]
std::string
Member(const std::string& member, const std::string& key)
{
    return member + "[\"" + Quote(key) + "\"]";
}

/// \return the description of a JSON value's type for messages
std::string
TypeOf(const Json& v)
{
    if (v.is_object())
    {
        return "an object";
    }
    if (v.is_array())
    {
        return "a list";
    }
    if (v.is_string())
    {
        return "a string";
    }
    if (v.is_boolean())
    {
        return "a boolean";
    }
    if (v.is_null())
    {
        return "null";
    }
    return "a number";
}

/// \return true if every byte of \p s is one of A-Z a-z 0-9 and \p extra
bool
AllOf(const std::string& s, const std::string& extra)
{
    return std::all_of(s.begin(), s.end(), [&extra](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               extra.find(c) != std::string::npos;
    });
}

/**
 * Split and check a dotted key ("scheduler.policy", "jobs.0.iterations").
 * \param source file \param where the key's place for messages \param key the key
 * \return its components
 */
std::vector<std::string>
SplitKey(const std::string& source, const std::string& where, const std::string& key)
{
    if (key.empty() || key.size() > kMaxSweepKeyBytes)
    {
        throw SweepError(At(source, where) + "a key must have 1.." +
                         std::to_string(kMaxSweepKeyBytes) + " bytes, got " +
                         std::to_string(key.size()));
    }
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true)
    {
        const std::size_t dot = key.find('.', start);
        parts.push_back(
            key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos)
        {
            break;
        }
        start = dot + 1;
    }
    for (const std::string& p : parts)
    {
        if (p.empty() || !AllOf(p, "_"))
        {
            throw SweepError(At(source, where) + "expected a dotted scenario key such as " +
                             "\"scheduler.policy\" or \"jobs.0.iterations\" (letters, digits, _ " +
                             "between dots), got \"" + Quote(key) + "\"");
        }
    }
    if (parts.size() > kMaxKeyComponents)
    {
        throw SweepError(At(source, where) + "a key may have at most " +
                         std::to_string(kMaxKeyComponents) + " components, got " +
                         std::to_string(parts.size()));
    }
    return parts;
}

/**
 * Set a dotted key in a scenario: missing objects on the way are created; a list element
 * must exist.
 * \return "" on success, else the reason (for a message)
 */
std::string
SetDotted(Json& root, const std::vector<std::string>& parts, const Json& value)
{
    Json* node = &root;
    std::string path;
    for (std::size_t i = 0; i < parts.size(); ++i)
    {
        const std::string& p = parts[i];
        const bool last = i + 1 == parts.size();
        Json* next = nullptr;
        if (node->is_object())
        {
            if (last)
            {
                (*node)[p] = value;
                return "";
            }
            if (!node->contains(p))
            {
                (*node)[p] = Json::object();
            }
            next = &(*node)[p];
        }
        else if (node->is_array())
        {
            if (p.find_first_not_of("0123456789") != std::string::npos ||
                p.size() > kMaxIndexDigits)
            {
                return "\"" + (path.empty() ? std::string("(top level)") : path) +
                       "\" is a list in the base scenario: expected an index, got \"" + Quote(p) +
                       "\"";
            }
            const std::size_t index = std::stoul(p);
            if (index >= node->size())
            {
                return "\"" + path + "\" has " + std::to_string(node->size()) +
                       " entries in the base scenario: expected an index in 0.." +
                       std::to_string(node->size()) + " (exclusive), got " + p;
            }
            if (last)
            {
                (*node)[index] = value;
                return "";
            }
            next = &(*node)[index];
        }
        else
        {
            return "\"" + path + "\" is " + TypeOf(*node) +
                   " in the base scenario, not an object or a list";
        }
        path += (path.empty() ? "" : ".") + p;
        node = next;
    }
    return "";
}

/// \return how \p v appears in a run key
std::string
ReadableName(const Json& v)
{
    std::string s;
    if (v.is_string())
    {
        s = v.get<std::string>();
        if (!s.empty() && s.size() <= kMaxReadableValueBytes && AllOf(s, "._+-"))
        {
            return s;
        }
    }
    else if (!v.is_object() && !v.is_array())
    {
        s = v.dump();
        if (s.size() <= kMaxReadableValueBytes)
        {
            return s;
        }
    }
    return "h" + ShortHash(v.dump());
}

/// \return true if dotted key \p a equals \p b or is a whole-component prefix of it
bool
Overlaps(const std::string& a, const std::string& b)
{
    const std::string& shorter = a.size() <= b.size() ? a : b;
    const std::string& longer = a.size() <= b.size() ? b : a;
    return longer.compare(0, shorter.size(), shorter) == 0 &&
           (longer.size() == shorter.size() || longer[shorter.size()] == '.');
}

/// \return the directory of \p file (absolute; "." if it has none)
std::string
DirOf(const std::string& file)
{
    std::filesystem::path dir = std::filesystem::path(file).parent_path();
    if (dir.empty())
    {
        dir = ".";
    }
    std::error_code ec;
    const std::filesystem::path abs = std::filesystem::absolute(dir, ec);
    return (ec ? dir : abs).lexically_normal().string();
}

/// Parse canonical text produced by CanonicalJson() (already checked).
Json
ParseCanonical(const std::string& text)
{
    return Json::parse(text);
}

/**
 * Read one axis (a key and its list of values) into \p axis.
 * \param source file \param where e.g. axes["seed"] \param key the scenario key
 * \param list the values \param base the base scenario (each value must be settable)
 * \param axis the axis being built (values and names appended per step)
 */
void
ReadAxisValues(const std::string& source,
               const std::string& where,
               const std::string& key,
               const Json& list,
               const Json& base,
               SweepAxis& axis)
{
    if (!list.is_array() || list.empty() || list.size() > kMaxSweepAxisValues)
    {
        throw SweepError(
            At(source, where) + "expected a list of 1.." + std::to_string(kMaxSweepAxisValues) +
            " values, got " +
            (list.is_array() ? "a list of " + std::to_string(list.size()) : TypeOf(list)));
    }
    const std::vector<std::string> parts = SplitKey(source, where, key);
    Json probe = base;
    const std::string why = SetDotted(probe, parts, list[0]);
    if (!why.empty())
    {
        throw SweepError(At(source, where) + "cannot set \"" + key + "\": " + why);
    }
    const bool first = axis.keys.empty();
    axis.keys.push_back(key);
    if (first)
    {
        axis.values.resize(list.size());
        axis.names.resize(list.size());
    }
    for (std::size_t i = 0; i < list.size(); ++i)
    {
        axis.values[i].push_back(list[i].dump());
        axis.names[i].push_back(ReadableName(list[i]));
    }
}

/// Reject two steps of \p axis with the same name in run keys.
void
CheckDistinct(const std::string& source, const std::string& where, const SweepAxis& axis)
{
    std::map<std::vector<std::string>, std::size_t> seen;
    for (std::size_t i = 0; i < axis.names.size(); ++i)
    {
        auto [it, fresh] = seen.emplace(axis.names[i], i);
        if (!fresh)
        {
            std::string shown;
            for (const std::string& n : axis.names[i])
            {
                shown += (shown.empty() ? "" : ", ") + n;
            }
            throw SweepError(At(source, where + "[" + std::to_string(i) + "]") + "value " +
                             Quote(axis.values[i][0]) + " is named \"" + Quote(shown) +
                             "\" in run keys, like entry " + std::to_string(it->second) + " (" +
                             Quote(axis.values[it->second][0]) +
                             "): every value of an axis must be distinct");
        }
    }
}

} // namespace

std::string
ShortHash(const std::string& text)
{
    uint64_t h = 14695981039346656037ull; // FNV-1a 64 offset basis
    for (unsigned char c : text)
    {
        h ^= c;
        h *= 1099511628211ull; // FNV-1a 64 prime
    }
    const uint32_t folded = static_cast<uint32_t>(h ^ (h >> 32));
    char buf[9];
    std::snprintf(buf, sizeof(buf), "%08x", folded);
    return buf;
}

SweepSpec
ParseSweep(const std::string& jsonText,
           const std::string& sourceName,
           const SweepFileReader& readFile)
{
    const std::string& src = sourceName;
    SweepSpec spec;
    spec.sourceName = src;
    Json root;
    try
    {
        root = ParseCanonical(CanonicalJson(jsonText, src));
    }
    catch (const ScenarioError& e)
    {
        throw SweepError(e.what());
    }
    if (!root.is_object())
    {
        throw SweepError(At(src, "") + "expected a JSON object, got " + TypeOf(root));
    }
    for (const auto& [k, v] : root.items())
    {
        if (std::find(std::begin(kSweepKeys), std::end(kSweepKeys), k) == std::end(kSweepKeys))
        {
            throw SweepError(At(src, Quote(k)) +
                             "unknown key; expected name, description, base, set, axes, zip");
        }
    }
    for (const char* k : {"name", "description"})
    {
        if (root.contains(k) &&
            (!root[k].is_string() || root[k].get<std::string>().size() >
                                         (k[0] == 'n' ? kMaxNameBytes : kMaxScenarioFileBytes)))
        {
            throw SweepError(At(src, k) + "expected a string" +
                             (k[0] == 'n'
                                  ? " of at most " + std::to_string(kMaxNameBytes) + " bytes"
                                  : std::string()) +
                             ", got " + TypeOf(root[k]));
        }
    }
    spec.name = root.value("name", "");

    // The base scenario: a file beside the sweep, or inline.
    if (!root.contains("base"))
    {
        throw SweepError(At(src, "base") +
                         "missing: expected a scenario file path or an inline scenario object");
    }
    const Json& baseValue = root["base"];
    Json base;
    if (baseValue.is_string())
    {
        std::string file = baseValue.get<std::string>();
        if (file.empty())
        {
            throw SweepError(At(src, "base") + "expected a scenario file path, got \"\"");
        }
        if (file[0] != '/')
        {
            const std::filesystem::path dir = std::filesystem::path(src).parent_path();
            file = (dir / file).lexically_normal().string();
        }
        spec.baseSource = file;
        spec.baseDir = DirOf(file);
        try
        {
            const std::string text = readFile ? readFile(file) : ReadScenarioText(file);
            base = ParseCanonical(CanonicalJson(text, file));
        }
        catch (const ScenarioError& e)
        {
            throw SweepError(At(src, "base") + e.what());
        }
        catch (const SweepError& e)
        {
            throw SweepError(At(src, "base") + e.what());
        }
    }
    else if (baseValue.is_object())
    {
        base = baseValue;
        spec.baseSource = src;
        spec.baseDir = DirOf(src);
    }
    else
    {
        throw SweepError(At(src, "base") +
                         "expected a scenario file path or an inline scenario object, got " +
                         TypeOf(baseValue));
    }
    if (!base.is_object())
    {
        throw SweepError(At(src, "base") + spec.baseSource + ": expected a scenario object, got " +
                         TypeOf(base));
    }

    // Every key the sweep sets or varies, for the overlap check.
    std::vector<std::pair<std::string, std::string>> allKeys; // (key, where)
    auto addKey = [&](const std::string& key, const std::string& where) {
        for (const auto& [other, otherWhere] : allKeys)
        {
            if (Overlaps(key, other))
            {
                throw SweepError(At(src, where) + "key \"" + key + "\" overlaps \"" + other +
                                 "\" of " + otherWhere +
                                 ": a key may be set or varied in one place only");
            }
        }
        allKeys.emplace_back(key, where);
    };

    if (root.contains("set"))
    {
        const Json& set = root["set"];
        if (!set.is_object() || set.size() > kMaxSweepSetKeys)
        {
            throw SweepError(
                At(src, "set") + "expected an object of at most " +
                std::to_string(kMaxSweepSetKeys) + " dotted keys -> values, got " +
                (set.is_object() ? std::to_string(set.size()) + " keys" : TypeOf(set)));
        }
        for (const auto& [k, v] : set.items())
        {
            const std::string where = Member("set", k);
            const std::vector<std::string> parts = SplitKey(src, where, k);
            addKey(k, where);
            const std::string why = SetDotted(base, parts, v);
            if (!why.empty())
            {
                throw SweepError(At(src, where) + "cannot set \"" + k + "\": " + why);
            }
        }
    }
    spec.baseJson = base.dump();
    spec.baseHash = ShortHash(spec.baseJson);

    std::size_t keyCount = 0;
    auto countKey = [&](const std::string& where) {
        if (++keyCount > kMaxSweepKeys)
        {
            throw SweepError(At(src, where) + "a sweep may vary at most " +
                             std::to_string(kMaxSweepKeys) + " keys (axes and zipped keys)");
        }
    };
    if (root.contains("axes"))
    {
        const Json& axes = root["axes"];
        if (!axes.is_object())
        {
            throw SweepError(At(src, "axes") +
                             "expected an object of dotted keys -> lists of values, got " +
                             TypeOf(axes));
        }
        if (axes.contains("seeds") && axes.contains("seed"))
        {
            throw SweepError(At(src, Member("axes", "seeds")) +
                             "\"seeds\" is another name of \"seed\": give one of them");
        }
        for (const auto& [k, v] : axes.items())
        {
            const std::string where = Member("axes", k);
            const std::string key = k == "seeds" ? "seed" : k;
            countKey(where);
            SplitKey(src, where, key);
            addKey(key, where);
            SweepAxis axis;
            ReadAxisValues(src, where, key, v, base, axis);
            CheckDistinct(src, where, axis);
            spec.axes.push_back(std::move(axis));
        }
    }
    if (root.contains("zip"))
    {
        const Json& zip = root["zip"];
        if (!zip.is_array() || zip.size() > kMaxSweepKeys)
        {
            throw SweepError(At(src, "zip") + "expected a list of at most " +
                             std::to_string(kMaxSweepKeys) +
                             " objects (dotted key -> list of values, all lists of one length)" +
                             ", got " + TypeOf(zip));
        }
        for (std::size_t g = 0; g < zip.size(); ++g)
        {
            const std::string gwhere = "zip[" + std::to_string(g) + "]";
            const Json& group = zip[g];
            if (!group.is_object() || group.empty())
            {
                throw SweepError(
                    At(src, gwhere) + "expected an object of dotted keys -> lists of values, got " +
                    (group.is_object() ? std::string("an empty object") : TypeOf(group)));
            }
            SweepAxis axis;
            std::size_t length = 0;
            std::string firstKey;
            for (const auto& [k, v] : group.items())
            {
                const std::string where = gwhere + "[\"" + Quote(k) + "\"]";
                countKey(where);
                SplitKey(src, where, k);
                addKey(k, where);
                if (v.is_array() && !axis.keys.empty() && v.size() != length)
                {
                    throw SweepError(At(src, where) + "zipped lists must have one length: \"" +
                                     firstKey + "\" has " + std::to_string(length) +
                                     " values, this one " + std::to_string(v.size()));
                }
                ReadAxisValues(src, where, k, v, base, axis);
                length = v.size();
                if (firstKey.empty())
                {
                    firstKey = k;
                }
            }
            CheckDistinct(src, gwhere, axis);
            spec.axes.push_back(std::move(axis));
        }
    }
    std::sort(spec.axes.begin(), spec.axes.end(), [](const SweepAxis& a, const SweepAxis& b) {
        return a.keys.front() < b.keys.front();
    });

    // Bounds of the expansion, before anything is expanded.
    uint64_t runs = 1;
    std::size_t keyBytes = spec.baseHash.size();
    for (const SweepAxis& a : spec.axes)
    {
        runs *= a.values.size(); // <= kMaxSweepRuns * kMaxSweepAxisValues: no overflow
        if (runs > kMaxSweepRuns)
        {
            throw SweepError(At(src, "axes") + "the axes give more than " +
                             std::to_string(kMaxSweepRuns) +
                             " runs (the product of their lengths); at most " +
                             std::to_string(kMaxSweepRuns) + " are allowed: split the sweep");
        }
        std::size_t longest = 0;
        for (const auto& names : a.names)
        {
            std::size_t bytes = 0;
            for (std::size_t k = 0; k < names.size(); ++k)
            {
                bytes += 2 + a.keys[k].size() + names[k].size(); // "-key=name"
            }
            longest = std::max(longest, bytes);
        }
        keyBytes += longest;
    }
    if (keyBytes > kMaxRunKeyBytes)
    {
        throw SweepError(At(src, "axes") + "run keys would have up to " + std::to_string(keyBytes) +
                         " bytes; at most " + std::to_string(kMaxRunKeyBytes) +
                         " are allowed (they name files): vary fewer keys or use shorter values");
    }
    if (runs * spec.baseJson.size() > kMaxSweepExpandedBytes)
    {
        throw SweepError(At(src, "axes") + std::to_string(runs) + " runs of a " +
                         std::to_string(spec.baseJson.size()) + "-byte scenario exceed " +
                         std::to_string(kMaxSweepExpandedBytes) +
                         " bytes of expanded scenarios: split the sweep");
    }
    return spec;
}

SweepSpec
LoadSweepFile(const std::string& path)
{
    std::string text;
    try
    {
        text = ReadScenarioText(path);
    }
    catch (const ScenarioError& e)
    {
        throw SweepError(e.what());
    }
    return ParseSweep(text, path);
}

uint64_t
SweepRunCount(const SweepSpec& spec)
{
    uint64_t runs = 1;
    for (const SweepAxis& a : spec.axes)
    {
        runs *= a.values.size();
    }
    return runs;
}

std::vector<SweepRun>
ExpandSweep(const SweepSpec& spec, bool validate)
{
    const uint64_t n = SweepRunCount(spec);
    const Json base = ParseCanonical(spec.baseJson);
    std::vector<std::vector<Json>> values(spec.axes.size()); // parsed once, per axis step
    std::vector<std::vector<std::vector<std::string>>> parts(spec.axes.size());
    for (std::size_t a = 0; a < spec.axes.size(); ++a)
    {
        for (const auto& step : spec.axes[a].values)
        {
            values[a].push_back(Json::array());
            for (const std::string& v : step)
            {
                values[a].back().push_back(ParseCanonical(v));
            }
        }
        for (const std::string& k : spec.axes[a].keys)
        {
            parts[a].push_back(SplitKey(spec.sourceName, k, k));
        }
    }
    std::vector<SweepRun> runs;
    runs.reserve(n);
    std::set<std::string> keys;
    std::vector<std::size_t> digit(spec.axes.size(), 0);
    for (uint64_t i = 0; i < n; ++i)
    {
        // mixed-radix digits of i, the last axis varying fastest
        uint64_t rest = i;
        for (std::size_t a = spec.axes.size(); a-- > 0;)
        {
            digit[a] = rest % spec.axes[a].values.size();
            rest /= spec.axes[a].values.size();
        }
        SweepRun run;
        run.key = spec.baseHash;
        Json scenario = base;
        std::string shown;
        for (std::size_t a = 0; a < spec.axes.size(); ++a)
        {
            const SweepAxis& axis = spec.axes[a];
            for (std::size_t k = 0; k < axis.keys.size(); ++k)
            {
                const std::string& value = axis.values[digit[a]][k];
                run.key += "-" + axis.keys[k] + "=" + axis.names[digit[a]][k];
                run.values.emplace_back(axis.keys[k], value);
                shown += (shown.empty() ? "" : ", ") + axis.keys[k] + " = " + Quote(value);
                const std::string why = SetDotted(scenario, parts[a][k], values[a][digit[a]][k]);
                if (!why.empty())
                {
                    throw SweepError(At(spec.sourceName, "run " + run.key) + "cannot set \"" +
                                     axis.keys[k] + "\": " + why);
                }
            }
        }
        // A relative trace file is relative to the base scenario's directory, not to the
        // directory the run's scenario is written to.
        if (scenario.contains("trace") && scenario["trace"].is_object() &&
            scenario["trace"].contains("file") && scenario["trace"]["file"].is_string())
        {
            const std::string file = scenario["trace"]["file"].get<std::string>();
            if (!file.empty() && file[0] != '/')
            {
                scenario["trace"]["file"] =
                    (std::filesystem::path(spec.baseDir) / file).lexically_normal().string();
            }
        }
        run.scenarioJson = scenario.dump(2) + "\n";
        if (!keys.insert(run.key).second)
        {
            throw SweepError(At(spec.sourceName, "axes") + "two runs have the key " + run.key);
        }
        if (validate)
        {
            try
            {
                (void)ParseScenario(run.scenarioJson, spec.sourceName + " (run " + run.key + ")");
            }
            catch (const ScenarioError& e)
            {
                throw SweepError(At(spec.sourceName, "run " + run.key) + "the values " + shown +
                                 " give an invalid scenario: " + e.what());
            }
        }
        runs.push_back(std::move(run));
    }
    return runs;
}

} // namespace vclos
} // namespace ns3
