/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_SCENARIO_RUNNER_H
#define VCLOS_SCENARIO_RUNNER_H

#include "ns3/congestion-monitor.h"
#include "ns3/job-manager.h"
#include "ns3/leaf-spine-helper.h"
#include "ns3/results-db.h"
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
 */
class ScenarioRunner
{
  public:
    /// What a run produced.
    struct Summary
    {
        int64_t runId{-1};        //!< run id in the database (-1 without one)
        double wallTimeS{0};      //!< wall-clock seconds of build + simulation
        double simTimeS{0};       //!< simulated seconds at the end
        uint64_t events{0};       //!< simulator events executed
        uint32_t jobsFinished{0}; //!< jobs that ran all their iterations
        uint32_t jobs{0};         //!< jobs in the scenario
        std::string status;       //!< "done" or "incomplete" (safety stop reached)
    };

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

    /// \return the topology (after Build())
    LeafSpineHelper& GetTopology();
    /**
     * \param job job index
     * \return the job's application while it exists (from its start time until it is torn
     *         down after it finished), else null
     */
    Ptr<TrainingJob> GetJob(uint32_t job) const;
    /// \return the job manager (after Build())
    Ptr<JobManager> GetJobManager() const;

  private:
    void JobStarted(uint32_t jobId);
    void JobFinished(uint32_t jobId);
    void IterationRecorded(uint32_t jobId,
                           uint32_t iteration,
                           const TrainingJob::IterationRecord& record);
    void StepRecorded(uint32_t jobId, const TrainingJob::StepRecord& record);
    void AddJobRow(uint32_t jobId, double finishS);
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
    void WriteResults(vclos::ResultsDb& db, int64_t runId);

    vclos::Scenario m_scenario;
    std::unique_ptr<LeafSpineHelper> m_topo;
    Ptr<JobManager> m_manager;
    vclos::ResultsDb* m_db;            //!< results of the run in progress (or null)
    int64_t m_runId;                   //!< its run id
    std::vector<bool> m_jobRowWritten; //!< per scenario job
    uint32_t m_iterationsDone;
    uint32_t m_jobsFinished;
    Ptr<CongestionMonitor> m_monitor;
    double m_wallStart;
};

} // namespace ns3

#endif // VCLOS_SCENARIO_RUNNER_H
