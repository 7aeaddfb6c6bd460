/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "scenario.h"

#include "ns3/model-zoo.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace ns3
{
namespace vclos
{

using Json = nlohmann::json;

uint32_t
TopologySpec::NumGpus() const
{
    return leaves * gpusPerLeaf;
}

uint32_t
TopologySpec::NumServers() const
{
    return gpusPerServer == 0 ? 0 : NumGpus() / gpusPerServer;
}

uint32_t
TopologySpec::LeafOf(uint32_t gpu) const
{
    return gpu / gpusPerLeaf;
}

uint32_t
TopologySpec::ServerOf(uint32_t gpu) const
{
    return gpu / gpusPerServer;
}

std::string
ToString(EcmpSeedMode mode)
{
    return mode == EcmpSeedMode::Same ? "same" : "per_switch";
}

namespace
{

/// Bytes in one MiB ("bytes_mib").
constexpr double kMib = 1048576.0;

/// \return path + "." + key (or key at the top level)
std::string
Child(const std::string& path, const std::string& key)
{
    return path.empty() ? key : path + "." + key;
}

/// \return path + "[index]"
std::string
Elem(const std::string& path, std::size_t index)
{
    return path + "[" + std::to_string(index) + "]";
}

/// \return a number formatted for messages (no trailing zeros)
std::string
Num(double v)
{
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.10g", v);
    return buf;
}

/// \return a short description of a JSON value for "got ..." in messages
std::string
Describe(const Json& v)
{
    std::string dumped = v.dump();
    if (dumped.size() > 40)
    {
        dumped = dumped.substr(0, 37) + "...";
    }
    switch (v.type())
    {
    case Json::value_t::null:
        return "null";
    case Json::value_t::boolean:
        return "boolean " + dumped;
    case Json::value_t::string:
        return "string " + dumped;
    case Json::value_t::object:
        return "an object";
    case Json::value_t::array:
        return "an array";
    default:
        return dumped;
    }
}

/// \return the Levenshtein distance between a and b
std::size_t
EditDistance(const std::string& a, const std::string& b)
{
    std::vector<std::size_t> prev(b.size() + 1);
    std::vector<std::size_t> cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
    {
        prev[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i)
    {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
        {
            std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

/// \return items joined by ", "
std::string
JoinList(const std::vector<std::string>& items)
{
    std::string out;
    for (const auto& s : items)
    {
        out += (out.empty() ? "" : ", ") + s;
    }
    return out;
}

/**
 * Reads one JSON object: rejects unknown keys on construction and offers typed getters
 * that name the key's path in every error.
 */
class ObjectReader
{
  public:
    /**
     * \param source file name for messages
     * \param value the value that must be an object
     * \param path its JSON path ("" at the top level)
     * \param keys the allowed keys
     */
    ObjectReader(const std::string& source,
                 const Json& value,
                 const std::string& path,
                 std::vector<std::string> keys)
        : m_source(source),
          m_value(value),
          m_path(path),
          m_keys(std::move(keys))
    {
        if (!m_value.is_object())
        {
            Fail(m_path, "expected a JSON object, got " + Describe(m_value));
        }
        for (auto it = m_value.begin(); it != m_value.end(); ++it)
        {
            if (std::find(m_keys.begin(), m_keys.end(), it.key()) != m_keys.end())
            {
                continue;
            }
            std::string msg = "unknown key '" + it.key() + "' in " + Where() +
                              "; expected one of: " + JoinList(m_keys);
            std::string best;
            std::size_t bestDist = 3;
            for (const auto& k : m_keys)
            {
                std::size_t d = EditDistance(it.key(), k);
                if (d < bestDist && d < k.size())
                {
                    bestDist = d;
                    best = k;
                }
            }
            if (!best.empty())
            {
                msg += " (did you mean '" + best + "'?)";
            }
            Fail(Child(m_path, it.key()), msg);
        }
    }

    /// Throw a ScenarioError for \p path.
    [[noreturn]] void Fail(const std::string& path, const std::string& msg) const
    {
        throw ScenarioError(m_source + ": " + (path.empty() ? "(top level)" : path) + ": " + msg);
    }

    /// \return the path of \p key
    std::string Path(const std::string& key) const
    {
        return Child(m_path, key);
    }

    /// \return whether the object has \p key
    bool Has(const std::string& key) const
    {
        return m_value.contains(key);
    }

    /// \return the value of a required key; \p expected describes it for the message
    const Json& Required(const std::string& key, const std::string& expected) const
    {
        if (!Has(key))
        {
            Fail(Path(key),
                 "missing required key '" + key + "' in " + Where() + " (expected " + expected +
                     ")");
        }
        return m_value.at(key);
    }

    /// \return a string value (required if \p def is null)
    std::string String(const std::string& key, const char* def) const
    {
        if (!Has(key) && def != nullptr)
        {
            return def;
        }
        const Json& v = Required(key, "a string");
        if (!v.is_string())
        {
            Fail(Path(key), "expected a string, got " + Describe(v));
        }
        return v.get<std::string>();
    }

    /// \return a boolean value (\p def if absent)
    bool Bool(const std::string& key, bool def) const
    {
        if (!Has(key))
        {
            return def;
        }
        const Json& v = Required(key, "true or false");
        if (!v.is_boolean())
        {
            Fail(Path(key), "expected true or false, got " + Describe(v));
        }
        return v.get<bool>();
    }

    /// \return an integer value in [lo, hi] (required if \p def is null)
    uint64_t Integer(const std::string& key, uint64_t lo, uint64_t hi, const uint64_t* def) const
    {
        if (!Has(key) && def != nullptr)
        {
            return *def;
        }
        return IntegerValue(Required(key, IntegerExpectation(lo, hi)), Path(key), lo, hi);
    }

    /// \return a uint32_t value in [lo, UINT32_MAX] with default \p def
    uint32_t U32(const std::string& key, uint32_t lo, uint32_t def) const
    {
        uint64_t d = def;
        return static_cast<uint32_t>(Integer(key, lo, std::numeric_limits<uint32_t>::max(), &d));
    }

    /// \return a required uint32_t value in [lo, UINT32_MAX]
    uint32_t RequiredU32(const std::string& key, uint32_t lo) const
    {
        return static_cast<uint32_t>(
            Integer(key, lo, std::numeric_limits<uint32_t>::max(), nullptr));
    }

    /**
     * \param key the key
     * \param strictlyPositive require > 0 (else >= 0)
     * \param def the default (required if null)
     * \return a number
     */
    double Number(const std::string& key, bool strictlyPositive, const double* def) const
    {
        if (!Has(key) && def != nullptr)
        {
            return *def;
        }
        std::string expected = strictlyPositive ? "a number > 0" : "a number >= 0";
        const Json& v = Required(key, expected);
        if (!v.is_number())
        {
            Fail(Path(key), "expected " + expected + ", got " + Describe(v));
        }
        double d = v.get<double>();
        if (!std::isfinite(d) || d < 0 || (strictlyPositive && d == 0))
        {
            Fail(Path(key), "expected " + expected + ", got " + Num(d));
        }
        return d;
    }

    /// \return the description of an integer range for messages
    static std::string IntegerExpectation(uint64_t lo, uint64_t hi)
    {
        if (hi == std::numeric_limits<uint64_t>::max() ||
            hi == std::numeric_limits<uint32_t>::max())
        {
            return "an integer >= " + std::to_string(lo);
        }
        return "an integer in " + std::to_string(lo) + ".." + std::to_string(hi);
    }

    /// \return an integer read from \p v (at \p path) in [lo, hi]
    uint64_t IntegerValue(const Json& v, const std::string& path, uint64_t lo, uint64_t hi) const
    {
        std::string expected = IntegerExpectation(lo, hi);
        uint64_t out = 0;
        if (v.is_number_unsigned())
        {
            out = v.get<uint64_t>();
        }
        else if (v.is_number_integer())
        {
            // Signed and not unsigned: negative.
            Fail(path, "expected " + expected + ", got " + std::to_string(v.get<int64_t>()));
        }
        else if (v.is_number_float())
        {
            double d = v.get<double>();
            if (d != std::floor(d))
            {
                Fail(path, "expected " + expected + ", got " + Num(d) + " (not an integer)");
            }
            if (d < 0 || d >= 18446744073709551616.0)
            {
                Fail(path, "expected " + expected + ", got " + Num(d));
            }
            out = static_cast<uint64_t>(d);
        }
        else
        {
            Fail(path, "expected " + expected + ", got " + Describe(v));
        }
        if (out < lo || out > hi)
        {
            Fail(path, "expected " + expected + ", got " + std::to_string(out));
        }
        return out;
    }

    /// \return the object's path for messages ("topology", "the top level", ...)
    std::string Where() const
    {
        return m_path.empty() ? "the top level" : m_path;
    }

  private:
    const std::string& m_source;     //!< file name
    const Json& m_value;             //!< the object
    std::string m_path;              //!< its path
    std::vector<std::string> m_keys; //!< allowed keys
};

/// Parse a link class object ("host_link" etc.) with the given defaults.
LinkSpec
ParseLink(const std::string& source,
          const ObjectReader& parent,
          const std::string& key,
          const LinkSpec& def)
{
    if (!parent.Has(key))
    {
        return def;
    }
    ObjectReader r(source,
                   parent.Required(key, "an object"),
                   parent.Path(key),
                   {"rate_gbps", "delay_us"});
    LinkSpec out;
    double rateGbps = def.rateBps / 1e9;
    double delayUs = def.delayS * 1e6;
    out.rateBps = r.Number("rate_gbps", true, &rateGbps) * 1e9;
    out.delayS = r.Number("delay_us", false, &delayUs) * 1e-6;
    return out;
}

/// \return "32 GPUs: 0..31"
std::string
GpuRange(uint32_t n)
{
    return std::to_string(n) + (n == 1 ? " GPU: 0" : " GPUs: 0.." + std::to_string(n - 1));
}

/// Parse a job's "gpus" (array or {first, count, stride}).
std::vector<uint32_t>
ParseGpus(const std::string& source, const ObjectReader& job, uint32_t numGpus)
{
    const std::string key = "gpus";
    const std::string path = job.Path(key);
    const Json& v = job.Required(key, "an array of GPU ids or {\"first\", \"count\", \"stride\"}");
    std::vector<uint32_t> gpus;
    if (v.is_array())
    {
        if (v.empty())
        {
            job.Fail(path, "expected a non-empty array of GPU ids, got []");
        }
        std::map<uint32_t, std::size_t> seen;
        for (std::size_t i = 0; i < v.size(); ++i)
        {
            std::string p = Elem(path, i);
            uint64_t g = job.IntegerValue(v[i], p, 0, std::numeric_limits<uint32_t>::max());
            if (g >= numGpus)
            {
                job.Fail(p,
                         "GPU " + std::to_string(g) + " does not exist (the topology has " +
                             GpuRange(numGpus) + ")");
            }
            auto ins = seen.emplace(static_cast<uint32_t>(g), i);
            if (!ins.second)
            {
                job.Fail(p,
                         "GPU " + std::to_string(g) + " appears twice in this job (also at " +
                             Elem(path, ins.first->second) + "); expected distinct GPUs");
            }
            gpus.push_back(static_cast<uint32_t>(g));
        }
        return gpus;
    }
    if (!v.is_object())
    {
        job.Fail(path,
                 "expected an array of GPU ids or an object {\"first\", \"count\", \"stride\"}, "
                 "got " +
                     Describe(v));
    }
    ObjectReader r(source, v, path, {"first", "count", "stride"});
    uint32_t first = r.U32("first", 0, 0);
    uint32_t count = r.RequiredU32("count", 1);
    uint32_t stride = r.U32("stride", 1, 1);
    uint64_t last = first + static_cast<uint64_t>(count - 1) * stride;
    if (first >= numGpus)
    {
        r.Fail(r.Path("first"),
               "GPU " + std::to_string(first) + " does not exist (the topology has " +
                   GpuRange(numGpus) + ")");
    }
    if (last >= numGpus)
    {
        r.Fail(path,
               "the range first=" + std::to_string(first) + ", count=" + std::to_string(count) +
                   ", stride=" + std::to_string(stride) + " ends at GPU " + std::to_string(last) +
                   ", which does not exist (the topology has " + GpuRange(numGpus) + ")");
    }
    for (uint32_t i = 0; i < count; ++i)
    {
        gpus.push_back(first + i * stride);
    }
    return gpus;
}

/**
 * Parse JSON text, rejecting duplicate keys (nlohmann keeps the last one silently).
 * Comments are allowed.
 */
Json
ParseJsonText(const std::string& text, const std::string& source)
{
    struct Frame
    {
        bool isArray{false};        //!< array (else object)
        std::size_t index{0};       //!< current element (arrays)
        std::string key;            //!< current key (objects)
        std::set<std::string> keys; //!< keys seen (objects)
    };

    std::vector<Frame> stack;
    auto pathOf = [&stack]() {
        std::string p;
        for (const auto& f : stack)
        {
            p = f.isArray ? Elem(p, f.index) : Child(p, f.key);
        }
        return p;
    };
    auto elementDone = [&stack]() {
        if (!stack.empty() && stack.back().isArray)
        {
            ++stack.back().index;
        }
    };
    Json::parser_callback_t cb = [&](int /* depth */, Json::parse_event_t event, Json& parsed) {
        switch (event)
        {
        case Json::parse_event_t::object_start:
            stack.push_back(Frame{});
            break;
        case Json::parse_event_t::array_start:
            stack.push_back(Frame{true, 0, {}, {}});
            break;
        case Json::parse_event_t::key: {
            Frame& f = stack.back();
            f.key = parsed.get<std::string>();
            if (!f.keys.insert(f.key).second)
            {
                std::string where;
                for (std::size_t i = 0; i + 1 < stack.size(); ++i)
                {
                    where =
                        stack[i].isArray ? Elem(where, stack[i].index) : Child(where, stack[i].key);
                }
                throw ScenarioError(source + ": " + pathOf() + ": duplicate key '" + f.key +
                                    "' in " + (where.empty() ? "the top level" : where) +
                                    "; each key may appear only once");
            }
            break;
        }
        case Json::parse_event_t::object_end:
        case Json::parse_event_t::array_end:
            stack.pop_back();
            elementDone();
            break;
        case Json::parse_event_t::value:
            elementDone();
            break;
        }
        return true;
    };

    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    {
        throw ScenarioError(source + ": JSON syntax error: empty input; " +
                            "expected a JSON object");
    }
    try
    {
        return Json::parse(text, cb, /* allow_exceptions */ true, /* ignore_comments */ true);
    }
    catch (const Json::parse_error& e)
    {
        std::string what = e.what();
        std::size_t at = what.find("at line ");
        std::string detail = at == std::string::npos ? what : what.substr(at);
        throw ScenarioError(source + ": JSON syntax error " + detail);
    }
}

} // namespace

void
ValidateCollectives(const Scenario& scenario, const std::vector<std::string>& collectives)
{
    for (std::size_t i = 0; i < scenario.jobs.size(); ++i)
    {
        const std::string& c = scenario.jobs[i].collective;
        if (std::find(collectives.begin(), collectives.end(), c) == collectives.end())
        {
            throw ScenarioError(scenario.sourceName + ": " + Elem("jobs", i) +
                                ".collective: unknown collective '" + c +
                                "'; implemented: " + JoinList(collectives));
        }
    }
}

Scenario
ParseScenario(const std::string& jsonText,
              const std::string& sourceName,
              const std::vector<std::string>& collectives)
{
    const std::string& src = sourceName;
    Json root = ParseJsonText(jsonText, src);

    Scenario s;
    s.text = jsonText;
    s.sourceName = sourceName;

    ObjectReader top(src,
                     root,
                     "",
                     {"name",
                      "description",
                      "seed",
                      "level",
                      "topology",
                      "network",
                      "jobs",
                      "output",
                      "stop_time_s"});
    s.name = top.String("name", nullptr);
    if (s.name.empty())
    {
        top.Fail("name", "expected a non-empty string");
    }
    s.description = top.String("description", "");
    s.seed = top.U32("seed", 1, 1);
    s.level = top.String("level", "packet");
    if (s.level != "packet")
    {
        top.Fail("level",
                 "level '" + s.level +
                     "' is not implemented; only \"packet\" is implemented for now "
                     "(a flow-level engine is planned)");
    }
    double defStop = 10;
    s.stopTimeS = top.Number("stop_time_s", true, &defStop);

    // topology
    {
        ObjectReader t(src,
                       top.Required("topology", "an object"),
                       "topology",
                       {"leaves",
                        "spines",
                        "gpus_per_leaf",
                        "gpus_per_server",
                        "links_per_leaf_spine",
                        "host_link",
                        "fabric_link",
                        "intra_server"});
        TopologySpec& topo = s.topology;
        topo.leaves = t.RequiredU32("leaves", 1);
        topo.spines = t.RequiredU32("spines", 1);
        topo.gpusPerLeaf = t.RequiredU32("gpus_per_leaf", 1);
        topo.gpusPerServer = t.U32("gpus_per_server", 1, 1);
        topo.linksPerLeafSpine = t.U32("links_per_leaf_spine", 1, 1);
        if (static_cast<uint64_t>(topo.leaves) * topo.gpusPerLeaf >
            std::numeric_limits<uint32_t>::max())
        {
            t.Fail("topology", "leaves * gpus_per_leaf is too large (more than 2^32-1 GPUs)");
        }
        if (topo.gpusPerLeaf % topo.gpusPerServer != 0)
        {
            std::vector<std::string> divisors;
            for (uint32_t d = 1; d <= topo.gpusPerLeaf && divisors.size() < 12; ++d)
            {
                if (topo.gpusPerLeaf % d == 0)
                {
                    divisors.push_back(std::to_string(d));
                }
            }
            t.Fail(t.Path("gpus_per_server"),
                   std::to_string(topo.gpusPerServer) + " does not divide gpus_per_leaf (" +
                       std::to_string(topo.gpusPerLeaf) +
                       "); expected a divisor of gpus_per_leaf (" + JoinList(divisors) + ")");
        }
        const TopologySpec defaults;
        topo.hostLink = ParseLink(src, t, "host_link", defaults.hostLink);
        topo.fabricLink = ParseLink(src, t, "fabric_link", defaults.fabricLink);
        topo.intraServer = ParseLink(src, t, "intra_server", defaults.intraServer);
    }

    // network
    if (top.Has("network"))
    {
        ObjectReader n(src,
                       top.Required("network", "an object"),
                       "network",
                       {"mtu_bytes",
                        "queue_bytes",
                        "ack_interval",
                        "retransmit_timeout_us",
                        "ecmp_seed_mode",
                        "buffer_bytes",
                        "alpha",
                        "pfc",
                        "ecn",
                        "congestion_control",
                        "cnp_interval_us"});
        NetworkSpec& net = s.network;
        const NetworkSpec defaults;
        uint64_t defMtu = defaults.mtuBytes;
        net.mtuBytes = static_cast<uint32_t>(n.Integer("mtu_bytes", 256, 9000, &defMtu));
        uint64_t defQueue = defaults.queueBytes;
        net.queueBytes =
            n.Integer("queue_bytes", 1, std::numeric_limits<uint64_t>::max(), &defQueue);
        if (net.queueBytes < net.mtuBytes)
        {
            n.Fail(n.Path("queue_bytes"),
                   "expected at least mtu_bytes (" + std::to_string(net.mtuBytes) + "), got " +
                       std::to_string(net.queueBytes));
        }
        net.ackInterval = n.U32("ack_interval", 1, defaults.ackInterval);
        double defRto = defaults.retransmitTimeoutS * 1e6;
        net.retransmitTimeoutS = n.Number("retransmit_timeout_us", true, &defRto) * 1e-6;
        std::string mode = n.String("ecmp_seed_mode", "per_switch");
        if (mode == "per_switch")
        {
            net.ecmpSeedMode = EcmpSeedMode::PerSwitch;
        }
        else if (mode == "same")
        {
            net.ecmpSeedMode = EcmpSeedMode::Same;
        }
        else
        {
            n.Fail(n.Path("ecmp_seed_mode"),
                   "expected \"per_switch\" or \"same\", got \"" + mode + "\"");
        }
        uint64_t defBuffer = 0;
        net.bufferBytes = n.Integer("buffer_bytes", 0, 0xFFFFFFFFull, &defBuffer);
        double defAlpha = defaults.alpha;
        net.alpha = n.Number("alpha", true, &defAlpha);
        net.pfc = n.Bool("pfc", false);
        if (net.pfc && net.bufferBytes == 0)
        {
            n.Fail(n.Path("pfc"),
                   "PFC needs a shared switch buffer: give buffer_bytes (e.g. "
                   "12582912 for 12 MiB)");
        }
        if (n.Has("ecn"))
        {
            ObjectReader e(src,
                           n.Required("ecn", "an object"),
                           n.Path("ecn"),
                           {"kmin_bytes", "kmax_bytes", "pmax"});
            net.ecn = true;
            uint64_t defKmin = defaults.ecnKminBytes;
            uint64_t defKmax = defaults.ecnKmaxBytes;
            net.ecnKminBytes = e.Integer("kmin_bytes", 0, 0xFFFFFFFFull, &defKmin);
            net.ecnKmaxBytes = e.Integer("kmax_bytes", 1, 0xFFFFFFFFull, &defKmax);
            double defPmax = defaults.ecnPmax;
            net.ecnPmax = e.Number("pmax", true, &defPmax);
            if (net.ecnKmaxBytes <= net.ecnKminBytes)
            {
                e.Fail(e.Path("kmax_bytes"),
                       "expected more than kmin_bytes (" + std::to_string(net.ecnKminBytes) + ")");
            }
            if (net.ecnPmax > 1)
            {
                e.Fail(e.Path("pmax"), "expected a probability in (0, 1], got " + Num(net.ecnPmax));
            }
        }
        net.congestionControl = n.String("congestion_control", "none");
        if (net.congestionControl != "none" && net.congestionControl != "dcqcn")
        {
            n.Fail(n.Path("congestion_control"),
                   "expected \"none\" or \"dcqcn\", got \"" + net.congestionControl + "\"");
        }
        double defCnp = defaults.cnpIntervalS * 1e6;
        net.cnpIntervalS = n.Number("cnp_interval_us", false, &defCnp) * 1e-6;
    }

    // output
    if (top.Has("output"))
    {
        ObjectReader o(src,
                       top.Required("output", "an object"),
                       "output",
                       {"progress_interval_ms", "sample_interval_us"});
        double defMs = OutputSpec().progressIntervalS * 1e3;
        s.output.progressIntervalS = o.Number("progress_interval_ms", true, &defMs) * 1e-3;
        double noSamples = 0;
        s.output.sampleIntervalS = o.Number("sample_interval_us", false, &noSamples) * 1e-6;
    }

    // jobs
    const Json& jobs = top.Required("jobs", "a non-empty array of job objects");
    if (!jobs.is_array() || jobs.empty())
    {
        top.Fail("jobs", "expected a non-empty array of job objects, got " + Describe(jobs));
    }
    std::map<std::string, std::size_t> names;
    for (std::size_t i = 0; i < jobs.size(); ++i)
    {
        const std::string path = Elem("jobs", i);
        ObjectReader r(src,
                       jobs[i],
                       path,
                       {"name",
                        "gpus",
                        "collective",
                        "bytes",
                        "bytes_mib",
                        "iterations",
                        "compute_us",
                        "start_us",
                        "pipeline_chunks",
                        "model",
                        "buckets",
                        "backward_fraction",
                        "all_to_all_bytes"});
        JobSpec job;
        std::string defName = "job" + std::to_string(i);
        job.name = r.String("name", defName.c_str());
        if (job.name.empty())
        {
            r.Fail(r.Path("name"), "expected a non-empty string");
        }
        auto ins = names.emplace(job.name, i);
        if (!ins.second)
        {
            r.Fail(r.Path("name"),
                   "duplicate job name '" + job.name + "' (also used by " +
                       Elem("jobs", ins.first->second) + "); job names must be unique");
        }
        job.gpus = ParseGpus(src, r, s.topology.NumGpus());
        job.collective = r.String("collective", nullptr);

        // A model from the table gives defaults for bytes, compute and all-to-all.
        const ModelSpec* model = nullptr;
        if (r.Has("model"))
        {
            job.model = r.String("model", nullptr);
            try
            {
                model = &FindModel(job.model);
            }
            catch (const std::invalid_argument& e)
            {
                r.Fail(r.Path("model"), e.what());
            }
        }
        bool hasBytes = r.Has("bytes");
        bool hasMib = r.Has("bytes_mib");
        if (hasBytes && hasMib)
        {
            r.Fail(path, "give exactly one of 'bytes' or 'bytes_mib', not both");
        }
        if (!hasBytes && !hasMib && model)
        {
            job.bytes = model->gradientBytes;
        }
        else if (!hasBytes && !hasMib)
        {
            r.Fail(r.Path("bytes"),
                   "missing required key 'bytes' in " + path +
                       " (expected an integer >= 1; or give 'bytes_mib')");
        }
        if (hasBytes)
        {
            job.bytes = r.Integer("bytes", 1, std::numeric_limits<uint64_t>::max(), nullptr);
        }
        else if (hasMib)
        {
            double mib = r.Number("bytes_mib", true, nullptr);
            double bytes = std::round(mib * kMib);
            if (bytes < 1 || bytes >= 9.2e18)
            {
                r.Fail(r.Path("bytes_mib"),
                       "expected a size of at least 1 byte and below 2^63 "
                       "bytes, got " +
                           Num(mib) + " MiB");
            }
            job.bytes = static_cast<uint64_t>(bytes);
        }
        job.iterations = r.U32("iterations", 1, 1);
        double zero = 0;
        double computeUs = model ? model->computeS * 1e6 : 0;
        job.computeS = r.Number("compute_us", false, &computeUs) * 1e-6;
        job.buckets = r.U32("buckets", 1, 1);
        double backward = model ? model->backwardFraction : 2.0 / 3.0;
        job.backwardFraction = r.Number("backward_fraction", false, &backward);
        if (job.backwardFraction > 1)
        {
            r.Fail(r.Path("backward_fraction"),
                   "expected a share between 0 and 1, got " + Num(job.backwardFraction));
        }
        const uint64_t a2a = model ? model->allToAllBytes : 0;
        job.allToAllBytes =
            r.Integer("all_to_all_bytes", 0, std::numeric_limits<uint64_t>::max(), &a2a);
        job.startS = r.Number("start_us", false, &zero) * 1e-6;
        job.pipelineChunks = r.U32("pipeline_chunks", 1, 1);
        if (job.startS >= s.stopTimeS)
        {
            r.Fail(r.Path("start_us"),
                   "the job starts at " + Num(job.startS) + " s, not before stop_time_s (" +
                       Num(s.stopTimeS) + " s); expected an earlier start or a later stop");
        }
        s.jobs.push_back(std::move(job));
    }

    ValidateCollectives(s, collectives);
    return s;
}

Scenario
LoadScenarioFile(const std::string& path, const std::vector<std::string>& collectives)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        throw ScenarioError(path + ": cannot open scenario file: " + std::strerror(errno));
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    if (in.bad())
    {
        throw ScenarioError(path + ": cannot read scenario file: " + std::strerror(errno));
    }
    return ParseScenario(buf.str(), path, collectives);
}

} // namespace vclos
} // namespace ns3
