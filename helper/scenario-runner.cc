/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "scenario-runner.h"

#include "ns3/boolean.h"
#include "ns3/collective-schedule.h"
#include "ns3/dcqcn.h"
#include "ns3/double.h"
#include "ns3/global-value.h"
#include "ns3/isolated-time.h"
#include "ns3/log.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/run-interrupt.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"
#include "ns3/vclos-channel.h"
#include "ns3/vclos-version.h"

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <set>
#include <tuple>

#ifndef VCLOS_NS3_VERSION
#error                                                                                             \
    "VCLOS_NS3_VERSION (the ns-3 version built against) must come from CMakeLists.txt: see ns3/ns3-compat.h"
#endif

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("ScenarioRunner");

namespace
{
/// Invariants VclosInvariantFault may name.
const char* const kInvariantNames[] = {"collective_bytes",
                                       "lossless_drops",
                                       "jobs_accounted",
                                       "link_exclusive",
                                       "ocs_circuits"};

/// Test hook: fabricate a violation of one invariant (vclos-sim --VclosInvariantFault=NAME).
GlobalValue g_invariantFault("VclosInvariantFault",
                             "test hook: fabricate a violation of this end-of-run invariant "
                             "(collective_bytes, lossless_drops, jobs_accounted, link_exclusive,"
                             " ocs_circuits (OCS fabric only); empty: none)",
                             StringValue(""),
                             MakeStringChecker());

double
WallNow()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

const char*
KindName(LeafSpineHelper::LinkKind kind)
{
    switch (kind)
    {
    case LeafSpineHelper::LinkKind::HOST:
        return "host";
    case LeafSpineHelper::LinkKind::FABRIC:
        return "fabric";
    case LeafSpineHelper::LinkKind::INTRA:
        return "intra";
    }
    return "?";
}

/// \return the invariant VclosInvariantFault names ("" for none); aborts on another name
std::string
InvariantFault()
{
    StringValue value;
    g_invariantFault.GetValue(value);
    const std::string fault = value.Get();
    NS_ABORT_MSG_IF(!fault.empty() &&
                        std::find(std::begin(kInvariantNames), std::end(kInvariantNames), fault) ==
                            std::end(kInvariantNames),
                    "VclosInvariantFault: no invariant named '"
                        << fault
                        << "' (collective_bytes, lossless_drops, jobs_accounted, "
                           "link_exclusive, ocs_circuits)");
    return fault;
}

/// Set the NIC and switch attributes of a scenario's "network" on a fabric helper
/// (LeafSpineHelper or OcsFabricHelper).
template <class Helper>
void
SetNetworkAttributes(Helper& h, const vclos::NetworkSpec& net)
{
    h.SetNicAttribute("Mtu", UintegerValue(net.mtuBytes));
    h.SetNicAttribute("AckInterval", UintegerValue(net.ackInterval));
    h.SetNicAttribute("RetransmitTimeout", TimeValue(Seconds(net.retransmitTimeoutS)));
    if (net.bufferBytes > 0)
    {
        h.SetSwitchAttribute("BufferBytes", UintegerValue(net.bufferBytes));
    }
    h.SetSwitchAttribute("Alpha", DoubleValue(net.alpha));
    h.SetSwitchAttribute("PfcEnabled", BooleanValue(net.pfc));
    h.SetSwitchAttribute("EcnEnabled", BooleanValue(net.ecn));
    h.SetSwitchAttribute("EcnKminBytes", UintegerValue(net.ecnKminBytes));
    h.SetSwitchAttribute("EcnKmaxBytes", UintegerValue(net.ecnKmaxBytes));
    h.SetSwitchAttribute("EcnPmax", DoubleValue(net.ecnPmax));
    if (net.congestionControl == "dcqcn")
    {
        h.SetNicAttribute("CongestionControl", TypeIdValue(DcqcnCongestionControl::GetTypeId()));
    }
    h.SetNicAttribute("CnpInterval", TimeValue(Seconds(net.cnpIntervalS)));
}
} // namespace

ScenarioRunner::ScenarioRunner(const vclos::Scenario& scenario)
    : m_scenario(scenario),
      m_db(nullptr),
      m_runId(-1),
      m_iterationsDone(0),
      m_jobsFinished(0),
      m_jobsReleased(0),
      m_wallStart(0)
{
}

ScenarioRunner::~ScenarioRunner()
{
    if (m_manager)
    {
        m_manager->Dispose();
    }
    if (m_monitor)
    {
        m_monitor->Dispose();
    }
}

void
ScenarioRunner::Build()
{
    if (m_topo || m_ocs)
    {
        return;
    }
    m_wallStart = WallNow();
    const vclos::Scenario& s = m_scenario;
    RngSeedManager::SetSeed(s.seed);
    RngSeedManager::SetRun(1);
    if (s.topology.fabric == "ocs")
    {
        BuildOcs();
    }
    else
    {
        BuildLeafSpine();
    }

    // Each job is created at its start time (not here): its queue pairs exist from then on.
    m_manager = CreateObject<JobManager>();
    if (m_ocs)
    {
        m_manager->SetGpus(m_ocs->GetNics(), s.topology.gpusPerServer);
    }
    else
    {
        m_manager->SetTopology(*m_topo);
    }
    m_manager->TraceConnectWithoutContext("JobStarted",
                                          MakeCallback(&ScenarioRunner::JobStarted, this));
    m_manager->TraceConnectWithoutContext("JobFinished",
                                          MakeCallback(&ScenarioRunner::JobFinished, this));
    m_manager->TraceConnectWithoutContext("JobQuiet",
                                          MakeCallback(&ScenarioRunner::JobQuiet, this));
    m_manager->TraceConnectWithoutContext("IterationRecorded",
                                          MakeCallback(&ScenarioRunner::IterationRecorded, this));
    m_manager->TraceConnectWithoutContext("StepRecorded",
                                          MakeCallback(&ScenarioRunner::StepRecorded, this));
    m_jobs.assign(s.jobs.size(), JobState());
    if (!s.scheduler)
    {
        for (uint32_t j = 0; j < s.jobs.size(); ++j)
        {
            m_jobs[j].gpus = s.jobs[j].gpus;
            CreateJob(j, Seconds(s.jobs[j].startS));
        }
        return;
    }

    // A scheduler: arrivals are events; the place callback creates the jobs.
    const vclos::SchedulerSpec& sp = *s.scheduler;
    vclos::MiniClosSearchCaps caps;
    caps.maxNodes = sp.searchNodeCap;
    caps.maxSeconds = sp.searchTimeCapS;
    vclos::SchedulerOptions options;
    options.backfill = sp.backfill;
    std::unique_ptr<vclos::PlacementPolicy> policy;
    std::shared_ptr<const vclos::ClusterTopology> cluster;
    if (m_ocs)
    {
        // The policy places on the fabric's logical cluster (one plane per leaf uplink).
        auto ocsPolicy =
            std::make_unique<vclos::OcsVclosPlacementPolicy>(s.topology.OcsShape(),
                                                             s.topology.ocs.reconfigurationS,
                                                             caps);
        m_ocsPolicy = ocsPolicy.get();
        policy = std::move(ocsPolicy);
        cluster = std::make_shared<const vclos::ClusterTopology>(
            vclos::ClusterTopology::LeafSpine(s.topology.Shape()));
    }
    else
    {
        policy = vclos::MakePlacementPolicy(sp.policy, sp.seed.value_or(s.seed), caps);
        cluster = m_topo->GetTopologyPtr();
    }
    m_isolating = policy->IsIsolating();
    m_scheduler = std::make_unique<vclos::ClusterScheduler>(cluster, std::move(policy), options);
    m_scheduler->SetPlaceCallback(
        [this](uint64_t job, const vclos::Placement& placement) { Placed(job, placement); });
    if (m_topo)
    {
        m_topo->GetRouting().SetControlRoute(
            sp.ackRoute == "sender" ? vclos::ForwardingTable::ControlRoute::SENDER
                                    : vclos::ForwardingTable::ControlRoute::REVERSE_PATH);
    }
    if (s.output.linkJobBytes)
    {
        const auto& links = Links();
        m_jobCounter = Create<LinkJobCounter>(NGpus(), links.size());
        for (const auto& link : links)
        {
            link.device->SetLinkJobCounter(m_jobCounter, link.id);
        }
    }
    for (uint32_t j = 0; j < s.jobs.size(); ++j)
    {
        Simulator::Schedule(Seconds(s.jobs[j].startS), &ScenarioRunner::Arrive, this, j);
    }
}

void
ScenarioRunner::CreateJob(uint32_t job, Time start)
{
    const vclos::JobSpec& spec = m_scenario.jobs[job];
    JobParams p;
    p.name = spec.name;
    p.gpus = m_jobs[job].gpus;
    p.collective = spec.collective;
    p.bytes = spec.bytes;
    p.iterations = spec.iterations;
    p.computeTime = Seconds(spec.computeS);
    p.backwardFraction = spec.backwardFraction;
    p.buckets = spec.buckets;
    p.pipelineChunks = spec.pipelineChunks;
    p.allToAllBytes = spec.allToAllBytes;
    const uint32_t id = m_manager->AddJob(p, start);
    if (m_jobOfManagerId.size() <= id)
    {
        m_jobOfManagerId.resize(id + 1, NOT_CREATED);
    }
    m_jobOfManagerId[id] = job;
    m_jobs[job].managerId = id;
}

void
ScenarioRunner::Arrive(uint32_t job)
{
    const double now = Simulator::Now().GetSeconds();
    NS_LOG_INFO("job " << job << " arrives, " << m_scenario.jobs[job].nGpus << " GPUs");
    m_scheduler->Submit(vclos::JobRequest{job, m_scenario.jobs[job].nGpus, now}, now);
    SampleCluster();
}

void
ScenarioRunner::Placed(uint64_t jobId, const vclos::Placement& placement)
{
    const auto job = static_cast<uint32_t>(jobId);
    JobState& st = m_jobs[job];
    const double now = Simulator::Now().GetSeconds();
    NS_LOG_INFO("job " << job << " placed (" << placement.branch << ") on " << placement.gpus.size()
                       << " GPUs, " << placement.routes.size() << " source routes");
    // Routes before the first packet: the job is created by an event at this same time,
    // or, with new circuits, when they are lit.
    Time start = Simulator::Now();
    if (m_ocs)
    {
        ChangeCircuits(job, placement, true);
        start += Seconds(placement.readySeconds);
    }
    else
    {
        vclos::ClusterScheduler::InstallPlacementRoutes(m_topo->GetRouting(), placement);
    }
    if (m_jobCounter)
    {
        st.slot = m_jobCounter->Assign(job, placement.gpus);
    }
    st.gpus = placement.gpus;
    st.spines = placement.spines;
    st.placed = true;
    st.placedS = now;
    st.startS = start.GetSeconds();
    CreateJob(job, start);
    if (m_db != nullptr)
    {
        vclos::PlacementRow row;
        row.jobId = job;
        row.timeS = now;
        row.policy = placement.policy;
        row.branch = placement.branch;
        row.gpus = placement.gpus;
        row.links = placement.links;
        row.searchS = placement.stats.seconds;
        row.searchNodes = placement.stats.nodes;
        row.capHit = placement.stats.capHit;
        m_db->AddPlacement(m_runId, row);
    }
}

void
ScenarioRunner::SampleCluster()
{
    if (m_db == nullptr || !m_scheduler)
    {
        return;
    }
    vclos::ClusterSampleRow row;
    row.timeS = Simulator::Now().GetSeconds();
    row.queued = m_scheduler->GetQueueLength();
    row.running = static_cast<uint32_t>(m_scheduler->GetRunning().size());
    row.busyGpus = m_scheduler->GetNBusyGpus();
    if (m_sampled && row.queued == m_lastSample.queued && row.running == m_lastSample.running &&
        row.busyGpus == m_lastSample.busyGpus)
    {
        return;
    }
    m_sampled = true;
    m_lastSample = row;
    m_db->AddClusterSample(m_runId, row);
}

void
ScenarioRunner::FlushLinkJobs(uint32_t job)
{
    JobState& st = m_jobs[job];
    if (!m_jobCounter || st.slot == LinkJobCounter::NO_SLOT)
    {
        return;
    }
    const auto cells = m_jobCounter->Release(st.slot, st.gpus);
    st.slot = LinkJobCounter::NO_SLOT;
    const double tsPerSecond = static_cast<double>(Seconds(1).GetTimeStep());
    if (m_isolating)
    {
        const auto& links = Links();
        for (const auto& lc : cells)
        {
            if (links.at(lc.link).kind == LeafSpineHelper::LinkKind::FABRIC)
            {
                m_linkUses.push_back(
                    vclos::LinkUse{lc.link,
                                   job,
                                   lc.cell.dataBytes,
                                   static_cast<double>(lc.cell.firstTs) / tsPerSecond,
                                   static_cast<double>(lc.cell.lastTs) / tsPerSecond});
            }
        }
    }
    if (m_db == nullptr)
    {
        return;
    }
    for (const auto& lc : cells)
    {
        vclos::LinkJobRow row;
        row.linkId = lc.link;
        row.jobId = job;
        row.dataBytes = lc.cell.dataBytes;
        row.dataPackets = lc.cell.dataPackets;
        row.controlBytes = lc.cell.controlBytes;
        row.controlPackets = lc.cell.controlPackets;
        row.firstS = static_cast<double>(lc.cell.firstTs) / tsPerSecond;
        row.lastS = static_cast<double>(lc.cell.lastTs) / tsPerSecond;
        m_db->AddLinkJob(m_runId, row);
    }
}

void
ScenarioRunner::JobQuiet(uint32_t managerId)
{
    if (!m_scheduler)
    {
        return;
    }
    const uint32_t job = m_jobOfManagerId.at(managerId);
    JobState& st = m_jobs[job];
    const double now = Simulator::Now().GetSeconds();
    NS_LOG_INFO("job " << job << " quiet: routes removed, released");
    if (m_ocs)
    {
        ChangeCircuits(job, m_scheduler->GetRunning().at(job), false); // ports freed
    }
    else
    {
        vclos::ClusterScheduler::RemovePlacementRoutes(m_topo->GetRouting(),
                                                       m_scheduler->GetRunning().at(job));
    }
    FlushLinkJobs(job);
    st.releasedS = now;
    if (m_db != nullptr)
    {
        // The job's row, its link rows and everything buffered so far, committed now.
        AddJobRow(job);
        m_db->Flush();
    }
    st.released = true;
    ++m_jobsReleased;
    // May place queued jobs (Placed() creates them now).
    m_scheduler->Release(job, now);
    CheckCircuits("a release");
    SampleCluster();
    if (AllDone())
    {
        if (m_monitor)
        {
            m_monitor->Stop();
        }
        Simulator::Stop();
    }
}

bool
ScenarioRunner::AllDone() const
{
    const std::size_t n = m_scenario.jobs.size();
    return m_scheduler ? m_jobsReleased == n : m_jobsFinished == n;
}

void
ScenarioRunner::JobStarted(uint32_t managerId)
{
    if (m_db == nullptr)
    {
        return;
    }
    const uint32_t jobId = m_jobOfManagerId.at(managerId);
    const std::vector<uint32_t>& gpus = m_jobs[jobId].gpus;
    // The paths the job's flows take now, as its queue pairs are set up.
    std::set<std::tuple<uint32_t, uint32_t, uint16_t>> seen;
    for (const Ptr<CollectiveExecutor>& e : m_manager->GetJob(managerId)->GetExecutors())
    {
        for (const auto& [src, dst, port] : e->GetFlows())
        {
            if (!seen.emplace(src, dst, port).second)
            {
                continue;
            }
            vclos::FlowRow f;
            f.jobId = jobId;
            f.srcGpu = gpus[src];
            f.dstGpu = gpus[dst];
            f.srcPort = port;
            f.path = m_ocs ? m_ocs->GetPath(f.srcGpu, f.dstGpu, port)
                           : m_topo->GetPath(f.srcGpu, f.dstGpu, port);
            m_db->AddFlow(m_runId, f);
        }
    }
}

void
ScenarioRunner::IterationRecorded(uint32_t managerId,
                                  uint32_t iteration,
                                  const TrainingJob::IterationRecord& t)
{
    ++m_iterationsDone;
    ++m_jobs[m_jobOfManagerId.at(managerId)].iterations;
    if (m_db == nullptr)
    {
        return;
    }
    vclos::IterationRow it;
    it.jobId = m_jobOfManagerId.at(managerId);
    it.iteration = iteration;
    it.startS = t.start.GetSeconds();
    it.computeEndS = t.computeEnd.GetSeconds();
    it.endS = t.end.GetSeconds();
    it.commS = t.commBusy.GetSeconds();
    m_db->AddIteration(m_runId, it);
}

void
ScenarioRunner::StepRecorded(uint32_t managerId, const TrainingJob::StepRecord& st)
{
    if (m_db == nullptr)
    {
        return;
    }
    m_db->AddStep(m_runId,
                  vclos::StepRow{m_jobOfManagerId.at(managerId),
                                 st.iteration,
                                 st.run,
                                 st.collective,
                                 st.step,
                                 st.start.GetSeconds(),
                                 st.end.GetSeconds(),
                                 st.bytes});
}

void
ScenarioRunner::AddJobRow(uint32_t jobId)
{
    const vclos::JobSpec& spec = m_scenario.jobs[jobId];
    const JobState& st = m_jobs[jobId];
    vclos::JobRow row;
    row.jobId = jobId;
    row.name = spec.name;
    row.gpus = st.gpus;
    row.collective = spec.collective;
    row.bytes = spec.bytes;
    row.iterations = spec.iterations;
    // As the simulator's clock gives it (whole picoseconds), so that jwt_s is exactly 0
    // for a job placed at its arrival.
    row.arrivalS = Seconds(spec.startS).GetSeconds();
    row.startS = m_scheduler ? st.startS : row.arrivalS;
    row.finishS = st.finishS;
    row.releasedS = st.releasedS;
    std::set<uint32_t> leaves;
    for (uint32_t g : st.gpus)
    {
        leaves.insert(m_scenario.topology.LeafOf(g));
    }
    row.leaves.assign(leaves.begin(), leaves.end());
    row.hasSpines = st.placed;
    row.spines = st.spines;
    if (!st.gpus.empty())
    {
        row.isolatedS =
            vclos::IsolatedJobSeconds(spec, st.gpus, m_scenario.topology, m_scenario.network);
    }
    m_db->AddJob(m_runId, row);
    m_jobs[jobId].rowWritten = true;
}

void
ScenarioRunner::JobFinished(uint32_t managerId)
{
    const uint32_t jobId = m_jobOfManagerId.at(managerId);
    m_jobs[jobId].finishS = Simulator::Now().GetSeconds();
    m_jobs[jobId].finished = true;
    ++m_jobsFinished;
    // Its collectives are complete: what their receivers got, against what was posted.
    const auto executors = m_manager->GetJob(managerId)->GetExecutors();
    for (uint32_t c = 0; c < executors.size(); ++c)
    {
        m_collectiveBytes.push_back(vclos::CollectiveBytes{jobId,
                                                           c,
                                                           executors[c]->GetBytesSent(),
                                                           executors[c]->GetBytesReceived()});
    }
    if (m_scheduler)
    {
        return; // its row is written when it is quiet and released
    }
    if (m_db != nullptr)
    {
        // The job's row, and with it every row buffered so far (its flows, iterations and
        // steps), committed now: a run killed later keeps this job.
        AddJobRow(jobId);
        m_db->Flush();
    }
    if (AllDone())
    {
        if (m_monitor)
        {
            m_monitor->Stop();
        }
        Simulator::Stop();
    }
}

void
ScenarioRunner::Progress(std::ostream* out)
{
    const uint32_t iterations = m_iterationsDone;
    uint32_t total = 0;
    for (const vclos::JobSpec& spec : m_scenario.jobs)
    {
        total += spec.iterations;
    }
    *out << "[vclos] sim " << std::fixed << std::setprecision(3)
         << Simulator::Now().GetSeconds() * 1e3 << " ms | wall " << std::setprecision(1)
         << WallNow() - m_wallStart << " s | iterations " << iterations << "/" << total
         << " | jobs " << m_jobsFinished << "/" << m_scenario.jobs.size();
    if (m_scheduler)
    {
        *out << " done, " << m_scheduler->GetRunning().size() << " running, "
             << m_scheduler->GetQueueLength() << " queued, " << m_scheduler->GetNBusyGpus() << "/"
             << NGpus() << " GPUs busy";
    }
    *out << std::endl;
    if (!AllDone())
    {
        Simulator::Schedule(Seconds(m_scenario.output.progressIntervalS),
                            &ScenarioRunner::Progress,
                            this,
                            out);
    }
}

void
ScenarioRunner::PollInterrupt()
{
    m_interruptSignal = RunInterrupt::Requested();
    if (m_interruptSignal != 0)
    {
        NS_LOG_INFO("signal " << m_interruptSignal << ": run interrupted");
        if (m_monitor)
        {
            m_monitor->Stop();
        }
        Simulator::Stop();
        return;
    }
    if (!AllDone())
    {
        Simulator::Schedule(Seconds(kInterruptPollS), &ScenarioRunner::PollInterrupt, this);
    }
}

std::string
ScenarioRunner::UnfinishedReason(uint32_t job) const
{
    const JobState& st = m_jobs[job];
    const vclos::JobSpec& spec = m_scenario.jobs[job];
    const std::string when =
        m_interruptSignal != 0 ? " when the run was interrupted" : " at the stop time";
    const double now = Simulator::Now().GetSeconds();
    if (m_scheduler && !st.placed)
    {
        return (spec.startS > now ? "not arrived yet" : "queued") + when;
    }
    if (m_ocs && st.placed && st.startS > now)
    {
        return "waiting for its circuits (lit at " + std::to_string(st.startS) + " s)" + when;
    }
    if (st.managerId == NOT_CREATED || spec.startS > now)
    {
        return "not started yet" + when;
    }
    return "running (" + std::to_string(st.iterations) + "/" + std::to_string(spec.iterations) +
           " iterations)" + when;
}

std::vector<vclos::InvariantResult>
ScenarioRunner::CheckInvariants(bool runDone) const
{
    const std::string fault = InvariantFault();

    std::vector<vclos::CollectiveBytes> bytes = m_collectiveBytes;
    if (fault == "collective_bytes")
    {
        bytes.push_back(vclos::CollectiveBytes{0, 0, 1, 0}); // a byte sent, never received
    }
    std::vector<vclos::LosslessDrops> drops;
    if (m_ocs)
    {
        const vclos::OcsFabricShape& shape = m_ocs->GetFabric().GetShape();
        for (uint32_t l = 0; l < shape.leaves; ++l)
        {
            drops.push_back(vclos::LosslessDrops{l, m_ocs->GetLeaf(l)->GetLosslessDrops()});
        }
        for (uint32_t sp = 0; sp < shape.spines; ++sp)
        {
            drops.push_back(
                vclos::LosslessDrops{shape.leaves + sp, m_ocs->GetSpine(sp)->GetLosslessDrops()});
        }
        const auto& servers = m_ocs->GetServerSwitches();
        for (uint32_t i = 0; i < servers.size(); ++i)
        {
            drops.push_back(vclos::LosslessDrops{shape.leaves + shape.spines + i,
                                                 servers[i]->GetLosslessDrops()});
        }
    }
    else
    {
        const vclos::ClusterTopology& topo = m_topo->GetTopology();
        for (uint32_t node = 0; node < topo.GetNNodes(); ++node)
        {
            if (Ptr<VclosSwitch> sw = m_topo->GetSwitch(node))
            {
                drops.push_back(vclos::LosslessDrops{node, sw->GetLosslessDrops()});
            }
        }
    }
    bool pfc = m_scenario.network.pfc;
    if (fault == "lossless_drops")
    {
        pfc = true;
        drops.push_back(vclos::LosslessDrops{0, 1});
    }
    std::vector<vclos::JobOutcome> outcomes;
    for (uint32_t j = 0; j < m_jobs.size(); ++j)
    {
        const JobState& st = m_jobs[j];
        outcomes.push_back(vclos::JobOutcome{j,
                                             st.finished,
                                             st.rowWritten || m_db == nullptr,
                                             st.finished ? "" : UnfinishedReason(j)});
    }
    if (fault == "jobs_accounted")
    {
        outcomes.push_back(
            vclos::JobOutcome{static_cast<uint32_t>(m_jobs.size()), false, false, ""});
    }
    std::vector<vclos::LinkUse> uses = m_linkUses;
    bool isolating = m_isolating && m_jobCounter;
    if (fault == "link_exclusive")
    {
        isolating = true;
        uses.push_back(vclos::LinkUse{0, 0, 1, 0, 1});
        uses.push_back(vclos::LinkUse{0, 1, 1, 0.5, 1.5});
    }
    std::vector<vclos::InvariantResult> results{
        vclos::RunInvariants::CheckCollectiveBytes(bytes),
        vclos::RunInvariants::CheckLosslessDrops(pfc, drops),
        vclos::RunInvariants::CheckJobsAccounted(outcomes, runDone),
        vclos::RunInvariants::CheckLinkExclusive(isolating, uses)};
    if (m_ocs)
    {
        // OCS circuits = the running jobs' after every placement and release; all ports
        // free once every job was released.
        vclos::InvariantResult r;
        r.name = "ocs_circuits";
        r.detail = m_ocsCircuitError;
        uint64_t left = 0;
        for (uint32_t i = 0; i < m_ocs->GetFabric().GetNOcs(); ++i)
        {
            left += m_ocs->GetOcs(i)->GetCircuits().GetNCircuits();
        }
        if (r.detail.empty() && runDone && left != 0)
        {
            r.detail = std::to_string(left) + " circuits left set after every job was released";
        }
        if (fault == "ocs_circuits" && r.detail.empty())
        {
            r.detail = "fabricated violation (VclosInvariantFault)";
        }
        r.ok = r.detail.empty();
        if (r.ok)
        {
            r.detail = std::to_string(m_ocsChecks) +
                       " checks: circuit maps equal the running jobs' circuits" +
                       (runDone ? ", every port free at the end" : "");
        }
        results.push_back(r);
    }
    return results;
}

ScenarioRunner::Summary
ScenarioRunner::Run(vclos::ResultsDb* db, std::ostream* progress)
{
    int64_t runId = -1;
    if (db)
    {
        vclos::RunInfo info;
        info.scenarioName = m_scenario.name;
        info.scenarioJson = m_scenario.text;
        info.seed = m_scenario.seed;
        info.level = "packet"; // also under level "both", whose flow run follows
        info.vclosVersion = VCLOS_VERSION;
        info.ns3Version = VCLOS_NS3_VERSION;
        if (m_scenario.scheduler)
        {
            info.policy = m_scenario.scheduler->policy;
            info.backfill = m_scenario.scheduler->backfill;
        }
        if (m_scenario.trace)
        {
            const vclos::TraceSelection& sel = m_scenario.trace->selection;
            info.traceFile = sel.file;
            info.traceFirst = sel.first;
            info.traceCount = m_scenario.trace->jobs;
            info.scale = sel.scale;
        }
        runId = db->BeginRun(info);
    }
    m_db = db;
    m_runId = runId;
    Build();
    if (progress)
    {
        Simulator::Schedule(Seconds(m_scenario.output.progressIntervalS),
                            &ScenarioRunner::Progress,
                            this,
                            progress);
    }
    if (db && m_scenario.output.sampleIntervalS > 0)
    {
        m_monitor = CreateObject<CongestionMonitor>();
        m_monitor->SetAttribute("SampleInterval",
                                TimeValue(Seconds(m_scenario.output.sampleIntervalS)));
        m_monitor->TraceConnectWithoutContext(
            "QueueSample",
            MakeBoundCallback(&ScenarioRunner::QueueSampled, db, runId));
        m_monitor->TraceConnectWithoutContext(
            "RateSample",
            MakeBoundCallback(&ScenarioRunner::RateSampled, db, runId));
        if (m_ocs)
        {
            m_monitor->Start(m_ocs->GetLinks(), m_ocs->GetNics());
        }
        else
        {
            m_monitor->Start(*m_topo);
        }
    }
    InvariantFault(); // a misspelt test hook fails before the simulation
    m_interruptSignal = 0;
    if (RunInterrupt::IsInstalled())
    {
        Simulator::Schedule(Seconds(kInterruptPollS), &ScenarioRunner::PollInterrupt, this);
    }
    Simulator::Stop(Seconds(m_scenario.stopTimeS));
    Simulator::Run();

    Summary sum;
    sum.runId = runId;
    sum.simTimeS = Simulator::Now().GetSeconds();
    sum.events = Simulator::GetEventCount();
    sum.jobs = m_scenario.jobs.size();
    sum.jobsFinished = m_jobsFinished;
    sum.interruptSignal = m_interruptSignal;
    sum.status = AllDone() ? "done" : (m_interruptSignal != 0 ? "interrupted" : "incomplete");
    if (m_scheduler)
    {
        sum.jobsQueued = m_scheduler->GetQueueLength();
        sum.jobsRunning = static_cast<uint32_t>(m_scheduler->GetRunning().size());
    }
    if (m_jobCounter)
    {
        sum.unattributedPackets = m_jobCounter->GetUnattributed();
    }
    if (db)
    {
        WriteResults(*db, runId);
    }
    sum.invariants = CheckInvariants(sum.status == "done");
    for (const vclos::InvariantResult& r : sum.invariants)
    {
        if (!r.ok)
        {
            sum.invariantsOk = false;
            NS_LOG_ERROR("invariant " << r.name << " violated: " << r.detail);
        }
    }
    if (!sum.invariantsOk)
    {
        sum.status = "failed";
    }
    if (db)
    {
        db->AddInvariants(runId, sum.invariants);
    }
    sum.wallTimeS = WallNow() - m_wallStart;
    if (db)
    {
        db->FinishRun(runId, sum.wallTimeS, sum.simTimeS, sum.events, sum.status);
    }
    m_db = nullptr;
    return sum;
}

void
ScenarioRunner::QueueSampled(vclos::ResultsDb* db,
                             int64_t runId,
                             uint32_t linkId,
                             Time time,
                             uint32_t bytes)
{
    db->AddQueueSample(runId, vclos::QueueSampleRow{linkId, time.GetSeconds(), bytes});
}

void
ScenarioRunner::RateSampled(vclos::ResultsDb* db,
                            int64_t runId,
                            uint32_t gpu,
                            uint32_t qpn,
                            uint32_t peer,
                            Time time,
                            double rateBps)
{
    db->AddRateSample(runId, vclos::RateSampleRow{gpu, qpn, peer, time.GetSeconds(), rateBps});
}

void
ScenarioRunner::WriteResults(vclos::ResultsDb& db, int64_t runId)
{
    // End of the run: the jobs that did not finish (their flows, iterations and steps are
    // already buffered), then the links.
    for (uint32_t j = 0; j < m_scenario.jobs.size(); ++j)
    {
        if (!m_jobs[j].rowWritten)
        {
            FlushLinkJobs(j); // what a job still running at the stop sent so far
            AddJobRow(j);
        }
    }
    for (const auto& link : Links())
    {
        vclos::LinkRow row;
        row.linkId = link.id;
        row.src = link.src;
        row.dst = link.dst;
        row.kind = KindName(link.kind);
        row.rateBps = link.device->GetDataRate().GetBitRate();
        row.delayS = link.device->GetVclosChannel()->GetDelay().GetSeconds();
        row.txBytes = link.device->GetTxBytes();
        row.txPackets = link.device->GetTxPackets();
        row.maxQueueBytes = link.device->GetMaxQueueBytes();
        row.drops = link.device->GetDropPackets();
        row.dropsQueue = link.device->GetDropPackets(VclosNetDevice::DROP_QUEUE);
        row.dropsBuffer = link.device->GetDropPackets(VclosNetDevice::DROP_BUFFER);
        row.dropsHeadroom = link.device->GetDropPackets(VclosNetDevice::DROP_HEADROOM);
        row.dropsNoRoute = link.device->GetDropPackets(VclosNetDevice::DROP_NO_ROUTE);
        row.dropsHopLimit = link.device->GetDropPackets(VclosNetDevice::DROP_HOP_LIMIT);
        row.dropsRxError = link.device->GetDropPackets(VclosNetDevice::DROP_RX_ERROR);
        db.AddLink(runId, row);
        const VclosNetDevice& d = *link.device;
        if (d.GetEcnMarks() + d.GetPfcFramesSent() + d.GetPfcFramesReceived() > 0)
        {
            db.AddCongestion(runId,
                             vclos::CongestionRow{link.id,
                                                  d.GetEcnMarks(),
                                                  d.GetPfcFramesSent(),
                                                  d.GetPfcFramesReceived(),
                                                  d.GetPausedTime().GetSeconds()});
        }
    }
    db.Flush();
    if (m_ocs)
    {
        std::vector<vclos::OcsSwitchRow> switches;
        for (uint32_t i = 0; i < m_ocs->GetFabric().GetNOcs(); ++i)
        {
            Ptr<OcsChannel> ocs = m_ocs->GetOcs(i);
            switches.push_back(vclos::OcsSwitchRow{i,
                                                   ocs->GetNPorts(),
                                                   ocs->GetReconfigurations(),
                                                   ocs->GetCircuitsChanged(),
                                                   ocs->GetDarkTime().GetSeconds(),
                                                   ocs->GetLostPackets(),
                                                   ocs->GetLostBytes()});
        }
        db.AddOcs(runId, switches, m_ocsChanges);
    }
}

LeafSpineHelper&
ScenarioRunner::GetTopology()
{
    Build();
    NS_ABORT_MSG_IF(!m_topo, "ScenarioRunner: the fabric is an OCS fabric: use GetOcsFabric()");
    return *m_topo;
}

const OcsFabricHelper*
ScenarioRunner::GetOcsFabric() const
{
    return m_ocs.get();
}

const std::vector<LeafSpineHelper::Link>&
ScenarioRunner::Links() const
{
    return m_ocs ? m_ocs->GetLinks() : m_topo->GetLinks();
}

uint32_t
ScenarioRunner::NGpus() const
{
    return m_ocs ? m_ocs->GetNGpus() : m_topo->GetNGpus();
}

void
ScenarioRunner::BuildLeafSpine()
{
    const vclos::Scenario& s = m_scenario;
    LeafSpineConfig c;
    c.leaves = s.topology.leaves;
    c.spines = s.topology.spines;
    c.gpusPerLeaf = s.topology.gpusPerLeaf;
    c.gpusPerServer = s.topology.gpusPerServer;
    c.linksPerLeafSpine = s.topology.linksPerLeafSpine;
    c.hostRate = DataRate(static_cast<uint64_t>(s.topology.hostLink.rateBps));
    c.hostDelay = Seconds(s.topology.hostLink.delayS);
    c.fabricRate = DataRate(static_cast<uint64_t>(s.topology.fabricLink.rateBps));
    c.fabricDelay = Seconds(s.topology.fabricLink.delayS);
    c.intraRate = DataRate(static_cast<uint64_t>(s.topology.intraServer.rateBps));
    c.intraDelay = Seconds(s.topology.intraServer.delayS);
    c.queueBytes = static_cast<uint32_t>(s.network.queueBytes);
    c.sameHashSeed = s.network.ecmpSeedMode == vclos::EcmpSeedMode::Same;
    m_topo = std::make_unique<LeafSpineHelper>(c);
    SetNetworkAttributes(*m_topo, s.network);
    m_topo->SetRunSeed(s.seed);
    m_topo->AssignStreams(0);
    m_topo->Build();
}

void
ScenarioRunner::BuildOcs()
{
    const vclos::Scenario& s = m_scenario;
    const vclos::NetworkSpec& net = s.network;
    OcsFabricConfig c;
    c.shape = s.topology.OcsShape();
    c.hostRate = DataRate(static_cast<uint64_t>(s.topology.hostLink.rateBps));
    c.hostDelay = Seconds(s.topology.hostLink.delayS);
    c.fabricRate = DataRate(static_cast<uint64_t>(s.topology.fabricLink.rateBps));
    // A leaf-spine light path (two fibres) has the fabric link's delay.
    c.fibreDelay = Seconds(s.topology.fabricLink.delayS) / 2;
    c.reconfigurationDelay = Seconds(s.topology.ocs.reconfigurationS);
    c.queueBytes = static_cast<uint32_t>(net.queueBytes);
    c.gpusPerServer = s.topology.gpusPerServer;
    c.intraRate = DataRate(static_cast<uint64_t>(s.topology.intraServer.rateBps));
    c.intraDelay = Seconds(s.topology.intraServer.delayS);
    m_ocs = std::make_unique<OcsFabricHelper>(c);
    SetNetworkAttributes(*m_ocs, net);
    m_ocs->Build();
}

void
ScenarioRunner::ChangeCircuits(uint32_t job, const vclos::Placement& placement, bool add)
{
    const double now = Simulator::Now().GetSeconds();
    std::vector<std::pair<uint32_t, uint32_t>> touched;
    try
    {
        if (add)
        {
            touched = m_ocs->AddCircuits(placement.circuits);
            m_ocs->InstallJobRoutes(placement.gpus, placement.uplinks, placement.circuits);
        }
        else
        {
            m_ocs->RemoveJobRoutes(placement.gpus);
            touched = m_ocs->RemoveCircuits(placement.circuits);
        }
    }
    catch (const std::invalid_argument& e)
    {
        if (m_ocsCircuitError.empty())
        {
            m_ocsCircuitError = "job " + std::to_string(job) + ": " + e.what();
        }
        NS_LOG_ERROR("job " << job << ": " << e.what());
    }
    const double lit =
        (Simulator::Now() + m_ocs->GetOcs(0)->GetReconfigurationDelay()).GetSeconds();
    for (const auto& [ocs, n] : touched)
    {
        vclos::OcsReconfigurationRow row;
        row.timeS = now;
        row.ocs = ocs;
        row.jobId = job;
        row.added = add ? n : 0;
        row.removed = add ? 0 : n;
        row.litS = add ? lit : now;
        m_ocsChanges.push_back(row);
    }
    if (add)
    {
        CheckCircuits("a placement");
    }
}

void
ScenarioRunner::CheckCircuits(const char* when)
{
    if (!m_ocs)
    {
        return;
    }
    ++m_ocsChecks;
    const vclos::OcsFabric& want = m_ocsPolicy->GetFabric();
    for (uint32_t i = 0; i < want.GetNOcs() && m_ocsCircuitError.empty(); ++i)
    {
        const vclos::CircuitMap& set = m_ocs->GetOcs(i)->GetCircuits();
        if (!(set == want.GetCircuits(i)) || !(m_ocs->GetFabric().GetCircuits(i) == set))
        {
            m_ocsCircuitError = "after " + std::string(when) + " at " +
                                std::to_string(Simulator::Now().GetSeconds()) + " s: OCS " +
                                std::to_string(i) + " has " + std::to_string(set.GetNCircuits()) +
                                " circuits, the running jobs " +
                                std::to_string(want.GetCircuits(i).GetNCircuits());
        }
    }
}

Ptr<TrainingJob>
ScenarioRunner::GetJob(uint32_t job) const
{
    NS_ABORT_MSG_IF(!m_manager || job >= m_scenario.jobs.size(), "no job " << job);
    const uint32_t id = m_jobs[job].managerId;
    return id == NOT_CREATED ? nullptr : m_manager->GetJob(id);
}

const vclos::ClusterScheduler*
ScenarioRunner::GetScheduler() const
{
    return m_scheduler.get();
}

const std::vector<uint32_t>&
ScenarioRunner::GetJobGpus(uint32_t job) const
{
    NS_ABORT_MSG_IF(job >= m_jobs.size(), "no job " << job);
    return m_jobs[job].gpus;
}

Ptr<JobManager>
ScenarioRunner::GetJobManager() const
{
    return m_manager;
}

} // namespace ns3
