/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_FRAME_H
#define VCLOS_FRAME_H

#include "ns3/packet.h"
#include "ns3/pooled-event.h"
#include "ns3/ptr.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ns3
{

/**
 * \ingroup vclos
 * A packet on the vclos data plane, as ports, switches and NICs pass it on: the bytes of its
 * headers (what every hop reads, and a switch rewrites) and its size. The ns-3 Packet with
 * the same bytes is built only when something needs one: a trace sink, pcap, an error model
 * (GetPacket()). From then on it travels with the frame, so every later hop hands the same
 * Packet (same uid, same tags) to its sinks, and a switch's rewrite of the head is applied
 * to it as well.
 *
 * A packet built by a NIC carries zero payload bytes, as the Packet(size) it replaces did.
 * A packet from elsewhere (NetDevice::Send(), a PFC frame) keeps its own Packet.
 *
 * Frames come from a free list (no allocation per packet once the list has as many frames as
 * were ever in flight). A frame has exactly one owner at a time: the device queue holding
 * it, the event carrying it over a cable, or the handler it was delivered to; whoever ends
 * its life calls Release().
 */
class VclosFrame
{
  public:
    /// Head bytes a frame holds: IPv4, UDP, BTH and AETH or ImmDt (44), rounded up.
    static constexpr uint32_t HEAD_BYTES = 48;

    /**
     * A frame whose head the caller writes (all HEAD_BYTES read as zero until then).
     * \param size bytes of the packet (IPv4 header included)
     * \param headerBytes the leading bytes the caller writes (at most HEAD_BYTES and size);
     *        the rest of the packet is zero
     * \return the frame, owned by the caller
     */
    static VclosFrame* Create(uint32_t size, uint32_t headerBytes);
    /**
     * A frame for an existing packet (its first bytes copied into the head).
     * \param p the packet
     * \return the frame, owned by the caller
     */
    static VclosFrame* FromPacket(Ptr<Packet> p);
    /**
     * End a frame's life (its Packet, if any, is released with it).
     * \param f the frame (may be null)
     */
    static void Release(VclosFrame* f);
    /// \return frames handed out and not yet released (every Simulator::Destroy() leaves 0)
    static std::size_t GetLiveFrames();

    /// \return the head: the packet's first min(size, HEAD_BYTES) bytes, zeros beyond
    const uint8_t* Head() const
    {
        return m_head.data();
    }

    /// \return the head, for the creator to write
    uint8_t* Head()
    {
        return m_head.data();
    }

    /// \return bytes of the packet
    uint32_t GetSize() const
    {
        return m_size;
    }

    /// \return the switch port the frame came in on (set by the switch that queued it)
    uint32_t GetIngress() const
    {
        return m_ingress;
    }

    /// \param ingress the switch port the frame came in on
    void SetIngress(uint32_t ingress)
    {
        m_ingress = ingress;
    }

    /// \return true if the frame has its ns-3 Packet already
    bool HasPacket() const
    {
        return m_packet != nullptr;
    }

    /**
     * The ns-3 Packet of this frame, built on the first call (for a sink, pcap, an error
     * model), then kept with the frame.
     * \return the packet
     */
    Ptr<Packet> GetPacket()
    {
        if (m_packet == nullptr)
        {
            BuildPacket();
        }
        return m_packet;
    }

    /**
     * Apply a rewrite of the IPv4 header in the head (its first 20 bytes: a switch's TTL and
     * ECN edits) to the Packet too, if there is one.
     */
    void Ipv4HeaderRewritten()
    {
        if (m_packet != nullptr)
        {
            RewritePacketIpv4();
        }
    }

  private:
    VclosFrame() = default;
    void BuildPacket();
    void RewritePacketIpv4();

    std::array<uint8_t, HEAD_BYTES> m_head{}; //!< first bytes of the packet
    uint32_t m_size{0};                       //!< packet bytes
    uint32_t m_headerBytes{0};                //!< bytes of m_head written by the creator
    uint32_t m_ingress{0};                    //!< switch ingress port
    Ptr<Packet> m_packet;                     //!< the ns-3 packet, once built
    VclosFrame* m_nextFree{nullptr};          //!< free-list link
};

/**
 * \ingroup vclos
 * A pooled event that carries a frame (a cable's delivery, an OCS crossing): it owns the
 * frame until it runs (TakeFrame() hands it on), and releases it if it is destroyed unrun
 * (Simulator::Destroy() with packets in flight).
 * \tparam Derived the final event class (CRTP)
 */
template <typename Derived>
class VclosFrameEventImpl : public PooledEventImpl<Derived>
{
  protected:
    /// \param f the frame, now owned by the event
    explicit VclosFrameEventImpl(VclosFrame* f)
        : m_frame(f)
    {
    }

    ~VclosFrameEventImpl() override
    {
        VclosFrame::Release(m_frame);
    }

    /// \return the frame, now owned by the caller (once, in Notify())
    VclosFrame* TakeFrame()
    {
        VclosFrame* f = m_frame;
        m_frame = nullptr;
        return f;
    }

  private:
    VclosFrame* m_frame; //!< the frame, until handed on
};

} // namespace ns3

#endif // VCLOS_FRAME_H
