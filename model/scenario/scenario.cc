/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "scenario.h"

#include "pfc-headroom.h"

#include "ns3/ecmp-hash.h"
#include "ns3/mini-clos-search.h"
#include "ns3/model-zoo.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <sys/stat.h>

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

LeafSpineShape
TopologySpec::Shape() const
{
    auto params = [](const LinkSpec& link) {
        return LinkParams{static_cast<uint64_t>(link.rateBps), ToPicoseconds(link.delayS)};
    };
    LeafSpineShape shape;
    shape.leaves = leaves;
    shape.spines = fabric == "ocs" ? ocs.uplinksPerLeaf : spines;
    shape.gpusPerLeaf = gpusPerLeaf;
    shape.gpusPerServer = gpusPerServer;
    shape.linksPerLeafSpine = fabric == "ocs" ? 1 : linksPerLeafSpine;
    shape.host = params(hostLink);
    shape.fabric = params(fabricLink);
    shape.intra = params(intraServer);
    return shape;
}

OcsFabricShape
TopologySpec::OcsShape() const
{
    OcsFabricShape shape;
    shape.leaves = leaves;
    shape.gpusPerLeaf = gpusPerLeaf;
    shape.uplinksPerLeaf = ocs.uplinksPerLeaf;
    shape.spines = spines;
    shape.spinePortsPerOcs = ocs.spinePortsPerOcs;
    return shape;
}

uint32_t
JobSpec::NumGpus() const
{
    return gpus.empty() ? nGpus : static_cast<uint32_t>(gpus.size());
}

std::string
ToString(EcmpSeedMode mode)
{
    return mode == EcmpSeedMode::Same ? "same" : "per_switch";
}

namespace
{

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

/// \return a number formatted for messages: the shortest text that reads back as \p v
std::string
Num(double v)
{
    char buf[64];
    int precision = 1;
    for (; precision < 17; ++precision)
    {
        std::snprintf(buf, sizeof(buf), "%.*g", precision, v);
        if (std::strtod(buf, nullptr) == v)
        {
            break;
        }
    }
    // No exponent for numbers of up to 17 integer digits ("100", not "1e+02").
    const double mag = std::fabs(v);
    const int intDigits =
        mag >= 1 && std::isfinite(mag) ? static_cast<int>(std::log10(mag)) + 1 : 0;
    std::snprintf(buf,
                  sizeof(buf),
                  "%.*g",
                  intDigits <= 17 ? std::max(precision, intDigits) : precision,
                  v);
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

/// \return \p s, cut to 64 bytes with "..." (user text echoed in messages)
std::string
Shorten(const std::string& s, std::size_t max = 64)
{
    return s.size() <= max ? s : s.substr(0, max - 3) + "...";
}

/**
 * A JSON number as an exact decimal: digits x 10^exp10 (no leading or trailing zeros in
 * digits; "" is zero). A double is taken as the shortest decimal that reads back as the
 * same double, i.e. what the user wrote for any number of up to 15 significant digits.
 */
struct Decimal
{
    bool negative{false}; //!< sign (also of -0)
    std::string digits;   //!< significant digits
    int exp10{0};         //!< power of ten of the last digit
};

/// \return \p d with leading and trailing zeros moved out of the digits
Decimal
Normalize(Decimal d)
{
    std::size_t first = d.digits.find_first_not_of('0');
    if (first == std::string::npos)
    {
        d.digits.clear();
        d.exp10 = 0;
        return d;
    }
    d.digits.erase(0, first);
    while (d.digits.back() == '0')
    {
        d.digits.pop_back();
        ++d.exp10;
    }
    return d;
}

/// \return the exact decimal of a JSON number
Decimal
ToDecimal(const Json& v)
{
    Decimal d;
    if (v.is_number_unsigned())
    {
        d.digits = std::to_string(v.get<uint64_t>());
    }
    else if (v.is_number_integer())
    {
        const int64_t i = v.get<int64_t>();
        d.negative = i < 0;
        d.digits = std::to_string(i);
        if (d.negative)
        {
            d.digits.erase(0, 1);
        }
    }
    else
    {
        const double x = v.get<double>();
        d.negative = std::signbit(x);
        char buf[64];
        for (int precision = 1; precision <= 17; ++precision)
        {
            std::snprintf(buf, sizeof(buf), "%.*e", precision - 1, std::fabs(x));
            if (std::strtod(buf, nullptr) == std::fabs(x))
            {
                break;
            }
        }
        // buf is "d.ddde+XX" (or "de+XX")
        const std::string text = buf;
        const std::size_t e = text.find('e');
        std::string mantissa = text.substr(0, e);
        int fraction = 0;
        const std::size_t dot = mantissa.find('.');
        if (dot != std::string::npos)
        {
            fraction = static_cast<int>(mantissa.size() - dot - 1);
            mantissa.erase(dot, 1);
        }
        d.digits = mantissa;
        d.exp10 = std::atoi(text.c_str() + e + 1) - fraction;
    }
    return Normalize(d);
}

/// Outcome of scaling a decimal to an integer.
enum class Scaled
{
    OK,        //!< a whole number within the maximum
    NOT_WHOLE, //!< has a fractional part after scaling
    TOO_LARGE, //!< above the maximum
};

/**
 * Exactly compute |d| x 10^scaleExp10 x multiplier as an integer.
 * \param d the number \param scaleExp10 unit conversion power of ten
 * \param multiplier extra integer factor (<= 2^20) \param max largest accepted result
 * \param[out] out the result \return whether it is a whole number <= max
 */
Scaled
ScaleExact(const Decimal& d, int scaleExp10, uint64_t multiplier, uint64_t max, uint64_t* out)
{
    using U128 = unsigned __int128;
    *out = 0;
    if (d.digits.empty())
    {
        return Scaled::OK;
    }
    U128 mantissa = 0;
    for (char c : d.digits)
    {
        mantissa = mantissa * 10 + static_cast<U128>(c - '0'); // <= 20 digits: < 2^67
    }
    mantissa *= multiplier; // < 2^87
    int e = d.exp10 + scaleExp10;
    if (e >= 0)
    {
        if (static_cast<int>(d.digits.size()) + e > 21)
        {
            return Scaled::TOO_LARGE; // >= 10^20 > 2^64 > max
        }
        for (int i = 0; i < e; ++i)
        {
            mantissa *= 10; // < 10^21 x 2^20 < 2^90
        }
        if (mantissa > max)
        {
            return Scaled::TOO_LARGE;
        }
        *out = static_cast<uint64_t>(mantissa);
        return Scaled::OK;
    }
    if (-e > 38)
    {
        return Scaled::NOT_WHOLE; // 0 < mantissa < 10^38
    }
    U128 pow = 1;
    for (int i = 0; i < -e; ++i)
    {
        pow *= 10;
    }
    if (mantissa % pow != 0)
    {
        return Scaled::NOT_WHOLE;
    }
    mantissa /= pow;
    if (mantissa > max)
    {
        return Scaled::TOO_LARGE;
    }
    *out = static_cast<uint64_t>(mantissa);
    return Scaled::OK;
}

/// \return value x 10^-exp10 as an exact decimal string ("0.001", "3600")
std::string
FormatScaled(uint64_t value, int exp10)
{
    std::string digits = std::to_string(value);
    if (exp10 <= 0)
    {
        return digits + std::string(-exp10, '0');
    }
    if (digits.size() <= static_cast<std::size_t>(exp10))
    {
        digits = std::string(exp10 - digits.size() + 1, '0') + digits;
    }
    std::string out =
        digits.substr(0, digits.size() - exp10) + "." + digits.substr(digits.size() - exp10);
    while (out.back() == '0')
    {
        out.pop_back();
    }
    if (out.back() == '.')
    {
        out.pop_back();
    }
    return out;
}

/// The time limit of the scenario being parsed (TimeLimitScope), read by ObjectReader::Time().
struct TimeLimit
{
    int64_t maxPs{kMaxTimePs}; //!< largest time, ps (MaxTimePs() of the level)
    std::string level;         //!< the level it comes from ("" outside ParseScenario)
};

/// The time limit in force on this thread (one ParseScenario() at a time per thread).
thread_local TimeLimit t_timeLimit;

/// Sets t_timeLimit for one ParseScenario() call and restores the previous one after it.
class TimeLimitScope
{
  public:
    /// \param level the level the scenario runs at
    explicit TimeLimitScope(const std::string& level)
        : m_saved(t_timeLimit)
    {
        t_timeLimit = TimeLimit{MaxTimePs(level), level};
    }

    ~TimeLimitScope()
    {
        t_timeLimit = m_saved;
    }

    TimeLimitScope(const TimeLimitScope&) = delete;
    TimeLimitScope& operator=(const TimeLimitScope&) = delete;

  private:
    TimeLimit m_saved; //!< the limit before this scope
};

/**
 * \return what the level allows, for messages: " (at level \"packet\"; level \"flow\" allows up
 * to 4000000 s)", " (at level \"flow\")", or "" outside ParseScenario()
 */
std::string
TimeLimitNote()
{
    if (t_timeLimit.level.empty())
    {
        return "";
    }
    std::string note = " (at level \"" + t_timeLimit.level + "\"";
    if (t_timeLimit.maxPs < kMaxFlowTimePs)
    {
        note += "; level \"flow\" allows up to " + FormatScaled(kMaxFlowTimePs, 12) + " s";
    }
    return note + ")";
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
            std::string msg = "unknown key '" + Shorten(it.key()) + "' in " + Where() +
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
            Fail(Child(m_path, Shorten(it.key())), msg);
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

    /**
     * A time, exactly a whole number of picoseconds in [minPs, maxPs] (or 0 if
     * \p zeroIsOff).
     *
     * \param key the key \param unitExp10 picoseconds per unit as a power of ten (us: 6)
     * \param unit the unit's name \param minPs smallest value \param zeroIsOff accept 0
     * \param def the default in seconds (required if null)
     * \param maxPs largest value; 0: the level's (MaxTimePs(), in force in ParseScenario())
     * \return the time in seconds (ToPicoseconds() gives the picoseconds back exactly up
     *         to kMaxTimePs; above, the nearest double)
     */
    double Time(const std::string& key,
                int unitExp10,
                const std::string& unit,
                int64_t minPs,
                bool zeroIsOff,
                const double* def,
                int64_t maxPs = 0) const
    {
        if (!Has(key) && def != nullptr)
        {
            return *def;
        }
        const bool levelLimit = maxPs == 0;
        if (levelLimit)
        {
            maxPs = t_timeLimit.maxPs;
        }
        std::string expected = "a time in [" + FormatScaled(minPs, unitExp10) + ", " +
                               FormatScaled(maxPs, unitExp10) + "] " + unit;
        if (zeroIsOff)
        {
            expected = "0 (off) or " + expected;
        }
        const Json& v = Required(key, expected);
        if (!v.is_number())
        {
            Fail(Path(key), "expected " + expected + ", got " + Describe(v));
        }
        const Decimal d = ToDecimal(v);
        uint64_t ps = 0;
        const Scaled r = ScaleExact(d, unitExp10, 1, static_cast<uint64_t>(maxPs), &ps);
        const std::string got =
            ", got " + Num(v.get<double>()) + (levelLimit ? TimeLimitNote() : "");
        if (d.negative && !d.digits.empty())
        {
            Fail(Path(key), "expected " + expected + got);
        }
        if (r == Scaled::NOT_WHOLE)
        {
            Fail(Path(key),
                 Num(v.get<double>()) + " " + unit +
                     " is not a whole number of picoseconds (the simulator's resolution); "
                     "expected " +
                     expected);
        }
        if (r == Scaled::TOO_LARGE || (static_cast<int64_t>(ps) < minPs && !(zeroIsOff && ps == 0)))
        {
            Fail(Path(key), "expected " + expected + got);
        }
        return static_cast<double>(ps) / 1e12;
    }

    /**
     * A link rate in Gbit/s that is a whole number of bits/s in [1, kMaxRateBps] (it
     * lands in an ns-3 DataRate, an integer of bits/s).
     * \param key the key \param defBps the default in bits/s \return the rate in bits/s
     */
    double Rate(const std::string& key, double defBps) const
    {
        if (!Has(key))
        {
            return defBps;
        }
        const std::string expected =
            "a rate in [" + FormatScaled(1, 9) + ", " + FormatScaled(kMaxRateBps, 9) + "] Gbit/s";
        const Json& v = Required(key, expected);
        if (!v.is_number())
        {
            Fail(Path(key), "expected " + expected + ", got " + Describe(v));
        }
        const Decimal d = ToDecimal(v);
        uint64_t bps = 0;
        const Scaled r = ScaleExact(d, 9, 1, kMaxRateBps, &bps);
        if (d.negative && !d.digits.empty())
        {
            Fail(Path(key), "expected " + expected + ", got " + Num(v.get<double>()));
        }
        if (r == Scaled::NOT_WHOLE)
        {
            Fail(Path(key),
                 Num(v.get<double>()) +
                     " Gbit/s is not a whole number of bits per second (ns-3 data rates are "
                     "integers of bit/s); expected " +
                     expected);
        }
        if (r == Scaled::TOO_LARGE || bps == 0)
        {
            Fail(Path(key), "expected " + expected + ", got " + Num(v.get<double>()));
        }
        return static_cast<double>(bps);
    }

    /// \return a string of at most kMaxNameBytes bytes that is not empty
    std::string Name(const std::string& key, const char* def) const
    {
        std::string name = String(key, def);
        if (name.empty() || name.size() > kMaxNameBytes)
        {
            Fail(Path(key),
                 "expected a non-empty string of at most " + std::to_string(kMaxNameBytes) +
                     " bytes, got " + std::to_string(name.size()) + " bytes");
        }
        return name;
    }

    /// \return the description of an integer range for messages
    static std::string IntegerExpectation(uint64_t lo, uint64_t hi)
    {
        if (hi == std::numeric_limits<uint64_t>::max())
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
            // Signed and not unsigned: negative, or -0 (which is 0).
            if (v.get<int64_t>() != 0)
            {
                Fail(path, "expected " + expected + ", got " + std::to_string(v.get<int64_t>()));
            }
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
            out = static_cast<uint64_t>(std::fabs(d)); // -0.0 is 0
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
    out.rateBps = r.Rate("rate_gbps", def.rateBps);
    out.delayS = r.Time("delay_us", 6, "us", 0, false, &def.delayS);
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
 * Reject a shared buffer that cannot hold the PFC headroom of a switch's ports (the
 * switch would abort when the simulation starts). Mirrors LeafSpineHelper: a leaf has
 * gpus_per_leaf host ports and spines x links_per_leaf_spine fabric ports, a spine
 * leaves x links_per_leaf_spine fabric ports, a server switch (gpus_per_server > 1)
 * gpus_per_server intra-server ports; PFC protects one priority (RoCE data).
 */
void
CheckPfcHeadroom(const ObjectReader& n, const TopologySpec& topo, const NetworkSpec& net)
{
    const uint32_t frame = net.mtuBytes + kMaxFrameOverheadBytes;
    auto port = [frame](const LinkSpec& l) {
        return static_cast<double>(
            PfcHeadroomBytes(static_cast<uint64_t>(l.rateBps), ToPicoseconds(l.delayS), frame));
    };

    struct Need
    {
        std::string what;
        double bytes;
    };

    const double host = port(topo.hostLink);
    const double fabric = port(topo.fabricLink);
    const double fabricPorts = static_cast<double>(topo.spines) * topo.linksPerLeafSpine;
    std::vector<Need> needs{
        {"a leaf: " + std::to_string(topo.gpusPerLeaf) + " host ports x " + Num(host) + " + " +
             Num(fabricPorts) + " fabric ports x " + Num(fabric),
         topo.gpusPerLeaf * host + fabricPorts * fabric},
        {"a spine: " + Num(static_cast<double>(topo.leaves) * topo.linksPerLeafSpine) +
             " fabric ports x " + Num(fabric),
         static_cast<double>(topo.leaves) * topo.linksPerLeafSpine * fabric}};
    if (topo.gpusPerServer > 1)
    {
        const double intra = port(topo.intraServer);
        needs.push_back({"a server switch: " + std::to_string(topo.gpusPerServer) +
                             " intra-server ports x " + Num(intra),
                         topo.gpusPerServer * intra});
    }
    for (const Need& need : needs)
    {
        if (static_cast<double>(net.bufferBytes) <= need.bytes)
        {
            n.Fail(n.Path("buffer_bytes"),
                   std::to_string(net.bufferBytes) +
                       " bytes do not cover the PFC headroom of the ports of " + need.what + " = " +
                       Num(need.bytes) +
                       " bytes (per port: the bytes in flight on its cable during one PAUSE "
                       "round trip + 3 maximum frames of " +
                       std::to_string(frame) + " bytes + 84); expected more than " +
                       Num(need.bytes) + " (at most 4294967295)");
        }
    }
}

/**
 * Reject a job whose collective would expand to more than kMaxTransfersPerCollective
 * transfers (memory for the schedule and its executors).
 */
void
CheckExpansion(const ObjectReader& r, const JobSpec& job, uint32_t gpusPerServer)
{
    const uint32_t ranks = job.NumGpus();
    const double limit = static_cast<double>(kMaxTransfersPerCollective);
    const double perChunk = CollectiveTransfers(job.collective, ranks, gpusPerServer, 1);
    const double total =
        CollectiveTransfers(job.collective, ranks, gpusPerServer, job.pipelineChunks);
    const std::string has = "a " + Shorten(job.collective) + " collective on " +
                            std::to_string(ranks) + " ranks with " +
                            std::to_string(job.pipelineChunks) + " pipeline chunks has ";
    if (perChunk > limit)
    {
        r.Fail(r.Path(job.gpus.empty() ? "n_gpus" : "gpus"),
               has + Num(total) + " transfers; at most " + Num(limit) +
                   " are allowed: expected fewer GPUs");
    }
    if (total > limit)
    {
        const double maxChunks = std::floor(limit / std::max(perChunk, 1.0));
        r.Fail(r.Path("pipeline_chunks"),
               has + Num(total) + " transfers; at most " + Num(limit) +
                   " transfers; expected pipeline_chunks in 1.." + Num(maxChunks));
    }
    if (job.allToAllBytes > 0 && CollectiveTransfers("all_to_all", ranks, 1, 1) > limit)
    {
        r.Fail(r.Path("all_to_all_bytes"),
               "the all-to-all on " + std::to_string(ranks) + " ranks has " +
                   Num(CollectiveTransfers("all_to_all", ranks, 1, 1)) + " transfers; at most " +
                   Num(limit) + " are allowed: expected fewer GPUs or 0");
    }
}

/**
 * A light scan of JSON text before it is parsed: tracks line, column and the JSON path of
 * the token at hand, rejects nesting deeper than kMaxJsonDepth (the parser and the value
 * destructor recurse, so 100000 '[' would overflow the stack) and numbers a double cannot
 * hold (1e400 overflows, 1e-400 would silently become 0). It does not judge the syntax:
 * the parser does that afterwards; the scan only has to be safe on any input.
 */
class JsonScan
{
  public:
    /**
     * \param text the JSON text \param source file name for messages
     */
    JsonScan(const std::string& text, const std::string& source)
        : m_text(text),
          m_source(source)
    {
    }

    /**
     * Scan up to byte \p stopAt (or the end).
     * \param check throw on excessive depth or an out-of-range number
     * \return the JSON path of the token at \p stopAt
     */
    std::string Run(std::size_t stopAt, bool check)
    {
        const std::size_t n = std::min(stopAt, m_text.size());
        std::size_t i = 0;
        while (i < n)
        {
            const char c = m_text[i];
            const std::size_t start = i;
            if (c == '\n')
            {
                ++m_line;
                m_lineStart = i + 1;
                ++i;
            }
            else if (c == '/' && i + 1 < m_text.size() && m_text[i + 1] == '/')
            {
                while (i < m_text.size() && m_text[i] != '\n')
                {
                    ++i;
                }
            }
            else if (c == '/' && i + 1 < m_text.size() && m_text[i + 1] == '*')
            {
                i += 2;
                while (i < m_text.size() &&
                       !(m_text[i] == '*' && i + 1 < m_text.size() && m_text[i + 1] == '/'))
                {
                    if (m_text[i] == '\n')
                    {
                        ++m_line;
                        m_lineStart = i + 1;
                    }
                    ++i;
                }
                i += 2;
            }
            else if (c == '"')
            {
                ++i;
                while (i < m_text.size() && m_text[i] != '"' && m_text[i] != '\n')
                {
                    i += m_text[i] == '\\' ? 2 : 1;
                }
                const std::size_t end = std::min(i, m_text.size());
                if (!m_frames.empty() && !m_frames.back().isArray && m_frames.back().expectKey)
                {
                    m_frames.back().key = Shorten(m_text.substr(start + 1, end - start - 1));
                    m_frames.back().expectKey = false;
                }
                ++i;
            }
            else if (c == '{' || c == '[')
            {
                if (check && m_frames.size() + 1 > kMaxJsonDepth)
                {
                    Fail("JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
                         " levels (at line " + std::to_string(m_line) + ", column " +
                         std::to_string(start - m_lineStart + 1) + "); a scenario needs at most 4");
                }
                m_frames.push_back(Frame{c == '[', 0, "", c == '{'});
                ++i;
            }
            else if (c == '}' || c == ']')
            {
                if (!m_frames.empty())
                {
                    m_frames.pop_back();
                }
                ++i;
            }
            else if (c == ',')
            {
                if (!m_frames.empty())
                {
                    Frame& f = m_frames.back();
                    if (f.isArray)
                    {
                        ++f.index;
                    }
                    else
                    {
                        f.expectKey = true;
                        f.key.clear();
                    }
                }
                ++i;
            }
            else if (c == '-' || (c >= '0' && c <= '9'))
            {
                // (strchr would also find the terminating NUL: exclude it)
                while (i < m_text.size() && m_text[i] != '\0' &&
                       std::strchr("0123456789+-.eE", m_text[i]) != nullptr)
                {
                    ++i;
                }
                if (check)
                {
                    CheckNumber(start, m_text.substr(start, i - start));
                }
            }
            else
            {
                ++i;
            }
        }
        return Path();
    }

  private:
    /// One open array or object.
    struct Frame
    {
        bool isArray{false};   //!< array (else object)
        std::size_t index{0};  //!< current element (arrays)
        std::string key;       //!< current key (objects)
        bool expectKey{false}; //!< the next string is a key (objects)
    };

    /// \return the JSON path of the current position
    std::string Path() const
    {
        std::string p;
        for (const Frame& f : m_frames)
        {
            if (f.isArray)
            {
                p = Elem(p, f.index);
            }
            else if (!f.key.empty())
            {
                p = Child(p, f.key);
            }
        }
        return p;
    }

    /// Reject a number token a double cannot hold (\p at: its first byte).
    void CheckNumber(std::size_t at, const std::string& token)
    {
        errno = 0;
        char* end = nullptr;
        const double v = std::strtod(token.c_str(), &end);
        if (end == token.c_str() || errno != ERANGE)
        {
            return; // not a number (the parser reports it) or in range
        }
        const bool overflow = std::isinf(v) || std::fabs(v) > 1;
        Fail("number " + Shorten(token) +
             (overflow ? " is out of the range of a double (at most 1.7976931348623157e308)"
                       : " is too small for a double (it would silently become 0)") +
             " (at line " + std::to_string(m_line) + ", column " +
             std::to_string(at - m_lineStart + 1) + ")");
    }

    /// Throw a ScenarioError at the current path.
    [[noreturn]] void Fail(const std::string& msg) const
    {
        const std::string path = Path();
        throw ScenarioError(m_source + ": " + (path.empty() ? "(top level)" : path) + ": " + msg);
    }

    const std::string& m_text;   //!< the text
    const std::string& m_source; //!< file name
    std::vector<Frame> m_frames; //!< open arrays and objects
    std::size_t m_line{1};       //!< current line (1-based)
    std::size_t m_lineStart{0};  //!< byte where the current line starts
};

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
            p = f.isArray ? Elem(p, f.index) : Child(p, Shorten(f.key));
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
                    where = stack[i].isArray ? Elem(where, stack[i].index)
                                             : Child(where, Shorten(stack[i].key));
                }
                throw ScenarioError(
                    source + ": " + pathOf() + ": duplicate key '" + Shorten(f.key) + "' in " +
                    (where.empty() ? "the top level" : where) + "; each key may appear only once");
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
        throw ScenarioError(source + ": (top level): JSON syntax error: empty input; " +
                            "expected a JSON object");
    }
    JsonScan(text, source).Run(text.size(), true);
    try
    {
        return Json::parse(text, cb, /* allow_exceptions */ true, /* ignore_comments */ true);
    }
    catch (const Json::parse_error& e)
    {
        std::string what = e.what();
        std::size_t at = what.find("at line ");
        std::string detail = at == std::string::npos ? what : what.substr(at);
        std::string path = JsonScan(text, source).Run(e.byte == 0 ? 0 : e.byte - 1, false);
        throw ScenarioError(source + ": " + (path.empty() ? "(top level)" : path) +
                            ": JSON syntax error " + Shorten(detail, 240));
    }
    catch (const Json::exception& e)
    {
        throw ScenarioError(source + ": (top level): JSON error: " + Shorten(e.what()));
    }
}

/// The placement policies a scheduler accepts (MakePlacementPolicy()).
const std::vector<std::string>&
PolicyNames()
{
    static const std::vector<std::string> names = {"vclos",
                                                   "ecmp",
                                                   "static",
                                                   "random-ecmp",
                                                   "ocs-vclos"};
    return names;
}

/// Parse topology keys "fabric" and "ocs" (leaf-OCS-spine fabric) into \p topo.
void
ParseOcs(const std::string& src, const ObjectReader& t, TopologySpec& topo)
{
    topo.fabric = t.String("fabric", "clos");
    if (topo.fabric != "clos" && topo.fabric != "ocs")
    {
        t.Fail(t.Path("fabric"),
               "expected \"clos\" or \"ocs\", got '" + Shorten(topo.fabric) + "'");
    }
    if (topo.fabric != "ocs")
    {
        if (t.Has("ocs"))
        {
            t.Fail(t.Path("ocs"), "the key 'ocs' needs \"fabric\": \"ocs\"");
        }
        return;
    }
    if (t.Has("links_per_leaf_spine") && topo.linksPerLeafSpine != 1)
    {
        t.Fail(t.Path("links_per_leaf_spine"),
               "expected 1 with \"fabric\": \"ocs\" (every leaf uplink is one OCS port), got " +
                   std::to_string(topo.linksPerLeafSpine));
    }
    topo.ocs = OcsSpec();
    topo.ocs.uplinksPerLeaf = topo.gpusPerLeaf;
    if (t.Has("ocs"))
    {
        ObjectReader o(src,
                       t.Required("ocs", "an object"),
                       t.Path("ocs"),
                       {"uplinks_per_leaf", "spine_ports_per_ocs", "reconfiguration_delay_us"});
        topo.ocs.uplinksPerLeaf = o.U32("uplinks_per_leaf", 1, topo.gpusPerLeaf);
        topo.ocs.spinePortsPerOcs = o.U32("spine_ports_per_ocs", 1, OcsSpec().spinePortsPerOcs);
        const double defDelay = OcsSpec().reconfigurationS;
        topo.ocs.reconfigurationS =
            o.Time("reconfiguration_delay_us", 6, "us", 1000000, true, &defDelay);
    }
    const std::string bad = OcsFabric::Check(topo.OcsShape());
    if (!bad.empty())
    {
        t.Fail(t.Path("ocs"), bad);
    }
}

/// Parse the optional "scheduler" object into s.scheduler.
void
ParseScheduler(const ObjectReader& top, Scenario& s)
{
    if (!top.Has("scheduler"))
    {
        return;
    }
    ObjectReader r(
        s.sourceName,
        top.Required("scheduler", "an object"),
        "scheduler",
        {"policy", "backfill", "seed", "search_node_cap", "search_time_cap_s", "ack_route"});
    SchedulerSpec sp;
    sp.policy = r.String("policy", nullptr);
    const auto& names = PolicyNames();
    if (std::find(names.begin(), names.end(), sp.policy) == names.end())
    {
        r.Fail(r.Path("policy"),
               "unknown policy \"" + Shorten(sp.policy) + "\"; expected one of " + JoinList(names));
    }
    if ((sp.policy == "ocs-vclos") != (s.topology.fabric == "ocs"))
    {
        r.Fail(r.Path("policy"),
               sp.policy == "ocs-vclos"
                   ? std::string("\"ocs-vclos\" needs an OCS fabric (topology \"fabric\": \"ocs\")")
                   : "the OCS fabric (topology \"fabric\": \"ocs\") needs policy \"ocs-vclos\", "
                     "got \"" +
                         Shorten(sp.policy) + "\"");
    }
    sp.backfill = r.Bool("backfill", false);
    if (r.Has("seed"))
    {
        sp.seed = r.Integer("seed", 0, std::numeric_limits<uint64_t>::max(), nullptr);
    }
    const uint64_t defNodes = MiniClosSearchCaps().maxNodes;
    sp.searchNodeCap = r.Integer("search_node_cap", 0, kMaxExactInteger, &defNodes);
    const double noCap = 0;
    // a wall-time cap: one hour at every level
    sp.searchTimeCapS = r.Time("search_time_cap_s", 12, "s", 1, true, &noCap, kMaxTimePs);
    sp.ackRoute = r.String("ack_route", "sender");
    if (sp.ackRoute != "sender" && sp.ackRoute != "reverse")
    {
        r.Fail(r.Path("ack_route"),
               "unknown rule \"" + Shorten(sp.ackRoute) + "\"; expected \"sender\" or \"reverse\"");
    }
    s.scheduler = sp;
}

/// \return \p file resolved against the directory of the scenario file \p source
std::string
ResolveBeside(const std::string& source, const std::string& file)
{
    if (!file.empty() && file[0] == '/')
    {
        return file;
    }
    const std::size_t slash = source.rfind('/');
    return slash == std::string::npos ? file : source.substr(0, slash + 1) + file;
}

/// \return \p seconds rounded to whole picoseconds (the simulator's resolution)
double
WholePicoseconds(double seconds)
{
    return std::round(seconds * 1e12) / 1e12;
}

/**
 * Parse "trace": read the trace (file relative to the scenario's directory), apply the
 * selection and append one job per selected trace job to s.jobs, named "trace<taskid>".
 * Trace errors keep the trace's own "file:line:col" message.
 */
void
ParseTrace(const ObjectReader& top,
           Scenario& s,
           std::map<std::string, std::size_t>& names,
           const std::vector<std::string>& collectives)
{
    const std::string& src = s.sourceName;
    const Json& v = top.Required("trace", "an object");
    if (!s.scheduler)
    {
        top.Fail("trace",
                 "a trace needs a \"scheduler\" (its jobs ask for a number of GPUs and a "
                 "placement policy chooses them); add e.g. \"scheduler\": {\"policy\": "
                 "\"vclos\"}");
    }
    ObjectReader t(src, v, "trace", {"file", "first", "count", "scale", "max_duration_s"});
    TraceSpec spec;
    spec.fileKey = t.String("file", nullptr);
    if (spec.fileKey.empty())
    {
        t.Fail(t.Path("file"), "expected the path of a job trace (CSV), got \"\"");
    }
    TraceSelection& sel = spec.selection;
    sel.file = ResolveBeside(src, spec.fileKey);
    const uint64_t zero = 0;
    sel.first = t.Integer("first", 0, kMaxTraceJobs - 1, &zero);
    const uint64_t all = TraceSelection::kAll;
    sel.count = t.Integer("count", 1, kMaxTraceJobs, &all);
    const double one = 1;
    sel.scale = t.Number("scale", true, &one);
    const double noClip = 0;
    sel.maxDurationS = t.Number("max_duration_s", false, &noClip);

    std::vector<TraceJob> jobs;
    try
    {
        jobs = ReadJobTrace(sel.file);
    }
    catch (const TraceError& e)
    {
        t.Fail(t.Path("file"), e.what());
    }
    try
    {
        jobs = ApplyTraceSelection(jobs, sel, sel.file);
    }
    catch (const TraceError& e)
    {
        t.Fail("trace", e.what());
    }
    const uint32_t numGpus = s.topology.NumGpus();
    const double limit = static_cast<double>(kMaxTransfersPerCollective);
    for (const TraceJob& tj : jobs)
    {
        const std::string at =
            sel.file + ":" + std::to_string(tj.line) + ": job " + std::to_string(tj.id) + ": ";
        auto fail = [&](const std::string& msg) { t.Fail(t.Path("file"), at + msg); };
        if (tj.gpus > numGpus)
        {
            fail("needs " + std::to_string(tj.gpus) + " GPUs; the topology has " +
                 std::to_string(numGpus) +
                 " (expected trace jobs that fit: a larger topology, or other first/count)");
        }
        if (std::find(collectives.begin(), collectives.end(), tj.collective) == collectives.end())
        {
            fail("collective \"" + Shorten(tj.collective) +
                 "\" is not implemented; expected one of " + JoinList(collectives));
        }
        JobSpec job;
        job.name = "trace" + std::to_string(tj.id);
        job.nGpus = tj.gpus;
        job.collective = tj.collective;
        job.bytes = tj.bytes;
        job.iterations = tj.iterations;
        job.computeS = WholePicoseconds(tj.computePerIterationS);
        job.startS = WholePicoseconds(tj.arrivalS);
        job.traceLine = tj.line;
        const double maxS = static_cast<double>(t_timeLimit.maxPs) / 1e12;
        if (!(job.startS <= maxS)) // also NaN
        {
            fail("arrives at " + Num(job.startS) + " s after scaling; expected at most " +
                 Num(maxS) + " s (a smaller scale or count)" + TimeLimitNote());
        }
        if (!(job.computeS <= maxS))
        {
            fail("computes " + Num(job.computeS) +
                 " s per iteration after scaling; expected at most " + Num(maxS) +
                 " s (a smaller scale, or max_duration_s)" + TimeLimitNote());
        }
        if (job.bytes > kMaxExactInteger)
        {
            fail(std::to_string(job.bytes) + " bytes per collective after scaling; expected at "
                                             "most 2^53 (a smaller scale)");
        }
        if (job.nGpus == 1 && job.computeS == 0)
        {
            fail("a job on one GPU with no compute time would loop at time 0; expected compute "
                 "time > 0 or more GPUs");
        }
        if (CollectiveTransfers(job.collective, job.nGpus, s.topology.gpusPerServer, 1) > limit)
        {
            fail("a " + job.collective + " collective on " + std::to_string(job.nGpus) +
                 " ranks has more than " + Num(limit) + " transfers; expected fewer GPUs");
        }
        auto ins = names.emplace(job.name, s.jobs.size());
        if (!ins.second)
        {
            fail("its name \"" + job.name + "\" is already used by " +
                 Elem("jobs", ins.first->second) + "; job names must be unique");
        }
        s.jobs.push_back(std::move(job));
    }
    spec.jobs = jobs.size();
    s.trace = spec;
}

} // namespace

int64_t
ToPicoseconds(double seconds)
{
    return std::llround(seconds * 1e12);
}

double
CollectiveTransfers(const std::string& algorithm,
                    uint32_t ranks,
                    uint32_t gpusPerServer,
                    uint32_t pipelineChunks)
{
    const double n = ranks;
    const double c = pipelineChunks;
    if (ranks <= 1)
    {
        return 0;
    }
    if (algorithm == "ring")
    {
        return 2 * n * (n - 1) * c;
    }
    if (algorithm == "reduce_scatter" || algorithm == "all_gather")
    {
        return n * (n - 1) * c;
    }
    if (algorithm == "all_to_all" || algorithm == "all2all_pairwise")
    {
        return n * (n - 1);
    }
    if (algorithm == "tree")
    {
        return 4 * (n - 1) * c;
    }
    if (algorithm == "halving_doubling")
    {
        return 2 * n * std::ceil(std::log2(n));
    }
    if (algorithm == "hierarchical_ring")
    {
        const double g = (gpusPerServer >= 1 && ranks % gpusPerServer == 0) ? gpusPerServer : 1;
        const double m = n / g;
        return 2 * n * ((g - 1) + (m - 1)) * c;
    }
    return 0;
}

void
ValidateCollectives(const Scenario& scenario, const std::vector<std::string>& collectives)
{
    for (std::size_t i = 0; i < scenario.jobs.size(); ++i)
    {
        const std::string& c = scenario.jobs[i].collective;
        if (std::find(collectives.begin(), collectives.end(), c) == collectives.end())
        {
            throw ScenarioError(scenario.sourceName + ": " + Elem("jobs", i) +
                                ".collective: unknown collective '" + Shorten(c) +
                                "'; implemented: " + JoinList(collectives));
        }
    }
}

int64_t
MaxTimePs(const std::string& level)
{
    return level == "flow" ? kMaxFlowTimePs : kMaxTimePs;
}

Scenario
ParseScenario(const std::string& jsonText,
              const std::string& sourceName,
              const std::vector<std::string>& collectives,
              const std::string& level)
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
                      "scheduler",
                      "trace",
                      "output",
                      "stop_time_s",
                      "flow"});
    s.name = top.Name("name", nullptr);
    s.description = top.String("description", "");
    const uint64_t defSeed = 1;
    s.seed = static_cast<uint32_t>(top.Integer("seed", 1, kMaxSeed, &defSeed));
    s.level = top.String("level", "packet");
    if (s.level != "packet" && s.level != "flow" && s.level != "both")
    {
        top.Fail("level",
                 "expected \"packet\", \"flow\" or \"both\", got '" + Shorten(s.level) + "'");
    }
    const std::string runLevel = level.empty() ? s.level : level;
    if (runLevel != "packet" && runLevel != "flow" && runLevel != "both")
    {
        throw ScenarioError(src + ": --level: expected \"packet\", \"flow\" or \"both\", got '" +
                            Shorten(runLevel) + "'");
    }
    const TimeLimitScope timeLimit(runLevel);
    if (top.Has("flow"))
    {
        if (s.level == "packet")
        {
            top.Fail("flow",
                     "the key 'flow' (flow-level settings) needs \"level\": \"flow\" or "
                     "\"both\" (level is \"" +
                         s.level + "\")");
        }
        ObjectReader f(src, top.Required("flow", "an object"), "flow", {"sharing", "model"});
        s.flow.sharing = f.String("sharing", "maxmin");
        if (s.flow.sharing != "maxmin" && s.flow.sharing != "step" && s.flow.sharing != "none")
        {
            f.Fail(f.Path("sharing"),
                   "expected \"maxmin\", \"step\" or \"none\", got '" + Shorten(s.flow.sharing) +
                       "'");
        }
        s.flow.model = f.String("model", "packet");
        if (s.flow.model != "packet" && s.flow.model != "payload")
        {
            f.Fail(f.Path("model"),
                   "expected \"packet\" or \"payload\", got '" + Shorten(s.flow.model) + "'");
        }
    }
    const double defStop = 10;
    s.stopTimeS = top.Time("stop_time_s", 12, "s", 1, false, &defStop);

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
                        "intra_server",
                        "fabric",
                        "ocs"});
        TopologySpec& topo = s.topology;
        topo.leaves = t.RequiredU32("leaves", 1);
        topo.spines = t.RequiredU32("spines", 1);
        topo.gpusPerLeaf = t.RequiredU32("gpus_per_leaf", 1);
        topo.gpusPerServer = t.U32("gpus_per_server", 1, 1);
        topo.linksPerLeafSpine = t.U32("links_per_leaf_spine", 1, 1);
        const uint64_t gpus = static_cast<uint64_t>(topo.leaves) * topo.gpusPerLeaf;
        if (gpus > kMaxGpus)
        {
            t.Fail("topology",
                   "leaves x gpus_per_leaf = " + std::to_string(gpus) + " GPUs; expected at most " +
                       std::to_string(kMaxGpus) +
                       " GPUs (the size of the GPU address block 10.0.0.0/8)");
        }
        // Every link direction gets a 32-bit id: 2 x (host + fabric + intra-server) links.
        const double links =
            2.0 * (static_cast<double>(gpus) +
                   static_cast<double>(topo.leaves) * topo.spines * topo.linksPerLeafSpine +
                   (topo.gpusPerServer > 1 ? static_cast<double>(gpus) : 0));
        if (links > std::numeric_limits<uint32_t>::max())
        {
            t.Fail("topology",
                   "the fabric would have " + Num(links) +
                       " links (2 per cable: GPUs, leaves x spines x links_per_leaf_spine, "
                       "intra-server); expected at most 4294967295");
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
        ParseOcs(src, t, topo);
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
        // A port queue holds at least one maximum frame (else every full packet is
        // dropped) and lands in a 32-bit attribute (VclosNetDevice::QueueBytes).
        const uint64_t frame = net.mtuBytes + kMaxFrameOverheadBytes;
        net.queueBytes =
            n.Integer("queue_bytes", frame, std::numeric_limits<uint32_t>::max(), &defQueue);
        net.ackInterval = n.U32("ack_interval", 1, defaults.ackInterval);
        // ns-3's RetransmitTimeout attribute accepts 1 ns and more.
        net.retransmitTimeoutS =
            n.Time("retransmit_timeout_us", 6, "us", 1000, false, &defaults.retransmitTimeoutS);
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
                   "expected \"per_switch\" or \"same\", got \"" + Shorten(mode) + "\"");
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
                   "expected \"none\" or \"dcqcn\", got \"" + Shorten(net.congestionControl) +
                       "\"");
        }
        net.cnpIntervalS = n.Time("cnp_interval_us", 6, "us", 0, false, &defaults.cnpIntervalS);
        if (net.pfc)
        {
            CheckPfcHeadroom(n, s.topology, net);
        }
    }

    // output
    if (top.Has("output"))
    {
        ObjectReader o(src,
                       top.Required("output", "an object"),
                       "output",
                       {"progress_interval_ms", "sample_interval_us", "link_job_bytes"});
        // Progress lines at least 1 us of simulated time apart; samples at least 1 ns
        // apart (ns-3's SampleInterval attribute accepts 1 ns and more), or none.
        const double defProgress = OutputSpec().progressIntervalS;
        s.output.progressIntervalS =
            o.Time("progress_interval_ms", 9, "ms", 1000000, false, &defProgress);
        const double noSamples = 0;
        s.output.sampleIntervalS = o.Time("sample_interval_us", 6, "us", 1000, true, &noSamples);
        s.output.linkJobBytes = o.Bool("link_job_bytes", true);
    }

    ParseScheduler(top, s);
    if (s.topology.fabric == "ocs" && !s.scheduler)
    {
        // Circuits are set per job by the ocs-vclos policy: without it no leaf reaches another.
        top.Fail("topology",
                 "the OCS fabric (\"fabric\": \"ocs\") needs a \"scheduler\" with policy "
                 "\"ocs-vclos\" (it sets each job's circuits)");
    }

    // jobs
    const bool hasTrace = top.Has("trace");
    const Json noJobs = Json::array();
    const Json& jobs = hasTrace && !top.Has("jobs")
                           ? noJobs
                           : top.Required("jobs", "a non-empty array of job objects");
    if (!jobs.is_array() || (jobs.empty() && !hasTrace))
    {
        top.Fail("jobs",
                 "expected a " + std::string(hasTrace ? "" : "non-empty ") +
                     "array of job objects, got " + Describe(jobs));
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
                        "n_gpus",
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
        job.name = r.Name("name", defName.c_str());
        auto ins = names.emplace(job.name, i);
        if (!ins.second)
        {
            r.Fail(r.Path("name"),
                   "duplicate job name '" + Shorten(job.name) + "' (also used by " +
                       Elem("jobs", ins.first->second) + "); job names must be unique");
        }
        if (s.scheduler)
        {
            if (r.Has("gpus"))
            {
                r.Fail(r.Path("gpus"),
                       "with a scheduler the policy chooses the GPUs: give \"n_gpus\" (the "
                       "number of GPUs, 1.." +
                           std::to_string(s.topology.NumGpus()) +
                           ") instead of \"gpus\", or remove \"scheduler\"");
            }
            const uint64_t n = r.Integer("n_gpus", 1, s.topology.NumGpus(), nullptr);
            job.nGpus = static_cast<uint32_t>(n);
        }
        else
        {
            if (r.Has("n_gpus"))
            {
                r.Fail(r.Path("n_gpus"),
                       "\"n_gpus\" needs a \"scheduler\" (which chooses the GPUs); without "
                       "one give \"gpus\" (a list of GPU ids)");
            }
            job.gpus = ParseGpus(src, r, s.topology.NumGpus());
        }
        job.collective = r.String("collective", nullptr);

        // A model from the table gives defaults for bytes, compute and all-to-all.
        const ModelSpec* model = nullptr;
        if (r.Has("model"))
        {
            job.model = r.Name("model", nullptr);
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
            job.bytes = r.Integer("bytes", 1, kMaxExactInteger, nullptr);
        }
        else if (hasMib)
        {
            const double mib = r.Number("bytes_mib", true, nullptr);
            uint64_t bytes = 0;
            const Scaled res = ScaleExact(ToDecimal(r.Required("bytes_mib", "")),
                                          0,
                                          1048576,
                                          kMaxExactInteger,
                                          &bytes);
            if (res == Scaled::NOT_WHOLE)
            {
                r.Fail(r.Path("bytes_mib"),
                       Num(mib) + " MiB is not a whole number of bytes; expected a multiple of "
                                  "1/1048576 MiB (or give 'bytes')");
            }
            if (res == Scaled::TOO_LARGE)
            {
                r.Fail(r.Path("bytes_mib"),
                       "expected at most " + std::to_string(kMaxExactInteger / 1048576) +
                           " MiB (2^53 bytes), got " + Num(mib));
            }
            job.bytes = bytes;
        }
        job.iterations = r.U32("iterations", 1, 1);
        const double zero = 0;
        // A model's compute time (from a throughput) is a default: the simulator rounds it
        // to whole picoseconds.
        const double modelCompute = model ? model->computeS : 0;
        job.computeS = r.Time("compute_us", 6, "us", 0, false, &modelCompute);
        uint64_t oneBucket = 1;
        job.buckets = static_cast<uint32_t>(r.Integer("buckets", 1, kMaxBuckets, &oneBucket));
        if (job.buckets > job.bytes)
        {
            r.Fail(r.Path("buckets"),
                   "expected at most bytes (" + std::to_string(job.bytes) +
                       ": every bucket carries at least one byte), got " +
                       std::to_string(job.buckets));
        }
        double backward = model ? model->backwardFraction : 2.0 / 3.0;
        job.backwardFraction = r.Number("backward_fraction", false, &backward);
        if (job.backwardFraction > 1)
        {
            r.Fail(r.Path("backward_fraction"),
                   "expected a share between 0 and 1, got " + Num(job.backwardFraction));
        }
        const uint64_t a2a = model ? model->allToAllBytes : 0;
        job.allToAllBytes = r.Integer("all_to_all_bytes", 0, kMaxExactInteger, &a2a);
        job.startS = r.Time("start_us", 6, "us", 0, false, &zero);
        job.pipelineChunks = r.U32("pipeline_chunks", 1, 1);
        if (job.NumGpus() == 1 && job.computeS == 0)
        {
            r.Fail(r.Path("compute_us"),
                   "a job on one GPU does not communicate: with compute_us 0 its iterations "
                   "would take no simulated time and the run would loop at time 0; expected "
                   "compute_us > 0 (at least 0.000001) or more GPUs");
        }
        CheckExpansion(r, job, s.topology.gpusPerServer);
        if (job.startS >= s.stopTimeS)
        {
            r.Fail(r.Path("start_us"),
                   "the job starts at " + Num(job.startS) + " s, not before stop_time_s (" +
                       Num(s.stopTimeS) + " s); expected an earlier start or a later stop");
        }
        s.jobs.push_back(std::move(job));
    }
    if (hasTrace)
    {
        ParseTrace(top, s, names, collectives);
    }

    ValidateCollectives(s, collectives);
    s.level = runLevel;
    return s;
}

void
SetScenarioLevel(Scenario& scenario, const std::string& level, const std::string& what)
{
    const std::string where = scenario.sourceName + ": " + what + ": ";
    if (level != "packet" && level != "flow" && level != "both")
    {
        throw ScenarioError(where + "expected \"packet\", \"flow\" or \"both\", got '" +
                            Shorten(level) + "'");
    }
    if (MaxTimePs(level) < MaxTimePs(scenario.level) && !scenario.text.empty())
    {
        // Check every time against the smaller limit, naming its key (the result is dropped:
        // the caller may have changed the scenario since it was parsed).
        ParseScenario(scenario.text, scenario.sourceName, CollectiveAlgorithms(), level);
    }
    scenario.level = level;
}

std::string
ReadScenarioText(const std::string& path)
{
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    {
        throw ScenarioError(path + ": cannot read scenario file: it is a directory");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        throw ScenarioError(path + ": cannot open scenario file: " + std::strerror(errno));
    }
    // Read at most one byte more than the limit (a pipe or /dev/zero never ends).
    std::string text;
    char chunk[65536];
    while (text.size() <= kMaxScenarioFileBytes && in.read(chunk, sizeof(chunk)).gcount() > 0)
    {
        text.append(chunk, static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad())
    {
        throw ScenarioError(path + ": cannot read scenario file: " + std::strerror(errno));
    }
    if (text.size() > kMaxScenarioFileBytes)
    {
        throw ScenarioError(path + ": scenario file larger than " +
                            std::to_string(kMaxScenarioFileBytes) + " bytes (64 MiB)");
    }
    return text;
}

std::string
CanonicalJson(const std::string& jsonText, const std::string& sourceName)
{
    const Json root = ParseJsonText(jsonText, sourceName);
    try
    {
        return root.dump();
    }
    catch (const Json::exception& e)
    {
        throw ScenarioError(sourceName + ": (top level): JSON error: " + Shorten(e.what()));
    }
}

Scenario
LoadScenarioFile(const std::string& path,
                 const std::vector<std::string>& collectives,
                 const std::string& level)
{
    return ParseScenario(ReadScenarioText(path), path, collectives, level);
}

} // namespace vclos
} // namespace ns3
