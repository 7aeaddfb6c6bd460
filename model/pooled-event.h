/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_POOLED_EVENT_H
#define VCLOS_POOLED_EVENT_H

#include "ns3/event-id.h"
#include "ns3/event-impl.h"
#include "ns3/nstime.h"
#include "ns3/ptr.h"
#include "ns3/simulator.h"

#include <cstddef>
#include <cstdint>
#include <new>
#include <tuple>
#include <utility>

namespace ns3
{

/**
 * \ingroup vclos
 * An EventImpl that calls a member function, like the one ns-3's MakeEvent() builds, but
 * whose memory comes from a free list of blocks of its own size instead of
 * malloc/free (one event per packet hop: about 10% of the event loop's instructions went
 * to allocating and freeing them).
 *
 * Only the memory is recycled: every Schedule() constructs a new object, so EventId,
 * Cancel(), IsExpired() and the reference counting behave exactly as for MakeEvent(); the
 * simulator deletes the event when it drops its last reference and the block goes back on
 * the free list. The list holds as many blocks as were ever live at once (events in
 * flight) and gives them back when the program ends. Use Schedule() / ScheduleWithContext()
 * below, from the simulation's thread (as every packet-path event is).
 *
 * \tparam OBJ the class whose member function is called
 * \tparam Args the member function's parameter types (stored by value, moved into the call)
 */
template <typename OBJ, typename... Args>
class PooledEvent final : public EventImpl
{
  public:
    /// The member function called by Notify().
    using Method = void (OBJ::*)(Args...);

    /**
     * \param method the member function to call
     * \param obj the object to call it on (not owned: as MakeEvent, the caller keeps it alive
     *            or cancels the event)
     * \param args the arguments, stored until the event runs
     */
    template <typename... Ts>
    PooledEvent(Method method, OBJ* obj, Ts&&... args)
        : m_method(method),
          m_obj(obj),
          m_args(std::forward<Ts>(args)...)
    {
    }

    /**
     * Schedule obj->method(args...) after delay in the current context.
     * \param delay the delay
     * \param method the member function
     * \param obj the object
     * \param args the arguments
     * \return the event's id (cancellable as any other)
     */
    template <typename... Ts>
    static EventId Schedule(const Time& delay, Method method, OBJ* obj, Ts&&... args)
    {
        return Simulator::Schedule(
            delay,
            Ptr<EventImpl>(new PooledEvent(method, obj, std::forward<Ts>(args)...), false));
    }

    /**
     * Schedule obj->method(args...) after delay in the given context (node id).
     * \param context the context
     * \param delay the delay
     * \param method the member function
     * \param obj the object
     * \param args the arguments
     */
    template <typename... Ts>
    static void ScheduleWithContext(uint32_t context,
                                    const Time& delay,
                                    Method method,
                                    OBJ* obj,
                                    Ts&&... args)
    {
        // The simulator takes over the reference of the new object.
        Simulator::ScheduleWithContext(context,
                                       delay,
                                       new PooledEvent(method, obj, std::forward<Ts>(args)...));
    }

    /**
     * A block from the free list (or the heap when it is empty).
     * \param size the object's size
     * \return the memory
     */
    static void* operator new(std::size_t size)
    {
        FreeList& list = GetFreeList();
        if (size != sizeof(PooledEvent) || list.head == nullptr)
        {
            return ::operator new(size);
        }
        Block* block = list.head;
        list.head = block->next;
        --list.size;
        return block;
    }

    /**
     * Put a block back on the free list.
     * \param p the memory
     * \param size the object's size
     */
    static void operator delete(void* p, std::size_t size) noexcept
    {
        if (p == nullptr)
        {
            return;
        }
        if (size != sizeof(PooledEvent))
        {
            ::operator delete(p);
            return;
        }
        FreeList& list = GetFreeList();
        Block* block = static_cast<Block*>(p);
        block->next = list.head;
        list.head = block;
        ++list.size;
    }

    /**
     * \return the number of blocks on the free list (memory of deleted events kept for reuse)
     */
    static std::size_t GetFreeBlocks()
    {
        return GetFreeList().size;
    }

  private:
    /// A free block, linked through its first bytes.
    struct Block
    {
        Block* next; ///< the next free block
    };

    static_assert(sizeof(Block) <= sizeof(EventImpl), "a block must fit in the event");

    /// The free blocks, released when the program ends.
    struct FreeList
    {
        Block* head{nullptr}; ///< the first free block
        std::size_t size{0};  ///< the number of free blocks

        ~FreeList()
        {
            while (head != nullptr)
            {
                Block* next = head->next;
                ::operator delete(head);
                head = next;
            }
        }
    };

    /**
     * \return the free list of this event type
     */
    static FreeList& GetFreeList()
    {
        return s_freeList;
    }

    /// The free blocks (no thread_local: ns-3 runs a simulation's events in one thread, and
    /// these events are scheduled from it; thread-local storage cost 2% of the event loop).
    static inline FreeList s_freeList;

    void Notify() override
    {
        std::apply([this](Args&... args) { (m_obj->*m_method)(std::move(args)...); }, m_args);
    }

    Method m_method;            ///< the member function
    OBJ* m_obj;                 ///< the object
    std::tuple<Args...> m_args; ///< the arguments
};

} // namespace ns3

#endif // VCLOS_POOLED_EVENT_H
