/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "scenario-runner.h"

#include "ns3/collective-schedule.h"
#include "ns3/log.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"
#include "ns3/vclos-channel.h"
#include "ns3/vclos-version.h"

#include <chrono>
#include <iomanip>

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

/// One job of the scenario: its collective executor and iteration records.
struct ScenarioRunner::Job
{
    vclos::JobSpec spec;
    Ptr<CollectiveExecutor> executor;
    std::vector<IterationTimes> iterations;
    bool finished{false};
};

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
    m_topo->AssignStreams(0);
    m_topo->Build();

    for (uint32_t j = 0; j < s.jobs.size(); ++j)
    {
        auto job = std::make_unique<Job>();
        job->spec = s.jobs[j];
        std::vector<Ptr<RdmaNic>> nics;
        for (uint32_t g : job->spec.gpus)
        {
            nics.push_back(m_topo->GetNic(g));
        }
        job->executor = CreateObject<CollectiveExecutor>();
        job->executor->Setup(vclos::MakeCollective(job->spec.collective,
                                                   job->spec.gpus.size(),
                                                   job->spec.bytes,
                                                   s.topology.gpusPerServer,
                                                   job->spec.pipelineChunks),
                             nics);
        m_jobs.push_back(std::move(job));
        Simulator::Schedule(Seconds(s.jobs[j].startS), &ScenarioRunner::StartIteration, this, j);
    }
}

void
ScenarioRunner::StartIteration(uint32_t j)
{
    Job& job = *m_jobs[j];
    IterationTimes it;
    it.startS = Simulator::Now().GetSeconds();
    job.iterations.push_back(it);
    Simulator::Schedule(Seconds(job.spec.computeS), &ScenarioRunner::StartCollective, this, j);
}

void
ScenarioRunner::StartCollective(uint32_t j)
{
    Job& job = *m_jobs[j];
    job.iterations.back().computeEndS = Simulator::Now().GetSeconds();
    job.executor->Run(MakeCallback(&ScenarioRunner::CollectiveDone, this).Bind(j));
}

void
ScenarioRunner::CollectiveDone(uint32_t j)
{
    Job& job = *m_jobs[j];
    job.iterations.back().endS = Simulator::Now().GetSeconds();
    NS_LOG_INFO("job " << job.spec.name << " iteration " << job.iterations.size() - 1 << " took "
                       << job.iterations.back().endS - job.iterations.back().startS << " s");
    if (job.iterations.size() < job.spec.iterations)
    {
        StartIteration(j);
        return;
    }
    job.finished = true;
    if (++m_jobsFinished == m_jobs.size())
    {
        Simulator::Stop();
    }
}

void
ScenarioRunner::Progress(std::ostream* out)
{
    uint32_t iterations = 0;
    uint32_t total = 0;
    for (const auto& job : m_jobs)
    {
        iterations += job->iterations.size() - (job->finished || job->iterations.empty() ? 0 : 1);
        total += job->spec.iterations;
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
ScenarioRunner::WriteResults(vclos::ResultsDb& db, int64_t runId)
{
    for (uint32_t j = 0; j < m_jobs.size(); ++j)
    {
        const Job& job = *m_jobs[j];
        vclos::JobRow row;
        row.jobId = j;
        row.name = job.spec.name;
        row.gpus = job.spec.gpus;
        row.collective = job.spec.collective;
        row.bytes = job.spec.bytes;
        row.iterations = job.spec.iterations;
        row.startS = job.spec.startS;
        if (job.finished)
        {
            row.finishS = job.iterations.back().endS;
        }
        db.AddJob(runId, row);
        for (uint32_t i = 0; i < job.iterations.size(); ++i)
        {
            const IterationTimes& t = job.iterations[i];
            vclos::IterationRow it;
            it.jobId = j;
            it.iteration = i;
            it.startS = t.startS;
            it.computeEndS = t.computeEndS;
            if (t.endS >= 0)
            {
                it.endS = t.endS;
                it.commS = t.endS - t.computeEndS;
            }
            db.AddIteration(runId, it);
        }
        for (const auto& [src, dst, port] : job.executor->GetFlows())
        {
            vclos::FlowRow f;
            f.jobId = j;
            f.srcGpu = job.spec.gpus[src];
            f.dstGpu = job.spec.gpus[dst];
            f.srcPort = port;
            f.path = m_topo->GetPath(f.srcGpu, f.dstGpu, port);
            db.AddFlow(runId, f);
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
        db.AddLink(runId, row);
    }
    db.Flush();
}

LeafSpineHelper&
ScenarioRunner::GetTopology()
{
    Build();
    return *m_topo;
}

const std::vector<ScenarioRunner::IterationTimes>&
ScenarioRunner::GetIterations(uint32_t job) const
{
    return m_jobs.at(job)->iterations;
}

} // namespace ns3
