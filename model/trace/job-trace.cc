/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "job-trace.h"

#include "ns3/collective-schedule.h"
#include "ns3/model-zoo.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace ns3
{
namespace vclos
{

const char* const kPaperTraceHeader =
    "taskid,arrival_s,n_gpus,comp_time_s,iterations,model_size_gbit,"
    "effective_model_size_gbit,collective,model_name,total_val_s,comm_ratio";
const char* const kOwnTraceHeaderBytes = "arrival_s,gpus,collective,iterations,compute_s,bytes";
const char* const kOwnTraceHeaderModel = "arrival_s,gpus,collective,iterations,model";

namespace
{

/// Longest field text quoted back in an error message.
constexpr std::size_t kMaxQuoted = 40;

/// One field of a CSV line: its text and 1-based column.
struct Field
{
    std::string text;
    uint64_t column{1};
};

/// The detected format.
enum class Format
{
    Paper,
    OwnBytes,
    OwnModel,
};

/// Split on ',' (no quoting), recording each field's 1-based column.
std::vector<Field>
Split(const std::string& line)
{
    std::vector<Field> fields;
    std::size_t start = 0;
    while (true)
    {
        const std::size_t comma = line.find(',', start);
        Field f;
        f.column = start + 1;
        f.text = line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        fields.push_back(std::move(f));
        if (comma == std::string::npos)
        {
            break;
        }
        start = comma + 1;
    }
    return fields;
}

/// The text quoted for a message (shortened, control bytes escaped).
std::string
Quote(const std::string& s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size() && i < kMaxQuoted; ++i)
    {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7f)
        {
            static const char* hex = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        }
        else
        {
            out += static_cast<char>(c);
        }
    }
    if (s.size() > kMaxQuoted)
    {
        out += "...";
    }
    return "'" + out + "'";
}

/// A number for a message, shortest round-trip form.
std::string
Num(double v)
{
    std::ostringstream os;
    os.precision(17);
    os << v;
    return os.str();
}

/// Reads the fields of one line and throws with file, line and column.
class LineReader
{
  public:
    LineReader(const std::string& source, uint64_t line)
        : m_source(source),
          m_line(line)
    {
    }

    [[noreturn]] void Fail(uint64_t column, const std::string& what) const
    {
        throw TraceError(m_source + ":" + std::to_string(m_line) + ":" + std::to_string(column) +
                         ": " + what);
    }

    /// An unsigned integer: digits only, in [lo, hi].
    uint64_t Integer(const Field& f, const std::string& name, uint64_t lo, uint64_t hi) const
    {
        const std::string expected = name + ": expected an integer in " + std::to_string(lo) +
                                     ".." + std::to_string(hi) + ", got " + Quote(f.text);
        if (f.text.empty() ||
            !std::all_of(f.text.begin(), f.text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        {
            Fail(f.column, expected);
        }
        uint64_t v = 0;
        for (char c : f.text)
        {
            const uint64_t digit = c - '0';
            if (v > (hi - digit) / 10)
            {
                Fail(f.column, expected);
            }
            v = v * 10 + digit;
        }
        if (v < lo)
        {
            Fail(f.column, expected);
        }
        return v;
    }

    /**
     * A decimal real: [-]digits[.digits][(e|E)[+|-]digits] (digits on at least one side of
     * the point), finite, >= 0, <= hi, nonzero if \p positive. The value is the nearest
     * double (strtod); a nonzero text that underflows is rejected.
     */
    double Real(const Field& f, const std::string& name, double hi, bool positive) const
    {
        const std::string& s = f.text;
        std::string lower = s;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
            return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        });
        if (lower.find("nan") != std::string::npos || lower.find("inf") != std::string::npos)
        {
            Fail(f.column, name + ": NaN and infinity are not allowed, got " + Quote(s));
        }
        std::size_t i = 0;
        const bool negative = !s.empty() && s[0] == '-';
        if (negative)
        {
            ++i;
        }
        auto digits = [&s, &i]() {
            const std::size_t start = i;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9')
            {
                ++i;
            }
            return i - start;
        };
        std::size_t mantissa = digits();
        if (i < s.size() && s[i] == '.')
        {
            ++i;
            mantissa += digits();
        }
        bool ok = mantissa > 0;
        if (ok && i < s.size() && (s[i] == 'e' || s[i] == 'E'))
        {
            ++i;
            if (i < s.size() && (s[i] == '+' || s[i] == '-'))
            {
                ++i;
            }
            ok = digits() > 0;
        }
        const std::string range = std::string(positive ? "> 0" : ">= 0") + " and <= " + Num(hi);
        if (!ok || i != s.size())
        {
            Fail(f.column, name + ": expected a decimal number " + range + ", got " + Quote(s));
        }
        errno = 0;
        const double v = std::strtod(s.c_str(), nullptr);
        if (errno == ERANGE) // overflow, or underflow to a subnormal or 0
        {
            Fail(f.column, name + ": " + Quote(s) + " is out of the range of a double");
        }
        if (negative && v != 0)
        {
            Fail(f.column, name + ": must not be negative, got " + Quote(s));
        }
        if (v > hi || (positive && v == 0))
        {
            Fail(f.column, name + ": expected a number " + range + ", got " + Quote(s));
        }
        return v == 0 ? 0.0 : v; // -0 -> 0
    }

    /// A collective algorithm name.
    std::string Collective(const Field& f) const
    {
        const std::vector<std::string> names = CollectiveAlgorithms();
        if (std::find(names.begin(), names.end(), f.text) == names.end())
        {
            std::string list;
            for (const auto& n : names)
            {
                list += (list.empty() ? "" : ", ") + n;
            }
            Fail(f.column,
                 "collective: unknown algorithm " + Quote(f.text) + "; expected one of " + list);
        }
        return f.text;
    }

    /// A model label: 1..kMaxTraceNameBytes printable bytes, no spaces.
    std::string Label(const Field& f, const std::string& name) const
    {
        const bool printable = std::all_of(f.text.begin(), f.text.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u > 0x20 && u != 0x7f;
        });
        if (f.text.empty() || f.text.size() > kMaxTraceNameBytes || !printable)
        {
            Fail(f.column,
                 name + ": expected 1.." + std::to_string(kMaxTraceNameBytes) +
                     " printable characters without spaces, got " + Quote(f.text));
        }
        return f.text;
    }

  private:
    std::string m_source;
    uint64_t m_line;
};

/// Most significant digits of a size in Gbit (the exact byte computation uses 128 bits).
constexpr std::size_t kMaxGbitDigits = 36;
/// Most decimal orders of magnitude an unsigned 128-bit integer holds (10^38 < 2^128).
constexpr int kMaxPow10 = 38;
/// kBytesPerGbit = kBytesPerGbitDigits x 10^kBytesPerGbitExp10.
constexpr uint64_t kBytesPerGbitDigits = 125;
constexpr int kBytesPerGbitExp10 = 6;

/**
 * Bytes of a size in Gbit given as decimal text that Real() accepted (>= 0): the exact
 * decimal value times 1.25e8, rounded to the nearest byte, halves up. Throws if it has more
 * than kMaxGbitDigits significant digits or is not in 1..kMaxTraceInteger bytes.
 */
uint64_t
ExactBytesFromGbit(const Field& f, const std::string& name, const LineReader& r)
{
    using U128 = unsigned __int128;
    std::string digits;
    int exp10 = 0;
    std::size_t i = 0;
    const std::string& s = f.text;
    if (i < s.size() && s[i] == '-')
    {
        ++i;
    }
    bool fraction = false;
    for (; i < s.size() && s[i] != 'e' && s[i] != 'E'; ++i)
    {
        if (s[i] == '.')
        {
            fraction = true;
            continue;
        }
        digits += s[i];
        if (fraction)
        {
            --exp10;
        }
    }
    if (i < s.size())
    {
        // the exponent: Real() checked its syntax; clamp huge values (the result is then
        // 0 or out of range anyway)
        const long e = std::strtol(s.c_str() + i + 1, nullptr, 10);
        constexpr long kClamp = 1000;
        exp10 += static_cast<int>(std::clamp(e, -kClamp, kClamp));
    }
    digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
    while (!digits.empty() && digits.back() == '0')
    {
        digits.pop_back();
        ++exp10;
    }
    const std::string range = " bytes; expected 1.." + std::to_string(kMaxTraceInteger) + " bytes";
    if (digits.size() > kMaxGbitDigits)
    {
        r.Fail(f.column,
               name + ": more than " + std::to_string(kMaxGbitDigits) +
                   " significant digits, got " + Quote(s));
    }
    U128 m = 0;
    for (char c : digits)
    {
        m = m * 10 + static_cast<unsigned>(c - '0');
    }
    m *= kBytesPerGbitDigits;
    int k = exp10 + kBytesPerGbitExp10;
    U128 bytes = 0;
    if (k >= 0)
    {
        bytes = m;
        for (; k > 0 && bytes <= kMaxTraceInteger; --k)
        {
            bytes *= 10;
        }
    }
    else if (-k <= kMaxPow10)
    {
        U128 div = 1;
        for (int j = 0; j < -k; ++j)
        {
            div *= 10;
        }
        bytes = m / div;
        const U128 rem = m % div;
        if (rem >= div - rem) // rem >= div / 2 without overflow: halves up
        {
            ++bytes;
        }
    }
    if (bytes < 1 || bytes > kMaxTraceInteger)
    {
        r.Fail(f.column,
               name + ": " + Quote(s) + " Gbit is " +
                   (bytes < 1 ? std::string("below 1") : std::string("above 2^53")) + range);
    }
    return static_cast<uint64_t>(bytes);
}

/// Check a header line against the known ones; throw naming the first wrong field.
Format
DetectFormat(const std::string& line, const std::string& source, uint64_t lineNo)
{
    const std::vector<std::pair<Format, const char*>> known{
        {Format::Paper, kPaperTraceHeader},
        {Format::OwnBytes, kOwnTraceHeaderBytes},
        {Format::OwnModel, kOwnTraceHeaderModel}};
    const std::vector<Field> got = Split(line);
    std::size_t bestMatch = 0;
    std::size_t bestIndex = 0;
    for (std::size_t k = 0; k < known.size(); ++k)
    {
        const std::vector<Field> want = Split(known[k].second);
        std::size_t m = 0;
        while (m < want.size() && m < got.size() && want[m].text == got[m].text)
        {
            ++m;
        }
        if (m == want.size() && m == got.size())
        {
            return known[k].first;
        }
        if (m > bestMatch)
        {
            bestMatch = m;
            bestIndex = k;
        }
    }
    const LineReader r(source, lineNo);
    const std::vector<Field> want = Split(known[bestIndex].second);
    const uint64_t column = bestMatch < got.size() ? got[bestMatch].column : line.size() + 1;
    std::string what = "unknown header: ";
    if (bestMatch < want.size())
    {
        what += "expected column '" + want[bestMatch].text + "' here";
    }
    else
    {
        what += "unexpected extra column";
    }
    what += " (known headers: '" + std::string(kPaperTraceHeader) + "', '" + kOwnTraceHeaderBytes +
            "', '" + kOwnTraceHeaderModel + "')";
    r.Fail(column, what);
}

/// Number of fields of a format.
std::size_t
FieldCount(Format format)
{
    switch (format)
    {
    case Format::Paper:
        return Split(kPaperTraceHeader).size();
    case Format::OwnBytes:
        return Split(kOwnTraceHeaderBytes).size();
    case Format::OwnModel:
        return Split(kOwnTraceHeaderModel).size();
    }
    return 0;
}

/// Parse one data line.
TraceJob
ParseRow(const std::vector<Field>& f, Format format, const LineReader& r, uint64_t index)
{
    TraceJob job;
    constexpr uint64_t kMaxIterations = std::numeric_limits<uint32_t>::max();
    if (format == Format::Paper)
    {
        job.id = r.Integer(f[0], "taskid", 0, kMaxTraceInteger);
        job.arrivalS = r.Real(f[1], "arrival_s", kMaxTraceSeconds, false);
        job.gpus = static_cast<uint32_t>(r.Integer(f[2], "n_gpus", 1, kMaxTraceGpus));
        job.computeTotalS = r.Real(f[3], "comp_time_s", kMaxTraceSeconds, false);
        job.iterations = static_cast<uint32_t>(r.Integer(f[4], "iterations", 1, kMaxIterations));
        r.Real(f[5], "model_size_gbit", kMaxTraceInteger / kBytesPerGbit, false); // checked only
        r.Real(f[6], "effective_model_size_gbit", kMaxTraceInteger / kBytesPerGbit, true);
        job.bytes = ExactBytesFromGbit(f[6], "effective_model_size_gbit", r);
        job.collective = r.Collective(f[7]);
        job.model = r.Label(f[8], "model_name");
        job.uncontendedS = r.Real(f[9], "total_val_s", kMaxTraceSeconds, false);
        const double ratio = r.Real(f[10], "comm_ratio", 1, false);
        job.commRatio = ratio;
        job.computePerIterationS = job.computeTotalS / job.iterations;
        return job;
    }
    job.id = index;
    job.arrivalS = r.Real(f[0], "arrival_s", kMaxTraceSeconds, false);
    job.gpus = static_cast<uint32_t>(r.Integer(f[1], "gpus", 1, kMaxTraceGpus));
    job.collective = r.Collective(f[2]);
    job.iterations = static_cast<uint32_t>(r.Integer(f[3], "iterations", 1, kMaxIterations));
    if (format == Format::OwnBytes)
    {
        job.computePerIterationS = r.Real(f[4], "compute_s", kMaxTraceSeconds, false);
        job.bytes = r.Integer(f[5], "bytes", 1, kMaxTraceInteger);
    }
    else
    {
        const std::vector<std::string> names = ModelNames();
        if (std::find(names.begin(), names.end(), f[4].text) == names.end())
        {
            std::string list;
            for (const auto& n : names)
            {
                list += (list.empty() ? "" : ", ") + n;
            }
            r.Fail(f[4].column,
                   "model: unknown model " + Quote(f[4].text) + "; expected one of " + list);
        }
        const ModelSpec& m = FindModel(f[4].text);
        job.model = m.name;
        job.computePerIterationS = m.computeS;
        job.bytes = m.gradientBytes;
    }
    job.computeTotalS = job.computePerIterationS * job.iterations;
    if (!(job.computeTotalS <= kMaxTraceSeconds))
    {
        r.Fail(f[4].column,
               "compute time x iterations = " + Num(job.computeTotalS) + " s; at most " +
                   Num(kMaxTraceSeconds) + " s");
    }
    return job;
}

} // namespace

std::vector<TraceJob>
ParseJobTrace(const std::string& text, const std::string& sourceName)
{
    if (text.size() > kMaxTraceFileBytes)
    {
        throw TraceError(sourceName + ": " + std::to_string(text.size()) +
                         " bytes; a trace has at most " + std::to_string(kMaxTraceFileBytes));
    }
    std::vector<TraceJob> jobs;
    std::optional<Format> format;
    std::size_t fieldCount = 0;
    uint64_t lineNo = 0;
    std::size_t pos = 0;
    while (pos < text.size())
    {
        const std::size_t nl = text.find('\n', pos);
        std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? text.size() : nl + 1;
        ++lineNo;
        if (!line.empty() && line.back() == '\r')
        {
            line.pop_back();
        }
        if (line.empty() || line[0] == '#')
        {
            continue;
        }
        const LineReader r(sourceName, lineNo);
        const std::size_t quote = line.find('"');
        if (quote != std::string::npos)
        {
            r.Fail(quote + 1, "quoted fields are not supported");
        }
        if (!format)
        {
            format = DetectFormat(line, sourceName, lineNo);
            fieldCount = FieldCount(*format);
            continue;
        }
        const std::vector<Field> fields = Split(line);
        if (fields.size() != fieldCount)
        {
            const uint64_t column =
                fields.size() > fieldCount ? fields[fieldCount].column : line.size() + 1;
            r.Fail(column,
                   "expected " + std::to_string(fieldCount) + " fields, found " +
                       std::to_string(fields.size()));
        }
        if (jobs.size() >= kMaxTraceJobs)
        {
            r.Fail(1, "too many jobs: a trace has at most " + std::to_string(kMaxTraceJobs));
        }
        TraceJob job = ParseRow(fields, *format, r, jobs.size());
        job.line = lineNo;
        if (!jobs.empty())
        {
            const TraceJob& prev = jobs.back();
            const std::size_t arrivalField = *format == Format::Paper ? 1 : 0;
            if (job.arrivalS < prev.arrivalS)
            {
                r.Fail(fields[arrivalField].column,
                       "arrival " + Num(job.arrivalS) + " s is before the previous job's " +
                           Num(prev.arrivalS) + " s (line " + std::to_string(prev.line) +
                           "): jobs must be in arrival order");
            }
            if (*format == Format::Paper && job.id <= prev.id)
            {
                r.Fail(fields[0].column,
                       "taskid " + std::to_string(job.id) + " is not above the previous " +
                           std::to_string(prev.id) + " (line " + std::to_string(prev.line) +
                           "): taskids must increase");
            }
        }
        jobs.push_back(std::move(job));
    }
    if (!format)
    {
        throw TraceError(sourceName + ":" + std::to_string(lineNo + 1) +
                         ":1: empty trace: expected a header line");
    }
    if (jobs.empty())
    {
        throw TraceError(sourceName + ":" + std::to_string(lineNo + 1) +
                         ":1: no jobs: expected at least one line after the header");
    }
    return jobs;
}

std::vector<TraceJob>
ReadJobTrace(const std::string& path)
{
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    {
        // A directory "opens" and reports a size of 2^63-1; a pipe or device never ends.
        throw TraceError(path + ": cannot read the trace file: not a regular file");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        throw TraceError(path + ": cannot open the trace file");
    }
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < 0)
    {
        throw TraceError(path + ": cannot read the trace file");
    }
    if (static_cast<uint64_t>(size) > kMaxTraceFileBytes)
    {
        throw TraceError(path + ": " + std::to_string(size) + " bytes; a trace has at most " +
                         std::to_string(kMaxTraceFileBytes));
    }
    in.seekg(0, std::ios::beg);
    std::string text(static_cast<std::size_t>(size), '\0');
    in.read(text.data(), size);
    if (in.gcount() != size)
    {
        throw TraceError(path + ": cannot read the trace file");
    }
    return ParseJobTrace(text, path);
}

namespace
{

/// llround(bytes * f), or a TraceError if that is below 1 byte.
uint64_t
ScaleBytes(uint64_t bytes,
           double f,
           const TraceJob& job,
           const std::string& source,
           const std::string& key)
{
    const double scaled = std::round(static_cast<double>(bytes) * f);
    if (scaled < 1)
    {
        throw TraceError(source + ": trace." + key + ": job " + std::to_string(job.id) + " (line " +
                         std::to_string(job.line) + ") would carry " + std::to_string(bytes) +
                         " x " + Num(f) + " bytes, which rounds to 0; use a larger value");
    }
    return static_cast<uint64_t>(scaled);
}

} // namespace

std::vector<TraceJob>
ApplyTraceSelection(const std::vector<TraceJob>& jobs,
                    const TraceSelection& selection,
                    const std::string& sourceName)
{
    const std::string prefix = sourceName + ": trace.";
    if (selection.first >= jobs.size())
    {
        throw TraceError(prefix + "first: " + std::to_string(selection.first) +
                         " is past the last job (the trace has " + std::to_string(jobs.size()) +
                         " jobs: 0.." + std::to_string(jobs.size()) + " - 1)");
    }
    const uint64_t available = jobs.size() - selection.first;
    const uint64_t count = selection.count == TraceSelection::kAll ? available : selection.count;
    if (count == 0 || count > available)
    {
        throw TraceError(prefix + "count: expected 1.." + std::to_string(available) +
                         " (jobs from " + std::to_string(selection.first) + " on), got " +
                         std::to_string(selection.count));
    }
    const double scale = selection.scale;
    if (!std::isfinite(scale) || scale <= 0)
    {
        throw TraceError(prefix + "scale: expected a finite number > 0, got " + Num(scale));
    }
    const double maxD = selection.maxDurationS;
    if (!std::isfinite(maxD) || maxD < 0)
    {
        throw TraceError(prefix +
                         "max_duration_s: expected 0 (no clip) or a finite number > 0, got " +
                         Num(maxD));
    }
    const double origin = jobs[selection.first].arrivalS;
    std::vector<TraceJob> out(jobs.begin() + selection.first,
                              jobs.begin() + selection.first + count);
    for (TraceJob& job : out)
    {
        job.arrivalS = (job.arrivalS - origin) * scale;
        job.computeTotalS *= scale;
        if (job.uncontendedS)
        {
            *job.uncontendedS *= scale;
        }
        if (scale != 1)
        {
            job.bytes = ScaleBytes(job.bytes, scale, job, sourceName, "scale");
        }
        const double duration = job.uncontendedS ? *job.uncontendedS : job.computeTotalS;
        if (maxD > 0 && duration > maxD)
        {
            const double f = maxD / duration;
            job.computeTotalS *= f;
            job.bytes = ScaleBytes(job.bytes, f, job, sourceName, "max_duration_s");
            if (job.uncontendedS)
            {
                job.uncontendedS = maxD;
            }
            job.clipFactor = f;
        }
        job.computePerIterationS = job.computeTotalS / job.iterations;
    }
    return out;
}

} // namespace vclos
} // namespace ns3
