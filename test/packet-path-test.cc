/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The per-packet path's shortcuts (doc/performance.rst) keep the module an ns-3 module: a
// user's trace sinks and pcap see every packet; the lazily allocated port FIFOs keep order.

#include "vclos-test-utils.h"

#include "ns3/ring-fifo.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <vector>

using namespace ns3;
using namespace vclos_test;

static auto* g_env = ::testing::AddGlobalTestEnvironment(new PicosecondEnvironment);

namespace
{

/// Packets one device's trace sources reported.
struct SinkCounts
{
    uint64_t enqueue{0};      //!< Enqueue
    uint64_t dequeue{0};      //!< Dequeue
    uint64_t phyTxBegin{0};   //!< PhyTxBegin
    uint64_t phyRxEnd{0};     //!< PhyRxEnd
    uint64_t sniffer{0};      //!< Sniffer
    uint64_t drop{0};         //!< Drop
    uint64_t snifferBytes{0}; //!< bytes of the Sniffer packets
};

/// A trace sink that counts packets (and bytes) into \p n.
void
Count(uint64_t* n, Ptr<const Packet>)
{
    ++*n;
}

/// A Sniffer sink: counts packets and their bytes.
void
CountSniffed(SinkCounts* c, Ptr<const Packet> p)
{
    ++c->sniffer;
    c->snifferBytes += p->GetSize();
}

} // namespace

TEST(RingFifoTest, KeepsOrderAcrossGrowthAndWrapAndGivesMemoryBack)
{
    RingFifo<uint32_t> q;
    EXPECT_EQ(q.Capacity(), 0u); // nothing allocated before the first push
    uint32_t next = 0;
    uint32_t expect = 0;
    // Interleave pushes and pops so the head wraps while the buffer grows.
    for (uint32_t round = 0; round < 50; ++round)
    {
        for (uint32_t i = 0; i < 7; ++i)
        {
            q.PushBack(next++);
        }
        for (uint32_t i = 0; i < 5; ++i)
        {
            ASSERT_EQ(q.PopFront(), expect++);
        }
    }
    EXPECT_EQ(q.Size(), 100u);
    EXPECT_EQ(q.Capacity(), 128u);
    while (!q.Empty())
    {
        ASSERT_EQ(q.Front(), expect);
        ASSERT_EQ(q.PopFront(), expect++);
    }
    EXPECT_EQ(expect, next);
    EXPECT_EQ(q.Capacity(), 0u); // above kShrinkCapacity when it ran empty: freed
    // A small queue keeps its buffer when it runs empty.
    q.PushBack(1);
    EXPECT_EQ(q.PopFront(), 1u);
    EXPECT_EQ(q.Capacity(), RingFifo<uint32_t>::kMinCapacity);
}

TEST(RingFifoTest, PopReleasesTheQueuedObject)
{
    RingFifo<Ptr<Packet>> q;
    Ptr<Packet> p = Create<Packet>(100);
    q.PushBack(p);
    q.PushBack(Create<Packet>(1));
    EXPECT_EQ(p->GetReferenceCount(), 2u);
    Ptr<Packet> out = q.PopFront();
    EXPECT_EQ(out, p);
    out = nullptr;
    EXPECT_EQ(p->GetReferenceCount(), 1u); // the slot no longer holds it
    q.Clear();
    EXPECT_TRUE(q.Empty());
}

TEST_F(SimTest, UserTraceSinksAndPcapSeeEveryPacket)
{
    // Incast into GPU 0 from three GPUs, two of them across the spines: queues build at
    // the leaf's port to GPU 0 (queued path) while other ports send at once (idle path).
    const std::string file = ::testing::TempDir() + "vclos-trace-sink-test.pcap";
    std::remove(file.c_str());
    const uint64_t bytes = 20 * 4096 + 7;
    std::map<const VclosNetDevice*, SinkCounts> counts;
    std::vector<std::pair<Ptr<VclosNetDevice>, SinkCounts*>> devices;
    uint64_t pcapPort = 0;
    uint64_t gpu0Port = 0;
    {
        LeafSpineConfig c;
        c.leaves = 2;
        c.spines = 2;
        c.gpusPerLeaf = 2;
        LeafSpineHelper topo(c);
        topo.Build();
        for (const auto& link : topo.GetLinks())
        {
            Ptr<VclosNetDevice> dev = link.device;
            SinkCounts* sc = &counts[PeekPointer(dev)];
            devices.emplace_back(dev, sc);
            dev->TraceConnectWithoutContext("Enqueue", MakeBoundCallback(&Count, &sc->enqueue));
            dev->TraceConnectWithoutContext("Dequeue", MakeBoundCallback(&Count, &sc->dequeue));
            dev->TraceConnectWithoutContext("PhyTxBegin",
                                            MakeBoundCallback(&Count, &sc->phyTxBegin));
            dev->TraceConnectWithoutContext("PhyRxEnd", MakeBoundCallback(&Count, &sc->phyRxEnd));
            dev->TraceConnectWithoutContext("Drop", MakeBoundCallback(&Count, &sc->drop));
            dev->TraceConnectWithoutContext("Sniffer", MakeBoundCallback(&CountSniffed, sc));
        }
        topo.EnablePcap(file, 0); // a second Sniffer sink on GPU 0's port
        uint32_t done = 0;
        auto onRx = [&done](uint32_t, uint64_t) { ++done; };
        for (uint32_t src = 1; src < 4; ++src)
        {
            const uint32_t qp =
                topo.GetNic(src)->CreateQp(topo.GetNic(0),
                                           MakeNullCallback<void, uint32_t, uint64_t>(),
                                           Callback<void, uint32_t, uint64_t>(onRx));
            topo.GetNic(src)->PostSend(qp, bytes, src);
        }
        Simulator::Run();
        ASSERT_EQ(done, 3u);
        ASSERT_EQ(topo.GetNic(0)->GetDeliveredBytes(), 3 * bytes);

        uint64_t totalTx = 0;
        uint64_t queued = 0;
        for (const auto& [dev, sc] : devices)
        {
            SCOPED_TRACE("device " + std::to_string(dev->GetNode()->GetId()) + " port " +
                         std::to_string(dev->GetPortIndex()));
            EXPECT_EQ(sc->phyTxBegin, dev->GetTxPackets());
            EXPECT_EQ(sc->phyRxEnd, dev->GetRxPackets());
            EXPECT_EQ(sc->sniffer, dev->GetTxPackets() + dev->GetRxPackets());
            EXPECT_EQ(sc->snifferBytes, dev->GetTxBytes() + dev->GetRxBytes());
            EXPECT_EQ(sc->drop, dev->GetDropPackets());
            // No PFC here: every packet sent went through the queue's Enqueue and Dequeue.
            EXPECT_EQ(sc->dequeue, dev->GetTxPackets());
            EXPECT_EQ(sc->enqueue, sc->dequeue);
            totalTx += dev->GetTxPackets();
            queued = std::max<uint64_t>(queued, dev->GetMaxQueueBytes());
        }
        // The run exercised both paths and every link end's packets were seen.
        EXPECT_GT(queued, 4096u);
        EXPECT_GT(totalTx, 3 * 21 * 2u);
        Ptr<VclosNetDevice> port0 = topo.GetNic(0)->GetPort(0);
        gpu0Port = port0->GetTxPackets() + port0->GetRxPackets();
        pcapPort = counts[PeekPointer(port0)].sniffer;
        EXPECT_EQ(port0->GetRxPackets(), 3 * 21u); // 21 data packets from each sender
        devices.clear();
    }
    Simulator::Destroy(); // the last reference to the devices goes: the file is closed
    EXPECT_EQ(pcapPort, gpu0Port);
    uint32_t linkType = 0;
    const uint64_t records = vclos_test::ReadPcapRecords(file, linkType).size();
    ASSERT_NE(linkType, 0u) << file;
    EXPECT_EQ(records, gpu0Port);
    std::remove(file.c_str());
}

TEST_F(SimTest, FrameHeadHoldsThePacketsFirstBytesAndZerosBeyond)
{
    // Two ports on one cable; B's handler compares each frame's head with its packet's bytes.
    const vclos_test::PortPair ports = vclos_test::MakePortPair(MicroSeconds(1));
    const Ptr<VclosNetDevice> a = ports.a;
    const Ptr<VclosNetDevice> b = ports.b;
    std::vector<uint32_t> sizes;
    std::vector<uint64_t> uids;
    b->SetFrameHandler(
        Callback<void, VclosNetDevice*, VclosFrame*>([&](VclosNetDevice*, VclosFrame* f) {
            ASSERT_TRUE(f->HasPacket()); // a packet from Enqueue(Ptr<Packet>) keeps its Packet
            Ptr<Packet> p = f->GetPacket();
            sizes.push_back(f->GetSize());
            uids.push_back(p->GetUid());
            uint8_t copy[VclosFrame::HEAD_BYTES] = {};
            p->CopyData(copy, VclosFrame::HEAD_BYTES);
            // Past a short packet's end the bytes read as zero.
            EXPECT_EQ(std::memcmp(f->Head(), copy, VclosFrame::HEAD_BYTES), 0);
            VclosFrame::Release(f);
        }));
    // A long packet first leaves its bytes in the frame it used; the short one, which gets
    // the same frame from the free list, must not show them.
    std::vector<uint8_t> bytes(300);
    for (std::size_t i = 0; i < bytes.size(); ++i)
    {
        bytes[i] = static_cast<uint8_t>(0x45 + i);
    }
    const Ptr<Packet> longPacket = Create<Packet>(bytes.data(), 300);
    const Ptr<Packet> shortPacket = Create<Packet>(bytes.data(), 10);
    Simulator::Schedule(Time(0), [&]() { a->Enqueue(longPacket); });
    Simulator::Schedule(MicroSeconds(1), [&]() { a->Enqueue(shortPacket); });
    Simulator::Run();
    EXPECT_EQ(sizes, (std::vector<uint32_t>{300, 10}));
    EXPECT_EQ(uids, (std::vector<uint64_t>{longPacket->GetUid(), shortPacket->GetUid()}));
    EXPECT_EQ(VclosFrame::GetLiveFrames(), 0u);
}

TEST_F(SimTest, FrameBuildsItsPacketOnceWithTheHeadBytesAndZeroPayload)
{
    VclosFrame* f = VclosFrame::Create(1000, 44);
    for (uint32_t i = 0; i < 44; ++i)
    {
        f->Head()[i] = static_cast<uint8_t>(i + 1);
    }
    EXPECT_FALSE(f->HasPacket());
    Ptr<Packet> p = f->GetPacket();
    EXPECT_TRUE(f->HasPacket());
    EXPECT_EQ(PeekPointer(f->GetPacket()), PeekPointer(p)); // built once
    ASSERT_EQ(p->GetSize(), 1000u);
    std::vector<uint8_t> bytes(1000);
    p->CopyData(bytes.data(), 1000);
    for (uint32_t i = 0; i < 1000; ++i)
    {
        ASSERT_EQ(bytes[i], i < 44 ? i + 1 : 0) << "byte " << i;
    }
    // A switch's IPv4 rewrite reaches the packet.
    f->Head()[8] = 7;  // TTL
    f->Head()[1] |= 3; // CE
    f->Ipv4HeaderRewritten();
    p->CopyData(bytes.data(), 1000);
    EXPECT_EQ(bytes[8], 7);
    EXPECT_EQ(bytes[1], 2 | 3);
    EXPECT_EQ(bytes[20], 21); // past the IPv4 header: unchanged
    EXPECT_EQ(p->GetSize(), 1000u);
    const std::size_t live = VclosFrame::GetLiveFrames();
    VclosFrame::Release(f);
    EXPECT_EQ(VclosFrame::GetLiveFrames(), live - 1);
    // The free list hands the frame out again, zeroed and without the old packet.
    VclosFrame* g = VclosFrame::Create(60, 0);
    EXPECT_FALSE(g->HasPacket());
    for (uint32_t i = 0; i < VclosFrame::HEAD_BYTES; ++i)
    {
        ASSERT_EQ(g->Head()[i], 0) << "byte " << i;
    }
    VclosFrame::Release(g);
}

TEST_F(SimTest, FramesInFlightAreReleasedWhenTheSimulationIsDestroyed)
{
    // A packet on the cable and one in the queue when the run stops: Destroy() and the
    // devices' disposal release both frames.
    const std::size_t before = VclosFrame::GetLiveFrames();
    {
        const vclos_test::PortPair ports = vclos_test::MakePortPair(MicroSeconds(10));
        const Ptr<VclosNetDevice> a = ports.a;
        const Ptr<VclosNetDevice> b = ports.b;
        a->Enqueue(VclosFrame::Create(1000, 0), 0, VclosNetDevice::NO_INGRESS, false);
        a->Enqueue(VclosFrame::Create(1000, 0), 0, VclosNetDevice::NO_INGRESS, false);
        EXPECT_EQ(VclosFrame::GetLiveFrames(), before + 2);
        Simulator::Stop(NanoSeconds(1));
        Simulator::Run();
        a->Dispose();
        b->Dispose();
    }
    Simulator::Destroy();
    EXPECT_EQ(VclosFrame::GetLiveFrames(), before);
}
