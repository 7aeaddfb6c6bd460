/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_SWEEP_SPEC_H
#define VCLOS_SWEEP_SPEC_H

// Pure code: no ns-3 in this file or its .cc (it is tested without a simulator).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * Error in a sweep file. The message names the file, the key (e.g.
 * `axes["scheduler.policy"][2]`) and what was expected.
 */
class SweepError : public std::runtime_error
{
  public:
    /// \param message the complete message (already prefixed with file and key)
    explicit SweepError(const std::string& message)
        : std::runtime_error(message)
    {
    }
};

/**
 * \name Limits of the sweep loader (doc/sweeps.rst), each asserted by a test at the bound
 * \{
 */
/// Most runs a sweep may expand to (the product of its axes' lengths).
constexpr uint64_t kMaxSweepRuns = 100000;
/// Most values of one axis (or of one zipped group).
constexpr std::size_t kMaxSweepAxisValues = 10000;
/// Most varied keys in a sweep (axes plus every key of every zipped group).
constexpr std::size_t kMaxSweepKeys = 16;
/// Most fixed keys in "set".
constexpr std::size_t kMaxSweepSetKeys = 256;
/// Longest dotted key, in bytes.
constexpr std::size_t kMaxSweepKeyBytes = 128;
/// Longest run key, in bytes (it names files: DIR/db/<key>.db-wal must fit in 255 bytes).
constexpr std::size_t kMaxRunKeyBytes = 200;
/// Most bytes of canonical scenario JSON a sweep may expand to (runs x base size).
constexpr uint64_t kMaxSweepExpandedBytes = 1ull << 30;
/// Longest value written as itself in a run key; longer ones (and objects, arrays and
/// strings with other characters than A-Z a-z 0-9 . _ + -) are written as "h<8 hex digits>".
constexpr std::size_t kMaxReadableValueBytes = 40;

/// \}

/**
 * \ingroup vclos
 * One varied dimension of a sweep: a single key ("axes") or keys varied together ("zip").
 */
struct SweepAxis
{
    std::vector<std::string> keys; //!< dotted scenario keys, e.g. "scheduler.policy"
    /// values[i][k]: the canonical JSON of key k in step i (all keys have as many values)
    std::vector<std::vector<std::string>> values;
    /// names[i][k]: how values[i][k] appears in run keys (distinct within the axis)
    std::vector<std::vector<std::string>> names;
};

/**
 * \ingroup vclos
 * A parsed and checked sweep file (doc/sweeps.rst).
 */
struct SweepSpec
{
    std::string name;            //!< "name" ("" if absent)
    std::string sourceName;      //!< the sweep file (used in messages)
    std::string baseSource;      //!< the base scenario file, or sourceName for an inline base
    std::string baseJson;        //!< canonical JSON of the base with "set" applied
    std::string baseHash;        //!< 8 hex digits of the hash of baseJson
    std::string baseDir;         //!< directory against which a relative trace.file is resolved
    std::vector<SweepAxis> axes; //!< in run-key order (sorted by first key)
};

/**
 * \ingroup vclos
 * One run of an expanded sweep.
 */
struct SweepRun
{
    std::string key; //!< stable run key, e.g. "3f2a9c1e-scheduler.policy=ecmp-seed=2"
    /// (dotted key, canonical JSON value) of each varied key, in run-key order
    std::vector<std::pair<std::string, std::string>> values;
    std::string scenarioJson; //!< the run's scenario (indented JSON, trace.file absolute)
};

/// Reads a base scenario file (given its resolved path) and returns its text; throws
/// ScenarioError or SweepError on failure. The default is ReadScenarioText().
using SweepFileReader = std::function<std::string(const std::string& path)>;

/**
 * Parse and check a sweep.
 *
 * The text is JSON (comments allowed) with the keys "base" (a scenario file path, relative
 * to \p sourceName's directory, or an inline scenario object; required), "name", "set"
 * (dotted key -> value applied to the base), "axes" (dotted key -> non-empty list of values)
 * and "zip" (a list of objects of equal-length lists, each varied together as one axis).
 * Unknown keys, bad types, duplicate values, overlapping keys and values beyond the limits
 * above are errors.
 *
 * \param jsonText the sweep's text
 * \param sourceName its file path (messages; the base path is resolved against its directory)
 * \param readFile reads the base scenario file (default: ReadScenarioText())
 * \return the sweep
 * \throws SweepError naming the file, the key and the allowed range
 */
SweepSpec ParseSweep(const std::string& jsonText,
                     const std::string& sourceName,
                     const SweepFileReader& readFile = SweepFileReader());

/**
 * Read a file and ParseSweep() it.
 * \param path the sweep file
 * \return the sweep
 * \throws SweepError if the file cannot be read or is invalid
 */
SweepSpec LoadSweepFile(const std::string& path);

/**
 * \param spec a parsed sweep
 * \return the number of runs (the product of the axes' lengths; at most kMaxSweepRuns)
 */
uint64_t SweepRunCount(const SweepSpec& spec);

/**
 * Expand a sweep into its runs: the cartesian product of its axes, the last axis varying
 * fastest. Each run's scenario is the base with the run's values set; a relative
 * trace.file is made absolute (against SweepSpec::baseDir). The result depends only on
 * the sweep and the base (and the directory of a relative trace file).
 *
 * \param spec a parsed sweep
 * \param validate also parse every run's scenario (ParseScenario(): reads its trace)
 * \return the runs, in expansion order; run keys are distinct
 * \throws SweepError naming the sweep file, the run key, the varied values and the
 *         scenario's own error if a run's scenario is invalid
 */
std::vector<SweepRun> ExpandSweep(const SweepSpec& spec, bool validate = true);

/**
 * \param text any bytes
 * \return 8 lowercase hex digits of a 64-bit FNV-1a hash of \p text, folded to 32 bits
 */
std::string ShortHash(const std::string& text);

} // namespace vclos
} // namespace ns3

#endif // VCLOS_SWEEP_SPEC_H
