/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/flow-runner.h"

#include "ns3/fluid-model.h"
#include "ns3/isolated-time.h"
#include "ns3/placement-policy.h"
#include "ns3/vclos-version.h"

#include <chrono>
#include <iomanip>
#include <set>

namespace ns3
{
namespace vclos
{

namespace
{
/// Least wall-clock time between two progress lines, seconds (the first and last always print).
constexpr double kProgressWallS = 1.0;

double
WallNow()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}
} // namespace

FlowRunner::FlowRunner(const Scenario& scenario)
    : m_scenario(scenario)
{
    ParseSharingModel(m_scenario.flow.sharing); // throws for a bad name
}

std::shared_ptr<Routing>
FlowRunner::MakeRouting(const Scenario& scenario)
{
    auto topo = std::make_shared<const ClusterTopology>(
        ClusterTopology::LeafSpine(scenario.topology.Shape()));
    return std::make_shared<Routing>(topo,
                                     scenario.seed,
                                     scenario.network.ecmpSeedMode == EcmpSeedMode::Same);
}

std::vector<FlowJob>
FlowRunner::MakeJobs(const Scenario& scenario)
{
    std::vector<FlowJob> jobs;
    jobs.reserve(scenario.jobs.size());
    for (uint32_t i = 0; i < scenario.jobs.size(); ++i)
    {
        const JobSpec& s = scenario.jobs[i];
        FlowJob f;
        f.id = i;
        f.name = s.name;
        f.arrivalS = s.startS;
        f.gpus = s.NumGpus();
        if (!scenario.scheduler)
        {
            f.fixedGpus = s.gpus;
        }
        f.collective = s.collective;
        f.bytes = s.bytes;
        f.iterations = s.iterations;
        f.computeS = s.computeS;
        f.buckets = s.buckets;
        f.backwardFraction = s.backwardFraction;
        f.pipelineChunks = s.pipelineChunks;
        f.allToAllBytes = s.allToAllBytes;
        jobs.push_back(std::move(f));
    }
    return jobs;
}

FlowEngineConfig
FlowRunner::MakeConfig(const Scenario& scenario)
{
    FlowEngineConfig c;
    c.sharing = ParseSharingModel(scenario.flow.sharing);
    c.mtu = scenario.network.mtuBytes;
    c.packetOverhead = FluidParams().packetOverhead;
    c.progressIntervalS = scenario.output.progressIntervalS;
    c.keepIterations = true;
    c.keepPlacements = true;
    // Under a scheduler the packet level numbers jobs as it creates them (JobManager).
    c.idsInPlacementOrder = scenario.scheduler.has_value();
    c.stepLatency = true;
    return c;
}

void
FlowRunner::AddJobRow(ResultsDb& db, int64_t runId, const FlowJobResult& r) const
{
    const JobSpec& spec = m_scenario.jobs[r.index];
    JobRow row;
    row.jobId = r.index;
    row.name = spec.name;
    row.gpus = r.placement.gpus;
    row.collective = spec.collective;
    row.bytes = spec.bytes;
    row.iterations = spec.iterations;
    row.arrivalS = r.arrivalS; // the engine's picosecond clock, as start and finish
    row.startS = r.startS >= 0 ? r.startS : kUnknownTime;
    row.finishS = r.finished ? r.finishS : kUnknownTime;
    row.releasedS = m_scenario.scheduler && r.finishS >= 0 ? r.finishS : kUnknownTime;
    std::set<uint32_t> leaves;
    for (uint32_t g : row.gpus)
    {
        leaves.insert(m_scenario.topology.LeafOf(g));
    }
    row.leaves.assign(leaves.begin(), leaves.end());
    row.hasSpines = m_scenario.scheduler.has_value() && r.startS >= 0;
    row.spines = r.placement.spines;
    if (!row.gpus.empty())
    {
        row.isolatedS = IsolatedJobSeconds(spec, row.gpus, m_scenario.topology, m_scenario.network);
    }
    db.AddJob(runId, row);
    for (uint32_t i = 0; i < r.iterations.size(); ++i)
    {
        const FlowIteration& it = r.iterations[i];
        db.AddIteration(runId,
                        IterationRow{r.index, i, it.startS, it.computeEndS, it.endS, it.commS});
    }
}

FlowRunner::Summary
FlowRunner::Run(ResultsDb* db, std::ostream* progress)
{
    const double wall0 = WallNow();
    const Scenario& s = m_scenario;
    int64_t runId = -1;
    if (db != nullptr)
    {
        RunInfo info;
        info.scenarioName = s.name;
        info.scenarioJson = s.text;
        info.seed = s.seed;
        info.level = "flow";
        info.vclosVersion = VCLOS_VERSION;
        if (s.scheduler)
        {
            info.policy = s.scheduler->policy;
            info.backfill = s.scheduler->backfill;
        }
        if (s.trace)
        {
            const TraceSelection& sel = s.trace->selection;
            info.traceFile = sel.file;
            info.traceFirst = sel.first;
            info.traceCount = s.trace->jobs;
            info.scale = sel.scale;
        }
        runId = db->BeginRun(info);
    }

    FlowEngine engine(MakeRouting(s), MakeConfig(s));
    std::unique_ptr<PlacementPolicy> policy;
    SchedulerOptions options;
    if (s.scheduler)
    {
        const SchedulerSpec& sp = *s.scheduler;
        MiniClosSearchCaps caps;
        caps.maxNodes = sp.searchNodeCap;
        caps.maxSeconds = sp.searchTimeCapS;
        options.backfill = sp.backfill;
        policy = MakePlacementPolicy(sp.policy, sp.seed.value_or(s.seed), caps);
    }

    FlowObserver obs;
    if (db != nullptr)
    {
        obs.jobStarted = [this, db, runId](const FlowJobResult& r) {
            if (!m_scenario.scheduler)
            {
                return;
            }
            PlacementRow row;
            row.jobId = r.index;
            row.timeS = r.startS;
            row.policy = r.placement.policy;
            row.branch = r.placement.branch;
            row.gpus = r.placement.gpus;
            row.links = r.placement.links;
            row.searchS = r.placement.stats.seconds;
            row.searchNodes = r.placement.stats.nodes;
            row.capHit = r.placement.stats.capHit;
            db->AddPlacement(runId, row);
        };
        obs.jobFinished = [this, db, runId](const FlowJobResult& r) {
            // Its iterations are complete now; the row and everything buffered committed.
            AddJobRow(*db, runId, r);
            db->Flush();
        };
    }
    double lastLine = -1;
    if (progress != nullptr)
    {
        obs.progress = [progress, wall0, &lastLine](const FlowProgress& p) {
            const double now = WallNow();
            const bool last = p.done == p.total;
            if (!last && lastLine >= 0 && now - lastLine < kProgressWallS)
            {
                return;
            }
            lastLine = now;
            *progress << "[vclos] flow sim " << std::fixed << std::setprecision(3) << p.timeS
                      << " s | wall " << std::setprecision(1) << now - wall0 << " s | jobs "
                      << p.done << "/" << p.total << " done, " << p.running << " running, "
                      << p.queued << " queued" << std::endl;
        };
    }

    m_result = engine.Run(MakeJobs(s), std::move(policy), options, obs);

    Summary sum;
    sum.runId = runId;
    sum.simTimeS = m_result.stats.endS;
    sum.events = m_result.stats.events;
    sum.jobs = static_cast<uint32_t>(m_result.jobs.size());
    for (const FlowJobResult& r : m_result.jobs)
    {
        sum.jobsFinished += r.finished ? 1 : 0;
    }
    sum.status = sum.jobsFinished == sum.jobs ? "done" : "incomplete";
    if (db != nullptr)
    {
        for (const FlowJobResult& r : m_result.jobs)
        {
            if (r.finishS < 0)
            {
                AddJobRow(*db, runId, r); // never finished (not expected: runs to the end)
            }
        }
        if (s.scheduler)
        {
            bool first = true;
            ClusterSampleRow last;
            for (const FlowSample& f : m_result.samples)
            {
                const ClusterSampleRow row{f.timeS, f.queued, f.running, f.busyGpus};
                if (!first && row.queued == last.queued && row.running == last.running &&
                    row.busyGpus == last.busyGpus)
                {
                    continue;
                }
                first = false;
                last = row;
                db->AddClusterSample(runId, row);
            }
        }
        sum.wallTimeS = WallNow() - wall0;
        db->FinishRun(runId, sum.wallTimeS, sum.simTimeS, sum.events, sum.status);
    }
    sum.wallTimeS = WallNow() - wall0;
    return sum;
}

const FlowRunResult&
FlowRunner::GetResult() const
{
    return m_result;
}

} // namespace vclos
} // namespace ns3
