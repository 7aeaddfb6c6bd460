/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Header serialization and the event scheduler: small exact checks.

#include "ns3/aeth-header.h"
#include "ns3/bth-header.h"
#include "ns3/core-module.h"
#include "ns3/ipv4-header.h"
#include "ns3/packet.h"
#include "ns3/quad-heap-scheduler.h"
#include "ns3/rdma-queue-pair.h"
#include "ns3/rocev2-header.h"
#include "ns3/time-wheel-scheduler.h"
#include "ns3/udp-header.h"

#include <gtest/gtest.h>
#include <map>
#include <random>

using namespace ns3;

namespace
{

std::vector<uint8_t>
Bytes(Ptr<const Packet> p)
{
    std::vector<uint8_t> b(p->GetSize());
    p->CopyData(b.data(), b.size());
    return b;
}

} // namespace

TEST(Rocev2Header, SameBytesAsTheSeparateHeaders)
{
    for (bool ack : {false, true})
    {
        const uint32_t payload = ack ? 0 : 1000;
        Ptr<Packet> a = Create<Packet>(payload);
        Rocev2Header h;
        h.Set(0x0A000001,
              0x0A000005,
              51234,
              ack ? BthHeader::ACKNOWLEDGE : 0x03,
              77,
              0x123456,
              !ack,
              payload);
        h.SetExtension(ack ? 0x1F000009 : 42);
        a->AddHeader(h);

        Ptr<Packet> b = Create<Packet>(payload);
        if (ack)
        {
            AethHeader aeth;
            aeth.SetMsn(9);
            b->AddHeader(aeth);
        }
        else
        {
            ImmDtHeader imm;
            imm.SetImmediate(42);
            b->AddHeader(imm);
        }
        BthHeader bth;
        bth.SetOpcode(ack ? BthHeader::ACKNOWLEDGE : 0x03);
        bth.SetDestQp(77);
        bth.SetPsn(0x123456);
        bth.SetAckRequest(!ack);
        b->AddHeader(bth);
        UdpHeader udp;
        udp.SetSourcePort(51234);
        udp.SetDestinationPort(4791);
        b->AddHeader(udp);
        Ipv4Header ip;
        ip.SetSource(Ipv4Address(0x0A000001));
        ip.SetDestination(Ipv4Address(0x0A000005));
        ip.SetProtocol(17);
        ip.SetPayloadSize(b->GetSize());
        ip.SetTtl(64);
        ip.SetDontFragment();
        b->AddHeader(ip);
        EXPECT_EQ(Bytes(a), Bytes(b)) << (ack ? "ack" : "data");
    }
}

TEST(RdmaQueuePair, PsnUnwrapAcrossThe24BitBoundary)
{
    EXPECT_EQ(RdmaQueuePair::Unwrap(5, 10), 5u);
    EXPECT_EQ(RdmaQueuePair::Unwrap(3, (1u << 24) - 2), (1u << 24) + 3);
    EXPECT_EQ(RdmaQueuePair::Unwrap((1u << 24) - 1, (1u << 24) + 2), (1u << 24) - 1);
    EXPECT_EQ(RdmaQueuePair::Unwrap(0, 5ULL << 24), 5ULL << 24);
}

TEST(RdmaQueuePair, GoBackNBookkeeping)
{
    RdmaQueuePair qp(1000);
    qp.Post(2500, 1); // 3 packets
    qp.Post(0, 2);    // 1 empty packet
    uint32_t payload;
    uint64_t psn;
    bool first;
    bool last;
    uint32_t imm;
    std::vector<uint32_t> sizes;
    while (qp.HasDataToSend())
    {
        qp.NextPacket(payload, psn, first, last, imm);
        sizes.push_back(payload);
    }
    EXPECT_EQ(sizes, (std::vector<uint32_t>{1000, 1000, 500, 0}));
    std::deque<RdmaQueuePair::Message> done;
    EXPECT_EQ(qp.OnAck(0, done), 1000u);
    EXPECT_TRUE(done.empty());
    EXPECT_EQ(qp.OnNak(1, done), 0u); // go back to PSN 1
    EXPECT_EQ(qp.sndNxt, 1u);
    qp.NextPacket(payload, psn, first, last, imm);
    EXPECT_EQ(psn, 1u);
    EXPECT_EQ(payload, 1000u);
    EXPECT_EQ(qp.OnAck(3, done), 1500u);
    ASSERT_EQ(done.size(), 2u);
    EXPECT_EQ(done[0].imm, 1u);
    EXPECT_EQ(done[1].imm, 2u);
    EXPECT_FALSE(qp.HasOutstanding());
    // Receiver side
    RdmaQueuePair rx(1000);
    EXPECT_EQ(rx.Receive(0), RdmaQueuePair::RxVerdict::ACCEPT);
    EXPECT_EQ(rx.Receive(2), RdmaQueuePair::RxVerdict::OUT_OF_ORDER);
    EXPECT_EQ(rx.Receive(0), RdmaQueuePair::RxVerdict::DUPLICATE);
    EXPECT_EQ(rx.Receive(1), RdmaQueuePair::RxVerdict::ACCEPT);
}

namespace
{

/// Random inserts, removals and pops against a sorted map: the scheduler must pop in
/// (timestamp, uid) order. Timestamps mix near (packet-like) and far (timer-like) events.
void
CheckSchedulerOrder(Ptr<Scheduler> s, uint64_t spread)
{
    std::mt19937 rng(5);
    uint64_t now = 0;
    std::map<std::pair<uint64_t, uint32_t>, int> reference;
    uint32_t uid = 0;
    std::vector<Scheduler::Event> removable;
    for (int round = 0; round < 20000; ++round)
    {
        if (rng() % 3 != 0 || reference.empty())
        {
            Scheduler::Event ev;
            ev.impl = nullptr;
            ev.key.m_ts = now + (rng() % 8 == 0 ? rng() % (1000 * spread) : rng() % spread);
            ev.key.m_uid = uid++;
            ev.key.m_context = 0;
            s->Insert(ev);
            reference[{ev.key.m_ts, ev.key.m_uid}] = 1;
            if (rng() % 50 == 0)
            {
                removable.push_back(ev);
            }
        }
        else if (!removable.empty() && rng() % 7 == 0)
        {
            Scheduler::Event ev = removable.back();
            removable.pop_back();
            if (reference.erase({ev.key.m_ts, ev.key.m_uid}))
            {
                s->Remove(ev);
            }
        }
        else
        {
            Scheduler::Event peek = s->PeekNext();
            Scheduler::Event ev = s->RemoveNext();
            ASSERT_EQ(peek.key.m_uid, ev.key.m_uid);
            now = ev.key.m_ts;
            auto first = reference.begin();
            ASSERT_EQ(ev.key.m_ts, first->first.first);
            ASSERT_EQ(ev.key.m_uid, first->first.second);
            reference.erase(first);
            for (auto it = removable.begin(); it != removable.end(); ++it)
            {
                if (it->key.m_uid == ev.key.m_uid)
                {
                    removable.erase(it);
                    break;
                }
            }
        }
    }
    while (!reference.empty())
    {
        Scheduler::Event ev = s->RemoveNext();
        ASSERT_EQ(ev.key.m_uid, reference.begin()->first.second);
        reference.erase(reference.begin());
    }
    EXPECT_TRUE(s->IsEmpty());
}

} // namespace

TEST(QuadHeapScheduler, PopsInTimestampThenUidOrder)
{
    CheckSchedulerOrder(CreateObject<QuadHeapScheduler>(), 500);
}

TEST(TimeWheelScheduler, PopsInTimestampThenUidOrder)
{
    // Spreads below, at and far beyond the wheel (4096 buckets of 1 ns by default).
    for (uint64_t spread : {100, 5000, 4096 * 1000, 100000000})
    {
        CheckSchedulerOrder(CreateObject<TimeWheelScheduler>(), spread);
    }
}

TEST(TimeWheelScheduler, PopsInOrderWithSeveralTimestampsPerBucket)
{
    // Buckets 7 time steps wide and a small wheel: a bucket holds events of several
    // timestamps and must be sorted on insert; far events migrate onto the wheel often.
    for (uint64_t spread : {20, 500, 100000})
    {
        Ptr<TimeWheelScheduler> w = CreateObjectWithAttributes<TimeWheelScheduler>(
            "BucketWidthNs",
            DoubleValue(7.0 / NanoSeconds(1).GetTimeStep()),
            "Buckets",
            UintegerValue(64));
        CheckSchedulerOrder(w, spread);
        EXPECT_GT(w->GetEarlierInserts(), 0u) << spread; // the in-bucket sort was exercised
    }
}

TEST(TimeWheelScheduler, BucketsGiveBackTheCapacityOfABurst)
{
    // N events at each of 8 instants (N flows in lockstep), then two turns of one event per
    // bucket: the burst's buckets must not keep N slots each. N = 256 is W256's lockstep, which
    // a bucket kept while the floor (kKeepEvents) was 64: 256 slots is not over 4 x 64.
    for (const uint32_t n : {256u, 4096u})
    {
        SCOPED_TRACE("burst of " + std::to_string(n));
        Ptr<TimeWheelScheduler> w = CreateObject<TimeWheelScheduler>();
        const uint64_t step = NanoSeconds(1).GetTimeStep();
        uint32_t uid = 0;
        auto insert = [&w, &uid](uint64_t ts) {
            Scheduler::Event ev;
            ev.impl = nullptr;
            ev.key.m_ts = ts;
            ev.key.m_uid = uid++;
            ev.key.m_context = 0;
            w->Insert(ev);
        };
        for (uint64_t t = 0; t < 8; ++t)
        {
            for (uint32_t i = 0; i < n; ++i)
            {
                insert(t * step);
            }
        }
        EXPECT_GE(w->GetBucketCapacity(), 8 * n);
        uint32_t removed = 0;
        uint64_t last = 0;
        while (!w->IsEmpty())
        {
            last = w->RemoveNext().key.m_ts;
            ++removed;
        }
        EXPECT_EQ(removed, 8 * n);
        // Two more turns of the wheel (4096 buckets), one event per bucket: each bucket
        // holds one slot, a few may hold two; the 8 burst buckets kept would add 8 x 256.
        for (uint64_t t = 1; t <= 2 * 4096; ++t)
        {
            insert(last + t * step);
            w->RemoveNext();
        }
        EXPECT_LE(w->GetBucketCapacity(), 4096u + 256u);
    }
}
