/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_FLOW_RUNNER_H
#define VCLOS_FLOW_RUNNER_H

// Pure code: no ns-3 in this file or its .cc.

#include "ns3/flow-engine.h"
#include "ns3/results-db.h"
#include "ns3/scenario.h"

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * Runs one scenario at flow level (Scenario::level "flow"): builds the cluster's
 * ClusterTopology and Routing as LeafSpineHelper::Build() does for the packet level (same
 * shape, run seed and ECMP seed mode), turns every scenario job (fixed jobs and trace jobs)
 * into a FlowJob with the job id the packet-level runner gives it (the job's index without a
 * scheduler; the placement order under one, as its JobManager numbers the jobs it creates),
 * runs a FlowEngine with the scenario's scheduler and policy and writes the results tables
 * through a ResultsDb: the runs row (level "flow"), one jobs row per job (committed as the job
 * finishes), placements, cluster_samples and iterations.
 *
 * The network's congestion settings (queues, buffers, PFC, ECN, DCQCN, ACK interval,
 * retransmission timeout) and output.link_job_bytes do not apply: flows are fluid. The MTU
 * gives the per-packet header overhead (FluidParams::packetOverhead). stop_time_s does not
 * apply either: a flow-level run always runs every job to its end.
 */
class FlowRunner
{
  public:
    /// What a run produced.
    struct Summary
    {
        int64_t runId{-1};        //!< run id in the database (-1 without one)
        double wallTimeS{0};      //!< wall-clock seconds of build + simulation
        double simTimeS{0};       //!< simulated seconds at the end
        uint64_t events{0};       //!< engine events processed
        uint32_t jobsFinished{0}; //!< jobs that ran all their iterations
        uint32_t jobs{0};         //!< jobs in the scenario
        std::string status;       //!< "done" (every job finished) or "incomplete"
    };

    /**
     * \param scenario a validated scenario (its level is not checked: the caller chose it)
     * \throws std::invalid_argument for a bad sharing model
     */
    explicit FlowRunner(const Scenario& scenario);

    /**
     * Run every job to its end.
     * \param db results database, or null to write nothing
     * \param progress where to print progress lines, or null
     * \return the summary
     */
    Summary Run(ResultsDb* db, std::ostream* progress);

    /// \return the engine's results of the last Run() (empty before)
    const FlowRunResult& GetResult() const;

    /**
     * \param scenario a validated scenario
     * \return the cluster's routing, as the packet level's LeafSpineHelper builds it
     */
    static std::shared_ptr<Routing> MakeRouting(const Scenario& scenario);

    /**
     * \param scenario a validated scenario
     * \return its jobs as flow jobs, in scenario order (id = index; fixedGpus without a
     *         scheduler)
     */
    static std::vector<FlowJob> MakeJobs(const Scenario& scenario);

    /**
     * \param scenario a validated scenario
     * \return the engine settings the run uses
     */
    static FlowEngineConfig MakeConfig(const Scenario& scenario);

  private:
    void AddJobRow(ResultsDb& db, int64_t runId, const FlowJobResult& r) const;

    Scenario m_scenario;
    FlowRunResult m_result;
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_FLOW_RUNNER_H
