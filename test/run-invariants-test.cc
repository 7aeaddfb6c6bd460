/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The end-of-run invariants on fabricated data: each holds on consistent data and fails,
// naming the culprit, on data that breaks it.

#include "ns3/run-invariants.h"

#include <gtest/gtest.h>

using namespace ns3::vclos;

TEST(RunInvariants, CollectiveBytesMatchOrNameTheCollective)
{
    std::vector<CollectiveBytes> c = {{0, 0, 1000, 1000}, {1, 2, 64, 64}};
    InvariantResult r = RunInvariants::CheckCollectiveBytes(c);
    EXPECT_EQ(r.name, "collective_bytes");
    EXPECT_TRUE(r.ok) << r.detail;
    EXPECT_EQ(r.detail, "2 collectives of finished jobs, 1064 B sent and received");
    c[1].received = 63; // one byte lost
    r = RunInvariants::CheckCollectiveBytes(c);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.detail, "1 violation(s): job 1 collective 2: sent 64 B, received 63 B");
}

TEST(RunInvariants, LosslessDropsCountOnlyWithPfc)
{
    const std::vector<LosslessDrops> none = {{8, 0}, {9, 0}};
    EXPECT_TRUE(RunInvariants::CheckLosslessDrops(true, none).ok);
    const std::vector<LosslessDrops> some = {{8, 0}, {9, 3}};
    const InvariantResult r = RunInvariants::CheckLosslessDrops(true, some);
    EXPECT_EQ(r.name, "lossless_drops");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.detail, "1 violation(s): switch node 9 dropped 3 lossless packets");
    // Without PFC no priority is lossless: drops are congestion losses.
    EXPECT_TRUE(RunInvariants::CheckLosslessDrops(false, some).ok);
}

TEST(RunInvariants, EveryJobFinishedOrUnfinishedForAReason)
{
    std::vector<JobOutcome> jobs = {{0, true, true, ""}, {1, false, true, "queued"}};
    InvariantResult r = RunInvariants::CheckJobsAccounted(jobs, false);
    EXPECT_EQ(r.name, "jobs_accounted");
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.detail, "1/2 finished; job 1: queued");
    // An unfinished job in a run marked done.
    r = RunInvariants::CheckJobsAccounted(jobs, true);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.detail, "1 violation(s): job 1: unfinished (queued) in a run marked done");
    // No reason, no row.
    jobs[1].reason.clear();
    jobs[0].rowWritten = false;
    r = RunInvariants::CheckJobsAccounted(jobs, false);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.detail,
              "2 violation(s): job 0: no jobs row; job 1: unfinished for no known reason");
}

TEST(RunInvariants, LinkExclusiveFindsOverlapsOfTwoJobsOnALink)
{
    // Link 4: job 0 then job 1 (after a gap), link 5:
    // job 2 twice (same job), link 6: job 3 with no data bytes overlapping job 4.
    std::vector<LinkUse> uses = {{4, 0, 100, 0.0, 1.0},
                                 {4, 1, 100, 1.5, 2.0},
                                 {5, 2, 100, 0.0, 3.0},
                                 {5, 2, 100, 1.0, 2.0},
                                 {6, 3, 0, 0.0, 5.0},
                                 {6, 4, 100, 1.0, 2.0}};
    InvariantResult r = RunInvariants::CheckLinkExclusive(true, uses);
    EXPECT_EQ(r.name, "link_exclusive");
    EXPECT_TRUE(r.ok) << r.detail;
    EXPECT_EQ(r.detail, "3 fabric links used, none by two jobs at once");
    // Job 5 on link 4 inside job 0's interval [0, 1]; job 6 starts as job 1 ends.
    uses.push_back({4, 5, 10, 0.25, 0.5});
    uses.push_back({4, 6, 10, 2.0, 2.5});
    r = RunInvariants::CheckLinkExclusive(true, uses);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.detail,
              "2 violation(s): link 4: job 0 [0, 1] s and job 5 [0.25, 0.5] s; link 4: job 1 "
              "[1.5, 2] s and job 6 [2, 2.5] s");
    // Half-open uses (flow level without release delay): job 6 may start as job 1 ends, job 5
    // still overlaps.
    r = RunInvariants::CheckLinkExclusive(true, uses, true);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.detail, "1 violation(s): link 4: job 0 [0, 1] s and job 5 [0.25, 0.5] s");
    uses.pop_back();
    uses.pop_back();
    uses.push_back({4, 6, 10, 2.0, 2.5});
    EXPECT_TRUE(RunInvariants::CheckLinkExclusive(true, uses, true).ok);
    // A policy that shares links is not checked.
    EXPECT_TRUE(RunInvariants::CheckLinkExclusive(false, uses).ok);
}

TEST(RunInvariants, ADetailListsAtMostFiveViolations)
{
    std::vector<CollectiveBytes> c;
    for (uint32_t j = 0; j < 7; ++j)
    {
        c.push_back({j, 0, 2, 1});
    }
    const InvariantResult r = RunInvariants::CheckCollectiveBytes(c);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.detail.rfind("7 violation(s): job 0 ", 0), 0u) << r.detail;
    EXPECT_NE(r.detail.find("job 4 "), std::string::npos);
    EXPECT_EQ(r.detail.find("job 5 "), std::string::npos);
    EXPECT_EQ(r.detail.substr(r.detail.size() - 5), "; ...");
}
