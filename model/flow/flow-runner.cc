/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/flow-runner.h"

#include "ns3/fluid-model.h"
#include "ns3/isolated-time.h"
#include "ns3/ocs-vclos-placement-policy.h"
#include "ns3/placement-policy.h"
#include "ns3/vclos-version.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

namespace ns3
{
namespace vclos
{

static_assert(kMaxFlowTimePs == static_cast<int64_t>(kMaxFlowTimeS * 1e12),
              "the scenario's flow-level time limit is the flow engine's");

namespace
{
/// Invariants SetInvariantFault() may name (those that apply at flow level).
const char* const kFlowInvariants[] = {"collective_bytes", "jobs_accounted", "link_exclusive"};

/// \return "1h02m" or "3m05s" or "12s" for a duration in seconds
std::string
Duration(double s)
{
    const auto t = static_cast<long long>(s + 0.5);
    std::ostringstream o;
    if (t >= 3600)
    {
        o << t / 3600 << "h" << std::setw(2) << std::setfill('0') << (t % 3600) / 60 << "m";
    }
    else if (t >= 60)
    {
        o << t / 60 << "m" << std::setw(2) << std::setfill('0') << t % 60 << "s";
    }
    else
    {
        o << t << "s";
    }
    return o.str();
}

/// \return true for the policies that reserve fabric links (link_exclusive applies)
bool
IsIsolatingPolicy(const std::string& policy)
{
    return policy == "vclos" || policy == "ocs-vclos";
}

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
    // ACKs load the reverse links and a job is released when its last ACK is in, as at
    // packet level.
    c.ackBytes = FluidParams().ackBytes;
    c.ackInterval = scenario.network.ackInterval;
    c.releaseDelay = true;
    if (scenario.flow.model == "payload")
    {
        // the authors' simulator (and vclos-flow-bench): payload bytes only, no latencies,
        // no ACKs, jobs keep their trace order's ids
        c.packetOverhead = 0;
        c.idsInPlacementOrder = false;
        c.stepLatency = false;
        c.ackBytes = 0;
        c.releaseDelay = false;
    }
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
    row.releasedS = m_scenario.scheduler && r.releasedS >= 0 ? r.releasedS : kUnknownTime;
    std::set<uint32_t> leaves;
    for (uint32_t g : row.gpus)
    {
        leaves.insert(m_scenario.topology.LeafOf(g));
    }
    row.leaves.assign(leaves.begin(), leaves.end());
    row.hasSpines = m_scenario.scheduler.has_value() && r.startS >= 0;
    row.spines = r.placement.spines;
    // The isolated time is the packet level's (wire bytes, latencies): not the payload model's,
    // and its fluid evaluation of a 512-GPU all-to-all takes seconds per job, so a payload
    // run leaves it unknown (isolated_s and slowdown NULL).
    if (!row.gpus.empty() && m_scenario.flow.model != "payload")
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

void
FlowRunner::SetInvariantFault(const std::string& name)
{
    if (!name.empty() && std::find(std::begin(kFlowInvariants), std::end(kFlowInvariants), name) ==
                             std::end(kFlowInvariants))
    {
        throw std::invalid_argument("FlowRunner: no flow-level invariant named '" + name +
                                    "' (collective_bytes, jobs_accounted, link_exclusive)");
    }
    m_fault = name;
}

std::vector<InvariantResult>
FlowRunner::CheckInvariants(bool runDone, bool interrupted) const
{
    std::vector<CollectiveBytes> bytes;
    std::vector<JobOutcome> outcomes;
    const double now = m_result.stats.endS;
    const std::string when = interrupted ? " when the run was interrupted" : " at the end";
    for (const FlowJobResult& r : m_result.jobs)
    {
        if (r.finished)
        {
            bytes.push_back(CollectiveBytes{r.index, 0, r.sentBytes, r.receivedBytes});
        }
        std::string reason;
        if (!r.finished)
        {
            if (r.startS < 0)
            {
                reason = (r.arrivalS < 0 || r.arrivalS > now ? "not arrived yet" : "queued") + when;
            }
            else
            {
                reason = "running (" + std::to_string(r.iterations.size()) + "/" +
                         std::to_string(m_scenario.jobs[r.index].iterations) + " iterations)" +
                         when;
            }
        }
        outcomes.push_back(
            JobOutcome{r.index, r.finished, m_rowWritten.empty() || m_rowWritten[r.index], reason});
    }
    std::vector<LinkUse> uses = m_linkUses;
    bool isolating = m_scenario.scheduler && IsIsolatingPolicy(m_scenario.scheduler->policy);
    if (m_fault == "collective_bytes")
    {
        bytes.push_back(CollectiveBytes{0, 0, 1, 0}); // a byte sent, never received
    }
    if (m_fault == "jobs_accounted")
    {
        outcomes.push_back(
            JobOutcome{static_cast<uint32_t>(m_result.jobs.size()), false, false, ""});
    }
    if (m_fault == "link_exclusive")
    {
        isolating = true;
        uses.push_back(LinkUse{0, 0, 1, 0, 1});
        uses.push_back(LinkUse{0, 1, 1, 0.5, 1.5});
    }
    return {RunInvariants::CheckCollectiveBytes(bytes),
            RunInvariants::CheckJobsAccounted(outcomes, runDone),
            // Without a release delay a job's links are freed at its last byte and the next
            // job may start on them at that instant.
            RunInvariants::CheckLinkExclusive(isolating, uses, m_scenario.flow.model == "payload")};
}

FlowRunner::Summary
FlowRunner::Run(ResultsDb* db, std::ostream* progress, const std::function<int()>& interrupt)
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

    const std::shared_ptr<Routing> routing = MakeRouting(s);
    const ClusterTopology& topo = routing->GetTopology();
    FlowEngine engine(routing, MakeConfig(s));
    std::unique_ptr<PlacementPolicy> policy;
    SchedulerOptions options;
    if (s.scheduler)
    {
        const SchedulerSpec& sp = *s.scheduler;
        MiniClosSearchCaps caps;
        caps.maxNodes = sp.searchNodeCap;
        caps.maxSeconds = sp.searchTimeCapS;
        options.backfill = sp.backfill;
        policy = sp.policy == "ocs-vclos"
                     ? std::make_unique<OcsVclosPlacementPolicy>(s.topology.OcsShape(),
                                                                 s.topology.ocs.reconfigurationS,
                                                                 caps)
                     : MakePlacementPolicy(sp.policy, sp.seed.value_or(s.seed), caps);
    }

    FlowObserver obs;
    m_linkUses.clear();
    m_rowWritten.assign(s.jobs.size(), db == nullptr);
    // Fabric link use per (link, job) under a link-reserving policy: from the job's first
    // phase on the link to its finish (link_exclusive).
    std::unordered_map<uint64_t, std::size_t> useOf;
    std::vector<std::vector<std::size_t>> usesOfJob(s.jobs.size());
    std::vector<double> startOf(s.jobs.size(), 0);
    int signal = 0;
    if (s.scheduler && IsIsolatingPolicy(s.scheduler->policy))
    {
        obs.phaseStarted = [&](uint32_t job,
                               uint32_t /* qp */,
                               const CompactCollective& c,
                               uint32_t phase,
                               const std::vector<FlowNetwork::Use>& uses) {
            const double t = startOf[job];
            for (const FlowNetwork::Use& u : uses)
            {
                if (topo.GetLink(u.link).kind != LinkKind::FABRIC)
                {
                    continue;
                }
                const uint64_t key = (static_cast<uint64_t>(u.link) << 32) | job;
                auto [it, added] = useOf.emplace(key, m_linkUses.size());
                if (added)
                {
                    m_linkUses.push_back(LinkUse{u.link, job, 0, t, kUnknownTime});
                    usesOfJob[job].push_back(it->second);
                }
                m_linkUses[it->second].dataBytes +=
                    c.phases[phase].bytes * static_cast<uint64_t>(u.count);
            }
        };
    }
    if (interrupt)
    {
        obs.stop = [&interrupt, &signal]() {
            signal = interrupt();
            return signal != 0;
        };
    }
    obs.jobStarted = [this, db, runId, &startOf](const FlowJobResult& r) {
        startOf[r.index] = r.startS;
        if (db == nullptr || !m_scenario.scheduler)
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
    obs.jobFinished = [this, db, runId, &usesOfJob](const FlowJobResult& r) {
        for (std::size_t u : usesOfJob[r.index])
        {
            m_linkUses[u].lastS = r.finishS;
        }
        if (db != nullptr)
        {
            // Its iterations are complete now; the row and everything buffered committed.
            AddJobRow(*db, runId, r);
            db->Flush();
            m_rowWritten[r.index] = true;
        }
    };
    double lastLine = -1;
    if (progress != nullptr)
    {
        obs.progress = [progress, wall0, &lastLine](const FlowProgress& p) {
            const double now = WallNow();
            const bool last = p.done == p.total;
            if (!last && (lastLine < 0 ? now - wall0 : now - lastLine) < kProgressWallS)
            {
                return;
            }
            lastLine = now;
            const double wall = now - wall0;
            *progress << "[vclos] flow sim " << std::fixed << std::setprecision(3) << p.timeS
                      << " s | wall " << Duration(wall) << " | jobs " << p.done << "/" << p.total
                      << " done, " << p.running << " running, " << p.queued << " queued | ETA ";
            // Wall time per finished job so far, for the jobs left.
            if (last)
            {
                *progress << "0s";
            }
            else if (p.done == 0)
            {
                *progress << "?";
            }
            else
            {
                *progress << Duration(wall / static_cast<double>(p.done) *
                                      static_cast<double>(p.total - p.done));
            }
            *progress << std::endl;
        };
    }

    m_result = engine.Run(MakeJobs(s), std::move(policy), options, obs);

    Summary sum;
    sum.runId = runId;
    sum.simTimeS = m_result.stats.endS;
    sum.events = m_result.stats.events;
    sum.jobs = static_cast<uint32_t>(m_result.jobs.size());
    sum.interruptSignal = m_result.stats.stopped ? signal : 0;
    for (const FlowJobResult& r : m_result.jobs)
    {
        sum.jobsFinished += r.finished ? 1 : 0;
        sum.jobsRunning += r.startS >= 0 && r.finishS < 0 ? 1 : 0;
        sum.jobsQueued += r.arrivalS >= 0 && r.startS < 0 ? 1 : 0;
    }
    sum.status = sum.jobsFinished == sum.jobs
                     ? "done"
                     : (sum.interruptSignal != 0 ? "interrupted" : "incomplete");
    if (db != nullptr)
    {
        for (const FlowJobResult& r : m_result.jobs)
        {
            if (!m_rowWritten[r.index])
            {
                // Interrupted: not finished, or finished and not released yet.
                AddJobRow(*db, runId, r);
                m_rowWritten[r.index] = true;
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
    }
    for (LinkUse& u : m_linkUses)
    {
        if (std::isnan(u.lastS))
        {
            u.lastS = sum.simTimeS; // still running when the run stopped
        }
    }
    sum.invariants = CheckInvariants(sum.status == "done", sum.interruptSignal != 0);
    for (const InvariantResult& r : sum.invariants)
    {
        sum.invariantsOk = sum.invariantsOk && r.ok;
    }
    if (!sum.invariantsOk)
    {
        sum.status = "failed";
    }
    if (db != nullptr && s.topology.fabric == "ocs")
    {
        AddOcsRows(*db, runId);
    }
    if (db != nullptr)
    {
        db->AddInvariants(runId, sum.invariants);
        sum.wallTimeS = WallNow() - wall0;
        db->FinishRun(runId, sum.wallTimeS, sum.simTimeS, sum.events, sum.status);
    }
    sum.wallTimeS = WallNow() - wall0;
    return sum;
}

void
FlowRunner::AddOcsRows(ResultsDb& db, int64_t runId) const
{
    const OcsFabric fabric(m_scenario.topology.OcsShape());
    const uint32_t nOcs = fabric.GetNOcs();
    std::vector<OcsReconfigurationRow> changes;
    std::vector<uint32_t> perOcs(nOcs);
    auto add = [&changes, &perOcs, nOcs](const FlowJobResult& r, bool placed) {
        std::fill(perOcs.begin(), perOcs.end(), 0);
        for (const OcsCircuit& c : r.placement.circuits)
        {
            ++perOcs.at(c.ocs);
        }
        const double time = placed ? r.startS - r.placement.readySeconds : r.releasedS;
        for (uint32_t i = 0; i < nOcs; ++i)
        {
            if (perOcs[i] != 0)
            {
                changes.push_back(OcsReconfigurationRow{time,
                                                        i,
                                                        r.index,
                                                        placed ? perOcs[i] : 0,
                                                        placed ? 0 : perOcs[i],
                                                        placed ? r.startS : time});
            }
        }
    };
    for (const FlowJobResult& r : m_result.jobs)
    {
        if (r.startS >= 0 && !r.placement.circuits.empty())
        {
            add(r, true);
            if (r.releasedS >= 0)
            {
                add(r, false);
            }
        }
    }
    std::stable_sort(changes.begin(),
                     changes.end(),
                     [](const OcsReconfigurationRow& a, const OcsReconfigurationRow& b) {
                         return a.timeS < b.timeS;
                     });
    std::vector<OcsSwitchRow> switches(nOcs);
    for (uint32_t i = 0; i < nOcs; ++i)
    {
        switches[i].ocs = i;
        switches[i].ports = fabric.GetNOcsPorts();
    }
    for (const OcsReconfigurationRow& c : changes)
    {
        OcsSwitchRow& w = switches[c.ocs];
        ++w.reconfigurations;
        w.circuitsChanged += c.added + c.removed;
        w.darkS += c.added * (c.litS - c.timeS);
    }
    db.AddOcs(runId, switches, changes);
}

const FlowRunResult&
FlowRunner::GetResult() const
{
    return m_result;
}

} // namespace vclos
} // namespace ns3
