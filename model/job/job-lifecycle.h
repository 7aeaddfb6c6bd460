/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_JOB_LIFECYCLE_H
#define VCLOS_JOB_LIFECYCLE_H

// Pure code: no ns-3 in this file or its .cc (it is tested without a simulator).

#include <cstdint>
#include <deque>
#include <string>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * States of a training job, in the order a job passes them.
 */
enum class JobState
{
    ARRIVED,  //!< the job exists (submitted)
    QUEUED,   //!< waiting for resources
    PLACED,   //!< GPUs assigned, not started
    RUNNING,  //!< iterating
    FINISHED, //!< done (all iterations, stopped after an iteration, or aborted)
};

/**
 * \param state a state
 * \return its name, e.g. "RUNNING"
 */
const char* JobStateName(JobState state);

/**
 * \ingroup vclos
 * What the job's one communication stream runs.
 */
enum class CommKind
{
    BUCKET,              //!< all-reduce of one gradient bucket
    ALL_TO_ALL_FORWARD,  //!< MoE all-to-all after the forward pass (backward waits for it)
    ALL_TO_ALL_BACKWARD, //!< MoE all-to-all after the backward pass
};

/**
 * \param kind a communication kind
 * \return its name, e.g. "BUCKET"
 */
const char* CommKindName(CommKind kind);

/**
 * \ingroup vclos
 * Timings of one iteration, in the engine's ticks.
 */
struct JobIterationRecord
{
    int64_t start{0};        //!< forward pass starts
    int64_t computeEnd{0};   //!< backward pass ends (forward all-to-all wait included)
    int64_t end{0};          //!< all communication of the iteration done
    int64_t commBusy{0};     //!< ticks the communication stream was busy in this iteration
    int64_t allToAllWait{0}; //!< ticks compute waited for the forward all-to-all
};

/**
 * \ingroup vclos
 * Shape of a job's iterations, in the engine's ticks.
 */
struct JobLifecycleConfig
{
    uint32_t iterations{1}; //!< iterations to run; 0: until Stop() or Abort()
    int64_t forward{0};     //!< forward pass duration (>= 0)
    int64_t backward{0};    //!< backward pass duration (>= 0)
    uint32_t buckets{1};    //!< gradient buckets (>= 1), ready at backward * k / buckets
    bool allToAll{false};   //!< mixture of experts: all-to-all after each pass
};

/**
 * \ingroup vclos
 * Split a compute time into forward and backward passes the way every engine should:
 * backward = round(compute x backwardFraction), forward = the rest (so they add up exactly).
 * \param compute compute ticks of one iteration (>= 0)
 * \param backwardFraction share of the backward pass, in [0, 1]
 * \param[out] forward forward ticks
 * \param[out] backward backward ticks
 * \throws std::invalid_argument on a negative compute or a fraction outside [0, 1]
 */
void SplitCompute(int64_t compute, double backwardFraction, int64_t& forward, int64_t& backward);

/**
 * \ingroup vclos
 * What a JobLifecycle asks of the engine that drives it. Calls come from inside the
 * JobLifecycle's methods; an implementation must not call back into the same JobLifecycle
 * before returning (it schedules the work and reports it done later).
 */
class JobDriver
{
  public:
    virtual ~JobDriver() = default;
    /**
     * Run compute for \p duration ticks, then call JobLifecycle::ComputeDone().
     * At most one compute is outstanding.
     * \param duration ticks (>= 0)
     */
    virtual void StartCompute(int64_t duration) = 0;
    /**
     * Run a collective on the job's communication stream, then call JobLifecycle::CommDone().
     * At most one collective is outstanding.
     * \param iteration the iteration it belongs to
     * \param run its index within the iteration (0, 1, ... in start order)
     * \param kind what to run
     */
    virtual void StartCollective(uint32_t iteration, uint32_t run, CommKind kind) = 0;
    /**
     * An iteration ended.
     * \param iteration its index
     * \param record its timings
     */
    virtual void IterationFinished(uint32_t iteration, const JobIterationRecord& record) = 0;
    /**
     * The job reached FINISHED.
     * \param now the time
     * \param completed true if it ran all its configured iterations
     */
    virtual void JobFinished(int64_t now, bool completed) = 0;
};

/**
 * \ingroup vclos
 * The lifecycle of a data-parallel training job as a state machine with no clock:
 * ARRIVED -> QUEUED -> PLACED -> RUNNING -> FINISHED.
 *
 * While RUNNING, each iteration is the forward pass, the backward pass, during which the
 * gradient buckets become ready one after another (bucket k of n at backward x k / n into
 * the pass), and the bucket all-reduces on one communication stream that runs one
 * collective at a time in the order they were queued (as NCCL). A mixture-of-experts job
 * also queues an all-to-all after the forward pass, which the backward pass waits for, and
 * another after the backward pass. The iteration ends when compute and every collective
 * are done; the next starts at once.
 *
 * The engine calls the event methods with its current time in ticks (any unit, e.g. ns-3
 * time steps or a flow-level engine's clock); the machine answers through its JobDriver.
 * A call that does not fit the current state throws std::logic_error naming the state.
 */
class JobLifecycle
{
  public:
    /**
     * \param config iteration shape (validated: throws std::invalid_argument)
     * \param driver the engine; must outlive the machine
     * \param now arrival time
     */
    JobLifecycle(const JobLifecycleConfig& config, JobDriver& driver, int64_t now = 0);

    /// ARRIVED -> QUEUED. \param now the time
    void Queue(int64_t now);
    /// QUEUED -> PLACED. \param now the time
    void Place(int64_t now);
    /// PLACED -> RUNNING: the first iteration starts. \param now the time
    void Start(int64_t now);
    /// The compute asked for by StartCompute() is done. \param now the time
    void ComputeDone(int64_t now);
    /// The collective asked for by StartCollective() is done. \param now the time
    void CommDone(int64_t now);
    /**
     * Stop after the iteration in progress (RUNNING), or at once in an earlier state.
     * No-op when FINISHED.
     * \param now the time
     */
    void Stop(int64_t now);
    /**
     * FINISHED at once, dropping the iteration in progress (the engine cancels its compute
     * and collective). No-op when FINISHED.
     * \param now the time
     */
    void Abort(int64_t now);

    /// \return the state
    JobState GetState() const;
    /// \return the iterations completed
    uint32_t GetIterationsDone() const;
    /// \return the iteration in progress (or the next one)
    uint32_t GetIteration() const;
    /// \return true once every configured iteration is done
    bool IsCompleted() const;
    /// \return true while compute is outstanding
    bool IsComputing() const;
    /// \return true while a collective is outstanding
    bool IsCommunicating() const;
    /// \return the configuration
    const JobLifecycleConfig& GetConfig() const;
    /**
     * \param state a state
     * \return the time the job entered it, or -1 if it has not
     */
    int64_t GetStateTime(JobState state) const;

  private:
    /// Where the compute of the current iteration is.
    enum class Phase
    {
        FORWARD,     //!< forward pass running
        WAIT_A2A,    //!< waiting for the forward all-to-all
        BACKWARD,    //!< backward pass running (segment m_segment)
        COMPUTE_DONE //!< backward pass done
    };

    [[noreturn]] void Invalid(const char* event) const;
    void Enter(JobState state, int64_t now);
    void StartIteration(int64_t now);
    void StartBackward(int64_t now);
    int64_t BucketOffset(uint32_t k) const;
    void Enqueue(CommKind kind, int64_t now);
    void StartNextComm(int64_t now);
    void MaybeFinishIteration(int64_t now);
    void Finish(int64_t now, bool completed);

    /// Marks a driver call so that a re-entrant call throws.
    class Guard;

    JobLifecycleConfig m_config;
    JobDriver& m_driver;
    JobState m_state{JobState::ARRIVED};
    int64_t m_stateTime[5];
    Phase m_phase{Phase::FORWARD};
    bool m_computing{false};
    bool m_commBusy{false};
    bool m_inDriver{false};
    bool m_stopRequested{false};
    CommKind m_commRunning{CommKind::BUCKET};
    std::deque<CommKind> m_commQueue;
    int64_t m_commStart{0};
    int64_t m_waitStart{0};
    uint32_t m_segment{0};
    uint32_t m_bucketsDone{0};
    uint32_t m_runs{0};
    bool m_a2aBackwardDone{true};
    uint32_t m_iterationsDone{0};
    JobIterationRecord m_current;
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_JOB_LIFECYCLE_H
