/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/flow-engine.h"

#include "ns3/job-trace.h"
#include "ns3/ocs-vclos-placement-policy.h"
#include "ns3/route-seeds.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <queue>
#include <stdexcept>

namespace ns3
{
namespace vclos
{

namespace
{
/// Job::ocsEnd flag: the circuit joins two leaves (the low bits are the OCS).
constexpr uint32_t kOcsLeafEnd = 1U << 31;

/// Picoseconds per second: the engine's clock ticks are picoseconds, as the packet level's.
constexpr double kTicksPerSecond = 1e12;
/// Bits per byte.
constexpr double kBitsPerByte = 8.0;
/// "No flow".
constexpr uint32_t kNoFlow = 0xFFFFFFFF;
/// QP index of the gradient collective and of the all-to-all (as TrainingJob).
constexpr uint32_t kBucketQp = 0;
constexpr uint32_t kAllToAllQp = 1;

int64_t
ToTicks(double s)
{
    return static_cast<int64_t>(std::llround(s * kTicksPerSecond));
}

double
ToSeconds(int64_t ticks)
{
    return static_cast<double>(ticks) / kTicksPerSecond;
}

std::string
JobWhere(std::size_t index, const FlowJob& job)
{
    return "flow job " + std::to_string(index) + " (id " + std::to_string(job.id) + ")";
}

} // namespace

FlowJob
MakeFlowJob(const TraceJob& job)
{
    FlowJob f;
    f.id = static_cast<uint32_t>(job.id);
    f.name = job.model;
    f.arrivalS = job.arrivalS;
    f.gpus = job.gpus;
    f.collective = job.collective;
    f.bytes = job.bytes;
    f.iterations = job.iterations;
    f.computeS = job.computePerIterationS;
    return f;
}

/// One run: the state of Run() (jobs, events, network).
class FlowEngine::Run_
{
  public:
    Run_(FlowEngine& engine,
         const std::vector<FlowJob>& jobs,
         std::unique_ptr<PlacementPolicy> policy,
         const SchedulerOptions& options,
         const FlowObserver& observer);
    FlowRunResult Go();

  private:
    enum class EventType : uint8_t
    {
        ARRIVAL,
        START,
        COMPUTE_DONE,
        PHASE_DONE,
        PHASE_GAP,
        COMM_DONE,
        RELEASE
    };

    struct Event
    {
        int64_t t;
        uint64_t seq;
        EventType type;
        uint32_t job;
        uint64_t version;

        bool operator>(const Event& o) const
        {
            return t != o.t ? t > o.t : seq > o.seq;
        }
    };

    /// The links of a phase's bundle.
    struct PatternLinks
    {
        std::vector<FlowNetwork::Use> shared; //!< links other jobs may use
        std::vector<FlowNetwork::Use> own;    //!< host and intra links of the job's own GPUs
        double cap{std::numeric_limits<double>::infinity()}; //!< rate bound of the own links
        int64_t stepLatency{0}; //!< one packet's latency on the slowest pair's path, ticks
        int64_t ackLatency{0};  //!< one ACK's latency back on the pairs' paths, ticks
        /// Ring: mean over the pairs of 1 / rate alone minus the slowest pair's, s/bit (<= 0)
        double ringSlack{0};
        int64_t slowLatency{0}; //!< ring: the slowest pair's packet latency, ticks
        bool built{false};      //!< filled
    };

    /// The driver of one job's lifecycle.
    class Job : public JobDriver
    {
      public:
        Job(Run_& run, uint32_t index)
            : m_run(run),
              m_index(index)
        {
        }

        void StartCompute(int64_t duration) override
        {
            m_run.Push(m_run.m_now + duration, EventType::COMPUTE_DONE, m_index);
        }

        void StartCollective(uint32_t /* iteration */, uint32_t /* run */, CommKind kind) override
        {
            m_run.StartCollective(m_index, kind);
        }

        void IterationFinished(uint32_t /* iteration */, const JobIterationRecord& r) override
        {
            if (m_run.m_engine.m_config.keepIterations)
            {
                m_run.m_result.jobs[m_index].iterations.push_back(
                    FlowIteration{ToSeconds(r.start),
                                  ToSeconds(r.computeEnd),
                                  ToSeconds(r.end),
                                  ToSeconds(r.commBusy)});
            }
        }

        void JobFinished(int64_t now, bool /* completed */) override
        {
            m_run.Finished(m_index, now);
        }

        Run_& m_run;
        uint32_t m_index;
        std::unique_ptr<JobLifecycle> life;
        Placement placement;
        std::unique_ptr<CompactCollective> bucket;
        std::unique_ptr<CompactCollective> allToAll;
        /// Links of a pattern used more than once, per collective (0 bucket, 1 all-to-all).
        std::vector<PatternLinks> cache[2];
        const CompactCollective* cur{nullptr};
        uint32_t qp{0};
        uint32_t phase{0};
        uint32_t flow{kNoFlow};
        double remainingBits{0};
        double rate{0};
        int64_t t0{0};
        uint64_t version{0};
        bool placed{false};
        /// ocs-vclos: per rank, the fabric up link its cross-leaf traffic leaves by
        /// (empty for other jobs); see OcsRoutes()
        std::vector<uint32_t> ocsUp;
        /// ocs-vclos: per rank, where the circuit of its uplink ends (kOcsLeafEnd | OCS
        /// for a leaf-leaf circuit, else the spine)
        std::vector<uint32_t> ocsEnd;
        /// ocs-vclos: (leaf << 32 | spine) -> the down link from that spine's circuit to
        /// the leaf
        std::map<uint64_t, uint32_t> ocsDown;
        uint32_t id{0};         //!< job id of its ports (FlowJob::id or its placement rank)
        int64_t latency{0};     //!< stepLatency: the gap after the current phase, ticks
        int64_t ackLatency{0};  //!< releaseDelay: the last phase's ACK latency, ticks
        uint64_t phaseBytes{0}; //!< payload bytes of the current phase (bytes x pairs)
    };

    void Push(int64_t t, EventType type, uint32_t job, uint64_t version = 0);
    /// With idsInPlacementOrder: give the job the next id, as it is placed.
    void AssignId(uint32_t job);
    void Process(const Event& ev);
    /// The job's last byte is in at \p now: record it, release it after its ACK latency.
    void Finished(uint32_t job, int64_t now);
    void Settle();
    void StartCollective(uint32_t job, CommKind kind);
    void StartPhase(Job& job);
    void BuildUses(Job& job, const RankPattern& pattern, PatternLinks& links);
    void OnPlaced(uint64_t job, const Placement& placement);
    void Sample();
    void Validate() const;
    double WireBits(uint64_t bytes) const;

    FlowEngine& m_engine;
    const ClusterTopology& m_topology;
    const std::vector<FlowJob>& m_jobs;
    const FlowObserver& m_observer;
    std::unique_ptr<ClusterScheduler> m_scheduler;
    FlowNetwork m_network;
    std::vector<std::unique_ptr<Job>> m_run;
    std::vector<uint32_t> m_flowJob; //!< network flow id -> job index
    std::priority_queue<Event, std::vector<Event>, std::greater<Event>> m_events;
    uint64_t m_seq{0};
    int64_t m_now{0};
    uint64_t m_done{0};
    uint32_t m_nextId{0}; //!< next id given in placement order (idsInPlacementOrder)
    uint32_t m_running{0};
    uint32_t m_fixedGpus{0};
    double m_nextProgress{0};
    FlowRunResult m_result;
    // scratch
    std::vector<uint32_t> m_changed;
    std::vector<uint32_t> m_path;
    /// ocs-vclos: set Job::ocsUp/ocsEnd/ocsDown from the placement's circuits and uplinks
    void OcsRoutes(Job& job) const;
    /// ocs-vclos: replace the logical fabric links of m_path by the job's circuits
    void OcsRewrite(const Job& job, const RankPattern& pattern);
    std::vector<Routing::PathRequest> m_requests;
    std::vector<std::size_t> m_ends;
    std::vector<uint32_t> m_count;
    std::vector<uint32_t> m_touched;
    std::vector<uint8_t> m_ownKind; //!< per link: host or intra (owned with its GPU)
    std::vector<uint8_t> m_fabric;  //!< per link: leaf-spine
    std::vector<FlowNetwork::Use> m_all;
    PatternLinks m_local;
};

FlowEngine::FlowEngine(std::shared_ptr<Routing> routing, const FlowEngineConfig& config)
    : m_routing(std::move(routing)),
      m_config(config)
{
    if (!m_routing)
    {
        throw std::invalid_argument("FlowEngine: null routing");
    }
    if (!m_routing->GetTopology().IsLeafSpine())
    {
        throw std::invalid_argument("FlowEngine: the topology must be built by LeafSpine()");
    }
    if (m_config.mtu == 0)
    {
        throw std::invalid_argument("FlowEngine: mtu must be >= 1");
    }
    if (m_config.ackInterval == 0)
    {
        throw std::invalid_argument("FlowEngine: ackInterval must be >= 1");
    }
    if (!std::isfinite(m_config.progressIntervalS) || m_config.progressIntervalS < 0)
    {
        throw std::invalid_argument("FlowEngine: progressIntervalS must be finite and >= 0");
    }
}

FlowEngine::~FlowEngine() = default;

void
FlowEngine::AppendFlowPath(uint32_t jobId,
                           const std::vector<uint32_t>& gpus,
                           uint32_t srcRank,
                           uint32_t dstRank,
                           uint32_t qpIndex,
                           std::vector<uint32_t>& out) const
{
    const uint16_t port = QpSourcePort(m_routing->GetRunSeed(), jobId, srcRank, dstRank, qpIndex);
    if (!m_routing->AppendPath(gpus.at(srcRank), gpus.at(dstRank), port, false, out))
    {
        throw std::logic_error("FlowEngine: no path from GPU " + std::to_string(gpus[srcRank]) +
                               " to GPU " + std::to_string(gpus[dstRank]));
    }
}

FlowRunResult
FlowEngine::Run(const std::vector<FlowJob>& jobs,
                std::unique_ptr<PlacementPolicy> policy,
                const SchedulerOptions& options,
                const FlowObserver& observer)
{
    Run_ run(*this, jobs, std::move(policy), options, observer);
    return run.Go();
}

namespace
{

std::vector<double>
Capacities(const ClusterTopology& t)
{
    std::vector<double> c(t.GetNLinks());
    for (uint32_t l = 0; l < t.GetNLinks(); ++l)
    {
        c[l] = static_cast<double>(t.GetLink(l).rateBps);
    }
    return c;
}

} // namespace

FlowEngine::Run_::Run_(FlowEngine& engine,
                       const std::vector<FlowJob>& jobs,
                       std::unique_ptr<PlacementPolicy> policy,
                       const SchedulerOptions& options,
                       const FlowObserver& observer)
    : m_engine(engine),
      m_topology(engine.m_routing->GetTopology()),
      m_jobs(jobs),
      m_observer(observer),
      m_network(Capacities(engine.m_routing->GetTopology()), engine.m_config.sharing)
{
    Validate();
    bool needScheduler = false;
    for (const FlowJob& j : jobs)
    {
        needScheduler = needScheduler || j.fixedGpus.empty();
    }
    m_result.sharing = engine.m_config.sharing;
    m_result.policy = "fixed";
    if (needScheduler)
    {
        if (!policy)
        {
            throw std::invalid_argument("FlowEngine::Run: a placement policy is needed for jobs "
                                        "without fixedGpus");
        }
        m_result.policy = policy->GetName();
        // The scheduler keeps the topology alive; the routing owns it already.
        std::shared_ptr<const ClusterTopology> topo(engine.m_routing,
                                                    &engine.m_routing->GetTopology());
        m_scheduler = std::make_unique<ClusterScheduler>(topo, std::move(policy), options);
        m_scheduler->SetPlaceCallback(
            [this](uint64_t job, const Placement& p) { OnPlaced(job, p); });
    }
    m_count.assign(m_topology.GetNLinks(), 0);
    m_ownKind.assign(m_topology.GetNLinks(), 0);
    m_fabric.assign(m_topology.GetNLinks(), 0);
    for (uint32_t l = 0; l < m_topology.GetNLinks(); ++l)
    {
        const LinkKind kind = m_topology.GetLink(l).kind;
        m_ownKind[l] = kind == LinkKind::HOST || kind == LinkKind::INTRA;
        m_fabric[l] = kind == LinkKind::FABRIC;
    }
    m_result.jobs.resize(jobs.size());
    m_run.resize(jobs.size());
    for (uint32_t i = 0; i < jobs.size(); ++i)
    {
        FlowJobResult& r = m_result.jobs[i];
        r.index = i;
        r.id = jobs[i].id;
        r.name = jobs[i].name;
        r.gpus = jobs[i].fixedGpus.empty() ? jobs[i].gpus
                                           : static_cast<uint32_t>(jobs[i].fixedGpus.size());
        Push(ToTicks(jobs[i].arrivalS), EventType::ARRIVAL, i);
    }
}

void
FlowEngine::Run_::Validate() const
{
    const uint32_t nGpus = m_topology.GetNGpus();
    const std::vector<std::string> algorithms = CollectiveAlgorithms();
    for (std::size_t i = 0; i < m_jobs.size(); ++i)
    {
        const FlowJob& j = m_jobs[i];
        const std::string where = JobWhere(i, j);
        auto bad = [&where](const std::string& what) {
            throw std::invalid_argument(where + ": " + what);
        };
        if (!std::isfinite(j.arrivalS) || j.arrivalS < 0 || j.arrivalS > kMaxFlowTimeS)
        {
            bad("arrivalS must be in [0, 4e6] s");
        }
        if (!std::isfinite(j.computeS) || j.computeS < 0 || j.computeS > kMaxFlowTimeS)
        {
            bad("computeS must be in [0, 4e6] s");
        }
        if (j.fixedGpus.empty() && (j.gpus == 0 || j.gpus > nGpus))
        {
            bad("gpus must be in 1.." + std::to_string(nGpus));
        }
        for (std::size_t a = 0; a < j.fixedGpus.size(); ++a)
        {
            if (j.fixedGpus[a] >= nGpus)
            {
                bad("fixedGpus[" + std::to_string(a) + "] must be < " + std::to_string(nGpus));
            }
            for (std::size_t b = 0; b < a; ++b)
            {
                if (j.fixedGpus[a] == j.fixedGpus[b])
                {
                    bad("fixedGpus lists GPU " + std::to_string(j.fixedGpus[a]) + " twice");
                }
            }
        }
        if (std::find(algorithms.begin(), algorithms.end(), j.collective) == algorithms.end())
        {
            bad("unknown collective '" + j.collective + "'");
        }
        if (j.bytes == 0 || j.iterations == 0 || j.buckets == 0 || j.pipelineChunks == 0)
        {
            bad("bytes, iterations, buckets and pipelineChunks must be >= 1");
        }
        if (!(j.backwardFraction >= 0 && j.backwardFraction <= 1))
        {
            bad("backwardFraction must be in [0, 1]");
        }
    }
}

void
FlowEngine::Run_::Push(int64_t t, EventType type, uint32_t job, uint64_t version)
{
    m_events.push(Event{t, m_seq++, type, job, version});
}

double
FlowEngine::Run_::WireBits(uint64_t bytes) const
{
    const FlowEngineConfig& c = m_engine.m_config;
    const uint64_t packets = (bytes + c.mtu - 1) / c.mtu;
    const uint64_t acks = (packets + c.ackInterval - 1) / c.ackInterval;
    return (static_cast<double>(bytes) + static_cast<double>(packets) * c.packetOverhead +
            static_cast<double>(acks) * c.ackBytes) *
           kBitsPerByte;
}

FlowRunResult
FlowEngine::Run_::Go()
{
    const double interval = m_engine.m_config.progressIntervalS;
    m_nextProgress = interval;
    while (true)
    {
        if (m_events.empty() || m_events.top().t > m_now)
        {
            Settle();
            if (m_events.empty())
            {
                break;
            }
            const int64_t next = m_events.top().t;
            if (interval > 0 && m_observer.progress && ToSeconds(next) >= m_nextProgress)
            {
                m_observer.progress(FlowProgress{m_nextProgress,
                                                 m_done,
                                                 m_scheduler ? m_scheduler->GetQueueLength() : 0,
                                                 m_running,
                                                 m_jobs.size()});
                // Nothing changes until next: one call for the gap, not one per interval.
                m_nextProgress +=
                    interval * (std::floor((ToSeconds(next) - m_nextProgress) / interval) + 1);
            }
            m_now = next;
        }
        if (m_observer.stop && m_result.stats.events % kStopPollEvents == 0 && m_observer.stop())
        {
            m_result.stats.stopped = true;
            break;
        }
        const Event ev = m_events.top();
        m_events.pop();
        ++m_result.stats.events;
        Process(ev);
    }
    FlowRunStats& s = m_result.stats;
    s.endS = ToSeconds(m_now);
    s.rated = m_network.GetNRated();
    if (m_scheduler)
    {
        s.placements = m_scheduler->GetNPlacements();
        s.waits = m_scheduler->GetNWaits();
        s.attempts = m_scheduler->GetNAttempts();
        s.capHits = m_scheduler->GetNCapHits();
    }
    if (m_observer.progress)
    {
        m_observer.progress(FlowProgress{ToSeconds(m_now),
                                         m_done,
                                         m_scheduler ? m_scheduler->GetQueueLength() : 0,
                                         m_running,
                                         m_jobs.size()});
    }
    return std::move(m_result);
}

void
FlowEngine::Run_::Process(const Event& ev)
{
    FlowJobResult& r = m_result.jobs[ev.job];
    const FlowJob& spec = m_jobs[ev.job];
    switch (ev.type)
    {
    case EventType::ARRIVAL: {
        auto job = std::make_unique<Job>(*this, ev.job);
        JobLifecycleConfig cfg;
        cfg.iterations = spec.iterations;
        SplitCompute(ToTicks(spec.computeS), spec.backwardFraction, cfg.forward, cfg.backward);
        cfg.buckets = spec.buckets;
        cfg.allToAll = spec.allToAllBytes > 0;
        job->life = std::make_unique<JobLifecycle>(cfg, *job, m_now);
        job->life->Queue(m_now);
        job->id = spec.id;
        m_run[ev.job] = std::move(job);
        r.arrivalS = ToSeconds(m_now);
        if (!spec.fixedGpus.empty())
        {
            AssignId(ev.job);
            Placement p;
            p.policy = "fixed";
            p.branch = "fixed";
            p.gpus = spec.fixedGpus;
            m_run[ev.job]->placement = std::move(p);
            m_run[ev.job]->placed = true;
            m_fixedGpus += static_cast<uint32_t>(spec.fixedGpus.size());
            Push(m_now, EventType::START, ev.job);
        }
        else
        {
            m_scheduler->Submit(JobRequest{ev.job, spec.gpus, r.arrivalS}, r.arrivalS);
        }
        Sample();
        break;
    }
    case EventType::START: {
        Job& job = *m_run[ev.job];
        ClusterScheduler::InstallPlacementRoutes(*m_engine.m_routing, job.placement);
        const uint32_t gps = m_topology.GetShape().gpusPerServer;
        const uint32_t n = static_cast<uint32_t>(job.placement.gpus.size());
        job.bucket = std::make_unique<CompactCollective>(
            MakeCompactCollective(spec.collective,
                                  n,
                                  (spec.bytes + spec.buckets - 1) / spec.buckets,
                                  gps,
                                  spec.pipelineChunks));
        if (spec.allToAllBytes > 0)
        {
            job.allToAll = std::make_unique<CompactCollective>(
                MakeCompactCollective("all_to_all", n, (spec.allToAllBytes + 1) / 2));
        }
        r.startS = ToSeconds(m_now);
        r.jwtS = r.startS - r.arrivalS;
        if (m_engine.m_config.keepPlacements)
        {
            r.placement = job.placement;
            r.placement.routes.clear();
            r.placement.routes.shrink_to_fit();
        }
        ++m_running;
        if (m_observer.jobStarted)
        {
            m_observer.jobStarted(r);
        }
        job.life->Place(m_now);
        job.life->Start(m_now);
        Sample();
        break;
    }
    case EventType::COMPUTE_DONE:
        m_run[ev.job]->life->ComputeDone(m_now);
        break;
    case EventType::PHASE_DONE: {
        if (!m_run[ev.job])
        {
            break; // the job is gone
        }
        Job& job = *m_run[ev.job];
        if (ev.version != job.version || job.flow == kNoFlow)
        {
            break; // superseded by a rate change
        }
        m_network.Remove(job.flow);
        job.flow = kNoFlow;
        ++job.version;
        r.receivedBytes += job.phaseBytes;
        if (job.latency > 0)
        {
            Push(m_now + job.latency, EventType::PHASE_GAP, ev.job, job.version);
            job.latency = 0;
            break;
        }
        ++job.phase;
        StartPhase(job);
        break;
    }
    case EventType::PHASE_GAP: {
        Job& job = *m_run[ev.job];
        if (ev.version == job.version)
        {
            ++job.phase;
            StartPhase(job);
        }
        break;
    }
    case EventType::COMM_DONE:
        m_run[ev.job]->life->CommDone(m_now);
        break;
    case EventType::RELEASE: {
        Job& job = *m_run[ev.job];
        r.releasedS = ToSeconds(m_now);
        ClusterScheduler::RemovePlacementRoutes(*m_engine.m_routing, job.placement);
        ++m_done;
        --m_running;
        if (m_observer.jobFinished)
        {
            m_observer.jobFinished(r);
        }
        if (m_jobs[ev.job].fixedGpus.empty())
        {
            m_scheduler->Release(ev.job, r.releasedS);
        }
        else
        {
            m_fixedGpus -= static_cast<uint32_t>(m_jobs[ev.job].fixedGpus.size());
        }
        m_run[ev.job].reset();
        Sample();
        break;
    }
    }
}

void
FlowEngine::Run_::Finished(uint32_t index, int64_t now)
{
    Job& job = *m_run[index];
    FlowJobResult& r = m_result.jobs[index];
    r.finishS = ToSeconds(now);
    r.jrtS = r.finishS - r.startS;
    r.jctS = r.finishS - r.arrivalS;
    r.finished = job.life->IsCompleted();
    Push(now + (m_engine.m_config.releaseDelay ? job.ackLatency : 0), EventType::RELEASE, index);
}

void
FlowEngine::Run_::AssignId(uint32_t job)
{
    if (m_engine.m_config.idsInPlacementOrder)
    {
        m_run[job]->id = m_nextId++;
        m_result.jobs[job].id = m_run[job]->id;
    }
}

void
FlowEngine::Run_::OnPlaced(uint64_t job, const Placement& placement)
{
    Job& j = *m_run[job];
    AssignId(static_cast<uint32_t>(job));
    j.placement = placement;
    j.placed = true;
    if (!placement.circuits.empty())
    {
        OcsRoutes(j);
    }
    // ocs-vclos: the job starts when its new circuits are lit.
    Push(m_now + ToTicks(placement.readySeconds), EventType::START, static_cast<uint32_t>(job));
}

void
FlowEngine::Run_::OcsRoutes(Job& job) const
{
    const auto* policy = dynamic_cast<const OcsVclosPlacementPolicy*>(&m_scheduler->GetPolicy());
    if (policy == nullptr)
    {
        throw std::logic_error("FlowEngine: a placement with circuits from policy '" +
                               job.placement.policy + "'");
    }
    const OcsFabric& fabric = policy->GetFabric();
    const ClusterOccupancy& occ = m_scheduler->GetOccupancy();
    const Placement& p = job.placement;
    // Per (leaf, OCS): where its circuit ends.
    std::map<uint64_t, uint32_t> endOf;
    for (const OcsCircuit& c : p.circuits)
    {
        for (const auto& [x, y] : {std::pair{c.a, c.b}, std::pair{c.b, c.a}})
        {
            if (!fabric.IsLeafOcsPort(x))
            {
                continue;
            }
            const uint32_t leaf = fabric.GetOcsPortOwner(x);
            const uint64_t key = (static_cast<uint64_t>(leaf) << 32) | c.ocs;
            if (fabric.IsLeafOcsPort(y))
            {
                endOf[key] = kOcsLeafEnd | c.ocs;
            }
            else
            {
                const uint32_t spine = fabric.GetOcsPortOwner(y);
                endOf[key] = spine;
                job.ocsDown.emplace((static_cast<uint64_t>(leaf) << 32) | spine,
                                    occ.GetDownLink(leaf, c.ocs));
            }
        }
    }
    const uint32_t n = static_cast<uint32_t>(p.gpus.size());
    job.ocsUp.assign(n, OcsFabric::NONE);
    job.ocsEnd.assign(n, OcsFabric::NONE);
    for (uint32_t r = 0; r < n && r < p.uplinks.size(); ++r)
    {
        if (p.uplinks[r] == OcsFabric::NONE)
        {
            continue;
        }
        const uint32_t leaf = m_topology.GetLeafOf(p.gpus[r]);
        auto it = endOf.find((static_cast<uint64_t>(leaf) << 32) | p.uplinks[r]);
        if (it == endOf.end())
        {
            throw std::logic_error("FlowEngine: rank " + std::to_string(r) +
                                   " uses an uplink without a circuit");
        }
        job.ocsUp[r] = occ.GetUpLink(leaf, p.uplinks[r]);
        job.ocsEnd[r] = it->second;
    }
}

void
FlowEngine::Run_::OcsRewrite(const Job& job, const RankPattern& pattern)
{
    const CompactCollective& c = *job.cur;
    const ClusterOccupancy& occ = m_scheduler->GetOccupancy();
    std::size_t begin = 0;
    for (std::size_t i = 0; i < m_ends.size(); ++i)
    {
        const auto [src, dst] = pattern.Pair(c.ranks, static_cast<uint32_t>(i));
        uint32_t hop = 0;
        for (std::size_t k = begin; k < m_ends[i]; ++k)
        {
            if (!m_fabric[m_path[k]])
            {
                continue;
            }
            const uint32_t end = job.ocsEnd[src];
            if (end == OcsFabric::NONE)
            {
                throw std::logic_error("FlowEngine: rank " + std::to_string(src) +
                                       " sends across leaves without an uplink");
            }
            const uint32_t dstLeaf = m_topology.GetLeafOf(job.placement.gpus[dst]);
            if (hop++ == 0)
            {
                m_path[k] = job.ocsUp[src];
            }
            else if ((end & kOcsLeafEnd) != 0)
            {
                m_path[k] = occ.GetDownLink(dstLeaf, end & ~kOcsLeafEnd);
            }
            else
            {
                auto it = job.ocsDown.find((static_cast<uint64_t>(dstLeaf) << 32) | end);
                if (it == job.ocsDown.end())
                {
                    throw std::logic_error("FlowEngine: no circuit from spine " +
                                           std::to_string(end) + " to leaf " +
                                           std::to_string(dstLeaf));
                }
                m_path[k] = it->second;
            }
        }
        begin = m_ends[i];
    }
}

void
FlowEngine::Run_::StartCollective(uint32_t index, CommKind kind)
{
    Job& job = *m_run[index];
    const bool a2a = kind != CommKind::BUCKET;
    job.cur = a2a ? job.allToAll.get() : job.bucket.get();
    job.qp = a2a ? kAllToAllQp : kBucketQp;
    job.phase = 0;
    StartPhase(job);
}

void
FlowEngine::Run_::StartPhase(Job& job)
{
    const CompactCollective& c = *job.cur;
    // Skip empty phases; an empty collective is done at once.
    while (job.phase < c.phases.size() && c.phases[job.phase].bytes == 0)
    {
        ++job.phase;
    }
    if (job.phase >= c.phases.size())
    {
        Push(m_now, EventType::COMM_DONE, job.m_index);
        return;
    }
    const CollectivePhase& ph = c.phases[job.phase];
    const RankPattern& pattern = c.patterns[ph.pattern];
    // Cache the links of a pattern that the job will use again.
    const uint32_t slot = job.qp == kAllToAllQp ? 1 : 0;
    const FlowJob& spec = m_jobs[job.m_index];
    const bool reused =
        spec.iterations > 1 || spec.buckets > 1 || c.patterns.size() < c.phases.size();
    PatternLinks* links = &m_local;
    if (reused)
    {
        auto& cache = job.cache[slot];
        if (cache.size() < c.patterns.size())
        {
            cache.resize(c.patterns.size());
        }
        links = &cache[ph.pattern];
    }
    if (!links->built)
    {
        BuildUses(job, pattern, *links);
        links->built = reused;
    }
    if (m_observer.phaseStarted)
    {
        m_all = links->shared;
        m_all.insert(m_all.end(), links->own.begin(), links->own.end());
        m_observer.phaseStarted(job.m_index, job.qp, c, job.phase, m_all);
    }
    job.flow = m_network.Add(links->shared, job.m_index, links->cap);
    if (job.flow >= m_flowJob.size())
    {
        m_flowJob.resize(job.flow + 1);
    }
    m_flowJob[job.flow] = job.m_index;
    job.remainingBits = WireBits(ph.bytes);
    job.phaseBytes = ph.bytes * pattern.Size(c.ranks);
    m_result.jobs[job.m_index].sentBytes += job.phaseBytes;
    job.latency = m_engine.m_config.stepLatency ? links->stepLatency * ph.steps : 0;
    if (job.latency > 0 && links->ringSlack < 0)
    {
        // A ring whose pairs differ in speed (intra-server and network pairs): a step's chain
        // crosses the pairs in turn (mean transfer + mean latency per step), but the slowest
        // pair sends its blocks back to back, hiding the latencies behind its transfers:
        // the phase takes the longer of the two beyond its bytes at the slowest rate.
        const double stepBits = WireBits(ph.bytes) / ph.steps;
        const double chain = static_cast<double>(job.latency) +
                             ph.steps * stepBits * links->ringSlack * kTicksPerSecond;
        job.latency = std::max(links->slowLatency, static_cast<int64_t>(std::ceil(chain)));
    }
    job.ackLatency = links->ackLatency;
    job.rate = 0;
    job.t0 = m_now;
    ++job.version;
    ++m_result.stats.phases;
    ++m_result.jobs[job.m_index].phases;
    for (const FlowNetwork::Use& u : links->shared)
    {
        if (m_fabric[u.link] && m_network.GetNFlowsOn(u.link) > 1)
        {
            m_result.stats.maxJobsOnFabricLink =
                std::max(m_result.stats.maxJobsOnFabricLink, m_network.GetNOwnersOn(u.link));
        }
        else if (m_fabric[u.link] && m_result.stats.maxJobsOnFabricLink == 0)
        {
            m_result.stats.maxJobsOnFabricLink = 1;
        }
    }
    if (!links->built)
    {
        links->shared.clear();
        links->own.clear();
    }
}

void
FlowEngine::Run_::BuildUses(Job& job, const RankPattern& pattern, PatternLinks& links)
{
    const CompactCollective& c = *job.cur;
    const uint32_t n = pattern.Size(c.ranks);
    const uint32_t jobId = job.id;
    // Host and intra links of a scheduler-placed job's GPUs carry only its own flows.
    const bool owned = m_jobs[job.m_index].fixedGpus.empty();
    const bool perUnit = m_engine.m_config.sharing == SharingModel::MAXMIN;
    m_touched.clear();
    m_requests.resize(n);
    const uint64_t seed = m_engine.m_routing->GetRunSeed();
    const std::vector<uint32_t>& gpus = job.placement.gpus;
    for (uint32_t i = 0; i < n; ++i)
    {
        const auto [src, dst] = pattern.Pair(c.ranks, i);
        m_requests[i] =
            Routing::PathRequest{gpus[src], gpus[dst], QpSourcePort(seed, jobId, src, dst, job.qp)};
    }
    m_path.clear();
    if (!m_engine.m_routing->AppendPaths(m_requests, m_path, m_ends))
    {
        throw std::logic_error("FlowEngine: a pair of job " + std::to_string(jobId) +
                               " has no path");
    }
    if (!job.ocsUp.empty())
    {
        OcsRewrite(job, pattern);
    }
    for (uint32_t l : m_path)
    {
        if (m_count[l]++ == 0)
        {
            m_touched.push_back(l);
        }
    }
    links.stepLatency = 0;
    links.ackLatency = 0;
    links.ringSlack = 0;
    links.slowLatency = 0;
    const FlowEngineConfig& cfg = m_engine.m_config;
    if ((cfg.stepLatency || cfg.releaseDelay) && n > 0)
    {
        // One full packet: propagation on every hop, store-and-forward on every hop after
        // the first (the first hop's transmission is the fluid transfer itself); one ACK
        // back: propagation and its transmission on every hop (the reverse path has as many
        // hops). The mean over a ring's pairs, as a chain of dependent steps crosses the
        // pairs in turn; the largest for the other patterns.
        const double packetBits = static_cast<double>(cfg.mtu + cfg.packetOverhead) * kBitsPerByte;
        const double ackBits = static_cast<double>(cfg.ackBytes) * kBitsPerByte;
        double sum = 0;
        double most = 0;
        double ackSum = 0;
        double ackMost = 0;
        double invSum = 0;  // sum over the pairs of 1 / (the pair's rate alone), s/bit
        double invMost = 0; // the slowest pair's
        double slow = 0;    // the slowest pair's latency
        std::size_t begin = 0;
        for (std::size_t end : m_ends)
        {
            double one = 0;
            double ack = 0;
            double inv = 0;
            for (std::size_t k = begin; k < end; ++k)
            {
                const TopoLink& link = m_topology.GetLink(m_path[k]);
                const double rate = static_cast<double>(link.rateBps);
                inv = std::max(inv, m_count[m_path[k]] / rate);
                one += static_cast<double>(link.delayPs);
                ack += static_cast<double>(link.delayPs) + ackBits / rate * kTicksPerSecond;
                if (k > begin)
                {
                    one += packetBits / rate * kTicksPerSecond;
                }
            }
            sum += one;
            most = std::max(most, one);
            if (inv > invMost || (inv == invMost && one > slow))
            {
                invMost = inv;
                slow = one;
            }
            invSum += inv;
            ackSum += ack;
            ackMost = std::max(ackMost, ack);
            begin = end;
        }
        const bool ring = pattern.kind == RankPattern::Kind::SHIFT && pattern.shift == 1;
        if (cfg.stepLatency)
        {
            links.stepLatency = static_cast<int64_t>(std::ceil(ring ? sum / n : most));
            if (ring)
            {
                links.ringSlack = invSum / n - invMost;
                links.slowLatency = static_cast<int64_t>(std::ceil(slow));
            }
        }
        if (cfg.releaseDelay)
        {
            links.ackLatency = static_cast<int64_t>(std::ceil(ring ? ackSum / n : ackMost));
        }
    }
    links.shared.clear();
    links.own.clear();
    links.cap = std::numeric_limits<double>::infinity();
    for (uint32_t l : m_touched)
    {
        const FlowNetwork::Use use{l, m_count[l]};
        m_count[l] = 0;
        if (owned && m_ownKind[l])
        {
            const double capacity = static_cast<double>(m_topology.GetLink(l).rateBps);
            links.cap = std::min(links.cap, perUnit ? capacity / use.count : capacity);
            links.own.push_back(use);
        }
        else
        {
            links.shared.push_back(use);
        }
    }
}

void
FlowEngine::Run_::Settle()
{
    m_network.Update(m_changed);
    for (uint32_t id : m_changed)
    {
        Job& job = *m_run[m_flowJob[id]];
        const double elapsed = ToSeconds(m_now - job.t0);
        job.remainingBits = std::max(0.0, job.remainingBits - job.rate * elapsed);
        job.t0 = m_now;
        job.rate = m_network.GetRate(id);
        ++job.version;
        const double ticks = std::ceil(job.remainingBits / job.rate * kTicksPerSecond);
        const int64_t dt = std::max<int64_t>(1, static_cast<int64_t>(ticks));
        Push(m_now + dt, EventType::PHASE_DONE, job.m_index, job.version);
    }
}

void
FlowEngine::Run_::Sample()
{
    FlowSample s;
    s.timeS = ToSeconds(m_now);
    s.queued = m_scheduler ? m_scheduler->GetQueueLength() : 0;
    s.running = m_running;
    s.busyGpus = (m_scheduler ? m_scheduler->GetNBusyGpus() : 0) + m_fixedGpus;
    auto& v = m_result.samples;
    if (!v.empty() && v.back().queued == s.queued && v.back().running == s.running &&
        v.back().busyGpus == s.busyGpus)
    {
        return;
    }
    if (!v.empty() && v.back().timeS == s.timeS)
    {
        v.back() = s;
        return;
    }
    v.push_back(s);
}

} // namespace vclos
} // namespace ns3
