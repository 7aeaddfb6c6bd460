/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Data-plane faults of issue 7, each with the scenario that showed it: cross-priority
// head-of-line blocking, PFC that never resumes, ECN marks on dropped packets, no hop
// limit, one NAK per gap, drops invisible in shared-buffer mode.

#include "vclos-test-utils.h"

#include "ns3/bth-header.h"
#include "ns3/error-model.h"
#include "ns3/ipv4-header.h"
#include "ns3/pfc-header.h"
#include "ns3/rocev2-header.h"

#include <vector>

using namespace ns3;
using namespace vclos_test;

static auto* g_env = ::testing::AddGlobalTestEnvironment(new PicosecondEnvironment);

namespace
{

const Callback<void, uint32_t, uint64_t> kNoMessageCb =
    MakeNullCallback<void, uint32_t, uint64_t>();

/// An IPv4 (RoCEv2) packet of \p payload bytes with this TOS byte.
Ptr<Packet>
MakePacket(uint8_t tos, uint32_t payload)
{
    Ptr<Packet> p = Create<Packet>(payload);
    Rocev2Header h;
    h.SetTos(tos);
    h.Set(0x0a000001, 0x0a000002, 49152, BthHeader::SEND_ONLY, 1, 0, false, payload);
    p->AddHeader(h);
    return p;
}

} // namespace

// ---------------------------------------------------------------------------------------
// 1. Cross-priority head-of-line blocking

TEST_F(SimTest, ControlPacketOvertakesPausedData)
{
    // Two ports on one 100 Gbps cable with 1 us delay. B pauses priority 3 at A for
    // 65535 quanta (335.5 us); data queued at A must wait, an ACK (priority 6) must not.
    const vclos_test::PortPair ports = vclos_test::MakePortPair(MicroSeconds(1));
    const Ptr<VclosNetDevice> a = ports.a;
    const Ptr<VclosNetDevice> b = ports.b;
    std::vector<std::pair<uint32_t, Time>> arrivals; // (priority, time) at B
    b->SetFrameHandler(
        Callback<void, VclosNetDevice*, VclosFrame*>([&arrivals](VclosNetDevice*, VclosFrame* f) {
            arrivals.emplace_back(VclosNetDevice::PriorityOfTos(f->Head()[1]), Simulator::Now());
            VclosFrame::Release(f);
        }));
    Simulator::Schedule(Time(0), &VclosNetDevice::SendPfc, b, 3, 0xFFFF);
    const Ptr<Packet> data = MakePacket(RdmaNic::DATA_TOS, 4096);
    const Ptr<Packet> ack = MakePacket(RdmaNic::CONTROL_TOS, 4);
    const Time tData = MicroSeconds(10);
    const Time tAck = MicroSeconds(20);
    Simulator::Schedule(tData, [&]() {
        ASSERT_TRUE(a->IsPaused(3));
        EXPECT_TRUE(
            a->Enqueue(VclosFrame::FromPacket(data), 3, VclosNetDevice::NO_INGRESS, false));
    });
    Simulator::Schedule(tAck, [&]() {
        EXPECT_TRUE(
            a->Enqueue(VclosFrame::FromPacket(ack), 6, VclosNetDevice::NO_INGRESS, false));
    });
    Simulator::Run();
    ASSERT_EQ(arrivals.size(), 2u);
    // The ACK leaves at once: its serialisation plus the cable's delay, exactly.
    EXPECT_EQ(arrivals[0].first, 6u);
    EXPECT_EQ(arrivals[0].second, tAck + a->GetTxTime(ack->GetSize()) + MicroSeconds(1));
    // The data waits for the pause to expire: it started when the PFC frame arrived.
    const Time pauseStart = b->GetTxTime(PfcHeader::SIZE) + MicroSeconds(1);
    const Time pause = DataRate("100Gbps").CalculateBitsTxTime(512) * 0xFFFF;
    EXPECT_EQ(arrivals[1].first, 3u);
    EXPECT_EQ(arrivals[1].second,
              pauseStart + pause + a->GetTxTime(data->GetSize()) + MicroSeconds(1));
}

// ---------------------------------------------------------------------------------------
// 2. PFC that never resumes

namespace
{

/// 8-to-1 incast of \p bytes per sender below one lossless leaf whose shared buffer is
/// \p sharedBytes above the headroom its ports reserve. Returns each sender's completion
/// time (-1 if not finished by \p stop) and fills \p drops.
std::vector<double>
ShallowLosslessIncast(uint64_t bytes,
                      uint32_t sharedBytes,
                      Time stop,
                      uint64_t& drops,
                      uint32_t& pauses)
{
    LeafSpineConfig c;
    c.leaves = 1;
    c.spines = 1;
    c.gpusPerLeaf = 9;
    LeafSpineHelper topo(c);
    topo.SetSwitchAttribute("BufferBytes", UintegerValue(4 << 20));
    topo.SetSwitchAttribute("PfcEnabled", BooleanValue(true));
    topo.Build();
    Ptr<VclosSwitch> leaf = topo.GetLeaf(0);
    uint32_t headroom = 0;
    for (uint32_t port = 0; port < leaf->GetNPorts(); ++port)
    {
        headroom += leaf->GetHeadroom(port); // one lossless priority
    }
    leaf->SetAttribute("BufferBytes", UintegerValue(headroom + sharedBytes));
    leaf->TraceConnectWithoutContext(
        "PfcSent",
        Callback<void, uint32_t, uint32_t, bool>(
            [&pauses](uint32_t, uint32_t, bool pause) { pauses += pause; }));
    std::vector<double> done(8, -1);
    for (uint32_t s = 1; s <= 8; ++s)
    {
        auto onRx = [&done, s](uint32_t, uint64_t) { done[s - 1] = Simulator::Now().GetSeconds(); };
        uint32_t qp = topo.GetNic(s)->CreateQp(topo.GetNic(0),
                                               kNoMessageCb,
                                               Callback<void, uint32_t, uint64_t>(onRx));
        topo.GetNic(s)->PostSend(qp, bytes, s);
    }
    Simulator::Stop(stop);
    Simulator::Run();
    drops = leaf->GetBufferDrops();
    for (const auto& link : topo.GetLinks())
    {
        drops += link.device->GetDropPackets();
    }
    Simulator::Destroy();
    return done;
}

} // namespace

TEST_F(SimTest, PfcResumesWithAShallowLosslessBuffer)
{
    // The shared pool is 16 KiB: the dynamic XOFF (Alpha x free pool = 2 KiB) is below the
    // XON offset (8400 B), so "shared + XonOffset <= XOFF" never holds.
    const uint64_t bytes = 8 << 20;
    uint64_t drops = 0;
    uint32_t pauses = 0;
    const std::vector<double> done =
        ShallowLosslessIncast(bytes, 16 << 10, MilliSeconds(100), drops, pauses);
    // Line rate: the 8 messages' wire bytes through the one 100 Gbps port to GPU 0. Every
    // flow finishes within 1% of it (the bottleneck never idles: a resume arrives while
    // the other ingresses' data still drains).
    const double line = TxSeconds(8 * MessageWireBytes(bytes, 4096), 100e9);
    RecordProperty("line_rate_us", std::to_string(line * 1e6));
    EXPECT_EQ(drops, 0u);
    EXPECT_GT(pauses, 100u); // PFC did the work
    RecordProperty("pauses", std::to_string(pauses));
    for (uint32_t s = 0; s < 8; ++s)
    {
        RecordProperty("flow" + std::to_string(s) + "_us", std::to_string(done[s] * 1e6));
        EXPECT_GT(done[s], 0.0) << "sender " << s + 1 << " never finished";
        EXPECT_LT(done[s], 1.01 * line) << "sender " << s + 1;
    }
}

TEST_F(SimTest, PfcRejectsAStaticXoffAtOrBelowTheXonOffset)
{
    Ptr<VclosSwitch> sw = CreateObject<VclosSwitch>();
    sw->SetAttribute("PfcEnabled", BooleanValue(true));
    sw->SetAttribute("BufferBytes", UintegerValue(4 << 20));
    EXPECT_EQ(sw->CheckPfcConfig(), ""); // dynamic XOFF
    sw->SetAttribute("StaticXoffBytes", UintegerValue(8400));
    sw->SetAttribute("XonOffsetBytes", UintegerValue(8400));
    const std::string error = sw->CheckPfcConfig();
    EXPECT_NE(error.find("StaticXoffBytes (8400)"), std::string::npos) << error;
    EXPECT_NE(error.find("XonOffsetBytes (8400)"), std::string::npos) << error;
    sw->SetAttribute("StaticXoffBytes", UintegerValue(8401));
    EXPECT_EQ(sw->CheckPfcConfig(), "");
    sw->SetAttribute("PfcEnabled", BooleanValue(false)); // not used without PFC
    sw->SetAttribute("StaticXoffBytes", UintegerValue(100));
    EXPECT_EQ(sw->CheckPfcConfig(), "");

    // The simulation refuses to start with it (the first packet configures the buffer).
    ::testing::FLAGS_gtest_death_test_style = "threadsafe";
    EXPECT_DEATH(
        {
            LeafSpineConfig c;
            c.leaves = 1;
            c.spines = 1;
            c.gpusPerLeaf = 2;
            LeafSpineHelper topo(c);
            topo.SetSwitchAttribute("BufferBytes", UintegerValue(4 << 20));
            topo.SetSwitchAttribute("PfcEnabled", BooleanValue(true));
            topo.SetSwitchAttribute("StaticXoffBytes", UintegerValue(4000));
            topo.Build();
            uint32_t qp = topo.GetNic(0)->CreateQp(topo.GetNic(1), kNoMessageCb, kNoMessageCb);
            topo.GetNic(0)->PostSend(qp, 1000, 0);
            Simulator::Run();
        },
        "StaticXoffBytes \\(4000\\).*XonOffsetBytes \\(8400\\)");
}

// ---------------------------------------------------------------------------------------
// 3. ECN marks only what the buffer admits

TEST_F(SimTest, EcnMarksOnlyPacketsTheBufferAdmits)
{
    // Lossy shared-buffer incast with ECN and no congestion control: the egress queue
    // passes Kmax (every packet marked) before Alpha x free buffer drops packets.
    LeafSpineConfig c;
    c.leaves = 1;
    c.spines = 1;
    c.gpusPerLeaf = 9;
    LeafSpineHelper topo(c);
    topo.SetSwitchAttribute("BufferBytes", UintegerValue(4 << 20));
    topo.SetSwitchAttribute("EcnEnabled", BooleanValue(true));
    topo.SetNicAttribute("RetransmitTimeout", TimeValue(MicroSeconds(200)));
    topo.Build();
    uint64_t markTrace = 0;
    topo.GetLeaf(0)->TraceConnectWithoutContext(
        "EcnMark",
        Callback<void, Ptr<const Packet>, uint32_t>(
            [&markTrace](Ptr<const Packet>, uint32_t) { ++markTrace; }));
    uint64_t ceReceived = 0;
    topo.GetNic(0)->GetPort(0)->TraceConnectWithoutContext(
        "PhyRxEnd",
        Callback<void, Ptr<const Packet>>([&ceReceived](Ptr<const Packet> p) {
            uint8_t head[2];
            p->CopyData(head, 2);
            ceReceived += (head[1] & 0x3) == 0x3;
        }));
    for (uint32_t s = 1; s <= 8; ++s)
    {
        uint32_t qp = topo.GetNic(s)->CreateQp(topo.GetNic(0), kNoMessageCb, kNoMessageCb);
        topo.GetNic(s)->PostSend(qp, 2 << 20, s);
    }
    Simulator::Run();
    EXPECT_EQ(topo.GetNic(0)->GetDeliveredBytes(), 8u * (2 << 20));
    EXPECT_GT(topo.GetLeaf(0)->GetBufferDrops(), 0u);
    EXPECT_GT(ceReceived, 0u);
    // One hop: every mark reaches GPU 0, none is counted on a packet the buffer dropped.
    EXPECT_EQ(markTrace, ceReceived);
    EXPECT_EQ(topo.GetLeaf(0)->GetPort(0)->GetEcnMarks(), ceReceived);
    RecordProperty("marks", std::to_string(markTrace));
    RecordProperty("drops", std::to_string(topo.GetLeaf(0)->GetBufferDrops()));
}

// ---------------------------------------------------------------------------------------
// 4. Hop limit

TEST_F(SimTest, Rfc1624TtlUpdateKeepsTheChecksumValid)
{
    for (uint8_t ttl : {64, 2, 1, 255})
    {
        for (bool ce : {false, true})
        {
            Ipv4Header ip;
            ip.SetSource(Ipv4Address("10.0.0.3"));
            ip.SetDestination(Ipv4Address("10.0.1.7"));
            ip.SetProtocol(17);
            ip.SetTtl(ttl);
            ip.SetTos(RdmaNic::DATA_TOS);
            ip.SetPayloadSize(4140);
            ip.EnableChecksum();
            Buffer buf;
            buf.AddAtStart(20);
            ip.Serialize(buf.Begin());
            uint8_t bytes[20];
            buf.CopyData(bytes, 20);
            VclosSwitch::DecrementTtl(bytes);
            if (ce)
            {
                VclosSwitch::SetCe(bytes);
            }
            // The same header serialized afresh with TTL - 1 (and CE): identical bytes.
            ip.SetTtl(ttl - 1);
            if (ce)
            {
                ip.SetEcn(Ipv4Header::ECN_CE);
            }
            Buffer expected;
            expected.AddAtStart(20);
            ip.Serialize(expected.Begin());
            uint8_t want[20];
            expected.CopyData(want, 20);
            EXPECT_EQ(std::vector<uint8_t>(bytes, bytes + 20),
                      std::vector<uint8_t>(want, want + 20))
                << "ttl " << +ttl << " ce " << ce;
        }
    }
    // Without a checksum (vclos' own packets) the checksum stays 0.
    uint8_t raw[20] = {0x45, 0x62, 0, 60, 0, 0, 0x40, 0, 64, 17};
    VclosSwitch::DecrementTtl(raw);
    EXPECT_EQ(raw[8], 63);
    EXPECT_EQ(raw[10], 0);
    EXPECT_EQ(raw[11], 0);
}

namespace
{

struct LoopResult
{
    uint32_t switchReceptions{0};
    uint64_t hopLimitDrops[3]{}; //!< leaf0, leaf1, spine0 counters
    uint32_t hopLimitTraces{0};
    uint64_t linkHopLimitDrops{0}; //!< summed over the links' devices
    uint64_t linkDrops{0};         //!< every cause
    std::string dropLink;          //!< the link its drop was counted on
};

/// GPU 0 (leaf 0) sends one small packet to GPU 1 (leaf 1); leaf 1 sends it back up to the
/// spine, which routes it down to leaf 1 again: a loop.
LoopResult
RoutingLoop(uint32_t ttl)
{
    LeafSpineConfig c;
    c.leaves = 2;
    c.spines = 1;
    c.gpusPerLeaf = 1;
    LeafSpineHelper topo(c);
    if (ttl != 0)
    {
        topo.SetNicAttribute("InitialTtl", UintegerValue(ttl));
    }
    topo.Build();
    topo.GetLeaf(1)->SetFlowRoute(0, 1, topo.GetLeafUplinkPort(0));
    LoopResult r;
    std::vector<Ptr<VclosSwitch>> switches = {topo.GetLeaf(0), topo.GetLeaf(1), topo.GetSpine(0)};
    for (auto& sw : switches)
    {
        for (uint32_t port = 0; port < sw->GetNPorts(); ++port)
        {
            sw->GetPort(port)->TraceConnectWithoutContext(
                "PhyRxEnd",
                Callback<void, Ptr<const Packet>>(
                    [&r](Ptr<const Packet>) { ++r.switchReceptions; }));
        }
        sw->TraceConnectWithoutContext(
            "HopLimitDrop",
            Callback<void, Ptr<const Packet>>([&r](Ptr<const Packet>) { ++r.hopLimitTraces; }));
    }
    uint32_t qp = topo.GetNic(0)->CreateQp(topo.GetNic(1), kNoMessageCb, kNoMessageCb);
    topo.GetNic(0)->PostSend(qp, 100, 0); // one packet; the retransmit timeout is 1 ms
    Simulator::Stop(MicroSeconds(500));
    Simulator::Run();
    for (uint32_t i = 0; i < 3; ++i)
    {
        r.hopLimitDrops[i] = switches[i]->GetHopLimitDrops();
    }
    for (const auto& link : topo.GetLinks())
    {
        r.linkHopLimitDrops += link.device->GetDropPackets(VclosNetDevice::DROP_HOP_LIMIT);
        r.linkDrops += link.device->GetDropPackets();
        if (link.device->GetDropPackets() > 0)
        {
            r.dropLink = link.src + "->" + link.dst;
        }
    }
    Simulator::Destroy();
    return r;
}

} // namespace

TEST_F(SimTest, HopLimitDropsALoopingPacketAfterTtlHops)
{
    // Hop k (k = 1, 2, ...) reaches leaf0, spine0, leaf1, spine0, leaf1, ...; the packet
    // arrives at hop k with TTL = initial + 1 - k and is dropped where that is 1.
    const LoopResult def = RoutingLoop(0); // the NIC's default TTL, 64
    EXPECT_EQ(def.switchReceptions, 64u);
    EXPECT_EQ(def.hopLimitDrops[2], 1u); // hop 64 is even: the spine
    EXPECT_EQ(def.hopLimitDrops[0] + def.hopLimitDrops[1], 0u);
    EXPECT_EQ(def.hopLimitTraces, 1u);
    EXPECT_EQ(def.linkHopLimitDrops, 1u);
    EXPECT_EQ(def.linkDrops, 1u);
    EXPECT_EQ(def.dropLink, "leaf1->spine0"); // the link it arrived on

    const LoopResult five = RoutingLoop(5);
    EXPECT_EQ(five.switchReceptions, 5u);
    EXPECT_EQ(five.hopLimitDrops[1], 1u); // hop 5: leaf 1
    EXPECT_EQ(five.hopLimitTraces, 1u);
    EXPECT_EQ(five.linkHopLimitDrops, 1u);
    EXPECT_EQ(five.dropLink, "spine0->leaf1");
}

TEST_F(SimTest, NoRouteDropIsCountedOnTheLinkItArrivedOn)
{
    LeafSpineConfig c;
    c.leaves = 2;
    c.spines = 1;
    c.gpusPerLeaf = 1;
    LeafSpineHelper topo(c);
    topo.Build();
    topo.GetSpine(0)->SetRoute(1, {}); // the spine forgets GPU 1
    uint32_t qp = topo.GetNic(0)->CreateQp(topo.GetNic(1), kNoMessageCb, kNoMessageCb);
    topo.GetNic(0)->PostSend(qp, 100, 0);
    Simulator::Stop(MicroSeconds(500)); // before the retransmit timeout (1 ms)
    Simulator::Run();
    EXPECT_EQ(topo.GetSpine(0)->GetNoRouteDrops(), 1u);
    for (const auto& link : topo.GetLinks())
    {
        const bool expected = link.src == "leaf0" && link.dst == "spine0";
        EXPECT_EQ(link.device->GetDropPackets(VclosNetDevice::DROP_NO_ROUTE), expected ? 1u : 0u)
            << link.src << "->" << link.dst;
        EXPECT_EQ(link.device->GetDropPackets(), expected ? 1u : 0u);
    }
}

// ---------------------------------------------------------------------------------------
// 5. Re-NAK interval

namespace
{

/// Drops the first \p times arrivals of the data packet with PSN \p psn.
class DropPsnErrorModel : public ErrorModel
{
  public:
    DropPsnErrorModel(uint32_t psn, uint32_t times)
        : m_psn(psn),
          m_left(times)
    {
    }

    uint32_t m_dropped{0}; //!< packets dropped

  private:
    bool DoCorrupt(Ptr<Packet> p) override
    {
        uint8_t h[40];
        p->CopyData(h, 40);
        const uint8_t opcode = h[28];
        const uint32_t psn = (h[37] << 16) | (h[38] << 8) | h[39];
        if (opcode == BthHeader::ACKNOWLEDGE || opcode == BthHeader::CNP || psn != m_psn ||
            m_left == 0)
        {
            return false;
        }
        --m_left;
        ++m_dropped;
        return true;
    }

    void DoReset() override
    {
    }

    uint32_t m_psn;
    uint32_t m_left;
};

struct RenakResult
{
    double done{-1};      //!< message received, seconds
    uint64_t timeouts{0}; //!< sender's retransmit timeouts
    uint32_t goBacks{0};  //!< sender's go-backs (NAK or timeout)
    uint32_t dropped{0};  //!< packets the error model dropped
    uint64_t rxErrors{0}; //!< drops counted on the link gpu0 -> leaf0 -> ... (DROP_RX_ERROR)
};

/// GPU 0 sends \p packets full packets to GPU 1 on one leaf; GPU 1's port loses PSN 10
/// twice: the first transmission and its retransmission.
RenakResult
LostRetransmission(Time nakInterval, uint64_t packets)
{
    LeafSpineConfig c;
    c.leaves = 1;
    c.spines = 1;
    c.gpusPerLeaf = 2;
    LeafSpineHelper topo(c);
    topo.SetNicAttribute("NakInterval", TimeValue(nakInterval));
    topo.Build();
    Ptr<DropPsnErrorModel> em = CreateObject<DropPsnErrorModel>(10, 2);
    topo.GetNic(1)->GetPort(0)->SetAttribute("ReceiveErrorModel", PointerValue(em));
    RenakResult r;
    topo.GetNic(0)->TraceConnectWithoutContext(
        "GoBack",
        Callback<void, uint32_t, uint64_t>([&r](uint32_t, uint64_t psn) {
            EXPECT_EQ(psn, 10u);
            ++r.goBacks;
        }));
    auto onRx = [&r](uint32_t, uint64_t) { r.done = Simulator::Now().GetSeconds(); };
    uint32_t qp = topo.GetNic(0)->CreateQp(topo.GetNic(1),
                                           kNoMessageCb,
                                           Callback<void, uint32_t, uint64_t>(onRx));
    topo.GetNic(0)->PostSend(qp, packets * 4096, 0);
    Simulator::Run();
    r.timeouts = topo.GetNic(0)->GetTimeouts();
    r.dropped = em->m_dropped;
    for (const auto& link : topo.GetLinks())
    {
        r.rxErrors += link.device->GetDropPackets(VclosNetDevice::DROP_RX_ERROR);
    }
    Simulator::Destroy();
    return r;
}

} // namespace

TEST_F(SimTest, LostRetransmissionWaitsForTheTimeoutWithOneNakPerGap)
{
    const uint64_t packets = 1000;
    const double rto = 1e-3; // RetransmitTimeout default
    const double pkt = TxSeconds(DataWireBytes(4096, false), 100e9);
    const RenakResult r = LostRetransmission(Time(0), packets);
    RecordProperty("done_us", std::to_string(r.done * 1e6));
    EXPECT_EQ(r.dropped, 2u);
    EXPECT_EQ(r.rxErrors, 2u);
    EXPECT_EQ(r.timeouts, 1u);
    EXPECT_EQ(r.goBacks, 2u); // the NAK, then the timeout
    // The timer runs from the NAK (after PSN 11 arrived, > 11 packet times) for one RTO;
    // then PSNs 10..999 go again at line rate, and the tail crosses the leaf (< 10 us).
    EXPECT_GT(r.done, 11 * pkt + rto + (packets - 10) * pkt);
    EXPECT_LT(r.done, 11 * pkt + 10e-6 + rto + (packets - 10) * pkt + 10e-6);
}

TEST_F(SimTest, LostRetransmissionIsReNakedAfterTheNakInterval)
{
    const uint64_t packets = 1000;
    const double interval = 50e-6;
    const double pkt = TxSeconds(DataWireBytes(4096, false), 100e9);
    const RenakResult r = LostRetransmission(MicroSeconds(50), packets);
    RecordProperty("done_us", std::to_string(r.done * 1e6));
    EXPECT_EQ(r.dropped, 2u);
    EXPECT_EQ(r.timeouts, 0u);
    EXPECT_EQ(r.goBacks, 2u); // two NAKs
    // The packets sent between the lost retransmission and the second NAK (one interval)
    // are sent again; the first NAK's and the second NAK's round trips add < 10 us each.
    const double line = packets * pkt;
    EXPECT_GT(r.done, line + interval);
    EXPECT_LT(r.done, line + interval + 20e-6);
}

// ---------------------------------------------------------------------------------------
// 6. Every drop reaches the results with its cause

namespace
{

struct DropAccount
{
    uint64_t nicTx{0}; //!< packets sent by the NICs' ports (data and control)
    uint64_t nicRx{0}; //!< packets received by them
    uint64_t drops{0}; //!< every link, every cause
    uint64_t byCause[VclosNetDevice::DROP_CAUSES]{};
    uint64_t switchDrops{0};   //!< the leaf's own counters (buffer + no route + hop limit)
    uint64_t retransmitted{0}; //!< data packets the senders sent again
    uint64_t discarded{0};     //!< data packets the receiver got but did not accept
    uint64_t losslessDrops{0}; //!< the leaf's lossless-drop counter
};

/// How the leaf buffers the incast.
enum class Buffering
{
    PER_PORT,     //!< per-port queues of 64 KiB, tail drop
    SHARED,       //!< a 1 MiB shared buffer, lossy
    TINY_HEADROOM //!< the shared buffer with PFC, but 5000 bytes of headroom per port
};

/// 8-to-1 incast of 1 MiB per sender that loses packets.
DropAccount
LossyIncast(Buffering buffering)
{
    LeafSpineConfig c;
    c.leaves = 1;
    c.spines = 1;
    c.gpusPerLeaf = 9;
    c.queueBytes = 64 << 10;
    LeafSpineHelper topo(c);
    if (buffering != Buffering::PER_PORT)
    {
        topo.SetSwitchAttribute("BufferBytes", UintegerValue(1 << 20));
    }
    if (buffering == Buffering::TINY_HEADROOM)
    {
        // Less than a PAUSE round trip's worth of bytes (about 27 kB): lossless drops.
        topo.SetSwitchAttribute("PfcEnabled", BooleanValue(true));
        topo.SetSwitchAttribute("HeadroomBytes", UintegerValue(5000));
    }
    topo.SetNicAttribute("RetransmitTimeout", TimeValue(MicroSeconds(100)));
    topo.Build();
    const uint64_t bytes = 1 << 20;
    for (uint32_t s = 1; s <= 8; ++s)
    {
        uint32_t qp = topo.GetNic(s)->CreateQp(topo.GetNic(0), kNoMessageCb, kNoMessageCb);
        topo.GetNic(s)->PostSend(qp, bytes, s);
    }
    Simulator::Run();
    DropAccount a;
    EXPECT_EQ(topo.GetNic(0)->GetDeliveredBytes(), 8 * bytes);
    for (uint32_t g = 0; g <= 8; ++g)
    {
        a.nicTx += topo.GetNic(g)->GetPort(0)->GetTxPackets();
        a.nicRx += topo.GetNic(g)->GetPort(0)->GetRxPackets();
        a.retransmitted += topo.GetNic(g)->GetRetransmittedPackets();
    }
    a.discarded = topo.GetNic(0)->GetDataPacketsReceived() - 8 * (bytes / 4096);
    for (const auto& link : topo.GetLinks())
    {
        a.drops += link.device->GetDropPackets();
        for (uint32_t k = 0; k < VclosNetDevice::DROP_CAUSES; ++k)
        {
            a.byCause[k] += link.device->GetDropPackets(static_cast<VclosNetDevice::DropCause>(k));
        }
    }
    a.switchDrops = topo.GetLeaf(0)->GetBufferDrops() + topo.GetLeaf(0)->GetNoRouteDrops() +
                    topo.GetLeaf(0)->GetHopLimitDrops();
    a.losslessDrops = topo.GetLeaf(0)->GetLosslessDrops();
    Simulator::Destroy();
    return a;
}

void
CheckDropAccount(const DropAccount& a, VclosNetDevice::DropCause cause)
{
    EXPECT_GT(a.drops, 0u);
    // Every packet a NIC sent either arrived at a NIC or was dropped, and counted once.
    EXPECT_EQ(a.nicTx, a.nicRx + a.drops);
    // Every packet sent again was either lost or discarded by the receiver (go-back-N).
    EXPECT_EQ(a.retransmitted, a.drops + a.discarded);
    uint64_t sum = 0;
    for (uint32_t k = 0; k < VclosNetDevice::DROP_CAUSES; ++k)
    {
        sum += a.byCause[k];
        if (k != cause)
        {
            EXPECT_EQ(a.byCause[k], 0u)
                << VclosNetDevice::DropCauseName(static_cast<VclosNetDevice::DropCause>(k));
        }
    }
    EXPECT_EQ(sum, a.drops);
}

} // namespace

TEST_F(SimTest, DropsEqualLostPacketsWithPerPortQueues)
{
    const DropAccount a = LossyIncast(Buffering::PER_PORT);
    CheckDropAccount(a, VclosNetDevice::DROP_QUEUE);
    EXPECT_EQ(a.switchDrops, 0u); // tail drops are the port's, not the switch's
    RecordProperty("drops", std::to_string(a.drops));
    RecordProperty("retransmitted", std::to_string(a.retransmitted));
}

TEST_F(SimTest, DropsEqualLostPacketsWithASharedBuffer)
{
    const DropAccount a = LossyIncast(Buffering::SHARED);
    CheckDropAccount(a, VclosNetDevice::DROP_BUFFER);
    EXPECT_EQ(a.switchDrops, a.drops); // the switch's own count agrees with the links'
    RecordProperty("drops", std::to_string(a.drops));
    RecordProperty("retransmitted", std::to_string(a.retransmitted));
}

TEST_F(SimTest, DropsEqualLostPacketsWhenTheLosslessHeadroomIsTooSmall)
{
    const DropAccount a = LossyIncast(Buffering::TINY_HEADROOM);
    CheckDropAccount(a, VclosNetDevice::DROP_HEADROOM);
    EXPECT_EQ(a.losslessDrops, a.drops);
    EXPECT_EQ(a.switchDrops, a.drops);
    RecordProperty("drops", std::to_string(a.drops));
}
