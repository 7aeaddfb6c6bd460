/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "training-job.h"

#include "ns3/abort.h"
#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <stdexcept>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TrainingJob");
NS_OBJECT_ENSURE_REGISTERED(TrainingJob);

TypeId
TrainingJob::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::TrainingJob")
            .SetParent<Application>()
            .SetGroupName("Vclos")
            .AddConstructor<TrainingJob>()
            .AddAttribute("Iterations",
                          "Iterations to run (0: until the application stops).",
                          UintegerValue(1),
                          MakeUintegerAccessor(&TrainingJob::m_iterations),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("ComputeTime",
                          "Forward + backward time of one iteration on one GPU.",
                          TimeValue(Time(0)),
                          MakeTimeAccessor(&TrainingJob::m_computeTime),
                          MakeTimeChecker(Time(0)))
            .AddAttribute("BackwardFraction",
                          "Share of ComputeTime spent in the backward pass, during which "
                          "gradient buckets become ready.",
                          DoubleValue(2.0 / 3.0),
                          MakeDoubleAccessor(&TrainingJob::m_backwardFraction),
                          MakeDoubleChecker<double>(0.0, 1.0))
            .AddAttribute("Buckets",
                          "Gradient buckets (1: all-reduce after the backward pass; more: "
                          "overlap communication with the backward pass).",
                          UintegerValue(1),
                          MakeUintegerAccessor(&TrainingJob::m_buckets),
                          MakeUintegerChecker<uint32_t>(1))
            .AddAttribute("JobId",
                          "Job id from which the queue pairs' UDP source ports derive "
                          "(vclos::QpSourcePort; gradient collective QP index 0, all-to-all 1). "
                          "Set it before Setup().",
                          UintegerValue(0),
                          MakeUintegerAccessor(&TrainingJob::m_jobId),
                          MakeUintegerChecker<uint32_t>())
            .AddTraceSource("IterationDone",
                            "An iteration ended: its index and its duration.",
                            MakeTraceSourceAccessor(&TrainingJob::m_iterationTrace),
                            "ns3::TrainingJob::IterationTracedCallback");
    return tid;
}

TrainingJob::TrainingJob()
    : m_iterations(1),
      m_backwardFraction(2.0 / 3.0),
      m_buckets(1),
      m_jobId(0),
      m_commBusy(false),
      m_commRunning(Comm::BUCKET),
      m_bucketsReady(0),
      m_bucketsDone(0),
      m_commRuns(0),
      m_backwardDone(false),
      m_allToAllBackwardDone(true),
      m_waitingForAllToAll(false),
      m_running(false)
{
}

TrainingJob::~TrainingJob() = default;

void
TrainingJob::DoDispose()
{
    m_nics.clear();
    m_bucketExecutor = nullptr;
    m_allToAllExecutor = nullptr;
    m_finished = MakeNullCallback<void>();
    Application::DoDispose();
}

void
TrainingJob::Setup(const std::vector<Ptr<RdmaNic>>& nics,
                   const std::string& algorithm,
                   uint64_t gradientBytes,
                   uint32_t gpusPerServer,
                   uint32_t pipelineChunks)
{
    NS_ABORT_MSG_IF(nics.empty(), "a training job needs at least one GPU");
    m_nics = nics;
    m_algorithm = algorithm;
    // Equal buckets; the last byte of an uneven split is rounded up (at most Buckets-1
    // bytes more than gradientBytes in total).
    const uint64_t bucketBytes = (gradientBytes + m_buckets - 1) / m_buckets;
    vclos::CollectiveSchedule schedule;
    try
    {
        schedule = vclos::MakeCollective(algorithm,
                                         nics.size(),
                                         bucketBytes,
                                         gpusPerServer,
                                         pipelineChunks);
    }
    catch (const std::invalid_argument& e)
    {
        NS_FATAL_ERROR("TrainingJob: " << e.what());
    }
    m_bucketExecutor = CreateObject<CollectiveExecutor>();
    m_bucketExecutor->Setup(schedule, nics, m_jobId, 0);
}

void
TrainingJob::SetAllToAll(uint64_t bytes)
{
    NS_ABORT_MSG_IF(m_nics.empty(), "call Setup() before SetAllToAll()");
    if (bytes == 0)
    {
        m_allToAllExecutor = nullptr;
        return;
    }
    m_allToAllExecutor = CreateObject<CollectiveExecutor>();
    m_allToAllExecutor->Setup(vclos::MakeAllToAll(m_nics.size(), (bytes + 1) / 2),
                              m_nics,
                              m_jobId,
                              1);
}

const std::vector<TrainingJob::IterationRecord>&
TrainingJob::GetIterations() const
{
    return m_records;
}

const std::vector<TrainingJob::StepRecord>&
TrainingJob::GetSteps() const
{
    return m_steps;
}

std::vector<Ptr<CollectiveExecutor>>
TrainingJob::GetExecutors() const
{
    std::vector<Ptr<CollectiveExecutor>> v;
    if (m_bucketExecutor)
    {
        v.push_back(m_bucketExecutor);
    }
    if (m_allToAllExecutor)
    {
        v.push_back(m_allToAllExecutor);
    }
    return v;
}

bool
TrainingJob::IsFinished() const
{
    return m_iterations != 0 && m_records.size() >= m_iterations;
}

void
TrainingJob::SetFinishedCallback(Callback<void> cb)
{
    m_finished = cb;
}

void
TrainingJob::StartApplication()
{
    NS_ABORT_MSG_IF(!m_bucketExecutor, "TrainingJob started without Setup()");
    m_running = true;
    StartIteration();
}

void
TrainingJob::StopApplication()
{
    // The iteration in progress completes; no new one starts.
    m_running = false;
}

void
TrainingJob::StartIteration()
{
    m_current = IterationRecord();
    m_current.start = Simulator::Now();
    m_bucketsReady = 0;
    m_bucketsDone = 0;
    m_commRuns = 0;
    m_backwardDone = false;
    m_allToAllBackwardDone = !m_allToAllExecutor;
    const Time forward = m_computeTime * (1.0 - m_backwardFraction);
    m_nextEvent = Simulator::Schedule(forward, &TrainingJob::ForwardDone, this);
}

void
TrainingJob::ForwardDone()
{
    if (m_allToAllExecutor)
    {
        // Experts need their tokens: the backward pass waits for the all-to-all.
        m_waitingForAllToAll = true;
        m_current.allToAllWait = Simulator::Now();
        Enqueue(Comm::ALL_TO_ALL_FORWARD);
        return;
    }
    StartBackward();
}

void
TrainingJob::StartBackward()
{
    const Time backward = m_computeTime * m_backwardFraction;
    for (uint32_t k = 1; k <= m_buckets; ++k)
    {
        Simulator::Schedule(backward * k / m_buckets, &TrainingJob::BucketReady, this);
    }
    Simulator::Schedule(backward, &TrainingJob::BackwardDone, this);
}

void
TrainingJob::BucketReady()
{
    ++m_bucketsReady;
    Enqueue(Comm::BUCKET);
}

void
TrainingJob::BackwardDone()
{
    m_backwardDone = true;
    m_current.computeEnd = Simulator::Now();
    if (m_allToAllExecutor)
    {
        Enqueue(Comm::ALL_TO_ALL_BACKWARD);
    }
    MaybeFinishIteration();
}

void
TrainingJob::Enqueue(Comm task)
{
    m_commQueue.push_back(task);
    if (!m_commBusy)
    {
        StartNextComm();
    }
}

void
TrainingJob::StartNextComm()
{
    if (m_commQueue.empty())
    {
        return;
    }
    m_commRunning = m_commQueue.front();
    m_commQueue.pop_front();
    m_commBusy = true;
    m_commStart = Simulator::Now();
    Ptr<CollectiveExecutor> e =
        m_commRunning == Comm::BUCKET ? m_bucketExecutor : m_allToAllExecutor;
    e->Run(MakeCallback(&TrainingJob::CommDone, this));
}

void
TrainingJob::CommDone()
{
    m_commBusy = false;
    m_current.commBusy += Simulator::Now() - m_commStart;
    if (m_commRunning == Comm::BUCKET)
    {
        RecordSteps(m_bucketExecutor, m_algorithm);
        ++m_bucketsDone;
    }
    else
    {
        RecordSteps(m_allToAllExecutor, "all_to_all");
        if (m_commRunning == Comm::ALL_TO_ALL_FORWARD)
        {
            m_waitingForAllToAll = false;
            m_current.allToAllWait = Simulator::Now() - m_current.allToAllWait;
            StartBackward();
        }
        else
        {
            m_allToAllBackwardDone = true;
        }
    }
    StartNextComm();
    MaybeFinishIteration();
}

void
TrainingJob::RecordSteps(Ptr<CollectiveExecutor> executor, const std::string& name)
{
    const vclos::CollectiveSchedule& s = executor->GetSchedule();
    const uint32_t run = m_commRuns++;
    std::vector<StepRecord> steps(s.steps);
    for (uint32_t k = 0; k < s.steps; ++k)
    {
        steps[k] = StepRecord{static_cast<uint32_t>(m_records.size()),
                              run,
                              name,
                              k,
                              Time::Max(),
                              Time(0),
                              0};
    }
    for (uint32_t i = 0; i < s.transfers.size(); ++i)
    {
        StepRecord& r = steps[s.transfers[i].step];
        r.start = std::min(r.start, executor->GetPostTime(i));
        r.end = std::max(r.end, executor->GetDoneTime(i));
        r.bytes += s.transfers[i].bytes;
    }
    m_steps.insert(m_steps.end(), steps.begin(), steps.end());
}

void
TrainingJob::MaybeFinishIteration()
{
    if (!m_backwardDone || m_bucketsDone < m_buckets || !m_allToAllBackwardDone || m_commBusy ||
        !m_commQueue.empty())
    {
        return;
    }
    m_current.end = Simulator::Now();
    m_records.push_back(m_current);
    NS_LOG_INFO("iteration " << m_records.size() - 1 << " took "
                             << (m_current.end - m_current.start).As(Time::US));
    m_iterationTrace(m_records.size() - 1, m_current.end - m_current.start);
    if (IsFinished())
    {
        m_running = false;
        if (!m_finished.IsNull())
        {
            m_finished();
        }
        return;
    }
    if (m_running)
    {
        StartIteration();
    }
}

} // namespace ns3
