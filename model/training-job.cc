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
                          "Id of the job: the queue pairs' UDP source ports derive from it "
                          "(vclos::QpSourcePort; gradient collective QP index 0, all-to-all 1), "
                          "and the Finished, Quiet, IterationRecorded and StepRecorded trace "
                          "sources report it. Set it before Setup().",
                          UintegerValue(0),
                          MakeUintegerAccessor(&TrainingJob::m_jobId),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("KeepRecords",
                          "Keep every iteration and step record for GetIterations() and "
                          "GetSteps() (until ClearRecords()). False: the records only go out "
                          "through the trace sources and memory stays flat over a long run.",
                          BooleanValue(true),
                          MakeBooleanAccessor(&TrainingJob::m_keepRecords),
                          MakeBooleanChecker())
            .AddTraceSource("IterationDone",
                            "An iteration ended: its index and its duration.",
                            MakeTraceSourceAccessor(&TrainingJob::m_iterationTrace),
                            "ns3::TrainingJob::IterationTracedCallback")
            .AddTraceSource("IterationRecorded",
                            "An iteration ended: job id, iteration index, its record.",
                            MakeTraceSourceAccessor(&TrainingJob::m_iterationRecordTrace),
                            "ns3::TrainingJob::IterationRecordCallback")
            .AddTraceSource("StepRecorded",
                            "A collective run ended: job id and the record of each of its "
                            "steps (one call per step).",
                            MakeTraceSourceAccessor(&TrainingJob::m_stepTrace),
                            "ns3::TrainingJob::StepRecordCallback")
            .AddTraceSource("Finished",
                            "The job reached FINISHED (all iterations, or stopped): job id.",
                            MakeTraceSourceAccessor(&TrainingJob::m_finishedTrace),
                            "ns3::TrainingJob::JobIdCallback")
            .AddTraceSource("Quiet",
                            "The job is finished and the last ACK of every queue pair is in: "
                            "job id. Routes may be released and the job torn down.",
                            MakeTraceSourceAccessor(&TrainingJob::m_quietTrace),
                            "ns3::TrainingJob::JobIdCallback");
    return tid;
}

TrainingJob::TrainingJob()
    : m_iterations(1),
      m_backwardFraction(2.0 / 3.0),
      m_buckets(1),
      m_jobId(0),
      m_keepRecords(true),
      m_commKind(vclos::CommKind::BUCKET),
      m_commIteration(0),
      m_commRun(0),
      m_quietSignalled(false)
{
}

TrainingJob::~TrainingJob() = default;

void
TrainingJob::Teardown()
{
    NS_LOG_FUNCTION(this << m_jobId);
    m_computeEvent.Cancel();
    for (const Ptr<CollectiveExecutor>& e : {m_bucketExecutor, m_allToAllExecutor})
    {
        if (e)
        {
            e->Teardown();
        }
    }
    m_finished = MakeNullCallback<void>();
}

void
TrainingJob::DoDispose()
{
    Teardown();
    if (m_bucketExecutor)
    {
        m_bucketExecutor->Dispose();
    }
    if (m_allToAllExecutor)
    {
        m_allToAllExecutor->Dispose();
    }
    m_bucketExecutor = nullptr;
    m_allToAllExecutor = nullptr;
    m_lifecycle.reset();
    m_nics.clear();
    m_records.clear();
    m_steps.clear();
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
    if (m_bucketExecutor)
    {
        m_bucketExecutor->Dispose();
    }
    m_bucketExecutor = CreateObject<CollectiveExecutor>();
    m_bucketExecutor->Setup(schedule, nics, m_jobId, 0);
    m_bucketExecutor->SetQuietCallback(MakeCallback(&TrainingJob::ExecutorQuiet, this));
}

void
TrainingJob::SetAllToAll(uint64_t bytes)
{
    NS_ABORT_MSG_IF(m_nics.empty(), "call Setup() before SetAllToAll()");
    if (m_allToAllExecutor)
    {
        m_allToAllExecutor->Dispose();
        m_allToAllExecutor = nullptr;
    }
    if (bytes == 0)
    {
        return;
    }
    m_allToAllExecutor = CreateObject<CollectiveExecutor>();
    m_allToAllExecutor->Setup(vclos::MakeAllToAll(m_nics.size(), (bytes + 1) / 2),
                              m_nics,
                              m_jobId,
                              1);
    m_allToAllExecutor->SetQuietCallback(MakeCallback(&TrainingJob::ExecutorQuiet, this));
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

void
TrainingJob::ClearRecords()
{
    m_records.clear();
    m_records.shrink_to_fit();
    m_steps.clear();
    m_steps.shrink_to_fit();
}

uint32_t
TrainingJob::GetIterationsDone() const
{
    return m_lifecycle ? m_lifecycle->GetIterationsDone() : 0;
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
    return m_lifecycle && m_lifecycle->IsCompleted();
}

vclos::JobState
TrainingJob::GetState() const
{
    return m_lifecycle ? m_lifecycle->GetState() : vclos::JobState::ARRIVED;
}

bool
TrainingJob::IsQuiet() const
{
    if (GetState() != vclos::JobState::FINISHED)
    {
        return false;
    }
    for (const Ptr<CollectiveExecutor>& e : GetExecutors())
    {
        if (!e->IsQuiet())
        {
            return false;
        }
    }
    return true;
}

uint32_t
TrainingJob::GetJobId() const
{
    return m_jobId;
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
    NS_ABORT_MSG_IF(m_lifecycle, "TrainingJob started twice");
    vclos::JobLifecycleConfig c;
    c.iterations = m_iterations;
    // As before the lifecycle existed: forward and backward are ComputeTime scaled by
    // (1 - BackwardFraction) and BackwardFraction, in ns-3 Time arithmetic.
    c.forward = (m_computeTime * (1.0 - m_backwardFraction)).GetTimeStep();
    c.backward = (m_computeTime * m_backwardFraction).GetTimeStep();
    c.buckets = m_buckets;
    c.allToAll = m_allToAllExecutor != nullptr;
    const int64_t now = Simulator::Now().GetTimeStep();
    m_lifecycle =
        std::make_unique<vclos::JobLifecycle>(c, static_cast<vclos::JobDriver&>(*this), now);
    m_lifecycle->Queue(now);
    m_lifecycle->Place(now);
    m_lifecycle->Start(now);
}

void
TrainingJob::StopApplication()
{
    // The iteration in progress completes; no new one starts.
    if (m_lifecycle)
    {
        m_lifecycle->Stop(Simulator::Now().GetTimeStep());
    }
}

void
TrainingJob::StartCompute(int64_t duration)
{
    m_computeEvent = Simulator::Schedule(TimeStep(duration), &TrainingJob::ComputeDone, this);
}

void
TrainingJob::ComputeDone()
{
    m_lifecycle->ComputeDone(Simulator::Now().GetTimeStep());
}

void
TrainingJob::StartCollective(uint32_t iteration, uint32_t run, vclos::CommKind kind)
{
    m_commKind = kind;
    m_commIteration = iteration;
    m_commRun = run;
    Ptr<CollectiveExecutor> e =
        kind == vclos::CommKind::BUCKET ? m_bucketExecutor : m_allToAllExecutor;
    e->Run(MakeCallback(&TrainingJob::CommDone, this));
}

void
TrainingJob::CommDone()
{
    if (m_commKind == vclos::CommKind::BUCKET)
    {
        RecordSteps(m_bucketExecutor, m_algorithm);
    }
    else
    {
        RecordSteps(m_allToAllExecutor, "all_to_all");
    }
    m_lifecycle->CommDone(Simulator::Now().GetTimeStep());
}

void
TrainingJob::RecordSteps(Ptr<CollectiveExecutor> executor, const std::string& name)
{
    const vclos::CollectiveSchedule& s = executor->GetSchedule();
    std::vector<StepRecord> steps(s.steps);
    for (uint32_t k = 0; k < s.steps; ++k)
    {
        steps[k] = StepRecord{m_commIteration, m_commRun, name, k, Time::Max(), Time(0), 0};
    }
    for (uint32_t i = 0; i < s.transfers.size(); ++i)
    {
        StepRecord& r = steps[s.transfers[i].step];
        r.start = std::min(r.start, executor->GetPostTime(i));
        r.end = std::max(r.end, executor->GetDoneTime(i));
        r.bytes += s.transfers[i].bytes;
    }
    for (const StepRecord& r : steps)
    {
        m_stepTrace(m_jobId, r);
    }
    if (m_keepRecords)
    {
        m_steps.insert(m_steps.end(), steps.begin(), steps.end());
    }
}

void
TrainingJob::IterationFinished(uint32_t iteration, const vclos::JobIterationRecord& r)
{
    IterationRecord rec;
    rec.start = TimeStep(r.start);
    rec.computeEnd = TimeStep(r.computeEnd);
    rec.end = TimeStep(r.end);
    rec.commBusy = TimeStep(r.commBusy);
    rec.allToAllWait = TimeStep(r.allToAllWait);
    NS_LOG_INFO("job " << m_jobId << " iteration " << iteration << " took "
                       << (rec.end - rec.start).As(Time::US));
    if (m_keepRecords)
    {
        m_records.push_back(rec);
    }
    m_iterationTrace(iteration, rec.end - rec.start);
    m_iterationRecordTrace(m_jobId, iteration, rec);
}

void
TrainingJob::JobFinished(int64_t /* now */, bool completed)
{
    NS_LOG_INFO("job " << m_jobId << " finished (" << (completed ? "all iterations" : "stopped")
                       << ")");
    m_finishedTrace(m_jobId);
    if (completed && !m_finished.IsNull())
    {
        m_finished();
    }
    ExecutorQuiet();
}

void
TrainingJob::ExecutorQuiet()
{
    if (!m_quietSignalled && IsQuiet())
    {
        m_quietSignalled = true;
        NS_LOG_INFO("job " << m_jobId << " quiet");
        m_quietTrace(m_jobId);
    }
}

} // namespace ns3
