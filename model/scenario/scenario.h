/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_SCENARIO_H
#define VCLOS_SCENARIO_H

// Pure code: no ns-3 in this file or its .cc (it is tested without a simulator).

#include "ns3/cluster-topology.h"
#include "ns3/collective-schedule.h"
#include "ns3/job-trace.h"
#include "ns3/ocs-fabric.h"

#include <cstdint>
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
 * Error in a scenario file. The message names the file, the JSON path of the offending
 * key (e.g. "jobs[1].gpus[3]") and what was expected, e.g.
 * "scenarios/x.json: jobs[1].gpus[3]: GPU 40 does not exist (the topology has 32 GPUs: 0..31)".
 */
class ScenarioError : public std::runtime_error
{
  public:
    /// \param message the complete message (already prefixed with file and path)
    explicit ScenarioError(const std::string& message)
        : std::runtime_error(message)
    {
    }
};

/**
 * \ingroup vclos
 * A point-to-point link class (rate and propagation delay).
 */
struct LinkSpec
{
    double rateBps{100e9}; //!< line rate in bits/s, a whole number in 1..kMaxRateBps
                           //!< (JSON: "rate_gbps", in Gbit/s)
    double delayS{1e-6};   //!< one-way propagation delay in seconds, whole picoseconds in
                           //!< 0..kMaxTimePs (JSON: "delay_us", in us)
};

/**
 * \ingroup vclos
 * The optical layer of a leaf-OCS-spine fabric (topology "fabric": "ocs", key "ocs").
 */
struct OcsSpec
{
    uint32_t uplinksPerLeaf{0};     //!< leaf uplinks = OCSes, >= 1 (JSON "uplinks_per_leaf";
                                    //!< default gpus_per_leaf)
    uint32_t spinePortsPerOcs{2};   //!< ports of every spine on every OCS, >= 1 (2 in the paper)
    double reconfigurationS{50e-3}; //!< time before new circuits are lit, 0 .. kMaxTimePs
                                    //!< (JSON "reconfiguration_delay_us"; about 50 ms quoted)
};

/**
 * \ingroup vclos
 * Leaf-spine topology. GPUs are numbered 0..NumGpus()-1, leaf by leaf: GPU g is attached
 * to leaf g / gpusPerLeaf and sits in server g / gpusPerServer (servers never straddle
 * two leaves because gpusPerServer divides gpusPerLeaf).
 */
struct TopologySpec
{
    uint32_t leaves{0};               //!< number of leaf (ToR) switches, >= 1 (required)
    uint32_t spines{0};               //!< number of spine switches, >= 1 (required)
    uint32_t gpusPerLeaf{0};          //!< GPUs attached to each leaf, >= 1 (required)
    uint32_t gpusPerServer{1};        //!< GPUs sharing one intra-server switch; divides gpusPerLeaf
    uint32_t linksPerLeafSpine{1};    //!< parallel links between each leaf and each spine
    LinkSpec hostLink{100e9, 1e-6};   //!< GPU NIC <-> leaf
    LinkSpec fabricLink{100e9, 1e-6}; //!< leaf <-> spine
    LinkSpec intraServer{1000e9, 0.5e-6}; //!< GPU <-> server switch (NVSwitch-like)
    /// "clos" (leaf-spine cables) or "ocs" (leaf-OCS-spine: spines are the physical
    /// spines, the circuits are set per job by the ocs-vclos policy; flow level only)
    std::string fabric{"clos"};
    OcsSpec ocs; //!< the optical layer (fabric "ocs" only)

    /// \return leaves * gpusPerLeaf
    uint32_t NumGpus() const;
    /// \return NumGpus() / gpusPerServer
    uint32_t NumServers() const;
    /// \param gpu a GPU id < NumGpus() \return the leaf the GPU is attached to
    uint32_t LeafOf(uint32_t gpu) const;
    /// \param gpu a GPU id < NumGpus() \return the server the GPU sits in
    uint32_t ServerOf(uint32_t gpu) const;
    /// \return the shape ClusterTopology::LeafSpine() builds (rates in bits/s, delays in ps);
    ///         for fabric "ocs" the logical cluster of OcsVclosPlacementPolicy: one spine
    ///         (plane) per leaf uplink, one link per pair
    LeafSpineShape Shape() const;
    /// \return the leaf-OCS-spine shape (fabric "ocs")
    OcsFabricShape OcsShape() const;
};

/**
 * \ingroup vclos
 * How switches seed their ECMP hash.
 */
enum class EcmpSeedMode
{
    PerSwitch, //!< "per_switch": every switch has its own seed (derived from the run seed)
    Same,      //!< "same": all switches share one seed (shows hash polarization)
};

/// \param mode the mode \return its JSON spelling ("per_switch" or "same")
std::string ToString(EcmpSeedMode mode);

/**
 * \ingroup vclos
 * Transport and switch parameters.
 */
struct NetworkSpec
{
    uint32_t mtuBytes{4096};      //!< RoCE payload per packet, 256..9000
    uint64_t queueBytes{1048576}; //!< egress buffer per port, mtu + 82 .. 2^32-1 (uint32 attribute)
    uint32_t ackInterval{1};      //!< receiver ACKs every this many packets
    double retransmitTimeoutS{1e-3}; //!< retransmit timeout in seconds, 1 ns .. kMaxTimePs
    EcmpSeedMode ecmpSeedMode{EcmpSeedMode::PerSwitch}; //!< ECMP hash seeding
    uint64_t bufferBytes{0};       //!< shared buffer per switch (0: per-port queue_bytes), < 2^32;
                                   //!< with PFC more than every switch's PFC headroom
    double alpha{0.125};           //!< dynamic threshold factor of the shared buffer
    bool pfc{false};               //!< PFC on the RoCE data priority (needs bufferBytes)
    bool ecn{false};               //!< RED/ECN marking at switch egress
    uint64_t ecnKminBytes{100000}; //!< ECN Kmin at 100 Gbps
    uint64_t ecnKmaxBytes{400000}; //!< ECN Kmax at 100 Gbps
    double ecnPmax{0.2};           //!< ECN marking probability at Kmax
    std::string congestionControl{"none"}; //!< "none" (line rate) or "dcqcn"
    double cnpIntervalS{50e-6};            //!< minimum time between CNPs of a queue pair
};

/**
 * \ingroup vclos
 * One training job: a collective repeated for some iterations on a set of GPUs.
 * Rank r of the collective runs on gpus[r].
 */
struct JobSpec
{
    std::string name;           //!< unique job name (default "job<index>"; trace jobs
                                //!< "trace<taskid>")
    std::vector<uint32_t> gpus; //!< GPU of each rank; non-empty, distinct, < NumGpus();
                                //!< empty under a scheduler (it chooses them)
    uint32_t nGpus{0};          //!< GPUs asked of the scheduler, 1..NumGpus() (JSON
                                //!< "n_gpus"; only with a scheduler); else gpus.size()
    std::string collective;     //!< algorithm name, e.g. "ring"
    uint64_t bytes{0};          //!< collective size in bytes, 1..2^53 ("bytes" or "bytes_mib")
    uint32_t iterations{1};     //!< number of iterations, >= 1
    double computeS{0};         //!< compute time per iteration, seconds (whole ps, <= 3600 s)
    double startS{0};           //!< job start time, seconds (whole ps, before the stop time)
    uint32_t pipelineChunks{1}; //!< sub-chunks per block, >= 1; at most
                                //!< kMaxTransfersPerCollective transfers in all
    std::string model;          //!< model name from the model table ("" if none)
    uint32_t buckets{1};        //!< gradient buckets, 1..min(kMaxBuckets, bytes)
    double backwardFraction{2.0 / 3.0}; //!< share of compute in the backward pass, [0, 1]
    uint64_t allToAllBytes{0};          //!< MoE all-to-all bytes per GPU per iteration, <= 2^53
    uint64_t traceLine{0}; //!< 1-based line of the job in its trace file (0: a fixed job)

    /// \return the GPUs the job runs on: gpus.size(), or nGpus under a scheduler
    uint32_t NumGpus() const;
};

/**
 * \ingroup vclos
 * The cluster scheduler of a scenario (JSON "scheduler"): jobs ask for a number of GPUs
 * and a placement policy chooses them (doc/scheduler.rst).
 */
struct SchedulerSpec
{
    std::string policy;              //!< "vclos", "ecmp", "static", "random-ecmp" or "ocs-vclos"
                                     //!< (fabric "ocs" only) (required)
    bool backfill{false};            //!< false: strict FIFO with head-of-line blocking
    std::optional<uint64_t> seed;    //!< random-ecmp's seed, 0..2^64-1; absent: the run seed
    uint64_t searchNodeCap{1000000}; //!< MiniClosSearchCaps::maxNodes, 0 (no cap)..2^53
    double searchTimeCapS{0};        //!< MiniClosSearchCaps::maxSeconds, 0 (no cap) .. 3600 s;
                                     //!< a time cap makes runs depend on the machine
    std::string ackRoute{"sender"};  //!< source route of ACK/NAK/CNP under a source-routing
                                     //!< policy: "sender" or "reverse" (ForwardingTable)
};

/**
 * \ingroup vclos
 * The job trace a scenario replays (JSON "trace"; needs a scheduler).
 */
struct TraceSpec
{
    std::string fileKey;      //!< the "file" value as written in the scenario
    TraceSelection selection; //!< file (resolved against the scenario's directory), first,
                              //!< count, scale, max_duration_s
    uint64_t jobs{0};         //!< jobs the selection kept (appended to Scenario::jobs)
};

/**
 * \ingroup vclos
 * Output settings.
 */
struct OutputSpec
{
    double progressIntervalS{1e-3}; //!< simulated time between progress lines, 1 us .. 3600 s
    double sampleIntervalS{0};      //!< sampling interval, seconds: 0 (off) or 1 ns .. 3600 s
    bool linkJobBytes{true};        //!< with a scheduler: count per (link, job) bytes and packets
                                    //!< (results table link_job_bytes); ignored without one
};

/**
 * \ingroup vclos
 * Settings of the flow-level engine (JSON "flow").
 */
struct FlowSpec
{
    std::string sharing{"maxmin"}; //!< sharing model: "maxmin", "step" or "none"
    /**
     * What the flows carry: "packet" (wire bytes with headers and ACKs, step latencies, a job
     * released at its last ACK, jobs numbered as placed, as the packet level) or "payload"
     * (payload bytes only, no latencies or ACKs, jobs numbered in trace order: the authors'
     * simulator's model, as vclos-flow-bench).
     */
    std::string model{"packet"};
};

/**
 * \ingroup vclos
 * A complete, validated scenario (plain data). Produced by ParseScenario() or
 * LoadScenarioFile(); all defaults are applied and all values are checked.
 */
struct Scenario
{
    std::string name;        //!< scenario name (required)
    std::string description; //!< free text
    uint32_t seed{1};        //!< run seed, 1..kMaxSeed
    /// Simulation level: "packet", "flow" or "both" (packet, then flow, and their comparison)
    std::string level{"packet"};
    FlowSpec flow;         //!< flow-level settings (JSON "flow", only with level "flow" or "both")
    TopologySpec topology; //!< the leaf-spine fabric
    NetworkSpec network;   //!< transport and switch parameters
    std::vector<JobSpec> jobs; //!< the jobs: fixed jobs in file order, then the trace's
                               //!< (non-empty)
    std::optional<SchedulerSpec> scheduler; //!< the cluster scheduler, if any
    std::optional<TraceSpec> trace;         //!< the replayed trace, if any
    OutputSpec output;                      //!< output settings
    double stopTimeS{10};                   //!< safety stop, seconds, 1 ps .. MaxTimePs(level)
    std::string text;                       //!< the original JSON text, verbatim
    std::string sourceName; //!< where the text came from (file path), used in messages
};

/**
 * \name Limits of the scenario loader
 * Every value is checked against the type it lands in; these are the documented bounds
 * (doc/usage.rst, "Limits"), each asserted by a test at the bound.
 * \{
 */
/**
 * Change a loaded scenario's level. Times are limited by the level (MaxTimePs()): a change
 * to a level with a smaller limit ("flow" to "packet" or "both") parses Scenario::text
 * again at the new level, so a time above the new limit is an error naming its key.
 *
 * \param[in,out] scenario a loaded scenario
 * \param level "packet", "flow" or "both"
 * \param what where the level comes from, for messages ("level", "--level")
 * \throws ScenarioError naming the file, \p what and the allowed levels, or a time's key
 */
void SetScenarioLevel(Scenario& scenario, const std::string& level, const std::string& what);

/// Deepest nesting of JSON arrays and objects (the top-level object is level 1).
constexpr uint32_t kMaxJsonDepth = 64;
/// Largest scenario file in bytes (64 MiB).
constexpr uint64_t kMaxScenarioFileBytes = 64ull << 20;
/// Longest scenario or job name in bytes.
constexpr std::size_t kMaxNameBytes = 256;
/**
 * Largest time value in picoseconds (3600 s). Scenario times are doubles in seconds;
 * ns-3 turns them into whole picoseconds exactly up to 2^52 ps (about 4504 s), and one
 * hour keeps the simulator's "now + interval" far from int64 overflow.
 */
constexpr int64_t kMaxTimePs = 3600000000000000;
/**
 * Largest time value at flow level in picoseconds (4e6 s, about 46 days; the shipped
 * paper-scale trace runs for about 1.4e6 s). The flow engine counts picoseconds in an int64
 * (limit about 9.2e6 s) and has no "now + interval" of ns-3 to protect; its own bound is
 * kMaxFlowTimeS (flow-engine.h), asserted equal. Above 2^52 ps (about 4504 s) a time held
 * as a double in seconds is within half a double's ulp of the picoseconds written (under
 * 0.5 ns at 4e6 s).
 */
constexpr int64_t kMaxFlowTimePs = 4000000000000000000;

/**
 * \param level "packet", "flow" or "both"
 * \return the largest time in picoseconds at \p level: kMaxFlowTimePs at "flow",
 *         kMaxTimePs at "packet" and "both" (both run the packet level)
 */
int64_t MaxTimePs(const std::string& level);
/// Largest byte count and bit rate: 2^53, the largest range of integers a double holds.
constexpr uint64_t kMaxExactInteger = 1ull << 53;
/**
 * Largest link rate in bits/s (100 Tbit/s): the smallest frame (an ACK, 82 bytes) still
 * takes several picoseconds on the wire; at some Pbit/s it would take 0 ps and a run
 * with zero delays could loop at time 0.
 */
constexpr uint64_t kMaxRateBps = 100000000000000ull;
/**
 * Largest run seed: ns-3 seeds its MRG32k3a streams with it, whose second component needs
 * a seed below m2 = 4294944443 (RngSeedManager aborts on larger ones).
 */
constexpr uint32_t kMaxSeed = 4294944442u;
/// Most transfers one collective of a job may expand to (ranks x steps x chunks).
constexpr uint64_t kMaxTransfersPerCollective = 1ull << 24;
/// Most gradient buckets per job (all are scheduled at once in every iteration).
constexpr uint32_t kMaxBuckets = 65536;
/// \}

/**
 * \ingroup vclos
 * \param seconds a time the loader accepted (a whole number of picoseconds up to kMaxTimePs)
 * \return the time in picoseconds, exactly as ns-3's Seconds() gives it at PS resolution
 */
int64_t ToPicoseconds(double seconds);

/**
 * \ingroup vclos
 * Number of transfers MakeCollective() creates, without creating them: exact for every
 * algorithm except "halving_doubling" (an upper bound, at most 2.5x).
 *
 * \param algorithm the algorithm name (0 for an unknown one)
 * \param ranks N
 * \param gpusPerServer ranks per server ("hierarchical_ring")
 * \param pipelineChunks sub-chunks per block
 * \return the transfer count, as a double (no overflow)
 */
double CollectiveTransfers(const std::string& algorithm,
                           uint32_t ranks,
                           uint32_t gpusPerServer,
                           uint32_t pipelineChunks);

/**
 * Parse and validate a scenario.
 *
 * The text is JSON; // and / * * / comments are allowed. Unknown keys, duplicate keys,
 * wrong types, missing required keys and out-of-range values are errors. Every value is
 * checked against the type it lands in (the limits above, doc/usage.rst "Limits and
 * ranges"): times must be whole picoseconds, rates whole bits/s; nothing is rounded.
 *
 * \param jsonText the JSON text
 * \param sourceName name used in error messages (normally the file path)
 * \param collectives the accepted collective algorithms (default: every implemented one);
 *        each job's "collective" must be one of them
 * \param level the level to run at, overriding the file's "level" (vclos-sim --level;
 *        empty: the file's); times are limited by it (MaxTimePs())
 * \return the scenario, with defaults applied; Scenario::text holds \p jsonText
 * \throws ScenarioError on any error
 */
Scenario ParseScenario(const std::string& jsonText,
                       const std::string& sourceName,
                       const std::vector<std::string>& collectives = CollectiveAlgorithms(),
                       const std::string& level = "");

/**
 * Read a file and ParseScenario() it.
 *
 * \param path the file
 * \param collectives the implemented collective algorithms
 * \param level the level to run at, overriding the file's (empty: the file's "level")
 * \return the scenario
 * \throws ScenarioError if the file cannot be read or is invalid
 */
Scenario LoadScenarioFile(const std::string& path,
                          const std::vector<std::string>& collectives = CollectiveAlgorithms(),
                          const std::string& level = "");

/**
 * Read a scenario (or sweep) file of at most kMaxScenarioFileBytes bytes.
 *
 * \param path the file
 * \return its text
 * \throws ScenarioError if it is a directory, cannot be read or is too large
 */
std::string ReadScenarioText(const std::string& path);

/**
 * Check JSON text as the scenario loader does (comments allowed, at most kMaxJsonDepth
 * levels, every number a double holds, no duplicate keys) and return its canonical form:
 * compact, keys sorted, comments dropped. Equal JSON values give equal strings.
 *
 * \param jsonText the JSON text
 * \param sourceName name used in error messages (normally the file path)
 * \return the canonical text
 * \throws ScenarioError naming the file, the JSON path and the problem
 */
std::string CanonicalJson(const std::string& jsonText, const std::string& sourceName);

/**
 * Check every job's collective against a list of implemented algorithms (ParseScenario()
 * already does this; the runner may call it again with a longer list).
 *
 * \param scenario the scenario
 * \param collectives the implemented algorithms
 * \throws ScenarioError naming e.g. "jobs[1].collective" if one is not in the list
 */
void ValidateCollectives(const Scenario& scenario, const std::vector<std::string>& collectives);

} // namespace vclos
} // namespace ns3

#endif // VCLOS_SCENARIO_H
