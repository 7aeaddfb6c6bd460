/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_RUN_SUMMARY_H
#define VCLOS_RUN_SUMMARY_H

// Pure code: no ns-3 in this file.

#include "run-invariants.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * What a run produced, at either level (FlowRunner::Summary and ScenarioRunner::Summary):
 * the figures of its row in table "runs" and its end-of-run checks.
 */
struct RunSummary
{
    int64_t runId{-1};        //!< run id in the database (-1 without one)
    double wallTimeS{0};      //!< wall-clock seconds of build + simulation
    double simTimeS{0};       //!< simulated seconds at the end
    uint64_t events{0};       //!< events processed (simulator or flow engine)
    uint32_t jobsFinished{0}; //!< jobs that ran all their iterations
    uint32_t jobs{0};         //!< jobs in the scenario
    uint32_t jobsQueued{0};   //!< with a scheduler: jobs still waiting at the end
    uint32_t jobsRunning{0};  //!< with a scheduler: jobs placed and not released at the end
    /// packet level: packets the LinkJobCounter gave to no job (0 at flow level)
    uint64_t unattributedPackets{0};
    /// "done" (every job finished), "incomplete" (stop time reached), "interrupted" (a
    /// signal) or "failed" (an invariant was violated)
    std::string status;
    int interruptSignal{0};                  //!< the signal that interrupted the run (0: none)
    std::vector<InvariantResult> invariants; //!< the end-of-run checks (table invariants)
    bool invariantsOk{true};                 //!< every invariant held
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_RUN_SUMMARY_H
