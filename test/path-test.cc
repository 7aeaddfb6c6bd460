/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The pure path (vclos::Routing::Path, built from the ClusterTopology and the run seed
// alone) equals the path the packets take through the ns-3 switches, packet by packet.

#include "vclos-test-utils.h"

#include "ns3/cluster-topology.h"
#include "ns3/collective-executor.h"
#include "ns3/collective-schedule.h"
#include "ns3/routing.h"
#include "ns3/scenario-runner.h"
#include "ns3/scenario.h"

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <tuple>
#include <unordered_map>

using namespace ns3;
using namespace vclos_test;

static auto* g_env = ::testing::AddGlobalTestEnvironment(new PicosecondEnvironment);

namespace
{

/// What the switches did: every packet's link sequence, from per-device PhyTxBegin.
struct Recorder
{
    struct Packet
    {
        vclos::FlowKey key;
        bool control;
        std::vector<uint32_t> links;
    };

    std::unordered_map<uint64_t, Packet> packets; //!< by packet uid

    static void Tx(Recorder* r, uint32_t link, Ptr<const ns3::Packet> p)
    {
        Packet& rec = r->packets[p->GetUid()];
        if (rec.links.empty())
        {
            uint8_t buf[vclos::kFlowKeyBytes];
            p->CopyData(buf, vclos::kFlowKeyBytes);
            vclos::ParseFlowKey(buf, rec.key);
            rec.control = VclosNetDevice::PriorityOfTos(buf[1]) == RdmaNic::CONTROL_PRIORITY;
        }
        rec.links.push_back(link);
    }

    void Attach(LeafSpineHelper& topo)
    {
        for (const auto& link : topo.GetLinks())
        {
            link.device->TraceConnectWithoutContext(
                "PhyTxBegin",
                MakeBoundCallback(&Recorder::Tx, this, link.id));
        }
    }
};

/// The pure shape of a helper configuration (what the pure side is built from).
vclos::LeafSpineShape
ShapeOf(const LeafSpineConfig& c)
{
    vclos::LeafSpineShape s;
    s.leaves = c.leaves;
    s.spines = c.spines;
    s.gpusPerLeaf = c.gpusPerLeaf;
    s.gpusPerServer = c.gpusPerServer;
    s.linksPerLeafSpine = c.linksPerLeafSpine;
    s.host = {c.hostRate.GetBitRate(), c.hostDelay.GetPicoSeconds()};
    s.fabric = {c.fabricRate.GetBitRate(), c.fabricDelay.GetPicoSeconds()};
    s.intra = {c.intraRate.GetBitRate(), c.intraDelay.GetPicoSeconds()};
    return s;
}

Callback<void, uint32_t, uint64_t>
Ignore()
{
    return Callback<void, uint32_t, uint64_t>([](uint32_t, uint64_t) {});
}

/// Install "GPU i uses uplink i mod n" for \p gpus through the switches' own API.
void
InstallSourceRoutesViaSwitches(LeafSpineHelper& topo, const std::vector<uint32_t>& gpus)
{
    const LeafSpineConfig& c = topo.GetConfig();
    const uint32_t n = c.spines * c.linksPerLeafSpine;
    std::set<uint32_t> leaves;
    for (uint32_t g : gpus)
    {
        leaves.insert(topo.GetLeafOf(g));
    }
    for (uint32_t g : gpus)
    {
        for (uint32_t l : leaves)
        {
            topo.GetLeaf(l)->SetSourceRoute(g, g % n);
        }
        for (uint32_t s = 0; s < c.spines; ++s)
        {
            topo.GetSpine(s)->SetSourceRoute(g, (g % n) / c.spines);
        }
    }
}

struct PathCase
{
    const char* name;
    LeafSpineConfig config;
    uint64_t seed;
    /// control packets follow their sender's source route (ControlRoute::SENDER)
    bool senderControl{false};
};

/// gtest: print a case by its name.
void
PrintTo(const PathCase& c, std::ostream* os)
{
    *os << c.name;
}

} // namespace

class PathEquality : public SimTest, public ::testing::WithParamInterface<PathCase>
{
};

TEST_P(PathEquality, PurePathEqualsForwardedPathForTenThousandFlows)
{
    const PathCase& pc = GetParam();
    const LeafSpineConfig& c = pc.config;
    LeafSpineHelper topo(c);
    topo.SetRunSeed(pc.seed);
    topo.Build();
    const uint32_t nGpus = topo.GetNGpus();

    // The pure side: topology and routing from the shape and the seed, no ns-3 object.
    auto pureTopo =
        std::make_shared<vclos::ClusterTopology>(vclos::ClusterTopology::LeafSpine(ShapeOf(c)));
    vclos::Routing pure(pureTopo, pc.seed, c.sameHashSeed);
    if (pc.senderControl)
    {
        topo.GetRouting().SetControlRoute(vclos::ForwardingTable::ControlRoute::SENDER);
        pure.SetControlRoute(vclos::ForwardingTable::ControlRoute::SENDER);
    }

    // Extra state installed on both sides, each through its own interface.
    // (1) Flow routes at leaf 0: GPU 0 -> every GPU of the last leaf via the last spine.
    const uint32_t lastLeaf = c.leaves - 1;
    const uint32_t up = topo.GetLeafUplinkPort(c.spines - 1, c.linksPerLeafSpine - 1);
    for (uint32_t g = lastLeaf * c.gpusPerLeaf; g < nGpus; ++g)
    {
        topo.GetLeaf(0)->SetFlowRoute(0, g, up);
        pure.GetTable(pureTopo->GetNodeOfKind(vclos::NodeKind::LEAF, 0))->SetFlowRoute(0, g, up);
    }
    // (2) Source routes of a job (GPUs 1, 2 of every leaf) through the switches here and
    //     through Routing on the pure side.
    std::vector<uint32_t> job;
    for (uint32_t l = 0; l < c.leaves; ++l)
    {
        job.push_back(l * c.gpusPerLeaf + 1);
        job.push_back(l * c.gpusPerLeaf + 2 % c.gpusPerLeaf);
    }
    InstallSourceRoutesViaSwitches(topo, job);
    pure.InstallUplinkSourceRoutes(job);
    // (3) A source route beyond the group's size (ECMP decides) on spine 0 for GPU 3.
    topo.GetSpine(0)->SetSourceRoute(3, 99);
    pure.GetTable(pureTopo->GetNodeOfKind(vclos::NodeKind::SPINE, 0))->SetSourceRoute(3, 99);
    // (4) Through the helper's own Routing: GPU 4's data leaves by member 0 at every leaf.
    for (uint32_t l = 0; l < c.leaves; ++l)
    {
        const uint32_t node = topo.GetTopology().GetNodeOfKind(vclos::NodeKind::LEAF, l);
        topo.GetRouting().GetTable(node)->SetSourceRoute(4, 0);
        pure.GetTable(node)->SetSourceRoute(4, 0);
    }

    Recorder rec;
    rec.Attach(topo);
    std::mt19937 rng(pc.seed);
    std::uniform_int_distribution<uint32_t> gpu(0, nGpus - 1);
    std::uniform_int_distribution<uint32_t> port(49152, 65535);
    std::set<std::tuple<uint32_t, uint32_t, uint16_t>> flows;
    const uint32_t nFlows = 10000;
    while (flows.size() < nFlows)
    {
        const uint32_t src = gpu(rng);
        const uint32_t dst = gpu(rng);
        const auto p = static_cast<uint16_t>(port(rng));
        if (src == dst || !flows.emplace(src, dst, p).second)
        {
            continue;
        }
        Ptr<RdmaNic> nic = topo.GetNic(src);
        const uint32_t qp = nic->CreateQp(topo.GetNic(dst), p, Ignore(), Ignore());
        Simulator::Schedule(NanoSeconds(20) * flows.size(), &RdmaNic::PostSend, nic, qp, 64, 0);
    }
    Simulator::Run();

    // Every packet's observed link sequence equals the pure path of its 5-tuple.
    uint32_t mismatches = 0;
    uint32_t data = 0;
    uint32_t control = 0;
    std::set<std::tuple<uint32_t, uint32_t, uint16_t>> dataSeen;
    std::set<std::tuple<uint32_t, uint32_t, uint16_t>> ackSeen;
    for (const auto& [uid, p] : rec.packets)
    {
        const uint32_t src = vclos::GpuOfIp(p.key.srcIp);
        const uint32_t dst = vclos::GpuOfIp(p.key.dstIp);
        const auto expected = pure.Path(src, dst, p.key.srcPort, p.control);
        if (p.links != expected && ++mismatches <= 5)
        {
            ADD_FAILURE() << "packet " << src << " -> " << dst << " port " << p.key.srcPort
                          << (p.control ? " (control)" : " (data)") << ": forwarded over "
                          << p.links.size() << " links, pure path has " << expected.size();
        }
        EXPECT_EQ(topo.GetPath(src, dst, p.key.srcPort, p.control), expected);
        if (p.control)
        {
            ++control;
            ackSeen.emplace(dst, src, p.key.srcPort);
        }
        else
        {
            ++data;
            dataSeen.emplace(src, dst, p.key.srcPort);
        }
    }
    EXPECT_EQ(mismatches, 0u);
    // The installed routes mattered: without them some data and some control packets
    // would have taken other paths.
    vclos::Routing plain(pureTopo, pc.seed, c.sameHashSeed);
    uint32_t movedData = 0;
    uint32_t movedControl = 0;
    for (const auto& [uid, p] : rec.packets)
    {
        const bool moved = p.links != plain.Path(vclos::GpuOfIp(p.key.srcIp),
                                                 vclos::GpuOfIp(p.key.dstIp),
                                                 p.key.srcPort,
                                                 p.control);
        (p.control ? movedControl : movedData) += moved;
    }
    EXPECT_GT(movedData, 0u);
    EXPECT_GT(movedControl, 0u);
    // Every flow delivered its packet and got its ACK (both directions were compared).
    EXPECT_EQ(dataSeen, flows);
    EXPECT_EQ(ackSeen, flows);
    RecordProperty("data_packets", std::to_string(data));
    RecordProperty("control_packets", std::to_string(control));
    uint64_t delivered = 0;
    for (uint32_t g = 0; g < nGpus; ++g)
    {
        delivered += topo.GetNic(g)->GetDeliveredBytes();
    }
    EXPECT_EQ(delivered, 64ull * nFlows);
}

namespace
{
LeafSpineConfig
ShapeConfig(uint32_t leaves, uint32_t spines, uint32_t gpl, uint32_t gps, uint32_t links)
{
    LeafSpineConfig c;
    c.leaves = leaves;
    c.spines = spines;
    c.gpusPerLeaf = gpl;
    c.gpusPerServer = gps;
    c.linksPerLeafSpine = links;
    return c;
}

LeafSpineConfig
Oversubscribed()
{
    // 16 GPUs per leaf over 2 spines at 100 Gbps: 8:1, one ECMP seed everywhere.
    LeafSpineConfig c = ShapeConfig(3, 2, 16, 2, 1);
    c.sameHashSeed = true;
    return c;
}
} // namespace

const std::vector<PathCase> kShapes = {
    {"leaves4_spines4_servers4", ShapeConfig(4, 4, 8, 4, 1), 1},
    {"leaves8_spines2_parallel2", ShapeConfig(8, 2, 4, 1, 2), 7},
    {"oversubscribed_same_seed", Oversubscribed(), 3},
    {"leaves4_spines4_servers4_sender_acks", ShapeConfig(4, 4, 8, 4, 1), 5, true},
};

INSTANTIATE_TEST_SUITE_P(Shapes,
                         PathEquality,
                         ::testing::ValuesIn(kShapes),
                         [](const ::testing::TestParamInfo<PathCase>& info) {
                             return std::string(info.param.name);
                         });

namespace
{

/// Cables (link id / 2) of every data packet and every ACK of a ring over \p gpus.
struct RingCables
{
    /// (src, dst) -> cables crossed by its data packets / by the ACKs to src
    std::map<std::pair<uint32_t, uint32_t>, std::set<std::vector<uint32_t>>> data;
    std::map<std::pair<uint32_t, uint32_t>, std::set<std::vector<uint32_t>>> acks;
    std::map<std::pair<uint32_t, uint32_t>, std::set<uint32_t>> firstUplink;
};

RingCables
RunRing(bool sourceRoutes)
{
    LeafSpineConfig c = ShapeConfig(8, 2, 4, 1, 2);
    LeafSpineHelper topo(c);
    topo.SetRunSeed(11);
    topo.Build();
    // One job over leaves 0, 1, 2 and 5 (the ring crosses leaves in both directions).
    const std::vector<uint32_t> gpus = {0, 1, 2, 3, 4, 6, 9, 10, 21, 23, 5, 7};
    if (sourceRoutes)
    {
        topo.GetRouting().InstallUplinkSourceRoutes(gpus);
    }
    Recorder rec;
    rec.Attach(topo);
    std::vector<Ptr<RdmaNic>> nics;
    for (uint32_t g : gpus)
    {
        nics.push_back(topo.GetNic(g));
    }
    Ptr<CollectiveExecutor> e = CreateObject<CollectiveExecutor>();
    e->Setup(vclos::MakeRingAllReduce(gpus.size(), 1 << 20), nics, 5, 0);
    bool done = false;
    e->Run(Callback<void>([&done]() { done = true; }));
    Simulator::Run();
    EXPECT_TRUE(done);
    RingCables out;
    const auto& links = topo.GetLinks();
    for (const auto& [uid, p] : rec.packets)
    {
        const uint32_t src = vclos::GpuOfIp(p.key.srcIp);
        const uint32_t dst = vclos::GpuOfIp(p.key.dstIp);
        if (topo.GetLeafOf(src) == topo.GetLeafOf(dst))
        {
            continue;
        }
        std::vector<uint32_t> cables;
        for (uint32_t l : p.links)
        {
            cables.push_back(l / 2);
        }
        if (p.control)
        {
            std::reverse(cables.begin(), cables.end());
            out.acks[{dst, src}].insert(cables);
        }
        else
        {
            out.data[{src, dst}].insert(cables);
            out.firstUplink[{src, dst}].insert(p.links[1]);
            EXPECT_EQ(links[p.links[1]].dst,
                      sourceRoutes ? "spine" + std::to_string(src % 2) : links[p.links[1]].dst);
        }
    }
    return out;
}

} // namespace

TEST_F(SimTest, SourceRoutedJobAcksReturnOverTheCablesOfItsData)
{
    const RingCables r = RunRing(true);
    ASSERT_FALSE(r.data.empty());
    for (const auto& [flow, cables] : r.data)
    {
        ASSERT_EQ(cables.size(), 1u) << flow.first << " -> " << flow.second;
        ASSERT_EQ(r.acks.count(flow), 1u);
        EXPECT_EQ(r.acks.at(flow), cables) << flow.first << " -> " << flow.second;
    }
    // Without source routes ECMP picks the ACK's path independently: some differ.
    Simulator::Destroy();
    const RingCables e = RunRing(false);
    uint32_t differ = 0;
    for (const auto& [flow, cables] : e.data)
    {
        differ += e.acks.at(flow) != cables;
    }
    EXPECT_GT(differ, 0u);
}

TEST_F(SimTest, DefaultScenarioHashesBothJobsCrossLeafFlowsOntoOneSpine)
{
    // What scenarios/default.json and README.md describe: with its seed, ECMP puts the
    // leaf 0 -> leaf 1 flows of both rings on the same uplink (the collision it shows).
    const vclos::Scenario s =
        vclos::LoadScenarioFile(std::string(VCLOS_SOURCE_DIR) + "/scenarios/default.json",
                                vclos::CollectiveAlgorithms());
    ScenarioRunner runner(s);
    LeafSpineHelper& topo = runner.GetTopology();
    // Jobs (and their queue pairs) are created at their start time: run until they exist.
    double lastStart = 0;
    for (const auto& job : s.jobs)
    {
        lastStart = std::max(lastStart, job.startS);
    }
    Simulator::Stop(Seconds(lastStart));
    Simulator::Run();
    // (src leaf, dst leaf) -> job -> uplink link ids of its flows
    std::map<std::pair<uint32_t, uint32_t>, std::map<uint32_t, std::set<uint32_t>>> uplinks;
    for (uint32_t j = 0; j < s.jobs.size(); ++j)
    {
        for (const auto& e : runner.GetJob(j)->GetExecutors())
        {
            for (const auto& [src, dst, port] : e->GetFlows())
            {
                const uint32_t a = s.jobs[j].gpus[src];
                const uint32_t b = s.jobs[j].gpus[dst];
                if (topo.GetLeafOf(a) != topo.GetLeafOf(b))
                {
                    const auto path = topo.GetPath(a, b, port);
                    ASSERT_EQ(path.size(), 4u);
                    uplinks[{topo.GetLeafOf(a), topo.GetLeafOf(b)}][j].insert(path[1]);
                }
            }
        }
    }
    ASSERT_EQ(uplinks.size(), 2u); // leaf 0 -> leaf 1 and back
    const auto& forward = uplinks.at({0, 1});
    ASSERT_EQ(forward.size(), 2u);
    EXPECT_EQ(forward.at(0), forward.at(1)); // one uplink, both jobs
    EXPECT_EQ(topo.GetLinks()[*forward.at(0).begin()].dst, "spine2");
}

TEST_F(SimTest, QueuePairPortsAreSharedByBothEndsAndFollowTheRunSeed)
{
    // Both ends of a queue pair use one UDP source port (its ACKs hash like its data), and
    // the port depends only on the run seed, the GPUs and the QP number: the same in two
    // builds with one seed, different with another seed.
    LeafSpineConfig c = ShapeConfig(2, 2, 4, 2, 1);
    std::vector<std::vector<uint16_t>> ports;
    for (uint64_t seed : {5, 5, 6})
    {
        LeafSpineHelper topo(c);
        topo.SetRunSeed(seed);
        EXPECT_EQ(topo.AssignStreams(10), 2 + 2 + 4); // one ECN stream per switch
        topo.Build();
        EXPECT_EQ(topo.GetTopology().GetSwitches().size(), 8u);
        EXPECT_EQ(topo.GetRunSeed(), seed);
        std::vector<uint16_t> p;
        for (uint32_t src = 0; src < 8; ++src)
        {
            for (uint32_t dst = 0; dst < 8; ++dst)
            {
                if (src == dst)
                {
                    continue;
                }
                const uint32_t qpn =
                    topo.GetNic(src)->CreateQp(topo.GetNic(dst), Ignore(), Ignore());
                const RdmaQueuePair& local = topo.GetNic(src)->GetQp(qpn);
                const RdmaQueuePair& remote = topo.GetNic(dst)->GetQp(local.peerQpn);
                EXPECT_EQ(local.srcPort, remote.srcPort);
                EXPECT_GE(local.srcPort, 49152);
                p.push_back(local.srcPort);
            }
        }
        ports.push_back(p);
        Simulator::Destroy();
    }
    EXPECT_EQ(ports[0], ports[1]);
    uint32_t same = 0;
    for (uint32_t i = 0; i < ports[0].size(); ++i)
    {
        same += ports[0][i] == ports[2][i];
    }
    EXPECT_LT(same, 3u); // 56 ports, chance agreement 56 / 16384
}
