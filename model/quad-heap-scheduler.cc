/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "quad-heap-scheduler.h"

#include "ns3/assert.h"
#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("QuadHeapScheduler");
NS_OBJECT_ENSURE_REGISTERED(QuadHeapScheduler);

TypeId
QuadHeapScheduler::GetTypeId()
{
    static TypeId tid = TypeId("ns3::QuadHeapScheduler")
                            .SetParent<Scheduler>()
                            .SetGroupName("Vclos")
                            .AddConstructor<QuadHeapScheduler>();
    return tid;
}

QuadHeapScheduler::QuadHeapScheduler()
{
    m_heap.reserve(1024);
}

QuadHeapScheduler::~QuadHeapScheduler() = default;

void
QuadHeapScheduler::SiftUp(std::size_t i)
{
    Event ev = m_heap[i];
    while (i > 0)
    {
        const std::size_t parent = (i - 1) / 4;
        if (!EventLess(ev, m_heap[parent]))
        {
            break;
        }
        m_heap[i] = m_heap[parent];
        i = parent;
    }
    m_heap[i] = ev;
}

void
QuadHeapScheduler::SiftDown(std::size_t i)
{
    const std::size_t n = m_heap.size();
    Event ev = m_heap[i];
    while (true)
    {
        const std::size_t first = 4 * i + 1;
        if (first >= n)
        {
            break;
        }
        std::size_t best = first;
        if (first + 4 <= n)
        {
            // Full family of four: a branch-free tournament.
            const std::size_t a = EventLess(m_heap[first + 1], m_heap[first]) ? first + 1 : first;
            const std::size_t b =
                EventLess(m_heap[first + 3], m_heap[first + 2]) ? first + 3 : first + 2;
            best = EventLess(m_heap[b], m_heap[a]) ? b : a;
        }
        else
        {
            for (std::size_t c = first + 1; c < n; ++c)
            {
                best = EventLess(m_heap[c], m_heap[best]) ? c : best;
            }
        }
        if (!EventLess(m_heap[best], ev))
        {
            break;
        }
        m_heap[i] = m_heap[best];
        i = best;
    }
    m_heap[i] = ev;
}

void
QuadHeapScheduler::Insert(const Event& ev)
{
    m_heap.push_back(ev);
    SiftUp(m_heap.size() - 1);
}

bool
QuadHeapScheduler::IsEmpty() const
{
    return m_heap.empty();
}

Scheduler::Event
QuadHeapScheduler::PeekNext() const
{
    NS_ASSERT(!m_heap.empty());
    return m_heap.front();
}

Scheduler::Event
QuadHeapScheduler::RemoveNext()
{
    NS_ASSERT(!m_heap.empty());
    Event next = m_heap.front();
    m_heap.front() = m_heap.back();
    m_heap.pop_back();
    if (!m_heap.empty())
    {
        SiftDown(0);
    }
    return next;
}

void
QuadHeapScheduler::Remove(const Event& ev)
{
    // Rare (Simulator::Remove): find the event, move the last one into its place, fix.
    for (std::size_t i = 0; i < m_heap.size(); ++i)
    {
        if (m_heap[i].key.m_uid == ev.key.m_uid)
        {
            m_heap[i] = m_heap.back();
            m_heap.pop_back();
            if (i < m_heap.size())
            {
                SiftDown(i);
                SiftUp(i);
            }
            return;
        }
    }
    NS_ASSERT_MSG(false, "event not in the scheduler");
}

} // namespace ns3
