/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_SCENARIO_RUNNER_H
#define VCLOS_SCENARIO_RUNNER_H

#include "ns3/cluster-scheduler.h"
#include "ns3/congestion-monitor.h"
#include "ns3/job-manager.h"
#include "ns3/leaf-spine-helper.h"
#include "ns3/link-job-counter.h"
#include "ns3/ocs-fabric-helper.h"
#include "ns3/ocs-vclos-placement-policy.h"
#include "ns3/results-db.h"
#include "ns3/run-summary.h"
#include "ns3/scenario.h"
#include "ns3/training-job.h"

#include <memory>
#include <ostream>
#include <vector>

namespace ns3
{

/**
 * \ingroup vclos
 * Runs one scenario at packet level: builds the leaf-spine fabric, hands every job to a
 * JobManager, which creates it (application, executors, queue pairs) at its start time and
 * tears it down once it is quiet, runs the simulator, and writes the run, its jobs,
 * iterations, collective steps, links and flows to a results database.
 *
 * Results are streamed: a job's flows (with the path each takes) are recorded when the job
 * starts and its queue pairs are set up; its iterations and steps as they end; when the
 * job finishes its jobs row is added and everything buffered is committed (one
 * ResultsDb::Flush() per finished job), so a run killed later keeps every finished job.
 * Links, congestion counters and the rows of jobs that did not finish are written at the
 * end of the run.
 *
 * With a scheduler (Scenario::scheduler) jobs do not name their GPUs: each job's arrival
 * (its start time) is an event that calls vclos::ClusterScheduler::Submit(); when the
 * scheduler places it, the placement's source routes are installed on the Routing the
 * switches share (ClusterScheduler::InstallPlacementRoutes) and the job is created through
 * the JobManager at that simulated time on the placement's GPUs in rank order. When the
 * job is quiet (its last ACK is in) its routes are removed and ClusterScheduler::Release()
 * frees its GPUs and links, which may place queued jobs. The run ends when every job has
 * been released (or at the stop time). The job's row, its link_job_bytes rows (what each
 * link transmitted for it, counted by a LinkJobCounter on every device) and everything
 * buffered are committed when it is released; placements and cluster_samples (one row
 * whenever the queue, the running jobs or the busy GPUs change) are streamed too.
 *
 * Interruption: once RunInterrupt::Install() was called, an event every
 * kInterruptPollS simulated seconds checks RunInterrupt::Requested(); after SIGINT or
 * SIGTERM it stops the simulation there, and the run ends with status "interrupted"
 * (its unfinished jobs written as at the stop time).
 *
 * OCS fabric (topology "fabric": "ocs", policy "ocs-vclos"): the cluster is a
 * leaf-OCS-spine fabric built by OcsFabricHelper (with server switches as on the Clos). When the
 * scheduler places a job, its circuits are added to the OCSes (only the OCSes it touches are
 * reconfigured; its new circuits are dark for topology.ocs.reconfiguration_delay_us, the
 * others undisturbed), every switch's destination routes follow the circuits (unused route
 * groups freed), the job's cross-leaf pairs get flow routes over its own circuits
 * (OcsFabricHelper::InstallJobRoutes) and the job starts readySeconds later, when its
 * circuits are lit (its JWT includes the reconfiguration). When it is quiet its routes and
 * circuits are removed (ports freed) before the scheduler releases it. Results: table
 * ocs_reconfigurations (one row per OCS change: time, OCS, job, circuits added and
 * removed, when the added ones are lit) and ocs_switches (per OCS: reconfigurations,
 * circuits changed, dark time, light lost); the invariant "ocs_circuits" checks that the
 * OCS circuit maps equal the running jobs' circuits after every placement and release
 * and that every port is free at the end of a finished run.
 *
 * Invariants: at the end of every run vclos::RunInvariants checks that every collective of
 * a finished job received the bytes it sent, that no switch dropped a lossless-priority
 * packet (PFC on), that every job finished or is unfinished for a known reason, and, under
 * a link-reserving policy with link_job_bytes, that no fabric link carried two jobs at
 * overlapping times. The results go to table "invariants"; a violation makes the run's
 * status "failed" (Summary::invariantsOk false). The global value VclosInvariantFault
 * (a test hook) fabricates a violation of the named invariant.
 */
class ScenarioRunner
{
  public:
    /// What a run produced.
    using Summary = vclos::RunSummary;

    /// Simulated seconds between two checks for an interruption (with RunInterrupt).
    static constexpr double kInterruptPollS = 100e-6;

    /// \param scenario a validated scenario
    explicit ScenarioRunner(const vclos::Scenario& scenario);
    ~ScenarioRunner();

    /**
     * Build the topology and jobs (called by Run() if not done before).
     */
    void Build();

    /**
     * Run the scenario to completion or to its stop time.
     * \param db results database, or null to write nothing
     * \param progress where to print progress lines, or null
     * \return the summary
     */
    Summary Run(vclos::ResultsDb* db, std::ostream* progress);

    /// \return the topology (after Build()); aborts on an OCS fabric (GetOcsFabric())
    LeafSpineHelper& GetTopology();
    /// \return the leaf-OCS-spine fabric (after Build()), or null on a cabled leaf-spine
    const OcsFabricHelper* GetOcsFabric() const;
    /**
     * \param job job index (in the scenario)
     * \return the job's application while it exists (from its start time until it is torn
     *         down after it finished), else null
     */
    Ptr<TrainingJob> GetJob(uint32_t job) const;
    /// \return the job manager (after Build())
    Ptr<JobManager> GetJobManager() const;
    /// \return the cluster scheduler (after Build(); null without "scheduler")
    const vclos::ClusterScheduler* GetScheduler() const;
    /**
     * \param job job index (in the scenario)
     * \return the GPUs the job runs or ran on, in rank order (empty while it waits)
     */
    const std::vector<uint32_t>& GetJobGpus(uint32_t job) const;

  private:
    /// What the runner knows of a scenario job.
    struct JobState
    {
        uint32_t managerId{NOT_CREATED};        //!< its JobManager id once created
        std::vector<uint32_t> gpus;             //!< its GPUs in rank order (once placed)
        double placedS{vclos::kUnknownTime};    //!< placement time, seconds
        double startS{vclos::kUnknownTime};     //!< start (creation) time, seconds
        double finishS{vclos::kUnknownTime};    //!< end of its last iteration, seconds
        double releasedS{vclos::kUnknownTime};  //!< released by the scheduler, seconds
        std::vector<uint32_t> spines;           //!< spines of its placement
        bool placed{false};                     //!< a scheduler placed it
        bool released{false};                   //!< the scheduler released it
        bool rowWritten{false};                 //!< its jobs row is written
        bool finished{false};                   //!< it ran all its iterations
        uint32_t iterations{0};                 //!< iterations it completed
        uint32_t slot{LinkJobCounter::NO_SLOT}; //!< its LinkJobCounter slot
    };

    /// JobState::managerId of a job not created yet.
    static constexpr uint32_t NOT_CREATED = 0xFFFFFFFF;

    void BuildLeafSpine();
    void BuildOcs();
    /// Add or remove a placement's circuits and routes on the OCS fabric; log the changes.
    void ChangeCircuits(uint32_t job, const vclos::Placement& placement, bool add);
    /// Compare the OCS circuits with the policy's (the running jobs'); note a mismatch.
    void CheckCircuits(const char* when);
    /// \return the links of the fabric built
    const std::vector<LeafSpineHelper::Link>& Links() const;
    /// \return the number of GPUs of the fabric built
    uint32_t NGpus() const;
    void CreateJob(uint32_t job, Time start);
    void Arrive(uint32_t job);
    void Placed(uint64_t job, const vclos::Placement& placement);
    void JobQuiet(uint32_t managerId);
    void SampleCluster();
    void FlushLinkJobs(uint32_t job);
    void JobStarted(uint32_t managerId);
    void JobFinished(uint32_t managerId);
    void IterationRecorded(uint32_t managerId,
                           uint32_t iteration,
                           const TrainingJob::IterationRecord& record);
    void StepRecorded(uint32_t managerId, const TrainingJob::StepRecord& record);
    void AddJobRow(uint32_t jobId);
    bool AllDone() const;
    static void QueueSampled(vclos::ResultsDb* db,
                             int64_t runId,
                             uint32_t linkId,
                             Time time,
                             uint32_t bytes);
    static void RateSampled(vclos::ResultsDb* db,
                            int64_t runId,
                            uint32_t gpu,
                            uint32_t qpn,
                            uint32_t peer,
                            Time time,
                            double rateBps);
    void Progress(std::ostream* out);
    void PollInterrupt();
    std::string UnfinishedReason(uint32_t job) const;
    std::vector<vclos::InvariantResult> CheckInvariants(bool runDone) const;
    void WriteResults(vclos::ResultsDb& db, int64_t runId);

    vclos::Scenario m_scenario;
    std::unique_ptr<LeafSpineHelper> m_topo;
    std::unique_ptr<OcsFabricHelper> m_ocs;                     //!< with "fabric": "ocs"
    const vclos::OcsVclosPlacementPolicy* m_ocsPolicy{nullptr}; //!< its policy
    std::vector<vclos::OcsReconfigurationRow> m_ocsChanges;     //!< ocs_reconfigurations
    std::string m_ocsCircuitError;                              //!< first mismatch, if any
    uint64_t m_ocsChecks{0};                                    //!< circuit checks made
    Ptr<JobManager> m_manager;
    vclos::ResultsDb* m_db;                 //!< results of the run in progress (or null)
    int64_t m_runId;                        //!< its run id
    std::vector<JobState> m_jobs;           //!< per scenario job
    std::vector<uint32_t> m_jobOfManagerId; //!< scenario job of each JobManager id
    std::unique_ptr<vclos::ClusterScheduler> m_scheduler;  //!< with "scheduler"
    Ptr<LinkJobCounter> m_jobCounter;                      //!< with a scheduler and link_job_bytes
    vclos::ClusterSampleRow m_lastSample;                  //!< last cluster_samples row written
    bool m_sampled{false};                                 //!< a cluster_samples row was written
    bool m_isolating{false};                               //!< the policy reserves links
    std::vector<vclos::CollectiveBytes> m_collectiveBytes; //!< of the finished jobs
    std::vector<vclos::LinkUse> m_linkUses; //!< fabric link_job_bytes (isolating policy)
    int m_interruptSignal{0};               //!< the signal that stopped the run (0: none)
    uint32_t m_iterationsDone;
    uint32_t m_jobsFinished;
    uint32_t m_jobsReleased;
    Ptr<CongestionMonitor> m_monitor;
    double m_wallStart;
};

} // namespace ns3

#endif // VCLOS_SCENARIO_RUNNER_H
