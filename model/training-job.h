/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_TRAINING_JOB_H
#define VCLOS_TRAINING_JOB_H

#include "collective-executor.h"
#include "rdma-nic.h"

#include "ns3/application.h"
#include "ns3/collective-schedule.h"
#include "ns3/job-lifecycle.h"
#include "ns3/nstime.h"
#include "ns3/traced-callback.h"

#include <memory>
#include <vector>

namespace ns3
{

/**
 * \ingroup vclos
 * A data-parallel training job: iterations of compute and communication on N GPUs.
 *
 * Each iteration runs the forward pass (ComputeTime x (1 - BackwardFraction)), the backward
 * pass (the rest), and the all-reduce of the gradients. The gradients are cut into Buckets
 * equal buckets that become ready one after another during the backward pass (as PyTorch
 * DDP's gradient buckets); a bucket's all-reduce starts once it is ready and the previous
 * communication is done (one communication stream, as NCCL). Buckets = 1 gives
 * compute-then-communicate; more buckets overlap communication with the backward pass.
 * A mixture-of-experts job also runs an all-to-all (SetAllToAll) after the forward pass,
 * which the backward pass waits for, and another one after the backward pass.
 *
 * The iteration logic is the pure vclos::JobLifecycle; this Application is its ns-3 driver:
 * compute is a Simulator event, a collective a CollectiveExecutor::Run(), and ticks are
 * ns-3 time steps (Time::GetTimeStep()).
 *
 * Records: every iteration and every collective step is reported through the trace
 * sources IterationRecorded and StepRecorded as it ends. With KeepRecords (default) they
 * are also kept for GetIterations() and GetSteps() until ClearRecords(); a long run sets
 * KeepRecords to false and consumes the trace sources, so the job's memory stays flat.
 *
 * The job is an ns-3 Application; install it on any node (conventionally rank 0's GPU) and
 * give it a start time. It stops after Iterations iterations (0: until StopApplication,
 * which lets the iteration in progress end). Once finished, the Quiet trace fires when the
 * last ACK of every queue pair of the job is in; Teardown() then releases its queue pairs.
 */
class TrainingJob : public Application, private vclos::JobDriver
{
  public:
    /**
     * TracedCallback signature of IterationDone.
     * \param iteration the iteration index
     * \param duration its duration
     */
    typedef void (*IterationTracedCallback)(uint32_t iteration, Time duration);

    /// Timings of one iteration.
    struct IterationRecord
    {
        Time start;        //!< forward pass starts
        Time computeEnd;   //!< backward pass ends (compute done; all-to-all waits excluded)
        Time end;          //!< all communication of the iteration done
        Time commBusy;     //!< time the communication stream was busy in this iteration
        Time allToAllWait; //!< time compute waited for the forward all-to-all
    };

    /// Timings of one collective step (all transfers of that step of one collective run).
    struct StepRecord
    {
        uint32_t iteration;     //!< iteration index
        uint32_t run;           //!< collective run within the iteration (bucket or all-to-all)
        std::string collective; //!< algorithm
        uint32_t step;          //!< step of the schedule
        Time start;             //!< first transfer of the step posted
        Time end;               //!< last transfer of the step received
        uint64_t bytes;         //!< bytes of the step
    };

    /// Signature of IterationRecorded: (job id, iteration index, its record).
    typedef void (*IterationRecordCallback)(uint32_t jobId,
                                            uint32_t iteration,
                                            const IterationRecord& record);
    /// Signature of StepRecorded: (job id, the step's record).
    typedef void (*StepRecordCallback)(uint32_t jobId, const StepRecord& record);
    /// Signature of Finished and Quiet: (job id).
    typedef void (*JobIdCallback)(uint32_t jobId);

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    TrainingJob();
    ~TrainingJob() override;

    /**
     * Set the job's GPUs and its gradient all-reduce (creates its queue pairs now).
     * \param nics NIC of each rank
     * \param algorithm collective name (vclos::CollectiveAlgorithms())
     * \param gradientBytes bytes all-reduced per iteration (cut into Buckets buckets)
     * \param gpusPerServer for hierarchical algorithms
     * \param pipelineChunks sub-chunks per block
     */
    void Setup(const std::vector<Ptr<RdmaNic>>& nics,
               const std::string& algorithm,
               uint64_t gradientBytes,
               uint32_t gpusPerServer,
               uint32_t pipelineChunks);
    /**
     * Add mixture-of-experts all-to-all traffic: \p bytes per GPU per iteration, half after
     * the forward pass and half after the backward pass. Call after Setup().
     * \param bytes all-to-all bytes per GPU per iteration
     */
    void SetAllToAll(uint64_t bytes);

    /// \return the iterations kept (KeepRecords) since the last ClearRecords()
    const std::vector<IterationRecord>& GetIterations() const;
    /// \return the per-step timings kept (KeepRecords) since the last ClearRecords()
    const std::vector<StepRecord>& GetSteps() const;
    /// Drop the kept records (the owner has consumed them).
    void ClearRecords();
    /// \return the iterations completed so far
    uint32_t GetIterationsDone() const;
    /// \return the executors of the job's collectives (gradient all-reduce first)
    std::vector<Ptr<CollectiveExecutor>> GetExecutors() const;
    /// \return true once the configured number of iterations is done
    bool IsFinished() const;
    /// \return the lifecycle state (ARRIVED until the application starts)
    vclos::JobState GetState() const;
    /// \return true once the job is FINISHED and every queue pair's last ACK is in
    bool IsQuiet() const;
    /// \return the JobId attribute
    uint32_t GetJobId() const;
    /**
     * \param cb called when the last iteration ends
     */
    void SetFinishedCallback(Callback<void> cb);
    /**
     * Release the job: cancel its pending compute, tear down its executors and queue pairs
     * (both ends), drop its callbacks. Idempotent; DoDispose() calls it. Must not be called
     * from inside one of the job's callbacks (schedule it).
     */
    void Teardown();

  private:
    void DoDispose() override;
    void StartApplication() override;
    void StopApplication() override;

    // vclos::JobDriver
    void StartCompute(int64_t duration) override;
    void StartCollective(uint32_t iteration, uint32_t run, vclos::CommKind kind) override;
    void IterationFinished(uint32_t iteration, const vclos::JobIterationRecord& r) override;
    void JobFinished(int64_t now, bool completed) override;

    void ComputeDone();
    void CommDone();
    void ExecutorQuiet();
    void RecordSteps(Ptr<CollectiveExecutor> executor, const std::string& name);

    uint32_t m_iterations;
    Time m_computeTime;
    double m_backwardFraction;
    uint32_t m_buckets;
    uint32_t m_jobId; //!< source ports derive from it; reported by the trace sources
    bool m_keepRecords;

    std::vector<Ptr<RdmaNic>> m_nics;
    std::string m_algorithm;
    Ptr<CollectiveExecutor> m_bucketExecutor;
    Ptr<CollectiveExecutor> m_allToAllExecutor;
    std::unique_ptr<vclos::JobLifecycle> m_lifecycle;
    EventId m_computeEvent;
    vclos::CommKind m_commKind; //!< collective in progress
    uint32_t m_commIteration;   //!< its iteration
    uint32_t m_commRun;         //!< its run index
    bool m_quietSignalled;
    std::vector<IterationRecord> m_records;
    std::vector<StepRecord> m_steps;
    Callback<void> m_finished;

    TracedCallback<uint32_t, Time> m_iterationTrace; //!< iteration index, its duration
    TracedCallback<uint32_t, uint32_t, const IterationRecord&> m_iterationRecordTrace;
    TracedCallback<uint32_t, const StepRecord&> m_stepTrace;
    TracedCallback<uint32_t> m_finishedTrace;
    TracedCallback<uint32_t> m_quietTrace;
};

} // namespace ns3

#endif // VCLOS_TRAINING_JOB_H
