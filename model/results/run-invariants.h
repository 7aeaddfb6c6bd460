/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_RUN_INVARIANTS_H
#define VCLOS_RUN_INVARIANTS_H

#include <cstdint>
#include <string>
#include <vector>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * One invariant checked at the end of a run (a row of table "invariants").
 */
struct InvariantResult
{
    std::string name; //!< "collective_bytes", "lossless_drops", "jobs_accounted", "link_exclusive"
    bool ok{true};    //!< the invariant held
    std::string detail; //!< what was checked, or the first violations
};

/// Bytes of one collective of a finished job.
struct CollectiveBytes
{
    uint32_t job{0};        //!< scenario job index
    uint32_t collective{0}; //!< the collective's index in the job
    uint64_t sent{0};       //!< bytes posted by its senders
    uint64_t received{0};   //!< bytes its receivers got (whole messages)
};

/// Packets a switch dropped on its lossless priorities.
struct LosslessDrops
{
    uint32_t node{0};    //!< the switch's topology node
    uint64_t packets{0}; //!< lossless-priority packets dropped
};

/// How a job ended.
struct JobOutcome
{
    uint32_t job{0};        //!< scenario job index
    bool finished{false};   //!< ran all its iterations
    bool rowWritten{false}; //!< its jobs row is in the results
    std::string reason;     //!< why it did not finish ("" if finished or unknown)
};

/// The data a job sent on one fabric link (a link_job_bytes row).
struct LinkUse
{
    uint32_t link{0};      //!< link id
    uint32_t job{0};       //!< scenario job index
    uint64_t dataBytes{0}; //!< data bytes
    double firstS{0};      //!< first packet, seconds
    double lastS{0};       //!< last packet, seconds
};

/**
 * Checks of the end of a run. Each returns one InvariantResult whose detail names the
 * first violations (at most kMaxListed) or, when it holds, what was checked.
 */
class RunInvariants
{
  public:
    /// Violations named in a detail at most.
    static constexpr std::size_t kMaxListed = 5;

    /**
     * Every collective of a finished job received exactly the bytes its senders posted.
     * \param collectives the collectives of the finished jobs
     * \return "collective_bytes"
     */
    static InvariantResult CheckCollectiveBytes(const std::vector<CollectiveBytes>& collectives);
    /**
     * With PFC on, no switch dropped a packet of a lossless priority.
     * \param pfc PFC enabled (without it the invariant holds trivially)
     * \param drops per switch
     * \return "lossless_drops"
     */
    static InvariantResult CheckLosslessDrops(bool pfc, const std::vector<LosslessDrops>& drops);
    /**
     * Every job finished or is reported unfinished with a reason; every job has its row.
     * \param jobs one per scenario job
     * \param runDone the run's status is "done" (then every job must have finished)
     * \return "jobs_accounted"
     */
    static InvariantResult CheckJobsAccounted(const std::vector<JobOutcome>& jobs, bool runDone);
    /**
     * Under a link-reserving policy no fabric link carried the data of two jobs at
     * overlapping times ([firstS, lastS] intervals of different jobs intersect).
     * \param isolating the policy reserves links (else the invariant holds trivially)
     * \param uses the jobs' data on the fabric links
     * \param halfOpen uses are [firstS, lastS): one may start when another ends (the flow
     *        level without a release delay, where a job's links are released at its last
     *        byte and the next job starts on them at that instant); packets: closed
     * \return "link_exclusive"
     */
    static InvariantResult CheckLinkExclusive(bool isolating,
                                              const std::vector<LinkUse>& uses,
                                              bool halfOpen = false);
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_RUN_INVARIANTS_H
