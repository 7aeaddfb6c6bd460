/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_SCENARIO_RUNNER_H
#define VCLOS_SCENARIO_RUNNER_H

#include "ns3/congestion-monitor.h"
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
 * Runs one scenario at packet level: builds the leaf-spine fabric, installs a TrainingJob
 * application per job (iterations of compute and collectives over the NICs), runs the
 * simulator and writes the run, its jobs, iterations, collective steps, links and flows to
 * a results database.
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
     * \return the job's application (after Build())
     */
    Ptr<TrainingJob> GetJob(uint32_t job) const;

  private:
    void JobFinished();
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
    std::vector<Ptr<TrainingJob>> m_jobs;
    uint32_t m_jobsFinished;
    Ptr<CongestionMonitor> m_monitor;
    double m_wallStart;
};

} // namespace ns3

#endif // VCLOS_SCENARIO_RUNNER_H
