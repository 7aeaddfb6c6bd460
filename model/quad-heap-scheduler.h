/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_QUAD_HEAP_SCHEDULER_H
#define VCLOS_QUAD_HEAP_SCHEDULER_H

#include "ns3/scheduler.h"

#include <vector>

namespace ns3
{

/**
 * The event order of every ns-3 scheduler: timestamp, then insertion uid. Bitwise rather
 * than short-circuit: a scheduler's comparisons are unpredictable, and the branch-free form
 * (flag arithmetic and conditional moves) is faster.
 * \param a an event
 * \param b another event
 * \return true if \p a comes first
 */
inline bool
EventLess(const Scheduler::Event& a, const Scheduler::Event& b)
{
    return (a.key.m_ts < b.key.m_ts) | ((a.key.m_ts == b.key.m_ts) & (a.key.m_uid < b.key.m_uid));
}

/**
 * \ingroup vclos
 * An event scheduler on a 4-ary min-heap stored in one contiguous vector.
 *
 * Same ordering as every ns-3 scheduler (timestamp, then insertion uid), so results are
 * identical to MapScheduler's; but insertion allocates nothing and the heap stays in
 * cache, which matters when each packet hop is an event. Select it with
 * Simulator::SetScheduler (ObjectFactory ("ns3::QuadHeapScheduler")) before the first
 * event (vclos-sim does by default).
 */
class QuadHeapScheduler : public Scheduler
{
  public:
    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    QuadHeapScheduler();
    ~QuadHeapScheduler() override;

    void Insert(const Event& ev) override;
    bool IsEmpty() const override;
    Event PeekNext() const override;
    Event RemoveNext() override;
    void Remove(const Event& ev) override;

  private:
    void SiftUp(std::size_t i);
    void SiftDown(std::size_t i);

    std::vector<Event> m_heap;
};

} // namespace ns3

#endif // VCLOS_QUAD_HEAP_SCHEDULER_H
