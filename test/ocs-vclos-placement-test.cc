/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The leaf-OCS-spine fabric and the ocs-vclos placement policy (pure core).

#include "ns3/cluster-scheduler.h"
#include "ns3/forwarding-table.h"
#include "ns3/ocs-fabric.h"
#include "ns3/ocs-vclos-placement-policy.h"
#include "ns3/vclos-placement-policy.h"

#include <functional>
#include <gtest/gtest.h>
#include <random>
#include <set>

using namespace ns3::vclos;

namespace
{

/// The logical cluster ocs-vclos places on: one plane per leaf uplink (= OCS).
std::shared_ptr<const ClusterTopology>
Logical(const OcsFabricShape& f)
{
    LeafSpineShape s;
    s.leaves = f.leaves;
    s.spines = f.uplinksPerLeaf;
    s.gpusPerLeaf = f.gpusPerLeaf;
    return std::make_shared<ClusterTopology>(ClusterTopology::LeafSpine(s));
}

OcsFabricShape
Small(uint32_t leaves, uint32_t gpus, uint32_t uplinks, uint32_t spines, uint32_t k)
{
    OcsFabricShape s;
    s.leaves = leaves;
    s.gpusPerLeaf = gpus;
    s.uplinksPerLeaf = uplinks;
    s.spines = spines;
    s.spinePortsPerOcs = k;
    return s;
}

} // namespace

TEST(OcsFabric, PaperShapeAndPortNumbering)
{
    const OcsFabric f(OcsFabric::PaperShape());
    EXPECT_EQ(f.GetNOcs(), 32u);
    EXPECT_EQ(f.GetNOcsPorts(), 256u + 128u * 2u);
    // 8,192 leaf uplinks and 8,192 spine ports: non-blocking.
    EXPECT_EQ(256u * 32u, 128u * 64u);
    EXPECT_EQ(f.GetSpineOcsPort(127, 1), 511u);
    EXPECT_EQ(f.GetOcsPortOwner(511), 127u);
    EXPECT_TRUE(f.IsLeafOcsPort(255));
    EXPECT_FALSE(f.IsLeafOcsPort(256));
    EXPECT_EQ(f.GetOcsPortOwner(512), OcsFabric::NONE);
}

TEST(OcsFabric, InvalidShapesAndSpineSpineCircuitsAreRejected)
{
    EXPECT_EQ(OcsFabric::Check(Small(2, 4, 0, 2, 2)),
              "uplinks_per_leaf = 0: must be in [1, 65536]");
    EXPECT_EQ(OcsFabric::Check(Small(2, 4, 4, 2, 0)),
              "spine_ports_per_ocs = 0: must be in [1, 65536]");
    EXPECT_THROW(OcsFabric(Small(0, 4, 4, 2, 2)), std::invalid_argument);
    OcsFabric f(Small(2, 2, 2, 2, 1));
    EXPECT_THROW(f.Connect(0, 2, 3), std::invalid_argument); // spine 0 - spine 1
    EXPECT_THROW(f.Connect(2, 0, 2), std::invalid_argument); // no OCS 2
    EXPECT_THROW(f.SetCircuits(0, CircuitMap(3)), std::invalid_argument);
    EXPECT_EQ(f.GetCircuits(0).GetNCircuits(), 0u);
}

TEST(OcsFabric, RoutesFollowTheCircuits)
{
    // 3 leaves x 2 GPUs, 3 uplinks (OCS 0..2), 2 spines with 1 port per OCS.
    // OCS ports: leaves 0..2, spine 0 -> 3, spine 1 -> 4.
    OcsFabric f(Small(3, 2, 3, 2, 1));
    f.Connect(0, 0, 3); // leaf 0 uplink 0 - spine 0
    f.Connect(1, 1, 3); // leaf 1 uplink 1 - spine 0
    f.Connect(2, 0, 1); // leaf 0 uplink 2 - leaf 1 (direct)
    f.Connect(1, 2, 4); // leaf 2 uplink 1 - spine 1 (spine 1 reaches no one else)
    // Leaf switch ports: 0, 1 down; 2 + i uplink i. Spine port i * 1 + j.
    EXPECT_EQ(f.LeafGroup(0, 1), (std::vector<uint32_t>{2, 4}));
    EXPECT_EQ(f.LeafGroup(1, 0), (std::vector<uint32_t>{3, 4}));
    EXPECT_TRUE(f.LeafGroup(0, 2).empty());
    EXPECT_TRUE(f.LeafGroup(2, 0).empty());
    EXPECT_EQ(f.SpineGroup(0, 1), (std::vector<uint32_t>{1}));
    EXPECT_EQ(f.SpineGroup(0, 0), (std::vector<uint32_t>{0}));
    EXPECT_EQ(f.SpineGroup(1, 2), (std::vector<uint32_t>{1}));
    // A route disappears with its circuit.
    f.Disconnect(2, 1);
    EXPECT_EQ(f.LeafGroup(0, 1), (std::vector<uint32_t>{2}));
    EXPECT_EQ(f.GetFreeSpinePorts(1, 0), 0u);
    EXPECT_EQ(f.GetFreeSpinePorts(2, 0), 1u);
}

TEST(OcsVclosPlacement, MaxMatchingEqualsBruteForce)
{
    std::mt19937 rng(3);
    for (int round = 0; round < 300; ++round)
    {
        const uint32_t nl = 1 + rng() % 5;
        const uint32_t nr = 1 + rng() % 5;
        std::vector<std::vector<uint32_t>> adj(nl);
        for (uint32_t u = 0; u < nl; ++u)
        {
            for (uint32_t v = 0; v < nr; ++v)
            {
                if (rng() % 2)
                {
                    adj[u].push_back(v);
                }
            }
        }
        const auto match = OcsVclosPlacementPolicy::MaxMatching(adj, nr);
        uint32_t size = 0;
        std::set<uint32_t> used;
        for (uint32_t u = 0; u < nl; ++u)
        {
            if (match[u] != OcsFabric::NONE)
            {
                ++size;
                ASSERT_TRUE(used.insert(match[u]).second);
                ASSERT_NE(std::find(adj[u].begin(), adj[u].end(), match[u]), adj[u].end());
            }
        }
        // Brute force: the largest matching over every choice per left vertex.
        uint32_t best = 0;
        std::function<void(uint32_t, uint32_t, uint32_t)> rec =
            [&](uint32_t u, uint32_t mask, uint32_t n) {
                if (u == nl)
                {
                    best = std::max(best, n);
                    return;
                }
                rec(u + 1, mask, n);
                for (uint32_t v : adj[u])
                {
                    if (!(mask & (1u << v)))
                    {
                        rec(u + 1, mask | (1u << v), n + 1);
                    }
                }
            };
        rec(0, 0, 0);
        ASSERT_EQ(size, best) << "round " << round;
    }
}

TEST(OcsVclosPlacement, FragmentedClusterVclosQueuesOcsVclosPlacesAtOnce)
{
    // 4 leaves x 4 GPUs, 4 uplinks. Leaves 2 and 3 are full. Leaf 0 has 2 free GPUs and
    // free uplinks 0, 1; leaf 1 has 2 free GPUs and free uplinks 2, 3. A 4-GPU job needs
    // two leaves x 2 GPUs: vclos needs 2 planes free on both leaves (none: it waits);
    // ocs-vclos circuits leaf 0 uplinks 0, 1 and leaf 1 uplinks 2, 3 to the same 2 spines.
    const OcsFabricShape shape = Small(4, 4, 4, 4, 1);
    ClusterOccupancy occ(Logical(shape));
    for (uint32_t g = 8; g < 16; ++g)
    {
        occ.AssignGpu(g, 100);
    }
    occ.AssignGpu(0, 101);
    occ.AssignGpu(1, 101);
    occ.AssignGpu(4, 102);
    occ.AssignGpu(5, 102);
    occ.AssignCable(0, 2, 101);
    occ.AssignCable(0, 3, 101);
    occ.AssignCable(1, 0, 102);
    occ.AssignCable(1, 1, 102);
    VclosPlacementPolicy vclos;
    EXPECT_FALSE(vclos.Place(occ, 4).has_value());
    OcsVclosPlacementPolicy ocs(shape, 0.025);
    auto p = ocs.Place(occ, 4);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->branch, "virtual-clos");
    EXPECT_EQ(p->gpus, (std::vector<uint32_t>{2, 3, 6, 7}));
    EXPECT_EQ(p->leaves, (std::vector<uint32_t>{0, 1}));
    EXPECT_EQ(p->spines.size(), 2u);
    // Each leaf's GPUs leave by its free uplinks (which GPU takes which: the matching's).
    EXPECT_EQ(std::set<uint32_t>(p->uplinks.begin(), p->uplinks.begin() + 2),
              (std::set<uint32_t>{0, 1}));
    EXPECT_EQ(std::set<uint32_t>(p->uplinks.begin() + 2, p->uplinks.end()),
              (std::set<uint32_t>{2, 3}));
    EXPECT_EQ(p->circuits.size(), 4u);
    EXPECT_DOUBLE_EQ(p->readySeconds, 0.025);
    // The placement is reservable and its circuits route leaf 0 <-> leaf 1.
    occ.Reserve(7, *p);
    ocs.Commit(7, *p);
    EXPECT_EQ(ocs.GetFabric().LeafGroup(0, 1), (std::vector<uint32_t>{4, 5}));
    EXPECT_EQ(ocs.GetFabric().LeafGroup(1, 0), (std::vector<uint32_t>{6, 7}));
    ocs.Release(7);
    for (uint32_t i = 0; i < 4; ++i)
    {
        EXPECT_EQ(ocs.GetFabric().GetCircuits(i).GetNCircuits(), 0u);
    }
}

TEST(OcsVclosPlacement, TwoLeavesJoinedDirectly)
{
    // Leaves 0 and 2 have 2 free GPUs each and share free uplinks 1, 3: circuits leaf-leaf.
    const OcsFabricShape shape = Small(3, 4, 4, 1, 1);
    ClusterOccupancy occ(Logical(shape));
    for (uint32_t g : {0u, 1u, 4u, 5u, 6u, 7u, 8u, 9u})
    {
        occ.AssignGpu(g, 100);
    }
    occ.AssignCable(0, 0, 100);
    occ.AssignCable(2, 2, 100);
    OcsVclosPlacementPolicy ocs(shape, 0.0);
    auto p = ocs.Place(occ, 4);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->branch, "two-leaves");
    EXPECT_EQ(p->gpus, (std::vector<uint32_t>{2, 3, 10, 11}));
    const std::vector<OcsCircuit> expect = {{1, 0, 2}, {3, 0, 2}};
    EXPECT_EQ(p->circuits, expect);
    EXPECT_EQ(p->uplinks, (std::vector<uint32_t>{1, 3, 1, 3}));
    EXPECT_DOUBLE_EQ(p->readySeconds, 0.0);
}

TEST(OcsVclosPlacement, SchedulerFreesPortsAtJobEndAndMapsStayValid)
{
    const OcsFabricShape shape = Small(4, 4, 4, 2, 2);
    auto policy = std::make_unique<OcsVclosPlacementPolicy>(shape, 0.025);
    const OcsVclosPlacementPolicy* ocs = policy.get();
    ClusterScheduler sched(Logical(shape), std::move(policy));
    std::map<uint64_t, Placement> placed;
    sched.SetPlaceCallback([&placed](uint64_t job, const Placement& p) { placed[job] = p; });
    std::mt19937 rng(11);
    std::vector<uint64_t> running;
    uint64_t next = 1;
    for (int step = 0; step < 400; ++step)
    {
        if (!running.empty() && rng() % 2)
        {
            const std::size_t k = rng() % running.size();
            sched.Release(running[k], step);
            running.erase(running.begin() + static_cast<std::ptrdiff_t>(k));
        }
        else
        {
            const uint32_t sizes[] = {1, 2, 3, 4, 6, 8};
            sched.Submit({next++, sizes[rng() % 6], double(step)}, step);
        }
        running.clear();
        for (const auto& [job, p] : sched.GetRunning())
        {
            running.push_back(job);
        }
        // Circuits in the fabric = the union of the running jobs' circuits, all valid.
        std::size_t expected = 0;
        for (const auto& [job, p] : sched.GetRunning())
        {
            expected += p.circuits.size();
            for (const OcsCircuit& c : p.circuits)
            {
                ASSERT_EQ(ocs->GetFabric().GetCircuits(c.ocs).GetPeer(c.a), c.b);
            }
        }
        std::size_t actual = 0;
        for (uint32_t i = 0; i < 4; ++i)
        {
            const auto circuits = ocs->GetFabric().GetCircuits(i).GetCircuits();
            ASSERT_EQ(CircuitMap::Check(circuits, ocs->GetFabric().GetNOcsPorts()), "");
            actual += circuits.size();
        }
        ASSERT_EQ(actual, expected) << "step " << step;
    }
    EXPECT_GT(sched.GetNPlacements(), 50u);
    for (uint64_t job : running)
    {
        sched.Release(job, 1000);
    }
    while (!sched.GetRunning().empty())
    {
        sched.Release(sched.GetRunning().begin()->first, 1000);
    }
    for (uint32_t i = 0; i < 4; ++i)
    {
        EXPECT_EQ(ocs->GetFabric().GetCircuits(i).GetNCircuits(), 0u);
    }
}

namespace
{

/// Brute force: does any placement of the policy's order exist (one leaf; two leaves on
/// shared free uplinks; for the policy's m sequence, m leaves x s GPUs and s spines with one
/// circuit per (leaf, spine) through a free uplink of the leaf and a free port of the spine)?
bool
ExistsBrute(const ClusterOccupancy& occ, const OcsFabric& f, uint32_t g)
{
    const OcsFabricShape& sh = f.GetShape();
    const uint32_t per = sh.gpusPerLeaf;
    const uint32_t L = sh.leaves;
    if (g > occ.GetNFreeGpus())
    {
        return false;
    }
    for (uint32_t l = 0; l < L && g <= per; ++l)
    {
        if (occ.GetLeafFreeGpus(l) >= g)
        {
            return true;
        }
    }
    if (g % 2 == 0 && g / 2 <= per)
    {
        for (uint32_t a = 0; a < L; ++a)
        {
            for (uint32_t b = a + 1; b < L; ++b)
            {
                uint32_t common = 0;
                for (uint32_t i = 0; i < sh.uplinksPerLeaf; ++i)
                {
                    common += occ.GetCableOwner(a, i) == ClusterOccupancy::FREE &&
                              occ.GetCableOwner(b, i) == ClusterOccupancy::FREE;
                }
                if (occ.GetLeafFreeGpus(a) >= g / 2 && occ.GetLeafFreeGpus(b) >= g / 2 &&
                    common >= g / 2)
                {
                    return true;
                }
            }
        }
    }
    uint32_t odd = g;
    while (odd % 2 == 0)
    {
        odd /= 2;
    }
    for (uint32_t m = std::max(odd, (g + per - 1) / per); m <= L; m *= 2)
    {
        if (m < 2 || g % m != 0 || g / m > per || g / m > sh.spines)
        {
            continue;
        }
        const uint32_t s = g / m;
        for (uint32_t lm = 0; lm < (1u << L); ++lm)
        {
            if (static_cast<uint32_t>(__builtin_popcount(lm)) != m)
            {
                continue;
            }
            bool ok = true;
            std::vector<uint32_t> leaves;
            for (uint32_t l = 0; l < L; ++l)
            {
                if (lm & (1u << l))
                {
                    ok = ok && occ.GetLeafFreeGpus(l) >= s;
                    leaves.push_back(l);
                }
            }
            if (!ok)
            {
                continue;
            }
            for (uint32_t sm = 0; sm < (1u << sh.spines); ++sm)
            {
                if (static_cast<uint32_t>(__builtin_popcount(sm)) != s)
                {
                    continue;
                }
                std::vector<uint32_t> spines;
                for (uint32_t x = 0; x < sh.spines; ++x)
                {
                    if (sm & (1u << x))
                    {
                        spines.push_back(x);
                    }
                }
                std::vector<uint32_t> cap(sh.uplinksPerLeaf * sh.spines);
                for (uint32_t i = 0; i < sh.uplinksPerLeaf; ++i)
                {
                    for (uint32_t x = 0; x < sh.spines; ++x)
                    {
                        cap[i * sh.spines + x] = f.GetFreeSpinePorts(i, x);
                    }
                }
                // DFS over (leaf j, spine t): an OCS, distinct per leaf, within capacity.
                std::function<bool(uint32_t, uint32_t, uint32_t)> dfs =
                    [&](uint32_t j, uint32_t t, uint32_t usedMask) -> bool {
                    if (j == m)
                    {
                        return true;
                    }
                    if (t == s)
                    {
                        return dfs(j + 1, 0, 0);
                    }
                    for (uint32_t i = 0; i < sh.uplinksPerLeaf; ++i)
                    {
                        uint32_t& c = cap[i * sh.spines + spines[t]];
                        if ((usedMask & (1u << i)) ||
                            occ.GetCableOwner(leaves[j], i) != ClusterOccupancy::FREE || c == 0)
                        {
                            continue;
                        }
                        --c;
                        const bool found = dfs(j, t + 1, usedMask | (1u << i));
                        ++c;
                        if (found)
                        {
                            return true;
                        }
                    }
                    return false;
                };
                if (dfs(0, 0, 0))
                {
                    return true;
                }
            }
        }
    }
    return false;
}

} // namespace

TEST(OcsVclosPlacement, PlacementsAreValidAndMatchBruteForceOnSmallFabrics)
{
    // 4 leaves x 2 GPUs, 3 uplinks, 3 spines x 1 port per OCS; random job mixes.
    const OcsFabricShape shape = Small(4, 2, 3, 3, 1);
    auto policy = std::make_unique<OcsVclosPlacementPolicy>(shape, 0.0);
    OcsVclosPlacementPolicy* ocs = policy.get();
    ClusterScheduler sched(Logical(shape), std::move(policy));
    ClusterOccupancy mirror(Logical(shape)); // the scheduler's occupancy, rebuilt by hand
    std::mt19937 rng(5);
    uint64_t next = 1;
    uint32_t compared = 0;
    uint32_t missed = 0;
    uint32_t found = 0;
    uint32_t none = 0;
    for (int step = 0; step < 300; ++step)
    {
        // Compare every size on the current state.
        ClusterOccupancy occ(Logical(shape));
        for (const auto& [job, p] : sched.GetRunning())
        {
            occ.Reserve(job, p);
        }
        for (uint32_t g = 1; g <= 8; ++g)
        {
            const bool brute = ExistsBrute(occ, ocs->GetFabric(), g);
            auto p = ocs->Place(occ, g);
            ++compared;
            ++(brute ? found : none);
            if (p)
            {
                ASSERT_TRUE(brute) << "step " << step << " g " << g;
                // Valid: free GPUs, count, circuits settable on the current fabric.
                ASSERT_EQ(p->gpus.size(), g);
                OcsFabric f = ocs->GetFabric();
                for (const OcsCircuit& c : p->circuits)
                {
                    ASSERT_NO_THROW(f.Connect(c.ocs, c.a, c.b));
                }
                ClusterOccupancy copy = occ;
                ASSERT_NO_THROW(copy.Reserve(999999, *p));
                // Every pair of the job's leaves is joined by the new circuits.
                for (uint32_t a : p->leaves)
                {
                    for (uint32_t b : p->leaves)
                    {
                        if (a != b)
                        {
                            ASSERT_FALSE(f.LeafGroup(a, b).empty());
                        }
                    }
                }
            }
            else if (brute)
            {
                ++missed;
            }
        }
        if (!sched.GetRunning().empty() && rng() % 3 == 0)
        {
            auto it = sched.GetRunning().begin();
            std::advance(it, rng() % sched.GetRunning().size());
            sched.Release(it->first, step);
        }
        else
        {
            sched.Submit({next++, 1 + static_cast<uint32_t>(rng() % 6), double(step)}, step);
        }
    }
    RecordProperty("compared", std::to_string(compared));
    RecordProperty("missed", std::to_string(missed));
    EXPECT_EQ(missed, 0u) << "of " << compared;
    EXPECT_GT(found, 100u); // both outcomes occur
    EXPECT_GT(none, 100u);
}

TEST(OcsFabric, CompactGroupsFreesUnusedGroupsAndKeepsDecisions)
{
    ForwardingTable t(8);
    t.SetRoute(0, {1, 2});
    t.SetRoute(1, {3});
    t.SetRoute(2, {1, 2});
    t.SetRoute(3, {4, 5});
    t.SetRoute(3, {6}); // {4, 5} unused now
    t.SetRoute(1, {});  // {3} unused now
    EXPECT_EQ(t.GetNGroups(), 4u);
    EXPECT_EQ(t.CompactGroups(), 2u);
    EXPECT_EQ(t.GetNGroups(), 2u);
    EXPECT_EQ(t.GetRoute(0), (std::vector<uint32_t>{1, 2}));
    EXPECT_EQ(t.GetRoute(2), (std::vector<uint32_t>{1, 2}));
    EXPECT_EQ(t.GetRoute(3), (std::vector<uint32_t>{6}));
    EXPECT_TRUE(t.GetRoute(1).empty());
    EXPECT_EQ(t.CompactGroups(), 0u);
    t.SetRoute(1, {4, 5});
    EXPECT_EQ(t.GetNGroups(), 3u);
}
