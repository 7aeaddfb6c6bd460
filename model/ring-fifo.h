/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_RING_FIFO_H
#define VCLOS_RING_FIFO_H

#include "ns3/assert.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace ns3
{

/**
 * \ingroup vclos
 * A first-in first-out queue in one ring buffer that allocates nothing until the first
 * PushBack() (a port's eight priority FIFOs and its control queue cost no heap memory
 * while unused; a std::deque allocates about 600 bytes when constructed).
 *
 * The capacity doubles when full (starting at kMinCapacity) and is given back when the
 * queue runs empty while holding more than kShrinkCapacity slots, so one burst does not
 * keep its memory for the rest of the run. PopFront() moves the element out and resets
 * its slot, so a queued Ptr releases its object when it leaves.
 *
 * \tparam T a default-constructible, movable element type
 */
template <typename T>
class RingFifo
{
  public:
    static constexpr std::size_t kMinCapacity = 8;     //!< first allocation, elements
    static constexpr std::size_t kShrinkCapacity = 64; //!< freed when empty above this

    /// \return true if no element is queued
    bool Empty() const
    {
        return m_size == 0;
    }

    /// \return the number of queued elements
    std::size_t Size() const
    {
        return m_size;
    }

    /// \return the number of elements the buffer holds without growing (0 until used)
    std::size_t Capacity() const
    {
        return m_capacity;
    }

    /// \return the oldest element (the queue must not be empty)
    T& Front()
    {
        NS_ASSERT(m_size > 0);
        return m_buf[m_head];
    }

    /**
     * Append an element, growing the buffer if it is full.
     * \param value the element
     */
    void PushBack(T value)
    {
        if (m_size == m_capacity)
        {
            Grow();
        }
        m_buf[(m_head + m_size) & (m_capacity - 1)] = std::move(value);
        ++m_size;
    }

    /**
     * Remove the oldest element (the queue must not be empty).
     * \return the element
     */
    T PopFront()
    {
        NS_ASSERT(m_size > 0);
        T value = std::move(m_buf[m_head]);
        m_buf[m_head] = T();
        m_head = (m_head + 1) & (m_capacity - 1);
        if (--m_size == 0)
        {
            m_head = 0;
            if (m_capacity > kShrinkCapacity)
            {
                Release();
            }
        }
        return value;
    }

    /// Remove every element and free the buffer.
    void Clear()
    {
        Release();
    }

  private:
    /// Double the capacity (kMinCapacity at first), keeping the order of the elements.
    void Grow()
    {
        const std::size_t capacity = m_capacity == 0 ? kMinCapacity : 2 * m_capacity;
        std::unique_ptr<T[]> buf(new T[capacity]);
        for (std::size_t i = 0; i < m_size; ++i)
        {
            buf[i] = std::move(m_buf[(m_head + i) & (m_capacity - 1)]);
        }
        m_buf = std::move(buf);
        m_capacity = capacity;
        m_head = 0;
    }

    /// Drop the elements and the buffer.
    void Release()
    {
        m_buf.reset();
        m_capacity = 0;
        m_head = 0;
        m_size = 0;
    }

    std::unique_ptr<T[]> m_buf; //!< m_capacity slots (a power of two), or none
    std::size_t m_capacity{0};  //!< slots in m_buf
    std::size_t m_head{0};      //!< slot of the oldest element
    std::size_t m_size{0};      //!< queued elements
};

} // namespace ns3

#endif // VCLOS_RING_FIFO_H
