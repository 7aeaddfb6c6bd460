/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_JOB_TRACE_H
#define VCLOS_JOB_TRACE_H

// Pure code: no ns-3 in this file or its .cc.

#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * One training job of a job trace (doc/traces.rst). A job runs \c iterations times: compute
 * for \c computePerIterationS, then one collective \c collective of \c bytes per rank buffer
 * over its \c gpus ranks.
 */
struct TraceJob
{
    uint64_t id{0};                     //!< job id (the trace's taskid, or the row index)
    double arrivalS{0};                 //!< arrival time, seconds
    uint32_t gpus{0};                   //!< GPUs the job needs, 1..kMaxTraceGpus
    double computeTotalS{0};            //!< compute time of all iterations together, seconds
    double computePerIterationS{0};     //!< computeTotalS / iterations
    uint32_t iterations{1};             //!< iterations (collectives), >= 1
    uint64_t bytes{0};                  //!< bytes per collective (per rank buffer), 1..2^53
    std::string collective;             //!< collective algorithm name (CollectiveAlgorithms())
    std::string model;                  //!< model name, a label ("" if none)
    std::optional<double> commRatio;    //!< communication share of uncontendedS, if known
    std::optional<double> uncontendedS; //!< uncontended running time, seconds, if known
    double clipFactor{1}; //!< factor max_duration_s clipping applied to compute and bytes
    uint64_t line{0};     //!< 1-based line of the job in its file (0: generated)
};

/**
 * \ingroup vclos
 * Error in a job trace. The message names the file, the 1-based line and column of the
 * offending field (or the selection key) and what was expected, e.g.
 * "traces/x.csv:7:12: n_gpus: expected an integer in 1..16777214, got '0'".
 */
class TraceError : public std::runtime_error
{
  public:
    /// \param message the complete message (already prefixed with file, line and column)
    explicit TraceError(const std::string& message)
        : std::runtime_error(message)
    {
    }
};

/**
 * \name Limits of the job trace reader
 * \{
 */
/// Largest trace file in bytes (64 MiB; the shipped 5000-job trace is 570 kB).
constexpr uint64_t kMaxTraceFileBytes = 64ull << 20;
/// Most jobs in one trace.
constexpr uint64_t kMaxTraceJobs = 1ull << 20;
/// Most GPUs of one job (24-bit GPU ids; 0xFFFFFF is reserved).
constexpr uint32_t kMaxTraceGpus = 0xFFFFFE;
/// Largest time value in seconds (about 31.7 years).
constexpr double kMaxTraceSeconds = 1e9;
/// Largest byte count and job id: 2^53, the largest range of integers a double holds.
constexpr uint64_t kMaxTraceInteger = 1ull << 53;
/// Longest model name in bytes.
constexpr std::size_t kMaxTraceNameBytes = 256;
/// Bytes in one gigabit (1 Gbit = 1e9 bits).
constexpr double kBytesPerGbit = 1.25e8;
/// \}

/// The header of the shipped paper trace (shared/traces/paper-8192gpu-5000jobs.csv).
extern const char* const kPaperTraceHeader;
/// The own format with explicit bytes and compute time per iteration.
extern const char* const kOwnTraceHeaderBytes;
/// The own format with a model of the model table (model-zoo.h).
extern const char* const kOwnTraceHeaderModel;

/**
 * \ingroup vclos
 * Parse a job trace. The format is detected from the header line (the first line that is
 * neither empty nor a '#' comment; such lines are skipped everywhere):
 *  - kPaperTraceHeader: the paper trace's 11 columns; bytes = effective_model_size_gbit x
 *    1.25e8 computed exactly from the decimal text (at most 36 significant digits), rounded
 *    to the nearest byte, halves up; the per-iteration compute time is
 *    comp_time_s / iterations;
 *  - kOwnTraceHeaderBytes: arrival_s,gpus,collective,iterations,compute_s,bytes with compute_s
 *    per iteration and bytes an integer;
 *  - kOwnTraceHeaderModel: arrival_s,gpus,collective,iterations,model: bytes and compute per
 *    iteration from FindModel(model) (gradientBytes, computeS).
 * Arrivals must be non-decreasing; paper taskids strictly increasing. Every value lands
 * exactly (integers) or as the nearest double of its decimal text (reals), or is rejected.
 *
 * \param text the file's contents
 * \param sourceName the name used in error messages
 * \return the jobs, in file order (at least one)
 * \throws TraceError naming sourceName, line and column on any error
 */
std::vector<TraceJob> ParseJobTrace(const std::string& text, const std::string& sourceName);

/**
 * \ingroup vclos
 * Read and parse a job trace file (at most kMaxTraceFileBytes).
 * \param path the file
 * \return the jobs
 * \throws TraceError if the file cannot be read, is too large or does not parse
 */
std::vector<TraceJob> ReadJobTrace(const std::string& path);

/**
 * \ingroup vclos
 * Which jobs of a trace a scenario replays and how (scenario key
 * `trace: {file, first, count, scale, max_duration_s}`).
 */
struct TraceSelection
{
    /// count value meaning "every job from first on"
    static constexpr uint64_t kAll = std::numeric_limits<uint64_t>::max();

    std::string file;       //!< trace file (read by the caller; ApplyTraceSelection ignores it)
    uint64_t first{0};      //!< index (0-based, in file order) of the first job replayed
    uint64_t count{kAll};   //!< number of jobs replayed, >= 1, or kAll
    double scale{1};        //!< compression factor (> 0): multiplies arrivals, compute, bytes
    double maxDurationS{0}; //!< clip of a job's duration after scaling, seconds; 0: none
};

/**
 * \ingroup vclos
 * Apply a selection, in this order:
 *  1. keep jobs [first, first + count) (ids kept);
 *  2. arrivals become (arrival - arrival of job first) * scale: the replay starts at 0;
 *  3. computeTotalS and uncontendedS are multiplied by scale, bytes become
 *     llround(bytes * scale); computePerIterationS = computeTotalS / iterations;
 *  4. if maxDurationS > 0, a job's duration D (uncontendedS if known, else computeTotalS)
 *     above maxDurationS is clipped by f = maxDurationS / D: computeTotalS *= f, bytes =
 *     llround(bytes * f), uncontendedS = maxDurationS, clipFactor = f. Arrivals, GPUs,
 *     iterations, collective, model and commRatio are never changed by clipping.
 *
 * \param jobs a parsed trace
 * \param selection the selection
 * \param sourceName the trace's name for messages
 * \return the selected jobs
 * \throws TraceError ("<source>: trace.<key>: ...") for a first past the end, a count of 0
 *         or beyond the end, a scale or maxDurationS that is not finite and > 0 (0 allowed
 *         for maxDurationS), or bytes that would round to 0
 */
std::vector<TraceJob> ApplyTraceSelection(const std::vector<TraceJob>& jobs,
                                          const TraceSelection& selection,
                                          const std::string& sourceName);

} // namespace vclos
} // namespace ns3

#endif // VCLOS_JOB_TRACE_H
