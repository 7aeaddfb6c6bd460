/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Pure tests of the cluster graph, forwarding tables, deterministic seeds/ports and paths.

#include "ns3/cluster-topology.h"
#include "ns3/forwarding-table.h"
#include "ns3/route-seeds.h"
#include "ns3/routing.h"

#include <gtest/gtest.h>
#include <memory>
#include <random>
#include <set>
#include <stdexcept>

using namespace ns3::vclos;

namespace
{

LeafSpineShape
Shape(uint32_t leaves, uint32_t spines, uint32_t gpl, uint32_t gps, uint32_t links)
{
    LeafSpineShape s;
    s.leaves = leaves;
    s.spines = spines;
    s.gpusPerLeaf = gpl;
    s.gpusPerServer = gps;
    s.linksPerLeafSpine = links;
    return s;
}

/// Chi-square statistic of counts against a uniform expectation.
double
ChiSquare(const std::vector<uint32_t>& count, double total)
{
    const double expected = total / count.size();
    double chi2 = 0;
    for (uint32_t c : count)
    {
        chi2 += (c - expected) * (c - expected) / expected;
    }
    return chi2;
}

} // namespace

TEST(ClusterTopology, LeafSpineNodeAndLinkNumberingIsTodays)
{
    // 2 leaves x 2 spines, 4 GPUs per leaf, 2 per server, 2 parallel links: numbers by hand.
    const ClusterTopology t = ClusterTopology::LeafSpine(Shape(2, 2, 4, 2, 2));
    ASSERT_EQ(t.GetNGpus(), 8u);
    ASSERT_EQ(t.GetNNodes(), 8u + 2 + 2 + 4);
    EXPECT_EQ(t.GetNode(3).name, "gpu3");
    EXPECT_EQ(t.GetNode(8).name, "leaf0");
    EXPECT_EQ(t.GetNode(9).name, "leaf1");
    EXPECT_EQ(t.GetNode(10).name, "spine0");
    EXPECT_EQ(t.GetNode(11).name, "spine1");
    EXPECT_EQ(t.GetNode(12).name, "server0");
    EXPECT_EQ(t.GetNode(15).name, "server3");
    EXPECT_EQ(t.GetNode(15).kind, NodeKind::SERVER_SWITCH);
    EXPECT_EQ(t.FindNode("spine1"), 11u);
    EXPECT_EQ(t.FindNode("spine2"), ClusterTopology::NONE);
    // 8 host + 8 fabric + 8 intra cables, two links each.
    ASSERT_EQ(t.GetNLinks(), 48u);
    // Host: gpu5 <-> leaf1 port 1 is cable 5 (links 10, 11).
    const TopoLink& h = t.GetLink(10);
    EXPECT_EQ(h.src, 5u);
    EXPECT_EQ(h.srcPort, 0u);
    EXPECT_EQ(h.dst, 9u);
    EXPECT_EQ(h.dstPort, 1u);
    EXPECT_EQ(h.kind, LinkKind::HOST);
    EXPECT_EQ(h.reverse, 11u);
    EXPECT_EQ(t.GetLink(11).src, 9u);
    // Fabric: (leaf l, spine s, link k) is cable 8 + l*4 + s*2 + k; leaf port 4 + s*2 + k,
    // spine port l*2 + k.
    const TopoLink& f = t.GetLink(2 * (8 + 1 * 4 + 1 * 2 + 1)); // leaf1, spine1, k=1
    EXPECT_EQ(f.id, 30u);
    EXPECT_EQ(f.src, 9u);
    EXPECT_EQ(f.srcPort, 7u);
    EXPECT_EQ(f.dst, 11u);
    EXPECT_EQ(f.dstPort, 3u);
    EXPECT_EQ(f.kind, LinkKind::FABRIC);
    EXPECT_EQ(t.GetLeafUplinkPort(1, 1), 7u);
    // Intra: gpu3 (server 1, local 1) is cable 16 + 3: NIC port 1 <-> server1 port 1.
    const TopoLink& i = t.GetLink(38);
    EXPECT_EQ(i.src, 3u);
    EXPECT_EQ(i.srcPort, 1u);
    EXPECT_EQ(i.dst, 13u);
    EXPECT_EQ(i.dstPort, 1u);
    EXPECT_EQ(i.kind, LinkKind::INTRA);
    // Queries.
    EXPECT_EQ(t.GetLeafOf(5), 1u);
    EXPECT_EQ(t.GetServerOf(5), 2u);
    EXPECT_EQ(t.GetLeafNodeOf(5), 9u);
    EXPECT_EQ(t.GetServerSwitchNodeOf(5), 14u);
    EXPECT_EQ(t.GetPortLink(9, 1), 11u);
    EXPECT_EQ(t.GetPeer(9, 7), std::make_pair(11u, 3u));
    EXPECT_EQ(t.GetNicPort(4, 5), 1u);
    EXPECT_EQ(t.GetNicPort(4, 6), 0u);
    EXPECT_EQ(t.GetNode(8).port.size(), 4u + 4);
    EXPECT_EQ(t.GetNode(10).port.size(), 4u);
    EXPECT_EQ(t.GetSwitches().size(), 8u);
    // Every link is the reverse of its reverse and joins the ports it names.
    for (const TopoLink& l : t.GetLinks())
    {
        EXPECT_EQ(t.GetLink(l.reverse).reverse, l.id);
        EXPECT_EQ(t.GetPortLink(l.src, l.srcPort), l.id);
        EXPECT_EQ(t.GetPortLink(l.dst, l.dstPort), l.reverse);
    }
}

TEST(ClusterTopology, OneGpuPerServerHasNoServerSwitch)
{
    const ClusterTopology t = ClusterTopology::LeafSpine(Shape(2, 1, 2, 1, 1));
    EXPECT_EQ(t.GetNNodes(), 4u + 2 + 1);
    EXPECT_EQ(t.GetNLinks(), 2u * (4 + 2));
    EXPECT_EQ(t.GetServerSwitchNodeOf(1), ClusterTopology::NONE);
    EXPECT_EQ(t.GetNicPort(0, 1), 0u);
}

TEST(ClusterTopology, BadShapesAreRejected)
{
    EXPECT_THROW(ClusterTopology::LeafSpine(Shape(0, 1, 1, 1, 1)), std::invalid_argument);
    EXPECT_THROW(ClusterTopology::LeafSpine(Shape(1, 0, 1, 1, 1)), std::invalid_argument);
    EXPECT_THROW(ClusterTopology::LeafSpine(Shape(1, 1, 4, 3, 1)), std::invalid_argument);
    EXPECT_THROW(ClusterTopology::LeafSpine(Shape(1, 1, 1, 1, 0)), std::invalid_argument);
    EXPECT_THROW(ClusterTopology::LeafSpine(Shape(0x10000, 1, 0x10000, 1, 1)),
                 std::invalid_argument);
    LeafSpineShape s = Shape(1, 1, 1, 1, 1);
    s.fabric.rateBps = 0;
    EXPECT_THROW(ClusterTopology::LeafSpine(s), std::invalid_argument);
    s = Shape(1, 1, 1, 1, 1);
    s.host.delayPs = -1;
    EXPECT_THROW(ClusterTopology::LeafSpine(s), std::invalid_argument);
    ClusterTopology t;
    const uint32_t a = t.AddNode(NodeKind::LEAF, "a");
    EXPECT_THROW(t.AddNode(NodeKind::LEAF, "a"), std::invalid_argument);
    EXPECT_THROW(t.Connect(a, a, LinkParams{}, LinkKind::FABRIC), std::invalid_argument);
    EXPECT_THROW(t.Connect(a, 7, LinkParams{}, LinkKind::FABRIC), std::invalid_argument);
    EXPECT_THROW(t.GetLink(0), std::out_of_range);
}

TEST(ForwardingTable, PrecedenceFlowRouteThenSourceRouteThenHash)
{
    ForwardingTable t(8);
    t.SetSeed(7);
    t.SetRoute(5, {2, 3, 4, 5});
    t.SetRoute(6, {2, 3, 4, 5}); // same group, stored once
    t.SetRoute(1, {0});
    EXPECT_EQ(t.GetNGroups(), 2u);
    const FlowKey data = Routing::MakeKey(1, 5, 50000);
    const uint32_t hashed = t.SelectPort(data, false);
    EXPECT_EQ(hashed, t.GetRoute(5)[EcmpHash(data, 7) % 4]);
    // A source route of the sender moves data; the destination's moves control packets.
    const uint32_t other = hashed == 2 ? 1 : 0; // a member that differs from the hash
    t.SetSourceRoute(1, other);
    EXPECT_EQ(t.SelectPort(data, false), 2 + other);
    EXPECT_EQ(t.SelectPort(data, true), hashed); // control to 5: GPU 5 has no source route
    t.SetSourceRoute(5, 3);
    EXPECT_EQ(t.SelectPort(data, true), 5u);
    EXPECT_EQ(t.SelectPort(data, false), 2 + other);
    // Under ControlRoute::SENDER control packets follow their sender's route, like data.
    t.SetControlRoute(ForwardingTable::ControlRoute::SENDER);
    EXPECT_EQ(t.SelectPort(data, true), 2 + other);
    t.SetControlRoute(ForwardingTable::ControlRoute::REVERSE_PATH);
    EXPECT_EQ(t.SelectPort(data, true), 5u);
    // Groups of one port ignore source routes.
    const FlowKey toOne = Routing::MakeKey(5, 1, 50000);
    EXPECT_EQ(t.SelectPort(toOne, false), 0u);
    EXPECT_EQ(t.SelectPort(toOne, true), 0u);
    // A member beyond the group falls back to the hash.
    t.SetSourceRoute(1, 4);
    EXPECT_EQ(t.SelectPort(data, false), hashed);
    t.SetSourceRoute(1, other);
    // A flow route beats both.
    t.SetFlowRoute(1, 5, 7);
    EXPECT_EQ(t.SelectPort(data, false), 7u);
    EXPECT_EQ(t.SelectPort(data, true), 7u);
    t.RemoveFlowRoute(1, 5);
    EXPECT_EQ(t.SelectPort(data, false), 2 + other);
    EXPECT_EQ(t.GetNSourceRoutes(), 2u);
    t.RemoveSourceRoute(1);
    t.RemoveSourceRoute(1);
    EXPECT_EQ(t.GetNSourceRoutes(), 1u);
    EXPECT_EQ(t.SelectPort(data, false), hashed);
    t.ClearSourceRoutes();
    EXPECT_EQ(t.GetSourceRoute(5), ForwardingTable::NO_MEMBER);
    // No route.
    EXPECT_EQ(t.SelectPort(Routing::MakeKey(1, 9, 50000), false), ForwardingTable::NO_PORT);
    t.SetRoute(5, {});
    EXPECT_EQ(t.SelectPort(data, false), ForwardingTable::NO_PORT);
}

TEST(ForwardingTable, BadRoutesAreRejected)
{
    ForwardingTable t(4);
    EXPECT_THROW(t.SetRoute(1, {4}), std::invalid_argument);
    EXPECT_THROW(t.SetRoute(kMaxGpus, {0}), std::invalid_argument);
    EXPECT_THROW(t.SetFlowRoute(1, 2, 9), std::invalid_argument);
    EXPECT_THROW(t.SetSourceRoute(kMaxGpus, 0), std::invalid_argument);
    EXPECT_THROW(t.SetSourceRoute(1, ForwardingTable::NO_MEMBER), std::invalid_argument);
    EXPECT_TRUE(t.GetRoute(1).empty());
    EXPECT_EQ(t.GetNFlowRoutes(), 0u);
}

TEST(RouteSeeds, SourcePortsAreUniformOverTheDynamicRange)
{
    // 64 bins of 256 ports over 32768 (job, src, dst, qp) combinations: chi-square (63 dof)
    // below the 0.1% critical value 103.4.
    std::vector<uint32_t> count(64, 0);
    uint32_t n = 0;
    for (uint32_t job = 0; job < 8; ++job)
    {
        for (uint32_t src = 0; src < 32; ++src)
        {
            for (uint32_t dst = 0; dst < 64; ++dst)
            {
                for (uint32_t qp = 0; qp < 2; ++qp)
                {
                    const uint16_t p = QpSourcePort(1, job, src, dst, qp);
                    ASSERT_GE(p, kFirstSourcePort);
                    ++count[(p - kFirstSourcePort) / 256];
                    ++n;
                }
            }
        }
    }
    const double chi2 = ChiSquare(count, n);
    RecordProperty("chi2", std::to_string(chi2));
    EXPECT_LT(chi2, 103.4);
    // Both ends of the range are reached.
    std::set<uint16_t> seen;
    for (uint32_t i = 0; i < 200000; ++i)
    {
        seen.insert(QpSourcePort(2, 0, i, i >> 8, 0));
    }
    EXPECT_EQ(seen.size(), kSourcePorts);
}

TEST(RouteSeeds, DifferentInputsGiveIndependentPorts)
{
    // Changing any one input re-draws the port: equal only by chance (1 in 16384).
    uint32_t sameSeed = 0;
    uint32_t sameJob = 0;
    uint32_t swapped = 0;
    uint32_t sameQp = 0;
    for (uint32_t i = 0; i < 4096; ++i)
    {
        const uint16_t p = QpSourcePort(1, 3, i, i + 1, 0);
        sameSeed += p == QpSourcePort(2, 3, i, i + 1, 0);
        sameJob += p == QpSourcePort(1, 4, i, i + 1, 0);
        swapped += p == QpSourcePort(1, 3, i + 1, i, 0);
        sameQp += p == QpSourcePort(1, 3, i, i + 1, 1);
    }
    // Expected 0.25 each; 3 or more has probability < 0.3%.
    EXPECT_LT(sameSeed, 3u);
    EXPECT_LT(sameJob, 3u);
    EXPECT_LT(swapped, 3u);
    EXPECT_LT(sameQp, 3u);
    EXPECT_EQ(QpSourcePort(1, 3, 4, 5, 0), QpSourcePort(1, 3, 4, 5, 0));
}

TEST(RouteSeeds, SwitchSeedsDifferAndDecorrelateTheirChoices)
{
    std::set<uint32_t> seeds;
    for (uint32_t id = 0; id < 2000; ++id)
    {
        seeds.insert(SwitchHashSeed(1, id));
    }
    EXPECT_EQ(seeds.size(), 2000u);
    EXPECT_NE(SwitchHashSeed(1, 7), SwitchHashSeed(2, 7));
    EXPECT_EQ(SwitchHashSeed(1, 7), SwitchHashSeed(1, 7));
    EXPECT_NE(SharedHashSeed(1), SharedHashSeed(2));
    // Two switches with neighbouring ids: their 4-way choices for the same 16000 flows are
    // independent (4x4 contingency, chi-square 15 dof below the 0.1% value 37.70).
    std::mt19937 rng(5);
    std::uniform_int_distribution<uint32_t> gpu(0, 255);
    std::uniform_int_distribution<uint32_t> port(49152, 65535);
    std::vector<uint32_t> joint(16, 0);
    const uint32_t flows = 16000;
    for (uint32_t i = 0; i < flows; ++i)
    {
        const FlowKey k = Routing::MakeKey(gpu(rng), gpu(rng), port(rng));
        const uint32_t a = EcmpHash(k, SwitchHashSeed(1, 10)) % 4;
        const uint32_t b = EcmpHash(k, SwitchHashSeed(1, 11)) % 4;
        ++joint[a * 4 + b];
    }
    EXPECT_LT(ChiSquare(joint, flows), 37.70);
}

TEST(Routing, PathsOfASmallFabricByHand)
{
    // 2 leaves x 1 spine, 2 GPUs per leaf, 2 per server: host cables 0-3 (links 0-7),
    // fabric cables 4-5 (links 8-11), intra cables 6-9 (links 12-19).
    auto topo = std::make_shared<ClusterTopology>(ClusterTopology::LeafSpine(Shape(2, 1, 2, 2, 1)));
    Routing r(topo, 1, false);
    EXPECT_EQ(r.Path(0, 3, 50000), (std::vector<uint32_t>{0, 8, 11, 7}));
    EXPECT_EQ(r.ReversePath(0, 3, 50000), (std::vector<uint32_t>{6, 10, 9, 1}));
    EXPECT_EQ(r.Path(0, 1, 50000), (std::vector<uint32_t>{12, 15}));
    EXPECT_TRUE(r.Path(0, 0, 50000).empty());
    EXPECT_TRUE(r.Path(0, 4, 50000).empty());
    // Remove spine's route to GPU 3: no path.
    const uint32_t spine = topo->FindNode("spine0");
    r.GetTable(spine)->SetRoute(3, {});
    EXPECT_TRUE(r.Path(0, 3, 50000).empty());
    // A loop (spine sends GPU 3's packets back to leaf 0) ends, with no path.
    r.GetTable(spine)->SetRoute(3, {0});
    EXPECT_TRUE(r.Path(0, 3, 50000).empty());
    EXPECT_EQ(r.GetTable(0), nullptr);
}

TEST(Routing, DefaultRoutesAndSeeds)
{
    auto topo = std::make_shared<ClusterTopology>(ClusterTopology::LeafSpine(Shape(2, 3, 4, 1, 2)));
    Routing r(topo, 9, false);
    const uint32_t leaf0 = topo->FindNode("leaf0");
    // Parallel link 0 of every spine first, then link 1.
    EXPECT_EQ(r.GetTable(leaf0)->GetRoute(5), (std::vector<uint32_t>{4, 6, 8, 5, 7, 9}));
    EXPECT_EQ(r.GetTable(leaf0)->GetRoute(2), (std::vector<uint32_t>{2}));
    EXPECT_EQ(r.GetTable(topo->FindNode("spine2"))->GetRoute(5), (std::vector<uint32_t>{2, 3}));
    EXPECT_EQ(r.GetTable(leaf0)->GetSeed(), SwitchHashSeed(9, leaf0));
    Routing same(topo, 9, true);
    for (uint32_t sw : topo->GetSwitches())
    {
        EXPECT_EQ(same.GetTable(sw)->GetSeed(), SharedHashSeed(9));
    }
}

TEST(Routing, UplinkSourceRoutesPinAcksToTheReversePath)
{
    // 4 leaves x 2 spines x 2 parallel links; job on GPUs of leaves 0, 1 and 3.
    auto topo = std::make_shared<ClusterTopology>(ClusterTopology::LeafSpine(Shape(4, 2, 4, 1, 2)));
    Routing r(topo, 3, false);
    const std::vector<uint32_t> job = {0, 1, 2, 3, 5, 6, 12, 15};
    const auto members = r.InstallUplinkSourceRoutes(job);
    ASSERT_EQ(members.size(), job.size());
    uint32_t crossLeaf = 0;
    for (uint32_t g : job)
    {
        for (uint32_t h : job)
        {
            if (topo->GetLeafOf(g) == topo->GetLeafOf(h))
            {
                continue;
            }
            for (uint16_t port : {49152, 50001, 65535})
            {
                const auto data = r.Path(g, h, port);
                const auto ack = r.ReversePath(g, h, port);
                ASSERT_EQ(data.size(), 4u);
                ASSERT_EQ(ack.size(), 4u);
                // Uplink i mod n: spine g % 2, parallel link (g % 4) / 2.
                const TopoLink& up = topo->GetLink(data[1]);
                EXPECT_EQ(topo->GetNode(up.dst).name, "spine" + std::to_string(g % 2));
                EXPECT_EQ(up.srcPort, topo->GetLeafUplinkPort(g % 2, (g % 4) / 2));
                // Same cables, backwards.
                for (uint32_t i = 0; i < 4; ++i)
                {
                    EXPECT_EQ(ack[3 - i], topo->GetLink(data[i]).reverse);
                }
                ++crossLeaf;
            }
        }
    }
    EXPECT_EQ(crossLeaf, 3u * (8 * 8 - 4 * 4 - 2 * 2 - 2 * 2));
    // Without source routes ECMP sends some ACKs over other cables (the rule is not free).
    r.RemoveSourceRoutes(job);
    uint32_t differs = 0;
    for (uint32_t g : {0u, 1u, 2u, 3u})
    {
        for (uint32_t h : {12u, 15u})
        {
            for (uint16_t port = 49152; port < 49152 + 16; ++port)
            {
                const auto data = r.Path(g, h, port);
                const auto ack = r.ReversePath(g, h, port);
                differs += ack[2] != topo->GetLink(data[1]).reverse;
            }
        }
    }
    EXPECT_GT(differs, 0u);
}
