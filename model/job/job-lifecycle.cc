/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "job-lifecycle.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ns3
{
namespace vclos
{

const char*
JobStateName(JobState state)
{
    switch (state)
    {
    case JobState::ARRIVED:
        return "ARRIVED";
    case JobState::QUEUED:
        return "QUEUED";
    case JobState::PLACED:
        return "PLACED";
    case JobState::RUNNING:
        return "RUNNING";
    case JobState::FINISHED:
        return "FINISHED";
    }
    return "?";
}

const char*
CommKindName(CommKind kind)
{
    switch (kind)
    {
    case CommKind::BUCKET:
        return "BUCKET";
    case CommKind::ALL_TO_ALL_FORWARD:
        return "ALL_TO_ALL_FORWARD";
    case CommKind::ALL_TO_ALL_BACKWARD:
        return "ALL_TO_ALL_BACKWARD";
    }
    return "?";
}

void
SplitCompute(int64_t compute, double backwardFraction, int64_t& forward, int64_t& backward)
{
    if (compute < 0)
    {
        throw std::invalid_argument("compute time " + std::to_string(compute) +
                                    " ticks is negative");
    }
    if (!(backwardFraction >= 0.0 && backwardFraction <= 1.0))
    {
        throw std::invalid_argument("backward fraction " + std::to_string(backwardFraction) +
                                    " is outside [0, 1]");
    }
    backward = std::llround(static_cast<double>(compute) * backwardFraction);
    backward = std::min(backward, compute);
    forward = compute - backward;
}

/// Sets m_inDriver for the duration of a driver call.
class JobLifecycle::Guard
{
  public:
    explicit Guard(bool& flag)
        : m_flag(flag)
    {
        m_flag = true;
    }

    ~Guard()
    {
        m_flag = false;
    }

    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

  private:
    bool& m_flag;
};

JobLifecycle::JobLifecycle(const JobLifecycleConfig& config, JobDriver& driver, int64_t now)
    : m_config(config),
      m_driver(driver)
{
    if (config.forward < 0 || config.backward < 0)
    {
        throw std::invalid_argument("job lifecycle: forward (" + std::to_string(config.forward) +
                                    ") and backward (" + std::to_string(config.backward) +
                                    ") ticks must be >= 0");
    }
    if (config.buckets == 0)
    {
        throw std::invalid_argument("job lifecycle: buckets must be >= 1");
    }
    for (int64_t& t : m_stateTime)
    {
        t = -1;
    }
    m_stateTime[static_cast<int>(JobState::ARRIVED)] = now;
}

void
JobLifecycle::Invalid(const char* event) const
{
    throw std::logic_error(std::string("job lifecycle: ") + event + " in state " +
                           JobStateName(m_state) +
                           (m_inDriver ? " (called back from inside the driver)" : ""));
}

void
JobLifecycle::Enter(JobState state, int64_t now)
{
    m_state = state;
    m_stateTime[static_cast<int>(state)] = now;
}

void
JobLifecycle::Queue(int64_t now)
{
    if (m_state != JobState::ARRIVED || m_inDriver)
    {
        Invalid("Queue()");
    }
    Enter(JobState::QUEUED, now);
}

void
JobLifecycle::Place(int64_t now)
{
    if (m_state != JobState::QUEUED || m_inDriver)
    {
        Invalid("Place()");
    }
    Enter(JobState::PLACED, now);
}

void
JobLifecycle::Start(int64_t now)
{
    if (m_state != JobState::PLACED || m_inDriver)
    {
        Invalid("Start()");
    }
    Enter(JobState::RUNNING, now);
    StartIteration(now);
}

void
JobLifecycle::StartIteration(int64_t now)
{
    m_current = JobIterationRecord();
    m_current.start = now;
    m_phase = Phase::FORWARD;
    m_segment = 0;
    m_bucketsDone = 0;
    m_runs = 0;
    m_a2aBackwardDone = !m_config.allToAll;
    m_computing = true;
    Guard g(m_inDriver);
    m_driver.StartCompute(m_config.forward);
}

int64_t
JobLifecycle::BucketOffset(uint32_t k) const
{
    // As TrainingJob always computed it: backward x k / buckets (integer ticks).
    return m_config.backward * static_cast<int64_t>(k) / static_cast<int64_t>(m_config.buckets);
}

void
JobLifecycle::StartBackward(int64_t /* now */)
{
    m_phase = Phase::BACKWARD;
    m_segment = 1;
    m_computing = true;
    Guard g(m_inDriver);
    m_driver.StartCompute(BucketOffset(1));
}

void
JobLifecycle::ComputeDone(int64_t now)
{
    if (m_state != JobState::RUNNING || !m_computing || m_inDriver)
    {
        Invalid("ComputeDone()");
    }
    m_computing = false;
    if (m_phase == Phase::FORWARD)
    {
        if (m_config.allToAll)
        {
            // Experts need their tokens: the backward pass waits for the all-to-all.
            m_phase = Phase::WAIT_A2A;
            m_waitStart = now;
            Enqueue(CommKind::ALL_TO_ALL_FORWARD, now);
            return;
        }
        StartBackward(now);
        return;
    }
    // Backward segment m_segment ends: bucket m_segment is ready.
    Enqueue(CommKind::BUCKET, now);
    if (m_segment < m_config.buckets)
    {
        const int64_t d = BucketOffset(m_segment + 1) - BucketOffset(m_segment);
        ++m_segment;
        m_computing = true;
        Guard g(m_inDriver);
        m_driver.StartCompute(d);
        return;
    }
    m_phase = Phase::COMPUTE_DONE;
    m_current.computeEnd = now;
    if (m_config.allToAll)
    {
        Enqueue(CommKind::ALL_TO_ALL_BACKWARD, now);
    }
    MaybeFinishIteration(now);
}

void
JobLifecycle::Enqueue(CommKind kind, int64_t now)
{
    m_commQueue.push_back(kind);
    if (!m_commBusy)
    {
        StartNextComm(now);
    }
}

void
JobLifecycle::StartNextComm(int64_t now)
{
    if (m_commQueue.empty())
    {
        return;
    }
    m_commRunning = m_commQueue.front();
    m_commQueue.pop_front();
    m_commBusy = true;
    m_commStart = now;
    const uint32_t run = m_runs++;
    Guard g(m_inDriver);
    m_driver.StartCollective(m_iterationsDone, run, m_commRunning);
}

void
JobLifecycle::CommDone(int64_t now)
{
    if (m_state != JobState::RUNNING || !m_commBusy || m_inDriver)
    {
        Invalid("CommDone()");
    }
    m_commBusy = false;
    m_current.commBusy += now - m_commStart;
    switch (m_commRunning)
    {
    case CommKind::BUCKET:
        ++m_bucketsDone;
        break;
    case CommKind::ALL_TO_ALL_FORWARD:
        m_current.allToAllWait = now - m_waitStart;
        StartBackward(now);
        break;
    case CommKind::ALL_TO_ALL_BACKWARD:
        m_a2aBackwardDone = true;
        break;
    }
    StartNextComm(now);
    MaybeFinishIteration(now);
}

void
JobLifecycle::MaybeFinishIteration(int64_t now)
{
    if (m_phase != Phase::COMPUTE_DONE || m_bucketsDone < m_config.buckets || !m_a2aBackwardDone ||
        m_commBusy || !m_commQueue.empty())
    {
        return;
    }
    m_current.end = now;
    const uint32_t index = m_iterationsDone++;
    {
        Guard g(m_inDriver);
        m_driver.IterationFinished(index, m_current);
    }
    if (IsCompleted())
    {
        Finish(now, true);
        return;
    }
    if (m_stopRequested)
    {
        Finish(now, false);
        return;
    }
    StartIteration(now);
}

void
JobLifecycle::Finish(int64_t now, bool completed)
{
    Enter(JobState::FINISHED, now);
    m_computing = false;
    m_commBusy = false;
    m_commQueue.clear();
    Guard g(m_inDriver);
    m_driver.JobFinished(now, completed);
}

void
JobLifecycle::Stop(int64_t now)
{
    if (m_inDriver)
    {
        Invalid("Stop()");
    }
    if (m_state == JobState::FINISHED)
    {
        return;
    }
    if (m_state != JobState::RUNNING)
    {
        Finish(now, false);
        return;
    }
    m_stopRequested = true;
}

void
JobLifecycle::Abort(int64_t now)
{
    if (m_inDriver)
    {
        Invalid("Abort()");
    }
    if (m_state == JobState::FINISHED)
    {
        return;
    }
    Finish(now, false);
}

JobState
JobLifecycle::GetState() const
{
    return m_state;
}

uint32_t
JobLifecycle::GetIterationsDone() const
{
    return m_iterationsDone;
}

uint32_t
JobLifecycle::GetIteration() const
{
    return m_iterationsDone;
}

bool
JobLifecycle::IsCompleted() const
{
    return m_config.iterations != 0 && m_iterationsDone >= m_config.iterations;
}

bool
JobLifecycle::IsComputing() const
{
    return m_computing;
}

bool
JobLifecycle::IsCommunicating() const
{
    return m_commBusy;
}

const JobLifecycleConfig&
JobLifecycle::GetConfig() const
{
    return m_config;
}

int64_t
JobLifecycle::GetStateTime(JobState state) const
{
    return m_stateTime[static_cast<int>(state)];
}

} // namespace vclos
} // namespace ns3
