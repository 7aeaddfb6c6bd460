/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The placement policies and the exact m x n search (pure core).

#include "ns3/cluster-occupancy.h"
#include "ns3/cluster-scheduler.h"
#include "ns3/ecmp-hash.h"
#include "ns3/ecmp-placement-policy.h"
#include "ns3/mini-clos-search.h"
#include "ns3/placement-policy.h"
#include "ns3/random-ecmp-placement-policy.h"
#include "ns3/routing.h"
#include "ns3/static-placement-policy.h"
#include "ns3/vclos-placement-policy.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <limits>
#include <map>
#include <set>

using namespace ns3::vclos;

namespace
{

constexpr uint64_t kOther = 999; //!< job id of pre-occupied resources

std::shared_ptr<const ClusterTopology>
Cluster(uint32_t leaves,
        uint32_t spines,
        uint32_t perLeaf,
        uint32_t links = 1,
        uint32_t perServer = 1)
{
    LeafSpineShape shape;
    shape.leaves = leaves;
    shape.spines = spines;
    shape.gpusPerLeaf = perLeaf;
    shape.linksPerLeafSpine = links;
    shape.gpusPerServer = perServer;
    return std::make_shared<ClusterTopology>(ClusterTopology::LeafSpine(shape));
}

/// Member of the source route of \p gpu on \p node in \p p, or NO_MEMBER.
uint32_t
RouteOf(const Placement& p, uint32_t node, uint32_t gpu)
{
    for (const SourceRoute& r : p.routes)
    {
        if (r.node == node && r.gpu == gpu)
        {
            return r.member;
        }
    }
    return ForwardingTable::NO_MEMBER;
}

/// A small deterministic random source for the tests.
class TestRng
{
  public:
    explicit TestRng(uint64_t seed)
        : m_state(seed)
    {
    }

    uint32_t Below(uint32_t n)
    {
        return static_cast<uint32_t>(Mix64(++m_state * 0x9E3779B97F4A7C15ULL) % n);
    }

  private:
    uint64_t m_state;
};

} // namespace

TEST(VclosPlacement, WholeLeavesTakesEmptyLeavesAndAllPlanes)
{
    auto topo = Cluster(4, 4, 4);
    ClusterOccupancy occ(topo);
    occ.AssignGpu(0, kOther); // leaf 0 is not empty
    VclosPlacementPolicy policy;
    auto p = policy.Place(occ, 8);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->branch, "whole-leaves");
    EXPECT_EQ(p->leaves, (std::vector<uint32_t>{1, 2}));
    EXPECT_EQ(p->gpus, (std::vector<uint32_t>{4, 5, 6, 7, 8, 9, 10, 11}));
    EXPECT_EQ(p->planes, (std::vector<uint32_t>{0, 1, 2, 3}));
    EXPECT_EQ(p->spines, (std::vector<uint32_t>{0, 1, 2, 3}));
    EXPECT_EQ(p->links.size(), 2u * 4u * 2u); // 2 leaves x 4 planes x both directions
    // local GPU i of a leaf uses plane i mod 4, on every leaf of the job; spine: link 0
    const uint32_t leaf1 = topo->GetNodeOfKind(NodeKind::LEAF, 1);
    const uint32_t leaf2 = topo->GetNodeOfKind(NodeKind::LEAF, 2);
    EXPECT_EQ(RouteOf(*p, leaf1, 6), 2u);
    EXPECT_EQ(RouteOf(*p, leaf2, 6), 2u);
    EXPECT_EQ(RouteOf(*p, leaf2, 9), 1u);
    EXPECT_EQ(RouteOf(*p, topo->GetNodeOfKind(NodeKind::SPINE, 1), 9), 0u);
    EXPECT_EQ(RouteOf(*p, topo->GetNodeOfKind(NodeKind::SPINE, 2), 9), ForwardingTable::NO_MEMBER);
    EXPECT_EQ(p->routes.size(), 8u * 3u); // 2 leaves + 1 spine per GPU
}

TEST(VclosPlacement, WholeLeafAloneNeedsNoSpine)
{
    auto topo = Cluster(2, 2, 4);
    ClusterOccupancy occ(topo);
    occ.AssignGpu(1, kOther);
    VclosPlacementPolicy policy;
    auto p = policy.Place(occ, 4);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->branch, "whole-leaves");
    EXPECT_EQ(p->leaves, (std::vector<uint32_t>{1}));
    EXPECT_TRUE(p->links.empty());
    EXPECT_TRUE(p->routes.empty());
}

TEST(VclosPlacement, OneLeafBestFit)
{
    auto topo = Cluster(4, 2, 4);
    ClusterOccupancy occ(topo);
    occ.AssignGpu(4, kOther); // leaf 1: 3 free
    occ.AssignGpu(8, kOther); // leaf 2: 2 free
    occ.AssignGpu(9, kOther);
    VclosPlacementPolicy policy;
    auto p = policy.Place(occ, 2);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->branch, "one-leaf");
    EXPECT_EQ(p->gpus, (std::vector<uint32_t>{10, 11}));
    auto q = policy.Place(occ, 3);
    ASSERT_TRUE(q);
    EXPECT_EQ(q->gpus, (std::vector<uint32_t>{5, 6, 7}));
    EXPECT_TRUE(q->links.empty());
    EXPECT_TRUE(q->spines.empty());
}

TEST(VclosPlacement, MiniClosUsesCommonFreePlanesAndFullerLeaves)
{
    auto topo = Cluster(4, 4, 4);
    ClusterOccupancy occ(topo);
    // leaves 0, 1: 2 free GPUs; leaves 2, 3: 3 free
    for (uint32_t g : {0u, 1u, 4u, 5u, 8u, 12u})
    {
        occ.AssignGpu(g, kOther);
    }
    occ.AssignCable(0, 1, kOther);
    occ.AssignCable(1, 0, kOther);
    VclosPlacementPolicy policy;
    auto p = policy.Place(occ, 4);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->branch, "mini-clos");
    EXPECT_EQ(p->gpusPerLeaf, 2u);
    EXPECT_EQ(p->leaves, (std::vector<uint32_t>{0, 1})); // best fit: the fullest leaves
    EXPECT_EQ(p->planes, (std::vector<uint32_t>{2, 3})); // the planes free on both
    EXPECT_EQ(p->gpus, (std::vector<uint32_t>{2, 3, 6, 7}));
    for (uint32_t link : p->links)
    {
        EXPECT_EQ(occ.GetLinkOwner(link), ClusterOccupancy::FREE);
    }
    const uint32_t leaf0 = topo->GetNodeOfKind(NodeKind::LEAF, 0);
    EXPECT_EQ(RouteOf(*p, leaf0, 2), 2u);
    EXPECT_EQ(RouteOf(*p, leaf0, 3), 3u);
    EXPECT_EQ(RouteOf(*p, leaf0, 6), 2u);
    EXPECT_EQ(RouteOf(*p, leaf0, 7), 3u);
}

TEST(VclosPlacement, NonPowerOfTwoPairsLeftoversOnTheirPartnersPlane)
{
    auto topo = Cluster(4, 8, 8);
    ClusterOccupancy occ(topo);
    VclosPlacementPolicy policy;
    // 12 = 8 + 4: s = 4, m = 2 leaves, n = 4 planes, each leaf 4 + 2 GPUs
    auto p = policy.Place(occ, 12);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->branch, "mini-clos");
    EXPECT_EQ(p->gpusPerLeaf, 4u);
    EXPECT_EQ(p->leaves, (std::vector<uint32_t>{0, 1}));
    EXPECT_EQ(p->planes, (std::vector<uint32_t>{0, 1, 2, 3}));
    EXPECT_EQ(p->gpus, (std::vector<uint32_t>{0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 12, 13}));
    const uint32_t leaf1 = topo->GetNodeOfKind(NodeKind::LEAF, 1);
    EXPECT_EQ(RouteOf(*p, leaf1, 4), RouteOf(*p, leaf1, 0)); // leftover 4 pairs with GPU 0
    EXPECT_EQ(RouteOf(*p, leaf1, 13), RouteOf(*p, leaf1, 9));
    EXPECT_EQ(p->links.size(), 2u * 4u * 2u);
}

TEST(VclosPlacement, WaitsWhenNoCommonPlaneButEcmpPlaces)
{
    auto topo = Cluster(2, 2, 4);
    ClusterOccupancy occ(topo);
    for (uint32_t g : {0u, 1u, 2u, 4u, 5u, 6u})
    {
        occ.AssignGpu(g, kOther);
    }
    occ.AssignCable(0, 0, kOther);
    occ.AssignCable(1, 1, kOther);
    VclosPlacementPolicy vclos;
    EXPECT_FALSE(vclos.Place(occ, 2)); // GPUs 3 and 7 are free, no plane reaches both
    EcmpPlacementPolicy ecmp;
    auto p = ecmp.Place(occ, 2);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->gpus, (std::vector<uint32_t>{3, 7}));
    EXPECT_TRUE(p->links.empty());
    EXPECT_TRUE(p->routes.empty());
    EXPECT_EQ(p->spines, (std::vector<uint32_t>{0, 1}));
    EXPECT_FALSE(vclos.Place(occ, 3)); // fewer free GPUs than asked
}

TEST(VclosPlacement, StaticRoutesFromAbsoluteGpuIds)
{
    auto topo = Cluster(4, 2, 4, 2); // 4 uplinks per leaf
    ClusterOccupancy occ(topo);
    StaticPlacementPolicy policy;
    auto p = policy.Place(occ, 8);
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->links.empty());
    const uint32_t leaf1 = topo->GetNodeOfKind(NodeKind::LEAF, 1);
    const uint32_t spine1 = topo->GetNodeOfKind(NodeKind::SPINE, 1);
    for (uint32_t g : p->gpus)
    {
        EXPECT_EQ(RouteOf(*p, leaf1, g), g % 4);
        EXPECT_EQ(RouteOf(*p, spine1, g), (g % 4) / 2);
    }
    // the same members as Routing::InstallUplinkSourceRoutes
    Routing a(topo, 1, false);
    Routing b(topo, 1, false);
    a.InstallUplinkSourceRoutes(p->gpus);
    ClusterScheduler::InstallPlacementRoutes(b, *p);
    for (uint32_t g : p->gpus)
    {
        EXPECT_EQ(a.GetTable(leaf1)->GetSourceRoute(g), b.GetTable(leaf1)->GetSourceRoute(g));
        EXPECT_EQ(a.GetTable(spine1)->GetSourceRoute(g), b.GetTable(spine1)->GetSourceRoute(g));
    }
}

TEST(VclosPlacement, RandomEcmpIsDeterministicAndUsesFreeGpus)
{
    auto topo = Cluster(4, 2, 4);
    ClusterOccupancy occ(topo);
    occ.AssignGpu(3, kOther);
    RandomEcmpPlacementPolicy a(7);
    RandomEcmpPlacementPolicy b(7);
    RandomEcmpPlacementPolicy c(8);
    auto pa = a.Place(occ, 10);
    auto pb = b.Place(occ, 10);
    auto pc = c.Place(occ, 10);
    ASSERT_TRUE(pa && pb && pc);
    EXPECT_EQ(pa->gpus, pb->gpus);
    EXPECT_NE(pa->gpus, pc->gpus);
    std::set<uint32_t> distinct(pa->gpus.begin(), pa->gpus.end());
    EXPECT_EQ(distinct.size(), 10u);
    EXPECT_EQ(distinct.count(3), 0u);
    EXPECT_FALSE(a.Place(occ, 16));
}

TEST(VclosPlacement, FactoryNamesAndBadName)
{
    for (const char* name : {"vclos", "ecmp", "static", "random-ecmp"})
    {
        EXPECT_EQ(MakePlacementPolicy(name)->GetName(), name);
    }
    EXPECT_TRUE(MakePlacementPolicy("vclos")->IsIsolating());
    EXPECT_FALSE(MakePlacementPolicy("ecmp")->IsIsolating());
    try
    {
        MakePlacementPolicy("ilp");
        FAIL() << "no exception";
    }
    catch (const std::invalid_argument& e)
    {
        EXPECT_NE(std::string(e.what()).find("'ilp'"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("random-ecmp"), std::string::npos);
    }
}

TEST(MiniClosSearch, NodeCapIsCountedAndStops)
{
    auto topo = Cluster(6, 6, 4);
    ClusterOccupancy occ(topo);
    for (uint32_t leaf = 0; leaf < 6; ++leaf)
    {
        occ.AssignCable(leaf, leaf, kOther); // every leaf misses a different plane
    }
    MiniClosSearchCaps caps;
    caps.maxNodes = 3;
    MiniClosResult r = MiniClosSearch::Find(occ, {6, 1, 1, true}, caps);
    EXPECT_TRUE(r.stats.capHit);
    MiniClosResult full = MiniClosSearch::Find(occ, {6, 1, 1, true}, {});
    EXPECT_FALSE(full.stats.capHit);
    EXPECT_FALSE(full.found); // 6 leaves share no plane
    MiniClosResult five = MiniClosSearch::Find(occ, {5, 1, 1, true}, {});
    ASSERT_TRUE(five.found); // any 5 leaves share the plane of the sixth
    EXPECT_EQ(five.planes.size(), 1u);
}

// THE cross-check: the exact search against brute force over all leaf subsets x plane
// subsets, on 1,000 random small clusters with random GPU and cable occupancy.
TEST(MiniClosSearch, MatchesBruteForceOnRandomClusters)
{
    TestRng rng(20261202);
    uint32_t feasible = 0;
    for (uint32_t trial = 0; trial < 1000; ++trial)
    {
        const uint32_t leaves = 1 + rng.Below(6);
        const uint32_t spines = 1 + rng.Below(6);
        const uint32_t links = spines <= 3 && rng.Below(2) == 0 ? 2 : 1;
        const uint32_t perLeaf = 1 + rng.Below(8);
        auto topo = Cluster(leaves, spines, perLeaf, links);
        ClusterOccupancy occ(topo);
        const uint32_t gpuBusy = rng.Below(100);
        const uint32_t cableBusy = rng.Below(60);
        for (uint32_t g = 0; g < topo->GetNGpus(); ++g)
        {
            if (rng.Below(100) < gpuBusy)
            {
                occ.AssignGpu(g, kOther);
            }
        }
        const uint32_t planes = occ.GetNPlanes();
        for (uint32_t l = 0; l < leaves; ++l)
        {
            for (uint32_t p = 0; p < planes; ++p)
            {
                if (rng.Below(100) < cableBusy)
                {
                    occ.AssignCable(l, p, kOther);
                }
            }
        }
        MiniClosRequest req;
        req.m = 1 + rng.Below(leaves);
        req.n = 1 + rng.Below(planes);
        req.demand = 1 + rng.Below(perLeaf);
        req.respectLinks = rng.Below(8) != 0;

        // brute force: every leaf subset x every plane subset
        uint64_t bestCost = std::numeric_limits<uint64_t>::max();
        for (uint32_t lm = 0; lm < (1u << leaves); ++lm)
        {
            if (static_cast<uint32_t>(__builtin_popcount(lm)) != req.m)
            {
                continue;
            }
            uint64_t cost = 0;
            bool ok = true;
            for (uint32_t l = 0; l < leaves; ++l)
            {
                if (lm >> l & 1)
                {
                    ok = ok && occ.GetLeafFreeGpus(l) >= req.demand;
                    cost += occ.GetLeafFreeGpus(l);
                }
            }
            bool planesOk = false;
            for (uint32_t pm = 0; ok && !planesOk && pm < (1u << planes); ++pm)
            {
                if (static_cast<uint32_t>(__builtin_popcount(pm)) != req.n)
                {
                    continue;
                }
                bool all = true;
                for (uint32_t l = 0; l < leaves && all; ++l)
                {
                    for (uint32_t p = 0; p < planes && all; ++p)
                    {
                        if ((lm >> l & 1) && (pm >> p & 1) && req.respectLinks)
                        {
                            all = occ.GetCableOwner(l, p) == ClusterOccupancy::FREE;
                        }
                    }
                }
                planesOk = all;
            }
            if (ok && planesOk)
            {
                bestCost = std::min(bestCost, cost);
            }
        }
        const bool bruteFound = bestCost != std::numeric_limits<uint64_t>::max();

        MiniClosResult r = MiniClosSearch::Find(occ, req, {});
        SCOPED_TRACE("trial " + std::to_string(trial));
        ASSERT_FALSE(r.stats.capHit);
        ASSERT_EQ(r.found, bruteFound);
        if (!r.found)
        {
            continue;
        }
        ++feasible;
        EXPECT_EQ(r.cost, bestCost); // best fit is exact
        ASSERT_EQ(r.leaves.size(), req.m);
        ASSERT_EQ(r.planes.size(), req.n);
        EXPECT_TRUE(std::is_sorted(r.leaves.begin(), r.leaves.end()));
        EXPECT_EQ(std::adjacent_find(r.leaves.begin(), r.leaves.end()), r.leaves.end());
        EXPECT_EQ(std::adjacent_find(r.planes.begin(), r.planes.end()), r.planes.end());
        uint64_t cost = 0;
        for (uint32_t l : r.leaves)
        {
            EXPECT_GE(occ.GetLeafFreeGpus(l), req.demand);
            cost += occ.GetLeafFreeGpus(l);
            for (uint32_t p : r.planes)
            {
                ASSERT_LT(p, planes);
                if (req.respectLinks)
                {
                    EXPECT_EQ(occ.GetCableOwner(l, p), ClusterOccupancy::FREE);
                }
            }
        }
        EXPECT_EQ(cost, r.cost);
    }
    // both outcomes are exercised
    EXPECT_GT(feasible, 100u);
    EXPECT_LT(feasible, 900u);
}

// Pure isolation: with every running vclos job's routes installed on one Routing, every
// data and ACK path between two GPUs of a job uses only fabric links that job reserved.
TEST(VclosPlacement, PathsOfAJobUseOnlyItsLinks)
{
    struct Case
    {
        uint32_t leaves, spines, perLeaf, links, perServer;
    };

    for (const Case& c :
         {Case{4, 4, 4, 1, 1}, Case{4, 2, 4, 2, 1}, Case{6, 4, 4, 1, 2}, Case{3, 8, 8, 1, 4}})
    {
        auto topo = Cluster(c.leaves, c.spines, c.perLeaf, c.links, c.perServer);
        ClusterOccupancy occ(topo);
        VclosPlacementPolicy policy;
        Routing routing(topo, 5, false);
        std::map<uint64_t, Placement> running;
        TestRng rng(c.leaves * 100 + c.spines);
        uint32_t crossLeafJobs = 0;
        for (uint64_t job = 1; job <= 80; ++job)
        {
            if (!running.empty() && rng.Below(2) == 0)
            {
                auto it = std::next(running.begin(), rng.Below(running.size()));
                ClusterScheduler::RemovePlacementRoutes(routing, it->second);
                occ.Release(it->first);
                running.erase(it);
            }
            const uint32_t g = 2 + rng.Below(c.perLeaf * 2);
            auto p = policy.Place(occ, g);
            if (!p)
            {
                continue;
            }
            occ.Reserve(job, *p);
            ClusterScheduler::InstallPlacementRoutes(routing, *p);
            running.emplace(job, *p);
            crossLeafJobs += p->leaves.size() > 1 ? 1 : 0;
            for (const auto& [id, pl] : running)
            {
                std::set<uint32_t> nodes;
                for (uint32_t gpu : pl.gpus)
                {
                    nodes.insert(topo->GetGpuNode(gpu));
                }
                for (uint32_t a : pl.gpus)
                {
                    for (uint32_t b : pl.gpus)
                    {
                        for (uint16_t port : {uint16_t{49152}, uint16_t{50001}, uint16_t{61234}})
                        {
                            if (a == b)
                            {
                                continue;
                            }
                            for (bool ack : {false, true})
                            {
                                auto path = ack ? routing.ReversePath(a, b, port)
                                                : routing.Path(a, b, port);
                                ASSERT_FALSE(path.empty());
                                for (uint32_t link : path)
                                {
                                    const TopoLink& l = topo->GetLink(link);
                                    if (l.kind == LinkKind::FABRIC)
                                    {
                                        ASSERT_EQ(occ.GetLinkOwner(link), id)
                                            << "job " << id << " " << a << "->" << b
                                            << (ack ? " ack" : " data") << " link " << link;
                                    }
                                    else if (l.kind == LinkKind::HOST)
                                    {
                                        ASSERT_TRUE(nodes.count(l.src) || nodes.count(l.dst));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        EXPECT_GT(crossLeafJobs, 5u) << crossLeafJobs;
    }
}

TEST(ClusterOccupancy, ReserveIsAllOrNothingAndReleaseFreesBothDirections)
{
    auto topo = Cluster(2, 2, 4);
    ClusterOccupancy occ(topo);
    EXPECT_EQ(occ.GetNPlanes(), 2u);
    occ.AssignGpu(5, kOther);
    Placement p;
    p.gpus = {0, 1};
    p.links = {occ.GetUpLink(0, 1), occ.GetDownLink(0, 1)};
    Placement clash = p;
    clash.gpus.push_back(5);
    EXPECT_THROW(occ.Reserve(1, clash), std::logic_error);
    EXPECT_EQ(occ.GetGpuOwner(0), ClusterOccupancy::FREE); // nothing taken
    EXPECT_EQ(occ.GetCableOwner(0, 1), ClusterOccupancy::FREE);
    Placement twice = p;
    twice.gpus.push_back(0);
    EXPECT_THROW(occ.Reserve(1, twice), std::logic_error);
    EXPECT_EQ(occ.GetNBusyGpus(), 1u);
    occ.Reserve(1, p);
    EXPECT_EQ(occ.GetLinkOwner(p.links[0]), 1u);
    EXPECT_EQ(occ.GetLinkOwner(p.links[1]), 1u);
    EXPECT_EQ(occ.GetFreePlaneBits(0)[0], 1u); // plane 1 taken
    EXPECT_EQ(occ.GetLeafFreeGpus(0), 2u);
    EXPECT_THROW(occ.Reserve(1, p), std::logic_error);
    Placement other;
    other.links = {occ.GetDownLink(0, 1)};
    EXPECT_THROW(occ.Reserve(2, other), std::logic_error);
    Placement hostLink;
    hostLink.links = {0};
    EXPECT_THROW(occ.Reserve(2, hostLink), std::logic_error);
    EXPECT_EQ(occ.Release(1), 2u);
    EXPECT_FALSE(occ.HasJob(1));
    EXPECT_EQ(occ.GetLinkOwner(p.links[1]), ClusterOccupancy::FREE);
    EXPECT_EQ(occ.GetFreePlaneBits(0)[0], 3u);
    EXPECT_EQ(occ.GetNBusyGpus(), 1u);

    auto hand = std::make_shared<ClusterTopology>();
    hand->AddNode(NodeKind::GPU, "gpu0");
    EXPECT_THROW(ClusterOccupancy{hand}, std::invalid_argument);
}

// Every placement of every policy on random small clusters is valid and can be reserved.
TEST(VclosPlacement, PlacementsAreValidOnRandomClusters)
{
    TestRng rng(77);
    uint32_t placed = 0;
    for (uint32_t trial = 0; trial < 500; ++trial)
    {
        const uint32_t leaves = 1 + rng.Below(6);
        const uint32_t spines = 1 + rng.Below(6);
        const uint32_t perLeaf = 1 + rng.Below(8);
        auto topo = Cluster(leaves, spines, perLeaf);
        for (const char* name : {"vclos", "ecmp", "static", "random-ecmp"})
        {
            ClusterOccupancy occ(topo);
            const uint32_t busy = rng.Below(80);
            for (uint32_t g = 0; g < topo->GetNGpus(); ++g)
            {
                if (rng.Below(100) < busy)
                {
                    occ.AssignGpu(g, kOther);
                }
            }
            for (uint32_t l = 0; l < leaves; ++l)
            {
                for (uint32_t p = 0; p < occ.GetNPlanes(); ++p)
                {
                    if (rng.Below(100) < busy / 2)
                    {
                        occ.AssignCable(l, p, kOther);
                    }
                }
            }
            auto policy = MakePlacementPolicy(name, trial);
            const uint32_t g = 1 + rng.Below(topo->GetNGpus());
            auto p = policy->Place(occ, g);
            if (!p)
            {
                continue;
            }
            ++placed;
            SCOPED_TRACE(std::string(name) + " trial " + std::to_string(trial));
            ASSERT_EQ(p->gpus.size(), g);
            std::set<uint32_t> leafSet;
            for (uint32_t gpu : p->gpus)
            {
                ASSERT_EQ(occ.GetGpuOwner(gpu), ClusterOccupancy::FREE);
                leafSet.insert(topo->GetLeafOf(gpu));
            }
            EXPECT_EQ(std::vector<uint32_t>(leafSet.begin(), leafSet.end()), p->leaves);
            if (policy->IsIsolating())
            {
                EXPECT_EQ(p->links.size(), 2 * p->leaves.size() * p->planes.size());
                EXPECT_EQ(p->planes.empty(), p->leaves.size() == 1);
                const size_t perGpu = p->leaves.size() > 1 ? p->leaves.size() + 1 : 0;
                EXPECT_EQ(p->routes.size(), perGpu * g);
            }
            else
            {
                EXPECT_TRUE(p->links.empty());
            }
            occ.Reserve(1, *p); // throws on any owned GPU or link
        }
    }
    EXPECT_GT(placed, 500u);
}
