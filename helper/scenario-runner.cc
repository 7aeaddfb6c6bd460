/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "scenario-runner.h"

#include "ns3/boolean.h"
#include "ns3/collective-schedule.h"
#include "ns3/dcqcn.h"
#include "ns3/double.h"
#include "ns3/log.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"
#include "ns3/vclos-channel.h"
#include "ns3/vclos-version.h"

#include <chrono>
#include <iomanip>
#include <set>
#include <tuple>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("ScenarioRunner");

namespace
{
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
} // namespace

ScenarioRunner::ScenarioRunner(const vclos::Scenario& scenario)
    : m_scenario(scenario),
      m_db(nullptr),
      m_runId(-1),
      m_iterationsDone(0),
      m_jobsFinished(0),
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
    if (m_topo)
    {
        return;
    }
    m_wallStart = WallNow();
    const vclos::Scenario& s = m_scenario;
    RngSeedManager::SetSeed(s.seed);
    RngSeedManager::SetRun(1);

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
    m_topo->SetNicAttribute("Mtu", UintegerValue(s.network.mtuBytes));
    m_topo->SetNicAttribute("AckInterval", UintegerValue(s.network.ackInterval));
    m_topo->SetNicAttribute("RetransmitTimeout", TimeValue(Seconds(s.network.retransmitTimeoutS)));
    const vclos::NetworkSpec& net = s.network;
    if (net.bufferBytes > 0)
    {
        m_topo->SetSwitchAttribute("BufferBytes", UintegerValue(net.bufferBytes));
    }
    m_topo->SetSwitchAttribute("Alpha", DoubleValue(net.alpha));
    m_topo->SetSwitchAttribute("PfcEnabled", BooleanValue(net.pfc));
    m_topo->SetSwitchAttribute("EcnEnabled", BooleanValue(net.ecn));
    m_topo->SetSwitchAttribute("EcnKminBytes", UintegerValue(net.ecnKminBytes));
    m_topo->SetSwitchAttribute("EcnKmaxBytes", UintegerValue(net.ecnKmaxBytes));
    m_topo->SetSwitchAttribute("EcnPmax", DoubleValue(net.ecnPmax));
    if (net.congestionControl == "dcqcn")
    {
        m_topo->SetNicAttribute("CongestionControl",
                                TypeIdValue(DcqcnCongestionControl::GetTypeId()));
    }
    m_topo->SetNicAttribute("CnpInterval", TimeValue(Seconds(net.cnpIntervalS)));
    m_topo->SetRunSeed(s.seed);
    m_topo->AssignStreams(0);
    m_topo->Build();

    // Each job is created at its start time (not here): its queue pairs exist from then on.
    m_manager = CreateObject<JobManager>();
    m_manager->SetTopology(*m_topo);
    m_manager->TraceConnectWithoutContext("JobStarted",
                                          MakeCallback(&ScenarioRunner::JobStarted, this));
    m_manager->TraceConnectWithoutContext("JobFinished",
                                          MakeCallback(&ScenarioRunner::JobFinished, this));
    m_manager->TraceConnectWithoutContext("IterationRecorded",
                                          MakeCallback(&ScenarioRunner::IterationRecorded, this));
    m_manager->TraceConnectWithoutContext("StepRecorded",
                                          MakeCallback(&ScenarioRunner::StepRecorded, this));
    m_jobRowWritten.assign(s.jobs.size(), false);
    for (uint32_t j = 0; j < s.jobs.size(); ++j)
    {
        const vclos::JobSpec& spec = s.jobs[j];
        JobParams p;
        p.name = spec.name;
        p.gpus = spec.gpus;
        p.collective = spec.collective;
        p.bytes = spec.bytes;
        p.iterations = spec.iterations;
        p.computeTime = Seconds(spec.computeS);
        p.backwardFraction = spec.backwardFraction;
        p.buckets = spec.buckets;
        p.pipelineChunks = spec.pipelineChunks;
        p.allToAllBytes = spec.allToAllBytes;
        const uint32_t id = m_manager->AddJob(p, Seconds(spec.startS));
        NS_ASSERT(id == j);
    }
}

void
ScenarioRunner::JobStarted(uint32_t jobId)
{
    if (m_db == nullptr)
    {
        return;
    }
    // The paths the job's flows take now, as its queue pairs are set up.
    const vclos::JobSpec& spec = m_scenario.jobs[jobId];
    std::set<std::tuple<uint32_t, uint32_t, uint16_t>> seen;
    for (const Ptr<CollectiveExecutor>& e : m_manager->GetJob(jobId)->GetExecutors())
    {
        for (const auto& [src, dst, port] : e->GetFlows())
        {
            if (!seen.emplace(src, dst, port).second)
            {
                continue;
            }
            vclos::FlowRow f;
            f.jobId = jobId;
            f.srcGpu = spec.gpus[src];
            f.dstGpu = spec.gpus[dst];
            f.srcPort = port;
            f.path = m_topo->GetPath(f.srcGpu, f.dstGpu, port);
            m_db->AddFlow(m_runId, f);
        }
    }
}

void
ScenarioRunner::IterationRecorded(uint32_t jobId,
                                  uint32_t iteration,
                                  const TrainingJob::IterationRecord& t)
{
    ++m_iterationsDone;
    if (m_db == nullptr)
    {
        return;
    }
    vclos::IterationRow it;
    it.jobId = jobId;
    it.iteration = iteration;
    it.startS = t.start.GetSeconds();
    it.computeEndS = t.computeEnd.GetSeconds();
    it.endS = t.end.GetSeconds();
    it.commS = t.commBusy.GetSeconds();
    m_db->AddIteration(m_runId, it);
}

void
ScenarioRunner::StepRecorded(uint32_t jobId, const TrainingJob::StepRecord& st)
{
    if (m_db == nullptr)
    {
        return;
    }
    m_db->AddStep(m_runId,
                  vclos::StepRow{jobId,
                                 st.iteration,
                                 st.run,
                                 st.collective,
                                 st.step,
                                 st.start.GetSeconds(),
                                 st.end.GetSeconds(),
                                 st.bytes});
}

void
ScenarioRunner::AddJobRow(uint32_t jobId, double finishS)
{
    const vclos::JobSpec& spec = m_scenario.jobs[jobId];
    vclos::JobRow row;
    row.jobId = jobId;
    row.name = spec.name;
    row.gpus = spec.gpus;
    row.collective = spec.collective;
    row.bytes = spec.bytes;
    row.iterations = spec.iterations;
    row.startS = spec.startS;
    row.finishS = finishS;
    m_db->AddJob(m_runId, row);
    m_jobRowWritten[jobId] = true;
}

void
ScenarioRunner::JobFinished(uint32_t jobId)
{
    if (m_db != nullptr)
    {
        // The job's row, and with it every row buffered so far (its flows, iterations and
        // steps), committed now: a run killed later keeps this job.
        AddJobRow(jobId, Simulator::Now().GetSeconds());
        m_db->Flush();
    }
    if (++m_jobsFinished == m_scenario.jobs.size())
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
         << " | jobs " << m_jobsFinished << "/" << m_scenario.jobs.size() << std::endl;
    if (m_jobsFinished < m_scenario.jobs.size())
    {
        Simulator::Schedule(Seconds(m_scenario.output.progressIntervalS),
                            &ScenarioRunner::Progress,
                            this,
                            out);
    }
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
        info.level = m_scenario.level;
        info.vclosVersion = VCLOS_VERSION;
        info.ns3Version = "3.37";
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
        m_monitor->Start(*m_topo);
    }
    Simulator::Stop(Seconds(m_scenario.stopTimeS));
    Simulator::Run();

    Summary sum;
    sum.runId = runId;
    sum.simTimeS = Simulator::Now().GetSeconds();
    sum.events = Simulator::GetEventCount();
    sum.jobs = m_scenario.jobs.size();
    sum.jobsFinished = m_jobsFinished;
    sum.status = m_jobsFinished == m_scenario.jobs.size() ? "done" : "incomplete";
    if (db)
    {
        WriteResults(*db, runId);
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
        if (!m_jobRowWritten[j])
        {
            AddJobRow(j, vclos::kUnknownTime);
        }
    }
    for (const auto& link : m_topo->GetLinks())
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
}

LeafSpineHelper&
ScenarioRunner::GetTopology()
{
    Build();
    return *m_topo;
}

Ptr<TrainingJob>
ScenarioRunner::GetJob(uint32_t job) const
{
    NS_ABORT_MSG_IF(!m_manager || job >= m_scenario.jobs.size(), "no job " << job);
    return m_manager->GetJob(job);
}

Ptr<JobManager>
ScenarioRunner::GetJobManager() const
{
    return m_manager;
}

} // namespace ns3
