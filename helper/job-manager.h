/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_JOB_MANAGER_H
#define VCLOS_JOB_MANAGER_H

#include "ns3/event-id.h"
#include "ns3/leaf-spine-helper.h"
#include "ns3/nstime.h"
#include "ns3/object.h"
#include "ns3/traced-callback.h"
#include "ns3/training-job.h"

#include <map>
#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup vclos
 * What a JobManager needs to create a training job (the scenario's job spec, in ns-3 types).
 */
struct JobParams
{
    std::string name;                   //!< job name (for logs)
    std::vector<uint32_t> gpus;         //!< GPU of each rank
    std::string collective{"ring"};     //!< gradient all-reduce algorithm
    uint64_t bytes{0};                  //!< gradient bytes per iteration
    uint32_t iterations{1};             //!< iterations (0: until stopped)
    Time computeTime{0};                //!< forward + backward time per iteration
    double backwardFraction{2.0 / 3.0}; //!< share of the backward pass
    uint32_t buckets{1};                //!< gradient buckets
    uint32_t pipelineChunks{1};         //!< sub-chunks per block
    uint64_t allToAllBytes{0};          //!< MoE all-to-all bytes per GPU per iteration
};

/**
 * \ingroup vclos
 * Jobs that come and go during a run.
 *
 * AddJob() schedules a job's creation at its start time: then, and not before, its
 * TrainingJob application, collective executors and queue pairs are created and the job
 * starts (JobStarted). When its last iteration ends it is FINISHED (JobFinished); once the
 * last ACK of every one of its queue pairs is in, it is quiet (JobQuiet: its routes may be
 * released), and with TeardownWhenQuiet the manager tears it down at once: the queue
 * pairs are destroyed at both ends (their NIC table slots are reused), the executors and
 * the application disposed, and the manager forgets the job. Memory therefore follows the
 * jobs alive, not the jobs run.
 *
 * Job ids are given in AddJob() order from 0. The jobs' iteration and step records are
 * forwarded through IterationRecorded and StepRecorded as they end; the jobs keep none.
 */
class JobManager : public Object
{
  public:
    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    JobManager();
    ~JobManager() override;

    /**
     * \param topology the built cluster whose GPUs the jobs use; must outlive the manager
     */
    void SetTopology(LeafSpineHelper& topology);
    /**
     * Use these GPUs instead of a LeafSpineHelper (another fabric, e.g. OcsFabricHelper).
     * \param nics the NIC of every GPU, by GPU id (each aggregated to its node)
     * \param gpusPerServer GPUs per server (hierarchical collectives)
     */
    void SetGpus(const std::vector<Ptr<RdmaNic>>& nics, uint32_t gpusPerServer);

    /**
     * Schedule a job. It is checked now: a fatal error names the job and the problem (a GPU
     * that does not exist, no GPU, an unknown collective, zero buckets, a backward fraction
     * outside [0, 1], a start time in the past).
     * \param params the job
     * \param start absolute simulated time of its creation and start (>= now)
     * \return its job id
     */
    uint32_t AddJob(const JobParams& params, Time start);

    /**
     * Tear a job down now (see the class description); a job not yet created is cancelled.
     * Must not be called from inside one of the job's callbacks or trace sinks (schedule it).
     * \param jobId the job
     * \return false if the manager does not know the job (never added, or already gone)
     */
    bool TeardownJob(uint32_t jobId);

    /**
     * \param jobId a job id
     * \return its application while it exists (created and not torn down), else null
     */
    Ptr<TrainingJob> GetJob(uint32_t jobId) const;
    /// \return the jobs added so far
    uint32_t GetNJobsAdded() const;
    /// \return the jobs that reached FINISHED so far
    uint32_t GetNJobsFinished() const;
    /// \return the jobs torn down so far
    uint32_t GetNJobsTornDown() const;
    /// \return the jobs the manager holds (scheduled, running, or finished and not torn down)
    uint32_t GetNJobsHeld() const;

    /// Signature of JobStarted, JobFinished and JobQuiet: (job id).
    typedef void (*JobIdCallback)(uint32_t jobId);

  private:
    void DoDispose() override;
    void Create(uint32_t jobId);
    void OnFinished(uint32_t jobId);
    void OnQuiet(uint32_t jobId);
    void OnIteration(uint32_t jobId,
                     uint32_t iteration,
                     const TrainingJob::IterationRecord& record);
    void OnStep(uint32_t jobId, const TrainingJob::StepRecord& record);

    /// A job the manager holds.
    struct Entry
    {
        JobParams params;     //!< its parameters (cleared once created)
        EventId create;       //!< its creation event
        EventId teardown;     //!< its teardown once quiet
        Ptr<TrainingJob> job; //!< its application once created
    };

    LeafSpineHelper* m_topology;
    std::vector<Ptr<RdmaNic>> m_nics; //!< SetGpus(): per GPU its NIC
    uint32_t m_gpusPerServer{1};      //!< SetGpus(): GPUs per server
    bool m_teardownWhenQuiet;
    std::map<uint32_t, Entry> m_jobs;
    uint32_t m_added;
    uint32_t m_finished;
    uint32_t m_tornDown;

    TracedCallback<uint32_t> m_startedTrace;
    TracedCallback<uint32_t> m_finishedTrace;
    TracedCallback<uint32_t> m_quietTrace;
    TracedCallback<uint32_t, uint32_t, const TrainingJob::IterationRecord&> m_iterationTrace;
    TracedCallback<uint32_t, const TrainingJob::StepRecord&> m_stepTrace;
};

} // namespace ns3

#endif // VCLOS_JOB_MANAGER_H
