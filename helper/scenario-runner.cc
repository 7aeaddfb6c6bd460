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
      m_jobsFinished(0),
      m_wallStart(0)
{
}

ScenarioRunner::~ScenarioRunner() = default;

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

    for (uint32_t j = 0; j < s.jobs.size(); ++j)
    {
        const vclos::JobSpec& spec = s.jobs[j];
        std::vector<Ptr<RdmaNic>> nics;
        for (uint32_t g : spec.gpus)
        {
            nics.push_back(m_topo->GetNic(g));
        }
        Ptr<TrainingJob> job = CreateObject<TrainingJob>();
        job->SetAttribute("Iterations", UintegerValue(spec.iterations));
        job->SetAttribute("ComputeTime", TimeValue(Seconds(spec.computeS)));
        job->SetAttribute("BackwardFraction", DoubleValue(spec.backwardFraction));
        job->SetAttribute("Buckets", UintegerValue(spec.buckets));
        job->SetAttribute("JobId", UintegerValue(j));
        job->Setup(nics,
                   spec.collective,
                   spec.bytes,
                   s.topology.gpusPerServer,
                   spec.pipelineChunks);
        job->SetAllToAll(spec.allToAllBytes);
        job->SetFinishedCallback(MakeCallback(&ScenarioRunner::JobFinished, this));
        job->SetStartTime(Seconds(spec.startS));
        m_topo->GetGpuNode(spec.gpus[0])->AddApplication(job);
        m_jobs.push_back(job);
    }
}

void
ScenarioRunner::JobFinished()
{
    if (++m_jobsFinished == m_jobs.size())
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
    uint32_t iterations = 0;
    uint32_t total = 0;
    for (uint32_t j = 0; j < m_jobs.size(); ++j)
    {
        iterations += m_jobs[j]->GetIterations().size();
        total += m_scenario.jobs[j].iterations;
    }
    *out << "[vclos] sim " << std::fixed << std::setprecision(3)
         << Simulator::Now().GetSeconds() * 1e3 << " ms | wall " << std::setprecision(1)
         << WallNow() - m_wallStart << " s | iterations " << iterations << "/" << total
         << " | jobs " << m_jobsFinished << "/" << m_jobs.size() << std::endl;
    if (m_jobsFinished < m_jobs.size())
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
    sum.jobs = m_jobs.size();
    sum.jobsFinished = m_jobsFinished;
    sum.status = m_jobsFinished == m_jobs.size() ? "done" : "incomplete";
    if (db)
    {
        WriteResults(*db, runId);
    }
    sum.wallTimeS = WallNow() - m_wallStart;
    if (db)
    {
        db->FinishRun(runId, sum.wallTimeS, sum.simTimeS, sum.events, sum.status);
    }
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
    for (uint32_t j = 0; j < m_jobs.size(); ++j)
    {
        const vclos::JobSpec& spec = m_scenario.jobs[j];
        const Ptr<TrainingJob> job = m_jobs[j];
        const auto& iterations = job->GetIterations();
        vclos::JobRow row;
        row.jobId = j;
        row.name = spec.name;
        row.gpus = spec.gpus;
        row.collective = spec.collective;
        row.bytes = spec.bytes;
        row.iterations = spec.iterations;
        row.startS = spec.startS;
        if (job->IsFinished())
        {
            row.finishS = iterations.back().end.GetSeconds();
        }
        db.AddJob(runId, row);
        for (uint32_t i = 0; i < iterations.size(); ++i)
        {
            const TrainingJob::IterationRecord& t = iterations[i];
            vclos::IterationRow it;
            it.jobId = j;
            it.iteration = i;
            it.startS = t.start.GetSeconds();
            it.computeEndS = t.computeEnd.GetSeconds();
            it.endS = t.end.GetSeconds();
            it.commS = t.commBusy.GetSeconds();
            db.AddIteration(runId, it);
        }
        for (const TrainingJob::StepRecord& st : job->GetSteps())
        {
            db.AddStep(runId,
                       vclos::StepRow{j,
                                      st.iteration,
                                      st.run,
                                      st.collective,
                                      st.step,
                                      st.start.GetSeconds(),
                                      st.end.GetSeconds(),
                                      st.bytes});
        }
        std::set<std::tuple<uint32_t, uint32_t, uint16_t>> seen;
        for (const Ptr<CollectiveExecutor>& e : job->GetExecutors())
        {
            for (const auto& [src, dst, port] : e->GetFlows())
            {
                if (!seen.emplace(src, dst, port).second)
                {
                    continue;
                }
                vclos::FlowRow f;
                f.jobId = j;
                f.srcGpu = spec.gpus[src];
                f.dstGpu = spec.gpus[dst];
                f.srcPort = port;
                f.path = m_topo->GetPath(f.srcGpu, f.dstGpu, port);
                db.AddFlow(runId, f);
            }
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
    return m_jobs.at(job);
}

} // namespace ns3
