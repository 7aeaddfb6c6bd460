/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_TRAINING_JOB_H
#define VCLOS_TRAINING_JOB_H

#include "collective-executor.h"
#include "rdma-nic.h"

#include "ns3/application.h"
#include "ns3/collective-schedule.h"
#include "ns3/nstime.h"
#include "ns3/traced-callback.h"

#include <deque>
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
 * The job is an ns-3 Application; install it on any node (conventionally rank 0's GPU) and
 * give it a start time. It stops after Iterations iterations (0: until StopApplication).
 */
class TrainingJob : public Application
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

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    TrainingJob();
    ~TrainingJob() override;

    /**
     * Set the job's GPUs and its gradient all-reduce.
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

    /// \return the iterations completed so far
    const std::vector<IterationRecord>& GetIterations() const;
    /// \return per-step timings of every collective run so far
    const std::vector<StepRecord>& GetSteps() const;
    /// \return the executors of the job's collectives (gradient all-reduce first)
    std::vector<Ptr<CollectiveExecutor>> GetExecutors() const;
    /// \return true once the configured number of iterations is done
    bool IsFinished() const;
    /**
     * \param cb called when the last iteration ends
     */
    void SetFinishedCallback(Callback<void> cb);

  private:
    void DoDispose() override;
    void StartApplication() override;
    void StopApplication() override;

    /// A communication task waiting for the stream.
    enum class Comm
    {
        BUCKET,
        ALL_TO_ALL_FORWARD,
        ALL_TO_ALL_BACKWARD
    };

    void StartIteration();
    void ForwardDone();
    void StartBackward();
    void BucketReady();
    void BackwardDone();
    void Enqueue(Comm task);
    void StartNextComm();
    void CommDone();
    void RecordSteps(Ptr<CollectiveExecutor> executor, const std::string& name);
    void MaybeFinishIteration();

    uint32_t m_iterations;
    Time m_computeTime;
    double m_backwardFraction;
    uint32_t m_buckets;
    uint32_t m_jobId; //!< source ports derive from it

    std::vector<Ptr<RdmaNic>> m_nics;
    std::string m_algorithm;
    Ptr<CollectiveExecutor> m_bucketExecutor;
    Ptr<CollectiveExecutor> m_allToAllExecutor;
    std::deque<Comm> m_commQueue;
    bool m_commBusy;
    Comm m_commRunning;
    Time m_commStart;
    uint32_t m_bucketsReady;
    uint32_t m_bucketsDone;
    uint32_t m_commRuns;
    bool m_backwardDone;
    bool m_allToAllBackwardDone;
    bool m_waitingForAllToAll;
    bool m_running;
    IterationRecord m_current;
    std::vector<IterationRecord> m_records;
    std::vector<StepRecord> m_steps;
    Callback<void> m_finished;
    EventId m_nextEvent;

    TracedCallback<uint32_t, Time> m_iterationTrace; //!< iteration index, its duration
};

} // namespace ns3

#endif // VCLOS_TRAINING_JOB_H
