/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "run-invariants.h"

#include <algorithm>
#include <map>
#include <sstream>

namespace ns3
{
namespace vclos
{

namespace
{
/// Appends "; " + what to \p detail for the first kMaxListed violations, counts them all.
void
Violation(std::ostringstream& detail, std::size_t& count, const std::string& what)
{
    if (count < RunInvariants::kMaxListed)
    {
        detail << (count > 0 ? "; " : "") << what;
    }
    ++count;
}

/// The result of a check: ok without violations, else the listed ones and their count.
InvariantResult
Result(const char* name,
       std::size_t violations,
       const std::ostringstream& listed,
       const std::string& okDetail)
{
    InvariantResult r;
    r.name = name;
    r.ok = violations == 0;
    if (r.ok)
    {
        r.detail = okDetail;
    }
    else
    {
        r.detail = std::to_string(violations) + " violation(s): " + listed.str();
        if (violations > RunInvariants::kMaxListed)
        {
            r.detail += "; ...";
        }
    }
    return r;
}
} // namespace

InvariantResult
RunInvariants::CheckCollectiveBytes(const std::vector<CollectiveBytes>& collectives)
{
    std::ostringstream listed;
    std::size_t n = 0;
    uint64_t total = 0;
    for (const CollectiveBytes& c : collectives)
    {
        total += c.received;
        if (c.sent != c.received)
        {
            std::ostringstream s;
            s << "job " << c.job << " collective " << c.collective << ": sent " << c.sent
              << " B, received " << c.received << " B";
            Violation(listed, n, s.str());
        }
    }
    return Result("collective_bytes",
                  n,
                  listed,
                  std::to_string(collectives.size()) + " collectives of finished jobs, " +
                      std::to_string(total) + " B sent and received");
}

InvariantResult
RunInvariants::CheckLosslessDrops(bool pfc, const std::vector<LosslessDrops>& drops)
{
    std::ostringstream listed;
    std::size_t n = 0;
    if (pfc)
    {
        for (const LosslessDrops& d : drops)
        {
            if (d.packets > 0)
            {
                Violation(listed,
                          n,
                          "switch node " + std::to_string(d.node) + " dropped " +
                              std::to_string(d.packets) + " lossless packets");
            }
        }
    }
    return Result("lossless_drops",
                  n,
                  listed,
                  pfc ? std::to_string(drops.size()) + " switches, no lossless packet dropped"
                      : "PFC off: no lossless priority");
}

InvariantResult
RunInvariants::CheckJobsAccounted(const std::vector<JobOutcome>& jobs, bool runDone)
{
    std::ostringstream listed;
    std::ostringstream unfinished;
    std::size_t n = 0;
    std::size_t finished = 0;
    for (const JobOutcome& j : jobs)
    {
        const std::string job = "job " + std::to_string(j.job);
        if (!j.rowWritten)
        {
            Violation(listed, n, job + ": no jobs row");
        }
        if (j.finished)
        {
            ++finished;
            continue;
        }
        if (j.reason.empty())
        {
            Violation(listed, n, job + ": unfinished for no known reason");
        }
        else if (runDone)
        {
            Violation(listed, n, job + ": unfinished (" + j.reason + ") in a run marked done");
        }
        else
        {
            unfinished << "; " << job << ": " << j.reason;
        }
    }
    return Result("jobs_accounted",
                  n,
                  listed,
                  std::to_string(finished) + "/" + std::to_string(jobs.size()) + " finished" +
                      unfinished.str());
}

InvariantResult
RunInvariants::CheckLinkExclusive(bool isolating, const std::vector<LinkUse>& uses, bool halfOpen)
{
    std::ostringstream listed;
    std::size_t n = 0;
    if (!isolating)
    {
        return Result("link_exclusive", 0, listed, "policy shares links: not checked");
    }
    std::map<uint32_t, std::vector<const LinkUse*>> byLink;
    for (const LinkUse& u : uses)
    {
        if (u.dataBytes > 0)
        {
            byLink[u.link].push_back(&u);
        }
    }
    for (auto& [link, v] : byLink)
    {
        std::sort(v.begin(), v.end(), [](const LinkUse* a, const LinkUse* b) {
            return a->firstS < b->firstS;
        });
        // Sorted by first packet: an overlap is a use starting before the latest end so far
        // (of another job).
        const LinkUse* latest = nullptr;
        for (const LinkUse* u : v)
        {
            const bool overlaps =
                latest && (halfOpen ? u->firstS < latest->lastS : u->firstS <= latest->lastS);
            if (overlaps && u->job != latest->job)
            {
                std::ostringstream s;
                s << "link " << link << ": job " << latest->job << " [" << latest->firstS << ", "
                  << latest->lastS << "] s and job " << u->job << " [" << u->firstS << ", "
                  << u->lastS << "] s";
                Violation(listed, n, s.str());
            }
            if (!latest || u->lastS > latest->lastS)
            {
                latest = u;
            }
        }
    }
    return Result("link_exclusive",
                  n,
                  listed,
                  std::to_string(byLink.size()) + " fabric links used, none by two jobs at once");
}

} // namespace vclos
} // namespace ns3
