/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The packet data plane: NIC transport, switch forwarding, ECMP, go-back-N, pcap.

#include "vclos-test-utils.h"

#include "ns3/aeth-header.h"
#include "ns3/bth-header.h"
#include "ns3/ipv4-header.h"
#include "ns3/udp-header.h"

#include <cstdio>
#include <set>

using namespace ns3;
using namespace vclos_test;

static auto* g_env = ::testing::AddGlobalTestEnvironment(new PicosecondEnvironment);

namespace
{

/// Send one message from \p src to \p dst at t=0; returns (receive time, send-complete time).
std::pair<double, double>
SendOne(LeafSpineHelper& topo, uint32_t src, uint32_t dst, uint64_t bytes)
{
    double rx = -1;
    double tx = -1;
    auto onRx = [&rx](uint32_t, uint64_t) { rx = Simulator::Now().GetSeconds(); };
    auto onTx = [&tx](uint32_t, uint64_t) { tx = Simulator::Now().GetSeconds(); };
    Callback<void, uint32_t, uint64_t> rxCb(onRx);
    Callback<void, uint32_t, uint64_t> txCb(onTx);
    const uint32_t qp = topo.GetNic(src)->CreateQp(topo.GetNic(dst), txCb, rxCb);
    topo.GetNic(src)->PostSend(qp, bytes, 42);
    Simulator::Run();
    return {rx, tx};
}

} // namespace

TEST_F(SimTest, OneFlowAcrossLeafSpineLeafMatchesSizeOverRatePlusLatency)
{
    LeafSpineConfig c;
    c.leaves = 2;
    c.spines = 1;
    c.gpusPerLeaf = 1;
    LeafSpineHelper topo(c);
    topo.Build();
    const uint64_t bytes = 10 * 1000 * 1000;
    const uint64_t mtu = 4096;
    auto [rx, tx] = SendOne(topo, 0, 1, bytes);
    // Store-and-forward over 4 links: the whole message serialises once on the first
    // link; on each of the three later links the last (short) packet queues behind the
    // previous full packet, so the tail adds three full-packet times; plus four delays.
    const double expected = TxSeconds(MessageWireBytes(bytes, mtu), 100e9) +
                            3 * TxSeconds(DataWireBytes(mtu, false), 100e9) + 4e-6;
    RecordProperty("measured_rx_us", std::to_string(rx * 1e6));
    RecordProperty("expected_rx_us", std::to_string(expected * 1e6));
    EXPECT_NEAR(rx, expected, expected * 1e-6);
    // The sender completes when the last ACK is back: one more one-way trip for an ACK.
    const double ackTrip = 4 * TxSeconds(kAckWireBytes, 100e9) + 4e-6;
    EXPECT_NEAR(tx, expected + ackTrip, expected * 1e-6);
    // Every byte crossed each link once; the path is the expected one.
    const auto& links = topo.GetLinks();
    auto path = topo.GetPath(0, 1, topo.GetNic(0)->GetQp(0).srcPort);
    ASSERT_EQ(path.size(), 4u);
    EXPECT_EQ(links[path[0]].src, "gpu0");
    EXPECT_EQ(links[path[1]].dst, "spine0");
    EXPECT_EQ(links[path[3]].dst, "gpu1");
    EXPECT_EQ(topo.GetNic(1)->GetDeliveredBytes(), bytes);
    EXPECT_EQ(topo.GetNic(0)->GetRetransmittedPackets(), 0u);
}

TEST_F(SimTest, SameFiveTupleAlwaysTakesTheSameUplink)
{
    LeafSpineConfig c;
    c.leaves = 2;
    c.spines = 4;
    c.gpusPerLeaf = 1;
    LeafSpineHelper topo(c);
    topo.Build();
    SendOne(topo, 0, 1, 2 * 1000 * 1000);
    // Exactly one of leaf 0's four uplinks carried the flow's data.
    uint32_t used = 0;
    for (uint32_t s = 0; s < 4; ++s)
    {
        auto dev = topo.GetLeaf(0)->GetPort(topo.GetLeafUplinkPort(s));
        used += dev->GetTxBytes() > 0;
    }
    EXPECT_EQ(used, 1u);
    // And the path query agrees with where the bytes went.
    auto path = topo.GetPath(0, 1, topo.GetNic(0)->GetQp(0).srcPort);
    EXPECT_GT(topo.GetLinks()[path[1]].device->GetTxBytes(), 2u * 1000 * 1000);
}

TEST_F(SimTest, RandomFlowsSpreadEvenlyOverUplinks)
{
    LeafSpineConfig c;
    c.leaves = 4;
    c.spines = 8;
    c.gpusPerLeaf = 16;
    LeafSpineHelper topo(c);
    topo.Build();
    // 16000 flows from leaf 0 GPUs to other leaves with random source ports, routed by the
    // leaf's real forwarding decision. Chi-square (7 dof) below the 0.1% critical value 24.32.
    Ptr<UniformRandomVariable> rng = CreateObject<UniformRandomVariable>();
    rng->SetStream(7);
    std::vector<uint32_t> count(8, 0);
    const uint32_t flows = 16000;
    for (uint32_t i = 0; i < flows; ++i)
    {
        const uint32_t src = rng->GetInteger(0, 15);
        const uint32_t dst = rng->GetInteger(16, 63);
        auto path = topo.GetPath(src, dst, rng->GetInteger(49152, 65535));
        ASSERT_EQ(path.size(), 4u);
        const std::string& spine = topo.GetLinks()[path[1]].dst;
        ++count[std::stoi(spine.substr(5))];
    }
    double chi2 = 0;
    for (uint32_t n : count)
    {
        chi2 += (n - flows / 8.0) * (n - flows / 8.0) / (flows / 8.0);
    }
    RecordProperty("chi2", std::to_string(chi2));
    EXPECT_LT(chi2, 24.32);
}

TEST_F(SimTest, SharedHashSeedPolarizesParallelLinks)
{
    // Two spines, two parallel links per leaf-spine pair. With one seed everywhere a spine
    // only sees flows of one hash residue and sends them all down one of its two links to
    // leaf 1; per-switch seeds use both.
    for (bool same : {true, false})
    {
        LeafSpineConfig c;
        c.leaves = 2;
        c.spines = 2;
        c.gpusPerLeaf = 8;
        c.linksPerLeafSpine = 2;
        c.sameHashSeed = same;
        LeafSpineHelper topo(c);
        topo.Build();
        std::map<std::string, std::set<uint32_t>> downlinksUsed; // spine -> link ids to leaf1
        for (uint32_t port = 49152; port < 49152 + 400; ++port)
        {
            auto path = topo.GetPath(port % 8, 8 + (port / 8) % 8, port);
            ASSERT_EQ(path.size(), 4u);
            downlinksUsed[topo.GetLinks()[path[2]].src].insert(path[2]);
        }
        for (auto& [spine, used] : downlinksUsed)
        {
            EXPECT_EQ(used.size(), same ? 1u : 2u)
                << spine << (same ? " same seed" : " per-switch");
        }
        Simulator::Destroy();
    }
}

TEST_F(SimTest, TwoFlowsForcedOntoOneUplinkShareIt)
{
    LeafSpineConfig c;
    c.leaves = 2;
    c.spines = 2;
    c.gpusPerLeaf = 2;
    c.queueBytes = 16 << 20; // room for both flows: no drops, so FIFO sharing is exact
    LeafSpineHelper topo(c);
    topo.Build();
    const uint64_t bytes = 4 * 1000 * 1000;
    // Pin both flows to spine 0 at leaf 0.
    const uint32_t up = topo.GetLeafUplinkPort(0);
    topo.GetLeaf(0)->SetFlowRoute(0, 2, up);
    topo.GetLeaf(0)->SetFlowRoute(1, 3, up);
    std::vector<double> done(2, -1);
    for (uint32_t i = 0; i < 2; ++i)
    {
        auto onRx = [&done, i](uint32_t, uint64_t) { done[i] = Simulator::Now().GetSeconds(); };
        uint32_t qp = topo.GetNic(i)->CreateQp(topo.GetNic(2 + i),
                                               MakeNullCallback<void, uint32_t, uint64_t>(),
                                               Callback<void, uint32_t, uint64_t>(onRx));
        topo.GetNic(i)->PostSend(qp, bytes, 0);
    }
    Simulator::Run();
    const double alone = TxSeconds(MessageWireBytes(bytes, 4096), 100e9);
    RecordProperty("alone_us", std::to_string(alone * 1e6));
    RecordProperty("flow0_us", std::to_string(done[0] * 1e6));
    RecordProperty("flow1_us", std::to_string(done[1] * 1e6));
    for (double t : done)
    {
        EXPECT_NEAR(t, 2 * alone, 0.03 * 2 * alone); // each got about half of the uplink
    }
    EXPECT_EQ(topo.GetLeaf(0)->GetPort(topo.GetLeafUplinkPort(1))->GetTxBytes(), 0u);
    EXPECT_EQ(topo.GetLeaf(0)->GetNFlowRoutes(), 2u);
}

TEST_F(SimTest, GoBackNDeliversEveryByteExactlyOnceDespiteDrops)
{
    // Incast 6 -> 1 through a leaf with a 5-packet egress buffer: the leaf drops, receivers
    // NAK, senders go back; every message completes with exactly its bytes.
    LeafSpineConfig c;
    c.leaves = 1;
    c.spines = 1;
    c.gpusPerLeaf = 8;
    c.queueBytes = 5 * 4200;
    LeafSpineHelper topo(c);
    topo.SetNicAttribute("RetransmitTimeout", TimeValue(MicroSeconds(100)));
    topo.Build();
    const uint64_t bytes = 1000 * 1000 + 123;
    uint32_t received = 0;
    uint64_t receivedBytes = 0;
    uint32_t sent = 0;
    auto onRx = [&](uint32_t imm, uint64_t b) {
        ++received;
        receivedBytes += b;
        EXPECT_EQ(b, bytes + imm);
    };
    auto onTx = [&](uint32_t, uint64_t) { ++sent; };
    for (uint32_t s = 1; s <= 6; ++s)
    {
        uint32_t qp = topo.GetNic(s)->CreateQp(topo.GetNic(0),
                                               Callback<void, uint32_t, uint64_t>(onTx),
                                               Callback<void, uint32_t, uint64_t>(onRx));
        topo.GetNic(s)->PostSend(qp, bytes + s, s);
    }
    Simulator::Run();
    uint64_t drops = topo.GetLeaf(0)->GetPort(0)->GetDropPackets();
    uint64_t retransmitted = 0;
    for (uint32_t s = 1; s <= 6; ++s)
    {
        retransmitted += topo.GetNic(s)->GetRetransmittedPackets();
    }
    RecordProperty("drops", std::to_string(drops));
    RecordProperty("retransmitted", std::to_string(retransmitted));
    EXPECT_GT(drops, 0u);
    EXPECT_GT(retransmitted, 0u);
    EXPECT_EQ(received, 6u);
    EXPECT_EQ(sent, 6u);
    EXPECT_EQ(receivedBytes, 6 * bytes + 21);
    EXPECT_EQ(topo.GetNic(0)->GetDeliveredBytes(), 6 * bytes + 21);
}

TEST_F(SimTest, PcapHoldsParsableRoceHeaders)
{
    const std::string file = ::testing::TempDir() + "vclos-pcap-test.pcap";
    {
        LeafSpineConfig c;
        c.leaves = 1;
        c.spines = 1;
        c.gpusPerLeaf = 2;
        LeafSpineHelper topo(c);
        topo.Build();
        topo.EnablePcap(file, 0);
        SendOne(topo, 0, 1, 3 * 4096 + 100); // four data packets
    }
    Simulator::Destroy(); // the last reference to the devices goes: the file is closed

    uint32_t linkType = 0;
    const std::vector<std::vector<uint8_t>> records = vclos_test::ReadPcapRecords(file, linkType);
    EXPECT_EQ(linkType, 101u); // DLT_RAW: IPv4
    std::vector<uint8_t> opcodes;
    std::vector<uint32_t> psns;
    uint32_t acks = 0;
    for (const std::vector<uint8_t>& record : records)
    {
        Ptr<Packet> p = Create<Packet>(record.data(), record.size());
        Ipv4Header ip;
        p->RemoveHeader(ip);
        EXPECT_EQ(ip.GetProtocol(), 17);
        UdpHeader udp;
        p->RemoveHeader(udp);
        EXPECT_EQ(udp.GetDestinationPort(), 4791);
        EXPECT_GE(udp.GetSourcePort(), 49152);
        BthHeader bth;
        p->RemoveHeader(bth);
        if (bth.GetOpcode() == BthHeader::ACKNOWLEDGE)
        {
            AethHeader aeth;
            p->RemoveHeader(aeth);
            EXPECT_FALSE(aeth.IsNak());
            EXPECT_EQ(ip.GetSource(), Ipv4Address("10.0.0.2"));
            ++acks;
            continue;
        }
        EXPECT_EQ(ip.GetSource(), Ipv4Address("10.0.0.1"));
        EXPECT_EQ(ip.GetDestination(), Ipv4Address("10.0.0.2"));
        opcodes.push_back(bth.GetOpcode());
        psns.push_back(bth.GetPsn());
        if (bth.GetOpcode() == BthHeader::SEND_LAST_WITH_IMMEDIATE)
        {
            ImmDtHeader imm;
            p->RemoveHeader(imm);
            EXPECT_EQ(imm.GetImmediate(), 42u);
            EXPECT_EQ(p->GetSize(), 100u);
        }
        else
        {
            EXPECT_EQ(p->GetSize(), 4096u);
        }
    }
    const std::vector<uint8_t> expectOps = {BthHeader::SEND_FIRST,
                                            BthHeader::SEND_MIDDLE,
                                            BthHeader::SEND_MIDDLE,
                                            BthHeader::SEND_LAST_WITH_IMMEDIATE};
    EXPECT_EQ(opcodes, expectOps);
    EXPECT_EQ(psns, (std::vector<uint32_t>{0, 1, 2, 3}));
    EXPECT_EQ(acks, 4u);
    std::remove(file.c_str());
}
