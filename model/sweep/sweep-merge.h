/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_SWEEP_MERGE_H
#define VCLOS_SWEEP_MERGE_H

// Pure code: no ns-3 in this file or its .cc (it is tested without a simulator).

#include <string>
#include <utility>
#include <vector>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * The state of one run's results database.
 *
 * \param path a results database written by vclos-sim
 * \param scenarioJson if not null, the scenario text the run must have run
 * \return "done" (one run, status done: every job finished and every invariant held),
 *         "missing" (no file), "empty" (no run), "<n> runs" (more than one), "unreadable:
 *         <why>", "another scenario" (its scenario text is not \p scenarioJson), or the
 *         run's status otherwise ("running" after a crash or a kill, "incomplete",
 *         "interrupted", "failed")
 */
std::string RunDbStatus(const std::string& path, const std::string* scenarioJson = nullptr);

/**
 * \ingroup vclos
 * One run to merge.
 */
struct SweepMergeInput
{
    std::string key;          //!< run key
    std::string dbPath;       //!< its results database
    std::string scenarioJson; //!< its scenario text (the database must hold this very text)
    std::string axesJson;     //!< its varied values, a JSON object (stored in sweep_runs.axes)
};

/**
 * \ingroup vclos
 * What MergeSweepDatabases() did.
 */
struct SweepMergeReport
{
    std::vector<std::string> merged;  //!< keys merged now
    std::vector<std::string> already; //!< keys the merged database held before
    /// (key, reason) of runs not merged: not done, or holding another scenario
    std::vector<std::pair<std::string, std::string>> skipped;
};

/**
 * \ingroup vclos
 * Merge the runs of a sweep into one results database, keyed by run key (table
 * sweep_runs). Each complete run ("done", RunDbStatus()) whose key is not yet in the merged
 * database is copied with every row of every table (a new run_id) in one transaction,
 * together with its sweep_runs row: merging again, or after more runs completed, adds each
 * key's rows exactly once. Incomplete runs are reported, not merged.
 *
 * \param inputs the runs, in the order they get run ids
 * \param mergedPath the merged database (created if missing)
 * \return the report
 * \throws std::runtime_error naming the file on a database error (the run at hand is rolled
 *         back; runs merged before it stay merged)
 */
SweepMergeReport MergeSweepDatabases(const std::vector<SweepMergeInput>& inputs,
                                     const std::string& mergedPath);

} // namespace vclos
} // namespace ns3

#endif // VCLOS_SWEEP_MERGE_H
