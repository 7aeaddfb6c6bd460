/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_POOLED_EVENT_H
#define VCLOS_POOLED_EVENT_H

#include "ns3/event-impl.h"

#include <cstddef>
#include <new>

namespace ns3
{

/**
 * \ingroup vclos
 * An EventImpl whose memory comes from a free list of blocks of its own size instead of
 * malloc/free: the packet path schedules one or two events per packet hop, and allocating
 * them cost about a tenth of the event loop.
 *
 * Only memory is recycled: each event is constructed, reference counted and deleted as any
 * other; its block goes back on the list when the simulator (or whoever holds the last
 * reference) deletes it. The list keeps as many blocks as were ever live at once and returns
 * none to the heap (ns-3 runs a simulation's events in one thread; no locking).
 *
 * \tparam Derived the final event class (CRTP)
 */
template <typename Derived>
class PooledEventImpl : public EventImpl
{
  public:
    /**
     * \param size bytes (sizeof(Derived))
     * \return a block from the free list, or from the heap when the list is empty
     */
    static void* operator new(std::size_t size)
    {
        if (size != sizeof(Derived) || s_free == nullptr)
        {
            return ::operator new(size);
        }
        Block* b = s_free;
        s_free = b->next;
        return b;
    }

    /**
     * \param p a block of a deleted event
     * \param size its bytes
     */
    static void operator delete(void* p, std::size_t size) noexcept
    {
        if (p == nullptr)
        {
            return;
        }
        if (size != sizeof(Derived))
        {
            ::operator delete(p);
            return;
        }
        Block* b = static_cast<Block*>(p);
        b->next = s_free;
        s_free = b;
    }

  private:
    /// A free block, linked through its first bytes.
    struct Block
    {
        Block* next; //!< the next free block
    };

    static inline Block* s_free = nullptr; //!< the free blocks
};

} // namespace ns3

#endif // VCLOS_POOLED_EVENT_H
