/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "job-manager.h"

#include "ns3/abort.h"
#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("JobManager");
NS_OBJECT_ENSURE_REGISTERED(JobManager);

TypeId
JobManager::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::JobManager")
            .SetParent<Object>()
            .SetGroupName("Vclos")
            .AddConstructor<JobManager>()
            .AddAttribute("TeardownWhenQuiet",
                          "Tear a job down (queue pairs, executors, application) as soon as "
                          "it is quiet. False: it stays until TeardownJob().",
                          BooleanValue(true),
                          MakeBooleanAccessor(&JobManager::m_teardownWhenQuiet),
                          MakeBooleanChecker())
            .AddTraceSource("JobStarted",
                            "A job was created (its queue pairs exist) and starts now: job id.",
                            MakeTraceSourceAccessor(&JobManager::m_startedTrace),
                            "ns3::JobManager::JobIdCallback")
            .AddTraceSource("JobFinished",
                            "A job reached FINISHED: job id. Sinks must not tear it down "
                            "synchronously.",
                            MakeTraceSourceAccessor(&JobManager::m_finishedTrace),
                            "ns3::JobManager::JobIdCallback")
            .AddTraceSource("JobQuiet",
                            "A finished job's last ACK is in on every queue pair: job id. "
                            "Its routes may be released now.",
                            MakeTraceSourceAccessor(&JobManager::m_quietTrace),
                            "ns3::JobManager::JobIdCallback")
            .AddTraceSource("IterationRecorded",
                            "An iteration of a job ended: job id, iteration, its record.",
                            MakeTraceSourceAccessor(&JobManager::m_iterationTrace),
                            "ns3::TrainingJob::IterationRecordCallback")
            .AddTraceSource("StepRecorded",
                            "A collective step of a job ended: job id, its record.",
                            MakeTraceSourceAccessor(&JobManager::m_stepTrace),
                            "ns3::TrainingJob::StepRecordCallback");
    return tid;
}

JobManager::JobManager()
    : m_topology(nullptr),
      m_teardownWhenQuiet(true),
      m_added(0),
      m_finished(0),
      m_tornDown(0)
{
}

JobManager::~JobManager() = default;

void
JobManager::DoDispose()
{
    for (auto& [id, e] : m_jobs)
    {
        e.create.Cancel();
        e.teardown.Cancel();
        if (e.job)
        {
            e.job->Dispose();
        }
    }
    m_jobs.clear();
    m_topology = nullptr;
    m_nics.clear();
    Object::DoDispose();
}

void
JobManager::SetTopology(LeafSpineHelper& topology)
{
    m_topology = &topology;
    m_nics.clear();
}

void
JobManager::SetGpus(const std::vector<Ptr<RdmaNic>>& nics, uint32_t gpusPerServer)
{
    m_topology = nullptr;
    m_nics = nics;
    m_gpusPerServer = gpusPerServer;
}

uint32_t
JobManager::AddJob(const JobParams& params, Time start)
{
    NS_ABORT_MSG_IF(m_topology == nullptr && m_nics.empty(),
                    "JobManager: SetTopology() or SetGpus() before AddJob()");
    const uint32_t nGpus = m_topology ? m_topology->GetNGpus() : m_nics.size();
    NS_ABORT_MSG_IF(params.gpus.empty(), "JobManager: job '" << params.name << "' has no GPU");
    for (uint32_t g : params.gpus)
    {
        NS_ABORT_MSG_IF(g >= nGpus,
                        "JobManager: job '" << params.name << "': GPU " << g
                                            << " does not exist (the cluster has " << nGpus << ")");
    }
    const std::vector<std::string> algorithms = vclos::CollectiveAlgorithms();
    if (std::find(algorithms.begin(), algorithms.end(), params.collective) == algorithms.end())
    {
        std::string list;
        for (const std::string& a : algorithms)
        {
            list += (list.empty() ? "" : ", ") + a;
        }
        NS_FATAL_ERROR("JobManager: job '" << params.name << "': unknown collective '"
                                           << params.collective << "' (one of: " << list << ")");
    }
    NS_ABORT_MSG_IF(params.buckets == 0,
                    "JobManager: job '" << params.name << "': buckets must be >= 1");
    NS_ABORT_MSG_IF(params.backwardFraction < 0 || params.backwardFraction > 1,
                    "JobManager: job '" << params.name << "': backward fraction "
                                        << params.backwardFraction << " is outside [0, 1]");
    NS_ABORT_MSG_IF(start < Simulator::Now(),
                    "JobManager: job '" << params.name << "' starts at " << start.As(Time::US)
                                        << ", in the past");
    const uint32_t id = m_added++;
    Entry& e = m_jobs[id];
    e.params = params;
    e.create = Simulator::Schedule(start - Simulator::Now(), &JobManager::Create, this, id);
    return id;
}

void
JobManager::Create(uint32_t jobId)
{
    Entry& e = m_jobs.at(jobId);
    const JobParams& p = e.params;
    NS_LOG_INFO("job " << jobId << " '" << p.name << "' created on " << p.gpus.size() << " GPUs");
    std::vector<Ptr<RdmaNic>> nics;
    nics.reserve(p.gpus.size());
    for (uint32_t g : p.gpus)
    {
        nics.push_back(m_topology ? m_topology->GetNic(g) : m_nics.at(g));
    }
    Ptr<TrainingJob> job = CreateObject<TrainingJob>();
    job->SetAttribute("JobId", UintegerValue(jobId));
    job->SetAttribute("KeepRecords", BooleanValue(false));
    job->SetAttribute("Iterations", UintegerValue(p.iterations));
    job->SetAttribute("ComputeTime", TimeValue(p.computeTime));
    job->SetAttribute("BackwardFraction", DoubleValue(p.backwardFraction));
    job->SetAttribute("Buckets", UintegerValue(p.buckets));
    job->Setup(nics,
               p.collective,
               p.bytes,
               m_topology ? m_topology->GetConfig().gpusPerServer : m_gpusPerServer,
               p.pipelineChunks);
    job->SetAllToAll(p.allToAllBytes);
    job->TraceConnectWithoutContext("Finished", MakeCallback(&JobManager::OnFinished, this));
    job->TraceConnectWithoutContext("Quiet", MakeCallback(&JobManager::OnQuiet, this));
    job->TraceConnectWithoutContext("IterationRecorded",
                                    MakeCallback(&JobManager::OnIteration, this));
    job->TraceConnectWithoutContext("StepRecorded", MakeCallback(&JobManager::OnStep, this));
    // The manager owns the application: it is not added to the node's list, which would
    // grow with every job ever run. It starts now (start time 0 after Initialize()).
    job->SetNode(m_topology ? m_topology->GetGpuNode(p.gpus[0])
                            : m_nics.at(p.gpus[0])->GetObject<Node>());
    job->SetStartTime(Seconds(0));
    e.job = job;
    e.params = JobParams();
    job->Initialize();
    m_startedTrace(jobId);
}

void
JobManager::OnFinished(uint32_t jobId)
{
    ++m_finished;
    m_finishedTrace(jobId);
}

void
JobManager::OnQuiet(uint32_t jobId)
{
    if (m_teardownWhenQuiet)
    {
        // Called from inside a NIC's ACK processing: tear down once it has returned, and
        // before anything a JobQuiet sink schedules now (a job that reuses the GPUs).
        auto it = m_jobs.find(jobId);
        if (it != m_jobs.end())
        {
            it->second.teardown = Simulator::ScheduleNow(&JobManager::TeardownJob, this, jobId);
        }
    }
    m_quietTrace(jobId);
}

void
JobManager::OnIteration(uint32_t jobId,
                        uint32_t iteration,
                        const TrainingJob::IterationRecord& record)
{
    m_iterationTrace(jobId, iteration, record);
}

void
JobManager::OnStep(uint32_t jobId, const TrainingJob::StepRecord& record)
{
    m_stepTrace(jobId, record);
}

bool
JobManager::TeardownJob(uint32_t jobId)
{
    auto it = m_jobs.find(jobId);
    if (it == m_jobs.end())
    {
        return false;
    }
    NS_LOG_INFO("job " << jobId << " torn down");
    it->second.create.Cancel();
    it->second.teardown.Cancel();
    if (it->second.job)
    {
        it->second.job->Dispose();
    }
    m_jobs.erase(it);
    ++m_tornDown;
    return true;
}

Ptr<TrainingJob>
JobManager::GetJob(uint32_t jobId) const
{
    auto it = m_jobs.find(jobId);
    return it == m_jobs.end() ? nullptr : it->second.job;
}

uint32_t
JobManager::GetNJobsAdded() const
{
    return m_added;
}

uint32_t
JobManager::GetNJobsFinished() const
{
    return m_finished;
}

uint32_t
JobManager::GetNJobsTornDown() const
{
    return m_tornDown;
}

uint32_t
JobManager::GetNJobsHeld() const
{
    return m_jobs.size();
}

} // namespace ns3
