/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// ClusterScheduler: queue discipline, counters, callbacks, invariants over random runs.

#include "ns3/cluster-scheduler.h"
#include "ns3/ecmp-hash.h"
#include "ns3/placement-policy.h"
#include "ns3/routing.h"

#include <gtest/gtest.h>
#include <map>
#include <set>
#include <vector>

using namespace ns3::vclos;

namespace
{

std::shared_ptr<const ClusterTopology>
Cluster(uint32_t leaves, uint32_t spines, uint32_t perLeaf)
{
    LeafSpineShape shape;
    shape.leaves = leaves;
    shape.spines = spines;
    shape.gpusPerLeaf = perLeaf;
    return std::make_shared<ClusterTopology>(ClusterTopology::LeafSpine(shape));
}

} // namespace

TEST(ClusterScheduler, FifoHeadOfLineBlocking)
{
    ClusterScheduler sched(Cluster(2, 2, 4), MakePlacementPolicy("vclos"));
    std::vector<uint64_t> placed;
    sched.SetPlaceCallback([&](uint64_t job, const Placement&) { placed.push_back(job); });
    sched.Submit({1, 6, 0.0}, 0.0);
    sched.Submit({2, 4, 1.0}, 1.0); // 2 GPUs free: waits
    sched.Submit({3, 1, 2.0}, 2.0); // would fit, but the head waits
    EXPECT_EQ(placed, (std::vector<uint64_t>{1}));
    EXPECT_EQ(sched.GetQueueLength(), 2u);
    EXPECT_EQ(sched.GetNBusyGpus(), 6u);
    EXPECT_EQ(sched.GetNWaits(), 2u);
    sched.Release(1, 3.0);
    EXPECT_EQ(placed, (std::vector<uint64_t>{1, 2, 3}));
    EXPECT_EQ(sched.GetQueueLength(), 0u);
    EXPECT_EQ(sched.GetNBusyGpus(), 5u);
    EXPECT_EQ(sched.GetNPlacements(), 3u);
}

TEST(ClusterScheduler, BackfillPlacesLaterJobsThatFit)
{
    SchedulerOptions opt;
    opt.backfill = true;
    ClusterScheduler sched(Cluster(2, 2, 4), MakePlacementPolicy("vclos"), opt);
    std::vector<uint64_t> placed;
    sched.SetPlaceCallback([&](uint64_t job, const Placement&) { placed.push_back(job); });
    sched.Submit({1, 6, 0.0}, 0.0);
    sched.Submit({2, 4, 1.0}, 1.0);
    sched.Submit({3, 1, 2.0}, 2.0);
    EXPECT_EQ(placed, (std::vector<uint64_t>{1, 3}));
    EXPECT_EQ(sched.GetQueueLength(), 1u);
    EXPECT_EQ(sched.GetNWaits(), 1u);
}

TEST(ClusterScheduler, BadInputIsRejectedWithAReason)
{
    ClusterScheduler sched(Cluster(2, 2, 4), MakePlacementPolicy("ecmp"));
    EXPECT_THROW(sched.Submit({1, 0, 0.0}, 0.0), std::invalid_argument);
    try
    {
        sched.Submit({1, 9, 0.0}, 0.0);
        FAIL() << "no exception";
    }
    catch (const std::invalid_argument& e)
    {
        EXPECT_NE(std::string(e.what()).find("expected 1 to 8"), std::string::npos);
    }
    sched.Submit({1, 8, 0.0}, 0.0);
    EXPECT_THROW(sched.Submit({1, 1, 0.0}, 0.0), std::invalid_argument); // running
    sched.Submit({2, 1, 0.0}, 0.0);
    EXPECT_THROW(sched.Submit({2, 1, 0.0}, 0.0), std::invalid_argument); // queued
    EXPECT_THROW(sched.Release(2, 1.0), std::invalid_argument);          // not running
    EXPECT_THROW(sched.Release(7, 1.0), std::invalid_argument);
    EXPECT_THROW(ClusterScheduler(Cluster(2, 2, 4), nullptr), std::invalid_argument);
}

TEST(ClusterScheduler, CallbackMayReleaseAndRoutesAreInstalledAndRemoved)
{
    auto topo = Cluster(4, 4, 4);
    ClusterScheduler sched(topo, MakePlacementPolicy("vclos"));
    Routing routing(topo, 1, false);
    std::map<uint64_t, Placement> seen;
    sched.SetPlaceCallback([&](uint64_t job, const Placement& p) {
        seen[job] = p;
        ClusterScheduler::InstallPlacementRoutes(routing, p);
        if (job == 2)
        {
            sched.Release(2, 0.0); // a zero-length job, released from inside the callback
        }
    });
    sched.Submit({1, 8, 0.0}, 0.0);
    sched.Submit({2, 8, 0.0}, 0.0);
    sched.Submit({3, 8, 0.0}, 0.0); // fits only because job 2 left
    EXPECT_EQ(sched.GetNPlacements(), 3u);
    EXPECT_EQ(sched.GetRunning().size(), 2u);
    const Placement& p1 = seen.at(1);
    ASSERT_FALSE(p1.routes.empty());
    for (const SourceRoute& r : p1.routes)
    {
        EXPECT_EQ(routing.GetTable(r.node)->GetSourceRoute(r.gpu), r.member);
    }
    ClusterScheduler::RemovePlacementRoutes(routing, p1);
    for (const SourceRoute& r : p1.routes)
    {
        EXPECT_EQ(routing.GetTable(r.node)->GetSourceRoute(r.gpu), ForwardingTable::NO_MEMBER);
    }
}

// Invariants over random submit/release sequences, for every policy and both disciplines.
TEST(ClusterScheduler, InvariantsOverRandomRuns)
{
    for (const char* name : {"vclos", "ecmp", "static", "random-ecmp"})
    {
        for (bool backfill : {false, true})
        {
            SCOPED_TRACE(std::string(name) + (backfill ? " backfill" : " fifo"));
            auto topo = Cluster(6, 4, 4);
            SchedulerOptions opt;
            opt.backfill = backfill;
            ClusterScheduler sched(topo, MakePlacementPolicy(name, 3), opt);
            std::set<uint32_t> releasedLinks;
            uint64_t reusedLinks = 0;
            std::set<uint64_t> placedJobs;
            sched.SetPlaceCallback([&](uint64_t job, const Placement& p) {
                EXPECT_TRUE(placedJobs.insert(job).second) << "placed twice";
                EXPECT_EQ(p.policy, name);
                for (uint32_t link : p.links)
                {
                    reusedLinks += releasedLinks.count(link);
                }
            });
            uint64_t seed = 11;
            auto below = [&](uint32_t n) { return static_cast<uint32_t>(Mix64(++seed) % n); };
            const uint64_t jobs = 300;
            uint64_t next = 1;
            double now = 0;
            while (next <= jobs || !sched.GetRunning().empty())
            {
                now += 1.0;
                const bool submit = next <= jobs && (sched.GetRunning().empty() || below(2) == 0);
                if (submit)
                {
                    const uint32_t sizes[] = {1, 2, 3, 4, 6, 8, 12, 16};
                    sched.Submit({next, sizes[below(8)], now}, now);
                    ++next;
                }
                else
                {
                    const auto& running = sched.GetRunning();
                    auto it = std::next(running.begin(), below(running.size()));
                    for (uint32_t link : it->second.links)
                    {
                        releasedLinks.insert(link);
                    }
                    sched.Release(it->first, now);
                }
                // no GPU to two jobs, no link to two isolated jobs, books agree
                std::map<uint32_t, uint64_t> gpuOwner;
                std::map<uint32_t, uint64_t> linkOwner;
                uint32_t busy = 0;
                for (const auto& [job, p] : sched.GetRunning())
                {
                    busy += p.gpus.size();
                    for (uint32_t g : p.gpus)
                    {
                        ASSERT_TRUE(gpuOwner.emplace(g, job).second) << "GPU " << g;
                        ASSERT_EQ(sched.GetOccupancy().GetGpuOwner(g), job);
                    }
                    for (uint32_t l : p.links)
                    {
                        linkOwner.emplace(l, job);
                        ASSERT_EQ(sched.GetOccupancy().GetLinkOwner(l), job);
                    }
                }
                ASSERT_EQ(busy, sched.GetNBusyGpus());
                // the head waits only if the cluster is not empty (everything fits it alone)
                if (sched.GetQueueLength() > 0)
                {
                    ASSERT_FALSE(sched.GetRunning().empty());
                }
            }
            // every job was placed once the cluster emptied
            EXPECT_EQ(placedJobs.size(), jobs);
            EXPECT_EQ(sched.GetNPlacements(), jobs);
            EXPECT_EQ(sched.GetQueueLength(), 0u);
            EXPECT_EQ(sched.GetNBusyGpus(), 0u);
            EXPECT_GT(sched.GetNWaits(), 0u);
            if (sched.GetPolicy().IsIsolating())
            {
                EXPECT_GT(reusedLinks, 0u); // released links are given to later jobs
            }
            else
            {
                EXPECT_EQ(reusedLinks, 0u);
            }
        }
    }
}
