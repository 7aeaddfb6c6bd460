/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_TIME_WHEEL_SCHEDULER_H
#define VCLOS_TIME_WHEEL_SCHEDULER_H

#include "quad-heap-scheduler.h"

#include "ns3/nstime.h"
#include "ns3/scheduler.h"

#include <vector>

namespace ns3
{

/**
 * \ingroup vclos
 * An event scheduler for packet-level simulation: a wheel of time buckets covering the
 * near future (Buckets x BucketWidth) plus a heap for later events.
 *
 * Packet events are dense and near (serialisation and propagation times: nanoseconds to
 * microseconds ahead), so most inserts land in a bucket holding a handful of events and
 * most removals take the first event of the current bucket: O(1) instead of a heap's
 * O(log n). Events beyond the wheel (timers, compute phases) wait in a 4-ary heap and move
 * onto the wheel as it turns. The order is every ns-3 scheduler's order (timestamp, then
 * insertion uid), so results are identical to MapScheduler's.
 *
 * BucketWidthNs should be about the spacing of events (1 ns for 100 Gbps links); select
 * the scheduler after Time::SetResolution().
 */
class TimeWheelScheduler : public Scheduler
{
  public:
    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    TimeWheelScheduler();
    ~TimeWheelScheduler() override;

    void Insert(const Event& ev) override;
    bool IsEmpty() const override;
    Event PeekNext() const override;
    Event RemoveNext() override;
    void Remove(const Event& ev) override;

    /**
     * \brief Inserts placed ahead of an event of a later timestamp in their bucket.
     *
     * Only a bucket that spans more than one time step (e.g. 1 ns buckets at picosecond
     * resolution) holds several timestamps and must be sorted on insert; a test uses this
     * count to show that the wheel's in-bucket ordering was exercised. Counted off the common
     * (in-order) path.
     * \return the count since the scheduler was created
     */
    uint64_t GetEarlierInserts() const;

    /**
     * \brief Event slots the wheel's buckets hold allocated (each one an Event).
     *
     * A bucket whose last event leaves keeps at most kShrinkFactor times the events it held
     * in that turn (or kKeepEvents): a burst does not pin its memory for the rest of the
     * run. Counts the buckets only, not the far events' heap. Walks every bucket.
     * \return the sum of the buckets' capacities
     */
    uint64_t GetBucketCapacity() const;

  private:
    /// Turn the wheel until the current bucket holds the earliest event.
    void Advance() const;
    /// Move overflow events that now fall inside the wheel onto it.
    void Migrate() const;
    void BucketInsert(const Event& ev) const;
    void Configure() const;

    double m_widthNs;    //!< bucket width attribute, ns
    uint32_t m_nBuckets; //!< buckets attribute
    mutable bool m_configured;
    mutable uint64_t m_w;    //!< bucket width in time steps
    mutable uint64_t m_mask; //!< m_nBuckets - 1

    /// Events of one bucket, sorted, the next one at \c head.
    struct Bucket
    {
        std::vector<Event> items;
        std::size_t head{0};

        bool Empty() const
        {
            return head == items.size();
        }
    };

    /**
     * Empty a bucket whose last event left; free its buffer if its capacity exceeds
     * kShrinkFactor times the events it held this turn (at least kKeepEvents).
     * \param b the bucket
     */
    static void ResetBucket(Bucket& b);

    /// Floor of a turn's need: a bucket may always keep kShrinkFactor x this many slots (64).
    /// Four times 64 let W256's lockstep (256 events per bucket) pin 256 slots in every
    /// bucket: 24 MB of its 40 MiB.
    static constexpr std::size_t kKeepEvents = 16;
    static constexpr std::size_t kShrinkFactor = 4; //!< capacity over need that is freed

    mutable std::vector<Bucket> m_buckets; //!< the wheel
    mutable uint64_t m_slot;               //!< absolute index of the current bucket (ts / m_w)
    mutable uint64_t m_inWheel;            //!< events in buckets
    mutable uint64_t m_earlierInserts{0};  //!< see GetEarlierInserts()
    Ptr<QuadHeapScheduler> m_far;          //!< events beyond the wheel
};

} // namespace ns3

#endif // VCLOS_TIME_WHEEL_SCHEDULER_H
