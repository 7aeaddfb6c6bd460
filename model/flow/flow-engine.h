/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_FLOW_ENGINE_H
#define VCLOS_FLOW_ENGINE_H

// Pure code: no ns-3 in this file or its .cc.

#include "ns3/cluster-scheduler.h"
#include "ns3/compact-collective.h"
#include "ns3/flow-network.h"
#include "ns3/job-lifecycle.h"
#include "ns3/placement-policy.h"
#include "ns3/routing.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ns3
{
namespace vclos
{

struct TraceJob;

/// Largest time the flow engine's picosecond clock accepts for arrivals and compute, s.
constexpr double kMaxFlowTimeS = 4e6;

/**
 * \ingroup vclos
 * One training job for the flow-level engine (the fields of a scenario job or a trace job).
 */
struct FlowJob
{
    uint32_t id{0};                     //!< job id: the QpSourcePort() job (as the packet level's)
    std::string name;                   //!< label (results)
    double arrivalS{0};                 //!< arrival time, seconds, in [0, kMaxFlowTimeS]
    uint32_t gpus{1};                   //!< GPUs asked of the scheduler, 1..GPUs of the cluster
    std::vector<uint32_t> fixedGpus;    //!< if set: runs at arrival on these GPUs (rank order),
                                        //!< bypassing the scheduler, ECMP routing
    std::string collective{"ring"};     //!< CollectiveAlgorithms() name
    uint64_t bytes{0};                  //!< gradient bytes per iteration (all buckets), >= 1
    uint32_t iterations{1};             //!< iterations, >= 1
    double computeS{0};                 //!< compute per iteration, seconds, >= 0
    uint32_t buckets{1};                //!< gradient buckets (ceil(bytes / buckets) each), >= 1
    double backwardFraction{2.0 / 3.0}; //!< backward share of compute, [0, 1]
    uint32_t pipelineChunks{1};         //!< chunks per block (compact phases ignore them)
    uint64_t allToAllBytes{0};          //!< MoE all-to-all bytes per GPU per iteration (0: none)
};

/**
 * \ingroup vclos
 * \param job a trace job (after ApplyTraceSelection)
 * \return the flow job: id = trace id (low 32 bits), one bucket, compute per iteration
 */
FlowJob MakeFlowJob(const TraceJob& job);

/**
 * \ingroup vclos
 * Settings of the flow-level engine.
 */
struct FlowEngineConfig
{
    SharingModel sharing{SharingModel::MAXMIN}; //!< how flows share links
    uint32_t mtu{4096};          //!< payload bytes per packet (for packetOverhead), >= 1
    uint32_t packetOverhead{0};  //!< wire bytes per packet besides payload (0: payload only)
    double progressIntervalS{0}; //!< simulated seconds between progress calls (0: none)
    bool keepIterations{true};   //!< keep per-iteration records in the results
    bool keepPlacements{true};   //!< keep placements (source routes dropped) in the results
    /// Job ids (of the ports, and FlowJobResult::id) 0, 1, 2, ... in placement order, as the
    /// packet-level runner's JobManager numbers the jobs it creates under a scheduler;
    /// false: FlowJob::id.
    bool idsInPlacementOrder{false};
    /// Each schedule step of a phase adds, after the phase's bytes, one packet's latency on
    /// its pairs' paths (mean over the pairs) (propagation on every hop, store-and-forward of mtu +
    /// packetOverhead bytes on every hop after the first), as the packet level's steps wait
    /// for their first packet; false: fluid transfers only.
    bool stepLatency{false};
    /// Wire bytes of one ACK (0: no ACKs). Every rank of a compact phase receives as much as
    /// it sends, so the ACKs of one pair share the links of another pair's data in the
    /// reverse direction: each data packet's wire bits grow by ackBytes / ackInterval.
    uint32_t ackBytes{0};
    uint32_t ackInterval{1}; //!< data packets per ACK, >= 1
    /// A finished job is released (its GPUs and links returned to the scheduler) after one
    /// ACK's latency on its last phase's pairs' reverse paths (propagation and
    /// store-and-forward of ackBytes on every hop; mean over a ring's pairs, else the
    /// largest), as the packet level releases a job when its last ACK is in; false: at once.
    bool releaseDelay{false};
};

/**
 * \ingroup vclos
 * One iteration of a job, seconds.
 */
struct FlowIteration
{
    double startS{0};      //!< iteration starts
    double computeEndS{0}; //!< compute done
    double endS{0};        //!< iteration done
    double commS{0};       //!< time the communication stream was busy
};

/**
 * \ingroup vclos
 * What happened to one job. Times are -1 where the job did not get there.
 */
struct FlowJobResult
{
    uint32_t index{0};         //!< index in the job list
    uint32_t id{0};            //!< FlowJob::id
    std::string name;          //!< FlowJob::name
    uint32_t gpus{0};          //!< GPUs
    double arrivalS{-1};       //!< arrival
    double startS{-1};         //!< placed and started
    double finishS{-1};        //!< finished (its last byte in)
    double releasedS{-1};      //!< released to the scheduler (finishS, or later with releaseDelay)
    double jwtS{-1};           //!< waiting time: start - arrival
    double jrtS{-1};           //!< running time: finish - start
    double jctS{-1};           //!< completion time: finish - arrival
    bool finished{false};      //!< ran all its iterations
    uint64_t phases{0};        //!< collective phases run
    uint64_t sentBytes{0};     //!< payload bytes its phases started (bytes x pairs)
    uint64_t receivedBytes{0}; //!< payload bytes its finished phases delivered
    Placement placement;       //!< where it ran (routes cleared; empty unless keepPlacements)
    std::vector<FlowIteration> iterations; //!< per iteration (empty unless keepIterations)
};

/**
 * \ingroup vclos
 * The cluster at one time (recorded whenever it changes).
 */
struct FlowSample
{
    double timeS{0};      //!< time
    uint32_t queued{0};   //!< jobs waiting
    uint32_t running{0};  //!< jobs running
    uint32_t busyGpus{0}; //!< GPUs of running jobs
};

/**
 * \ingroup vclos
 * Progress of a run.
 */
struct FlowProgress
{
    double timeS{0};     //!< simulated time
    uint64_t done{0};    //!< jobs finished
    uint64_t queued{0};  //!< jobs waiting
    uint64_t running{0}; //!< jobs running
    uint64_t total{0};   //!< jobs of the run
};

/**
 * \ingroup vclos
 * Counters of a run.
 */
struct FlowRunStats
{
    double endS{0};                  //!< time of the last event
    uint64_t events{0};              //!< events processed
    uint64_t phases{0};              //!< collective phases started
    uint64_t rated{0};               //!< flow rates computed (work of the sharing model)
    uint32_t maxJobsOnFabricLink{0}; //!< most jobs ever with flows on one leaf-spine link
    uint64_t placements{0};          //!< scheduler placements
    uint64_t waits{0};               //!< jobs that waited at arrival
    uint64_t attempts{0};            //!< placement attempts
    uint64_t capHits{0};             //!< attempts whose exact search hit its cap
    bool stopped{false};             //!< FlowObserver::stop ended the run early
};

/**
 * \ingroup vclos
 * Everything a run produced.
 */
struct FlowRunResult
{
    std::string policy; //!< policy name ("fixed" if no scheduler was needed)
    SharingModel sharing{SharingModel::MAXMIN}; //!< sharing model
    std::vector<FlowJobResult> jobs;            //!< per job, in job-list order
    std::vector<FlowSample> samples;            //!< queue and GPU use over time
    FlowRunStats stats;                         //!< counters
};

/**
 * \ingroup vclos
 * Callbacks of a run (each may be empty).
 */
struct FlowObserver
{
    std::function<void(const FlowJobResult&)> jobStarted;  //!< a job was placed and started
    std::function<void(const FlowJobResult&)> jobFinished; //!< a job finished
    /// Every progressIntervalS of simulated time (once for a gap without events).
    std::function<void(const FlowProgress&)> progress;
    /// A collective phase started: job index, QP index (0 gradient, 1 all-to-all), the
    /// collective, the phase index, the links of its bundle with their pair counts.
    std::function<void(uint32_t job,
                       uint32_t qpIndex,
                       const CompactCollective& collective,
                       uint32_t phase,
                       const std::vector<FlowNetwork::Use>& uses)>
        phaseStarted;
    /// Polled between events (every kStopPollEvents events): true ends the run at once,
    /// leaving the jobs not yet finished unfinished (FlowRunStats::stopped).
    std::function<bool()> stop;
};

/// Events between two polls of FlowObserver::stop.
constexpr uint64_t kStopPollEvents = 64;

/**
 * \ingroup vclos
 * The flow-level engine: an event-driven simulation on its own picosecond clock of the
 * same jobs, scheduler, policies, job lifecycle and paths as the packet level.
 *
 * Per job: arrival -> ClusterScheduler::Submit; placement callback -> source routes
 * installed (InstallPlacementRoutes), JobLifecycle Place and Start; compute is a timer;
 * each collective runs as the phases of its CompactCollective, one after another; a
 * phase is one bundle of flows on FlowNetwork (every pair at one rate, the phase ends
 * when its bytes are through) whose links are the packet level's paths, pair by pair:
 * Routing::Path(gpu of src rank, gpu of dst rank, QpSourcePort(run seed, job id, src
 * rank, dst rank, QP index)) with QP index 0 for the gradient collective and 1 for the
 * all-to-all; finish -> routes removed, ClusterScheduler::Release.
 */
class FlowEngine
{
  public:
    /**
     * \param routing the cluster's routing (its topology must be LeafSpine(); source routes
     *        are installed and removed during Run(); its run seed gives the ports)
     * \param config settings
     * \throws std::invalid_argument for a null routing or bad settings
     */
    FlowEngine(std::shared_ptr<Routing> routing, const FlowEngineConfig& config = {});
    ~FlowEngine();

    /**
     * Run jobs to completion.
     * \param jobs the jobs (validated; a bad one throws std::invalid_argument naming its
     *        index, field and allowed range)
     * \param policy the placement policy (may be null if every job has fixedGpus)
     * \param options the scheduler's queue discipline
     * \param observer callbacks
     * \return per-job results, samples and counters
     */
    FlowRunResult Run(const std::vector<FlowJob>& jobs,
                      std::unique_ptr<PlacementPolicy> policy,
                      const SchedulerOptions& options = {},
                      const FlowObserver& observer = {});

    /**
     * The links of one flow of a job, as Run() uses them: Routing::Path of the pair's GPUs
     * and port, with the routes installed now.
     * \param jobId job id
     * \param gpus the job's GPUs in rank order
     * \param srcRank sender rank
     * \param dstRank receiver rank
     * \param qpIndex 0 gradient collective, 1 all-to-all
     * \param[in,out] out links appended
     */
    void AppendFlowPath(uint32_t jobId,
                        const std::vector<uint32_t>& gpus,
                        uint32_t srcRank,
                        uint32_t dstRank,
                        uint32_t qpIndex,
                        std::vector<uint32_t>& out) const;

  private:
    class Run_;
    std::shared_ptr<Routing> m_routing;
    FlowEngineConfig m_config;
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_FLOW_ENGINE_H
