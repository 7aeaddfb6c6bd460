/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "time-wheel-scheduler.h"

#include "ns3/abort.h"
#include "ns3/assert.h"
#include "ns3/double.h"
#include "ns3/log.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TimeWheelScheduler");
NS_OBJECT_ENSURE_REGISTERED(TimeWheelScheduler);

namespace
{
/**
 * Abort on an event in the past of the wheel (kept out of line: Insert only compares).
 * \param ts the event's time step
 * \param bucketStart first time step of the wheel's current bucket
 */
[[noreturn]] [[gnu::cold]] [[gnu::noinline]] void
AbortPastInsert(uint64_t ts, uint64_t bucketStart)
{
    NS_FATAL_ERROR("TimeWheelScheduler: event at time step "
                   << ts << " is before the wheel's current bucket, which starts at "
                   << bucketStart);
    std::abort(); // NS_FATAL_ERROR terminates; this tells the compiler so
}
} // namespace

TypeId
TimeWheelScheduler::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::TimeWheelScheduler")
            .SetParent<Scheduler>()
            .SetGroupName("Vclos")
            .AddConstructor<TimeWheelScheduler>()
            .AddAttribute("BucketWidthNs",
                          "Time covered by one bucket of the wheel, in nanoseconds (read "
                          "when the first event arrives, in the time resolution then set).",
                          DoubleValue(1.0),
                          MakeDoubleAccessor(&TimeWheelScheduler::m_widthNs),
                          MakeDoubleChecker<double>(0))
            .AddAttribute("Buckets",
                          "Buckets in the wheel (rounded up to a power of two).",
                          UintegerValue(4096),
                          MakeUintegerAccessor(&TimeWheelScheduler::m_nBuckets),
                          MakeUintegerChecker<uint32_t>(2, 1 << 24));
    return tid;
}

TimeWheelScheduler::TimeWheelScheduler()
    : m_widthNs(1.0),
      m_nBuckets(4096),
      m_configured(false),
      m_w(1),
      m_mask(0),
      m_slot(0),
      m_inWheel(0)
{
    m_far = CreateObject<QuadHeapScheduler>();
}

TimeWheelScheduler::~TimeWheelScheduler() = default;

void
TimeWheelScheduler::Configure() const
{
    m_w = std::max<int64_t>(1, std::llround(m_widthNs * NanoSeconds(1).GetTimeStep()));
    uint64_t n = 1;
    while (n < m_nBuckets)
    {
        n <<= 1;
    }
    m_buckets.assign(n, {});
    m_mask = n - 1;
    m_slot = 0;
    m_inWheel = 0;
    m_configured = true;
}

void
TimeWheelScheduler::BucketInsert(const Event& ev) const
{
    // Buckets are sorted earliest first from their head. Events mostly arrive in order
    // (later time, or same time and larger uid): append, and bubble back only if not.
    Bucket& b = m_buckets[(ev.key.m_ts / m_w) & m_mask];
    b.items.push_back(ev);
    std::size_t i = b.items.size() - 1;
    if (i > b.head && EventLess(b.items[i], b.items[i - 1]))
    {
        if (b.items[i - 1].key.m_ts != ev.key.m_ts)
        {
            ++m_earlierInserts; // a bucket holding several timestamps, sorted here
        }
        do
        {
            std::swap(b.items[i - 1], b.items[i]);
            --i;
        } while (i > b.head && EventLess(b.items[i], b.items[i - 1]));
    }
    ++m_inWheel;
}

void
TimeWheelScheduler::ResetBucket(Bucket& b)
{
    // This turn the bucket held b.items.size() events. A burst (N flows in lockstep put N
    // events in one bucket) would otherwise keep its capacity for the rest of the run in
    // every bucket it passed: give it back when it is far above this turn's need.
    const std::size_t need = std::max<std::size_t>(b.items.size(), kKeepEvents);
    b.items.clear();
    b.head = 0;
    if (b.items.capacity() > kShrinkFactor * need)
    {
        std::vector<Event>().swap(b.items);
    }
}

void
TimeWheelScheduler::Migrate() const
{
    const uint64_t horizon = (m_slot + m_buckets.size()) * m_w; // first ts beyond the wheel
    while (!m_far->IsEmpty() && m_far->PeekNext().key.m_ts < horizon)
    {
        BucketInsert(m_far->RemoveNext());
    }
}

void
TimeWheelScheduler::Insert(const Event& ev)
{
    if (!m_configured)
    {
        Configure(); // the wheel starts at time 0
    }
    const uint64_t slot = ev.key.m_ts / m_w;
    // Checked in every build: a past event would land in a bucket the wheel has already
    // passed and run a whole turn late, silently out of order.
    if (slot < m_slot)
    {
        AbortPastInsert(ev.key.m_ts, m_slot * m_w);
    }
    if (slot < m_slot + m_buckets.size())
    {
        BucketInsert(ev);
    }
    else
    {
        m_far->Insert(ev);
    }
}

bool
TimeWheelScheduler::IsEmpty() const
{
    return m_inWheel == 0 && m_far->IsEmpty();
}

void
TimeWheelScheduler::Advance() const
{
    NS_ASSERT(!IsEmpty());
    if (m_inWheel == 0)
    {
        // Nothing in the near future: jump the wheel to the earliest later event.
        m_slot = m_far->PeekNext().key.m_ts / m_w;
        Migrate();
    }
    while (m_buckets[m_slot & m_mask].Empty())
    {
        ++m_slot;
        // The wheel turned by one bucket: its far end now covers one more bucket.
        if (!m_far->IsEmpty())
        {
            Migrate();
        }
    }
}

Scheduler::Event
TimeWheelScheduler::PeekNext() const
{
    NS_ASSERT(!IsEmpty());
    // Read-only: the wheel turns only when an event is removed, so that an event
    // inserted at the current time never lands behind the wheel.
    if (m_inWheel == 0)
    {
        return m_far->PeekNext(); // every far event lies beyond the wheel
    }
    for (uint64_t slot = m_slot;; ++slot)
    {
        const Bucket& b = m_buckets[slot & m_mask];
        if (!b.Empty())
        {
            return b.items[b.head];
        }
    }
}

Scheduler::Event
TimeWheelScheduler::RemoveNext()
{
    Advance();
    Bucket& b = m_buckets[m_slot & m_mask];
    Event ev = b.items[b.head++];
    if (b.head == b.items.size())
    {
        ResetBucket(b);
    }
    --m_inWheel;
    return ev;
}

void
TimeWheelScheduler::Remove(const Event& ev)
{
    // Rare (Simulator::Remove): look in the event's bucket, else among the far events.
    Bucket& b = m_buckets[(ev.key.m_ts / m_w) & m_mask];
    for (std::size_t i = b.head; i < b.items.size(); ++i)
    {
        if (b.items[i].key.m_uid == ev.key.m_uid)
        {
            b.items.erase(b.items.begin() + i);
            if (b.head == b.items.size())
            {
                ResetBucket(b);
            }
            --m_inWheel;
            return;
        }
    }
    m_far->Remove(ev);
}

uint64_t
TimeWheelScheduler::GetEarlierInserts() const
{
    return m_earlierInserts;
}

uint64_t
TimeWheelScheduler::GetBucketCapacity() const
{
    uint64_t slots = 0;
    for (const auto& b : m_buckets)
    {
        slots += b.items.capacity();
    }
    return slots;
}

} // namespace ns3
