/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Flows that cross the 24-bit PSN wrap (2^24 - 1 -> 0) end to end. Packets carry the low 24
// bits of the queue pair's 64-bit PSN counters; the RdmaNic attribute InitialPsn starts a
// new queue pair just before the wrap, so a few hundred packets cross it.
//  - no loss: every byte arrives once, the message callbacks fire, the wire PSNs wrap to 0,
//    and the timing is identical to the same transfer starting at PSN 0;
//  - loss (an incast into a 5-packet switch buffer): NAKs and go-back-N on both sides of
//    the wrap and from after it back to before it, every byte still delivered once.

#include "vclos-test-utils.h"

#include "ns3/aeth-header.h"
#include "ns3/bth-header.h"

#include <vector>

using namespace ns3;
using namespace vclos_test;

static auto* g_env = ::testing::AddGlobalTestEnvironment(new PicosecondEnvironment);

namespace
{

constexpr uint64_t kWrap = uint64_t{1} << 24; //!< PSN space of the BTH
constexpr uint32_t kMtu = 4096;

/// A data or ACK/NAK packet seen on a wire, parsed from its bytes.
struct WirePacket
{
    uint8_t opcode;
    uint32_t psn; //!< 24-bit PSN of the BTH
    bool nak;     //!< an ACKNOWLEDGE whose AETH syndrome is a NAK
};

/// Records the RoCE packets a device starts to serialise.
void
Record(std::vector<WirePacket>* out, Ptr<const Packet> p)
{
    uint8_t b[RdmaNic::HEADER_BYTES + 4] = {};
    p->CopyData(b, sizeof(b));
    const uint8_t* bth = b + 28;
    WirePacket w;
    w.opcode = bth[0];
    w.psn = (uint32_t{bth[9]} << 16) | (uint32_t{bth[10]} << 8) | bth[11];
    w.nak = w.opcode == BthHeader::ACKNOWLEDGE && (b[RdmaNic::HEADER_BYTES] & 0x60) == 0x60;
    out->push_back(w);
}

/// Data PSNs (24-bit) of \p wire in wire order.
std::vector<uint32_t>
DataPsns(const std::vector<WirePacket>& wire)
{
    std::vector<uint32_t> psns;
    for (const auto& w : wire)
    {
        if (w.opcode != BthHeader::ACKNOWLEDGE && w.opcode != BthHeader::CNP)
        {
            psns.push_back(w.psn);
        }
    }
    return psns;
}

/// Result of one lossless two-message transfer GPU 0 -> GPU 1.
struct Transfer
{
    std::vector<double> rxTimes;    //!< receive callbacks, s
    std::vector<uint64_t> rxBytes;  //!< bytes per receive callback
    std::vector<uint32_t> rxImm;    //!< immediates per receive callback
    std::vector<double> txTimes;    //!< send-complete callbacks, s
    std::vector<uint32_t> dataPsns; //!< 24-bit data PSNs on GPU 0's wire
    uint64_t sndUna{0};             //!< sender's 64-bit ACK point at the end
    uint64_t expectedPsn{0};        //!< receiver's 64-bit expected PSN at the end
    uint64_t delivered{0};          //!< payload bytes accepted at GPU 1
    uint64_t retransmitted{0};      //!< packets sent again by GPU 0
};

/// Two messages of \p bytes1 and \p bytes2 over leaf0 - spine - leaf1, no loss.
Transfer
RunTransfer(uint32_t initialPsn, uint32_t ackInterval, uint64_t bytes1, uint64_t bytes2)
{
    Transfer t;
    LeafSpineConfig c;
    c.leaves = 2;
    c.spines = 1;
    c.gpusPerLeaf = 1;
    LeafSpineHelper topo(c);
    topo.SetNicAttribute("InitialPsn", UintegerValue(initialPsn));
    topo.SetNicAttribute("AckInterval", UintegerValue(ackInterval));
    topo.Build();
    std::vector<WirePacket> wire;
    topo.GetNic(0)->GetPort(0)->TraceConnectWithoutContext("PhyTxBegin",
                                                           MakeBoundCallback(&Record, &wire));
    auto onRx = [&t](uint32_t imm, uint64_t b) {
        t.rxTimes.push_back(Simulator::Now().GetSeconds());
        t.rxBytes.push_back(b);
        t.rxImm.push_back(imm);
    };
    auto onTx = [&t](uint32_t, uint64_t) { t.txTimes.push_back(Simulator::Now().GetSeconds()); };
    const uint32_t qp = topo.GetNic(0)->CreateQp(topo.GetNic(1),
                                                 Callback<void, uint32_t, uint64_t>(onTx),
                                                 Callback<void, uint32_t, uint64_t>(onRx));
    topo.GetNic(0)->PostSend(qp, bytes1, 7);
    topo.GetNic(0)->PostSend(qp, bytes2, 8);
    Simulator::Stop(MilliSeconds(50)); // a broken wrap must fail, not hang
    Simulator::Run();
    t.dataPsns = DataPsns(wire);
    const RdmaQueuePair& s = topo.GetNic(0)->GetQp(qp);
    t.sndUna = s.sndUna;
    t.expectedPsn = topo.GetNic(1)->GetQp(s.peerQpn).expectedPsn;
    t.delivered = topo.GetNic(1)->GetDeliveredBytes();
    t.retransmitted = topo.GetNic(0)->GetRetransmittedPackets();
    Simulator::Destroy();
    return t;
}

} // namespace

TEST_F(SimTest, MessagesCrossThePsnWrapWithoutLoss)
{
    // The first message starts 100 packets before the wrap and ends 50 packets after it;
    // the second lies wholly after it. With an ACK every 8 packets, one cumulative ACK
    // (24-bit PSN 3) acknowledges packets on both sides of the wrap.
    const uint32_t initial = kWrap - 100;
    const uint64_t bytes1 = 149 * kMtu + 1000; // 150 packets
    const uint64_t bytes2 = 100 * kMtu;        // 100 packets
    for (uint32_t ackInterval : {1u, 8u})
    {
        SCOPED_TRACE("AckInterval " + std::to_string(ackInterval));
        const Transfer w = RunTransfer(initial, ackInterval, bytes1, bytes2);

        ASSERT_EQ(w.rxBytes.size(), 2u);
        EXPECT_EQ(w.rxBytes[0], bytes1);
        EXPECT_EQ(w.rxBytes[1], bytes2);
        EXPECT_EQ(w.rxImm, (std::vector<uint32_t>{7, 8}));
        EXPECT_EQ(w.txTimes.size(), 2u);
        EXPECT_EQ(w.delivered, bytes1 + bytes2);
        EXPECT_EQ(w.retransmitted, 0u);
        // The 64-bit counters went past 2^24; the wire carried 2^24 - 100 .. 2^24 - 1,
        // then 0 .. 149.
        EXPECT_EQ(w.sndUna, kWrap + 150);
        EXPECT_EQ(w.expectedPsn, kWrap + 150);
        ASSERT_EQ(w.dataPsns.size(), 250u);
        for (uint32_t i = 0; i < 250; ++i)
        {
            ASSERT_EQ(w.dataPsns[i], (initial + i) & BthHeader::PSN_MASK) << i;
        }
        EXPECT_EQ(w.dataPsns[99], 0xFFFFFFu);
        EXPECT_EQ(w.dataPsns[100], 0u);

        // The same transfer from PSN 0 takes exactly as long: the wrap costs nothing.
        const Transfer z = RunTransfer(0, ackInterval, bytes1, bytes2);
        EXPECT_EQ(z.rxTimes, w.rxTimes);
        EXPECT_EQ(z.txTimes, w.txTimes);
        EXPECT_EQ(z.sndUna, 250u);
    }
}

namespace
{

/// Result of an incast 6 -> 1 through a leaf with a 5-packet egress buffer.
struct Incast
{
    uint32_t received{0};                        //!< receive callbacks
    uint32_t sent{0};                            //!< send-complete callbacks
    uint64_t receivedBytes{0};                   //!< bytes of the receive callbacks
    uint64_t delivered{0};                       //!< payload bytes accepted at GPU 0
    std::vector<double> doneTimes;               //!< send-complete times, s, in order
    std::vector<uint64_t> sndUna;                //!< per sender (1..6), 64-bit, at the end
    std::vector<uint64_t> expectedPsn;           //!< per sender's receiving end, at the end
    uint64_t retransmitted{0};                   //!< packets sent again
    uint64_t timeouts{0};                        //!< retransmission timeouts
    uint64_t drops{0};                           //!< drops at the leaf's port to GPU 0
    std::vector<std::vector<uint32_t>> dataPsns; //!< per sender, 24-bit, wire order
    std::vector<WirePacket> acks;                //!< ACKs and NAKs GPU 0 sent, wire order
};

constexpr uint64_t kIncastBytes = 1000 * 1000 + 123; //!< + s bytes from sender s: 245 packets

Incast
RunIncast(uint32_t initialPsn)
{
    Incast r;
    LeafSpineConfig c;
    c.leaves = 1;
    c.spines = 1;
    c.gpusPerLeaf = 8;
    c.queueBytes = 5 * 4200;
    LeafSpineHelper topo(c);
    topo.SetNicAttribute("RetransmitTimeout", TimeValue(MicroSeconds(100)));
    topo.SetNicAttribute("InitialPsn", UintegerValue(initialPsn));
    topo.Build();
    auto onRx = [&r](uint32_t imm, uint64_t b) {
        ++r.received;
        r.receivedBytes += b;
        EXPECT_EQ(b, kIncastBytes + imm);
    };
    auto onTx = [&r](uint32_t, uint64_t) {
        ++r.sent;
        r.doneTimes.push_back(Simulator::Now().GetSeconds());
    };
    std::vector<std::vector<WirePacket>> wire(7);
    std::vector<uint32_t> qps(7);
    for (uint32_t s = 1; s <= 6; ++s)
    {
        topo.GetNic(s)->GetPort(0)->TraceConnectWithoutContext(
            "PhyTxBegin",
            MakeBoundCallback(&Record, &wire[s]));
        qps[s] = topo.GetNic(s)->CreateQp(topo.GetNic(0),
                                          Callback<void, uint32_t, uint64_t>(onTx),
                                          Callback<void, uint32_t, uint64_t>(onRx));
        topo.GetNic(s)->PostSend(qps[s], kIncastBytes + s, s);
    }
    topo.GetNic(0)->GetPort(0)->TraceConnectWithoutContext("PhyTxBegin",
                                                           MakeBoundCallback(&Record, &r.acks));
    Simulator::Stop(MilliSeconds(50)); // a broken wrap must fail, not hang
    Simulator::Run();
    r.delivered = topo.GetNic(0)->GetDeliveredBytes();
    r.drops = topo.GetLeaf(0)->GetPort(0)->GetDropPackets();
    r.dataPsns.resize(7);
    for (uint32_t s = 1; s <= 6; ++s)
    {
        const RdmaQueuePair& qp = topo.GetNic(s)->GetQp(qps[s]);
        r.sndUna.push_back(qp.sndUna);
        r.expectedPsn.push_back(topo.GetNic(0)->GetQp(qp.peerQpn).expectedPsn);
        r.retransmitted += topo.GetNic(s)->GetRetransmittedPackets();
        r.timeouts += topo.GetNic(s)->GetTimeouts();
        r.dataPsns[s] = DataPsns(wire[s]);
    }
    Simulator::Destroy();
    return r;
}

} // namespace

TEST_F(SimTest, GoBackNRecoversLossesAcrossThePsnWrap)
{
    // The incast of GoBackNDeliversEveryByteExactlyOnceDespiteDrops, every queue pair
    // starting 100 packets before the wrap with 245 packets to send.
    const uint32_t initial = kWrap - 100;
    const Incast w = RunIncast(initial);
    EXPECT_EQ(w.received, 6u);
    EXPECT_EQ(w.sent, 6u);
    EXPECT_EQ(w.receivedBytes, 6 * kIncastBytes + 21);
    EXPECT_EQ(w.delivered, 6 * kIncastBytes + 21);
    const uint64_t packets = (kIncastBytes + kMtu - 1) / kMtu; // 245
    for (uint32_t s = 0; s < 6; ++s)
    {
        EXPECT_EQ(w.sndUna[s], initial + packets) << "sender " << s + 1;
        EXPECT_EQ(w.expectedPsn[s], initial + packets) << "sender " << s + 1;
    }
    EXPECT_GT(w.drops, 0u);
    EXPECT_GT(w.retransmitted, 0u);

    // NAKs before and after the wrap (24-bit expected PSNs near 2^24 and near 0).
    uint32_t naksBefore = 0;
    uint32_t naksAfter = 0;
    for (const auto& a : w.acks)
    {
        naksBefore += a.nak && a.psn >= initial;
        naksAfter += a.nak && a.psn < 200;
    }
    // Go-back-N over the wrap: on some sender's wire a data PSN after the wrap is followed
    // by one before it.
    uint32_t backOverWrap = 0;
    for (uint32_t s = 1; s <= 6; ++s)
    {
        const auto& psns = w.dataPsns[s];
        for (std::size_t i = 1; i < psns.size(); ++i)
        {
            backOverWrap += psns[i - 1] < 200 && psns[i] >= initial;
        }
    }
    RecordProperty("naks_before_wrap", std::to_string(naksBefore));
    RecordProperty("naks_after_wrap", std::to_string(naksAfter));
    RecordProperty("go_backs_over_wrap", std::to_string(backOverWrap));
    RecordProperty("retransmitted", std::to_string(w.retransmitted));
    RecordProperty("timeouts", std::to_string(w.timeouts));
    EXPECT_GT(naksBefore, 0u);
    EXPECT_GT(naksAfter, 0u);
    EXPECT_GT(backOverWrap, 0u);

    // The wrap is invisible: the same incast from PSN 0 drops, NAKs, goes back and finishes
    // exactly alike, with the same PSNs modulo 2^24 on every wire.
    const Incast z = RunIncast(0);
    EXPECT_EQ(z.doneTimes, w.doneTimes);
    EXPECT_EQ(z.drops, w.drops);
    EXPECT_EQ(z.retransmitted, w.retransmitted);
    EXPECT_EQ(z.timeouts, w.timeouts);
    ASSERT_EQ(z.acks.size(), w.acks.size());
    for (std::size_t i = 0; i < z.acks.size(); ++i)
    {
        ASSERT_EQ(z.acks[i].nak, w.acks[i].nak) << i;
        ASSERT_EQ((z.acks[i].psn + initial) & BthHeader::PSN_MASK, w.acks[i].psn) << i;
    }
    for (uint32_t s = 1; s <= 6; ++s)
    {
        ASSERT_EQ(z.dataPsns[s].size(), w.dataPsns[s].size()) << s;
        for (std::size_t i = 0; i < z.dataPsns[s].size(); ++i)
        {
            ASSERT_EQ((z.dataPsns[s][i] + initial) & BthHeader::PSN_MASK, w.dataPsns[s][i])
                << "sender " << s << " packet " << i;
        }
    }
}
