/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_CHANNEL_H
#define VCLOS_CHANNEL_H

#include "ns3/channel.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/ptr.h"

namespace ns3
{

class VclosFrame;
class VclosNetDevice;

/**
 * \ingroup vclos
 * A full-duplex point-to-point cable between two VclosNetDevice ports.
 *
 * The sending device serialises the packet; the channel delivers it to the peer
 * after the serialisation time plus the propagation delay. Packets are handed
 * over without copying: a packet is owned by exactly one device at a time.
 */
class VclosChannel : public Channel
{
  public:
    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    VclosChannel();

    /**
     * Attach a device; a channel takes exactly two. Called by VclosNetDevice::Attach().
     * \param device the device
     */
    virtual void Attach(Ptr<VclosNetDevice> device);

    /**
     * Deliver \p f from \p src to the other end.
     * \param f the packet's frame (the channel owns it now)
     * \param src the sending device
     * \param txTime serialisation time of the packet at the sender
     */
    virtual void Transmit(VclosFrame* f, const VclosNetDevice* src, Time txTime);

    /// \return the propagation delay (an OcsChannel: its longest light path)
    virtual Time GetDelay() const;
    /**
     * \param device one end
     * \return the other end (null if none)
     */
    virtual Ptr<VclosNetDevice> GetPeer(const VclosNetDevice* device) const;

    std::size_t GetNDevices() const override;
    Ptr<NetDevice> GetDevice(std::size_t i) const override;

  protected:
    void DoDispose() override;

    Time m_delay;                    //!< propagation delay
    Ptr<VclosNetDevice> m_device[2]; //!< the two ends
    std::size_t m_nDevices;          //!< number of attached devices
};

} // namespace ns3

#endif // VCLOS_CHANNEL_H
