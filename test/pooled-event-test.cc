/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// PooledEvent: the free-list EventImpl of the packet path (VclosChannel delivery and a
// port's TransmitComplete) runs, cancels and releases like ns-3's MakeEvent().

#include "ns3/packet.h"
#include "ns3/pooled-event.h"
#include "ns3/simulator.h"

#include <cstdint>
#include <gtest/gtest.h>
#include <utility>
#include <vector>

using namespace ns3;

namespace
{

/// Records the calls the events make.
class Recorder
{
  public:
    /// \param value recorded with the time and the context
    void Note(uint32_t value)
    {
        calls.emplace_back(value, Simulator::Now().GetNanoSeconds());
        contexts.push_back(Simulator::GetContext());
    }

    /// \param p a packet whose size is recorded
    void Take(Ptr<Packet> p)
    {
        sizes.push_back(p->GetSize());
    }

    std::vector<std::pair<uint32_t, int64_t>> calls; ///< (value, ns)
    std::vector<uint32_t> contexts;                  ///< context of each Note
    std::vector<uint32_t> sizes;                     ///< sizes of the packets taken
};

using NoteEvent = PooledEvent<Recorder, uint32_t>;
using TakeEvent = PooledEvent<Recorder, Ptr<Packet>>;

} // namespace

TEST(PooledEventTest, RunsInTimeOrderWithItsArgumentsAndContext)
{
    Recorder r;
    NoteEvent::Schedule(NanoSeconds(30), &Recorder::Note, &r, 3U);
    NoteEvent::ScheduleWithContext(7, NanoSeconds(10), &Recorder::Note, &r, 1U);
    NoteEvent::Schedule(NanoSeconds(20), &Recorder::Note, &r, 2U);
    Simulator::Run();
    Simulator::Destroy();
    const std::vector<std::pair<uint32_t, int64_t>> expected{{1, 10}, {2, 20}, {3, 30}};
    EXPECT_EQ(r.calls, expected);
    ASSERT_EQ(r.contexts.size(), 3U);
    EXPECT_EQ(r.contexts[0], 7U);
}

TEST(PooledEventTest, DeletedEventsGiveTheirMemoryToTheNextOnes)
{
    Recorder r;
    std::size_t held = 0; // free blocks while the first three events live
    {
        std::vector<EventId> ids;
        for (uint32_t i = 0; i < 3; ++i)
        {
            ids.push_back(NoteEvent::Schedule(NanoSeconds(i), &Recorder::Note, &r, i));
        }
        held = NoteEvent::GetFreeBlocks();
        Simulator::Run();
        // Our EventIds still hold the events: nothing freed yet.
        EXPECT_EQ(NoteEvent::GetFreeBlocks(), held);
    }
    EXPECT_EQ(NoteEvent::GetFreeBlocks(), held + 3);
    NoteEvent::Schedule(NanoSeconds(5), &Recorder::Note, &r, 10U);
    NoteEvent::Schedule(NanoSeconds(6), &Recorder::Note, &r, 11U);
    EXPECT_EQ(NoteEvent::GetFreeBlocks(), held + 1);
    Simulator::Run();
    Simulator::Destroy();
    EXPECT_EQ(NoteEvent::GetFreeBlocks(), held + 3);
    EXPECT_EQ(r.calls.size(), 5U);
}

TEST(PooledEventTest, ACancelledEventDoesNotRunAndItsReusedMemoryRunsTheNextOne)
{
    Recorder r;
    EventId cancelled = NoteEvent::Schedule(NanoSeconds(10), &Recorder::Note, &r, 1U);
    cancelled.Cancel();
    EXPECT_TRUE(cancelled.IsExpired());
    Simulator::Run();
    EXPECT_TRUE(r.calls.empty());
    cancelled = EventId(); // the last reference: its block goes back on the list
    const std::size_t free = NoteEvent::GetFreeBlocks();
    ASSERT_GE(free, 1U);
    EventId next = NoteEvent::Schedule(NanoSeconds(10), &Recorder::Note, &r, 2U);
    EXPECT_EQ(NoteEvent::GetFreeBlocks(), free - 1); // it took a freed block
    EXPECT_FALSE(next.IsExpired());
    Simulator::Run();
    Simulator::Destroy();
    ASSERT_EQ(r.calls.size(), 1U);
    EXPECT_EQ(r.calls[0].first, 2U);
}

TEST(PooledEventTest, ReleasesThePacketOnceRunOrDestroyed)
{
    Recorder r;
    Ptr<Packet> delivered = Create<Packet>(100);
    Ptr<Packet> pending = Create<Packet>(200);
    TakeEvent::ScheduleWithContext(0, NanoSeconds(1), &Recorder::Take, &r, delivered);
    TakeEvent::ScheduleWithContext(0, Seconds(1), &Recorder::Take, &r, pending);
    EXPECT_EQ(delivered->GetReferenceCount(), 2U);
    Simulator::Stop(NanoSeconds(10));
    Simulator::Run();
    EXPECT_EQ(r.sizes, std::vector<uint32_t>{100});
    EXPECT_EQ(delivered->GetReferenceCount(), 1U);
    EXPECT_EQ(pending->GetReferenceCount(), 2U);
    Simulator::Destroy(); // drops the event that never ran
    EXPECT_EQ(pending->GetReferenceCount(), 1U);
}
