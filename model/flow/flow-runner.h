/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_FLOW_RUNNER_H
#define VCLOS_FLOW_RUNNER_H

// Pure code: no ns-3 in this file or its .cc.

#include "ns3/flow-engine.h"
#include "ns3/results-db.h"
#include "ns3/run-summary.h"
#include "ns3/scenario.h"

#include <cstdint>
#include <functional>
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
    using Summary = RunSummary;

    /**
     * \param scenario a validated scenario (its level is not checked: the caller chose it)
     * \throws std::invalid_argument for a bad sharing model
     */
    explicit FlowRunner(const Scenario& scenario);

    /**
     * Run every job to its end, or until \p interrupt returns a signal number. Then check
     * the end-of-run invariants that apply at flow level (RunInvariants): jobs_accounted
     * (every job finished, or its row says why not), link_exclusive (under vclos, no fabric
     * link carries two jobs' phases at overlapping times: from a job's first phase on the
     * link to its finish) and collective_bytes (every finished job's phases delivered the
     * bytes they started, one entry per job); write them to table invariants and mark a
     * violated run "failed".
     * \param db results database, or null to write nothing
     * \param progress where to print progress lines (simulated time, jobs done, running and
     *        queued, wall time, ETA; at most one every kProgressWallS s of wall time), or null
     * \param interrupt polled between events (every kStopPollEvents); a non-zero value is
     *        the signal that interrupts the run (status "interrupted"); empty: never
     * \return the summary
     */
    Summary Run(ResultsDb* db, std::ostream* progress, const std::function<int()>& interrupt = {});

    /**
     * Test hook: fabricate a violation of one invariant ("collective_bytes",
     * "jobs_accounted" or "link_exclusive"; "" none), as the packet level's
     * VclosInvariantFault.
     * \param name the invariant
     * \throws std::invalid_argument for another name
     */
    void SetInvariantFault(const std::string& name);

    /// Least wall-clock seconds between two progress lines (the last always prints).
    static constexpr double kProgressWallS = 5.0;

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
    /// OCS fabric: write tables ocs_reconfigurations (each job's circuits added at its
    /// placement, start - readySeconds, lit at its start; removed at its release) and
    /// ocs_switches (per OCS: map changes, circuits changed, dark time = circuits added x
    /// delay; no light is lost at flow level), as the packet level counts them.
    void AddOcsRows(ResultsDb& db, int64_t runId) const;
    /// The invariants of the finished run.
    std::vector<InvariantResult> CheckInvariants(bool runDone, bool interrupted) const;

    Scenario m_scenario;
    std::string m_fault;             //!< SetInvariantFault()
    std::vector<LinkUse> m_linkUses; //!< per (fabric link, job): first phase .. finish
    std::vector<bool> m_rowWritten;  //!< per job: its jobs row is in the results
    FlowRunResult m_result;
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_FLOW_RUNNER_H
