/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_NET_DEVICE_H
#define VCLOS_NET_DEVICE_H

#include "ns3/callback.h"
#include "ns3/data-rate.h"
#include "ns3/event-id.h"
#include "ns3/mac48-address.h"
#include "ns3/net-device.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/traced-callback.h"

#include <deque>

namespace ns3
{

class VclosChannel;
class Node;

/**
 * \ingroup vclos
 * A port of a GPU NIC, a packet switch or a server switch: one full-duplex
 * point-to-point link end with an egress FIFO of finite byte capacity (tail drop).
 *
 * Packets are IPv4 datagrams (RoCEv2: IPv4 + UDP + BTH + payload); the device adds
 * no link header to the packet, but charges FramingOverhead bytes of serialisation
 * time per packet (Ethernet header + FCS + preamble + inter-frame gap).
 *
 * Received packets go straight to the owner's packet handler (a switch or a NIC),
 * not through the ns-3 protocol stack: this is the simulator's hot path.
 * A NIC that pulls packets when the line is free registers a transmit-idle callback.
 */
class VclosNetDevice : public NetDevice
{
  public:
    /// Handler of received packets: (ingress device, packet).
    typedef Callback<void, Ptr<VclosNetDevice>, Ptr<Packet>> PacketHandler;

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    VclosNetDevice();
    ~VclosNetDevice() override;

    /**
     * Attach to a channel.
     * \param channel the cable
     */
    void Attach(Ptr<VclosChannel> channel);

    /**
     * Queue a packet for transmission (tail drop if the buffer is full).
     * \param p an IPv4 packet
     * \return false if the packet was dropped
     */
    bool Enqueue(Ptr<Packet> p);

    /**
     * Called by the channel when a packet has fully arrived.
     * \param p the packet
     */
    void Receive(Ptr<Packet> p);

    /// \param handler handler of received packets
    void SetPacketHandler(PacketHandler handler);
    /// \param cb called whenever the port finishes a transmission and its queue is empty
    void SetTxIdleCallback(Callback<void> cb);

    /// \return true while a packet is being serialised
    bool IsBusy() const;
    /// \return bytes waiting in the egress queue (not counting the packet on the wire)
    uint32_t GetQueueBytes() const;
    /// \return the line rate
    DataRate GetDataRate() const;
    /// \return per-packet framing overhead in bytes
    uint32_t GetFramingOverhead() const;
    /**
     * \param bytes size of an IPv4 packet
     * \return its serialisation time on this port, framing included
     */
    Time GetTxTime(uint32_t bytes) const;
    /// \return the cable
    Ptr<VclosChannel> GetVclosChannel() const;
    /// \return the device at the other end of the cable
    Ptr<VclosNetDevice> GetPeer() const;

    /// \param index the owner's index of this port (switch port number)
    void SetPortIndex(uint32_t index);
    /// \return the owner's index of this port
    uint32_t GetPortIndex() const;

    // Counters (since the start of the simulation).
    uint64_t GetTxBytes() const;        //!< \return IPv4 bytes sent
    uint64_t GetTxPackets() const;      //!< \return packets sent
    uint64_t GetRxBytes() const;        //!< \return IPv4 bytes received
    uint64_t GetDropPackets() const;    //!< \return packets dropped at the egress queue
    uint32_t GetMaxQueueBytes() const;  //!< \return high-water mark of the egress queue

    // NetDevice
    void SetIfIndex(const uint32_t index) override;
    uint32_t GetIfIndex() const override;
    Ptr<Channel> GetChannel() const override;
    void SetAddress(Address address) override;
    Address GetAddress() const override;
    bool SetMtu(const uint16_t mtu) override;
    uint16_t GetMtu() const override;
    bool IsLinkUp() const override;
    void AddLinkChangeCallback(Callback<void> callback) override;
    bool IsBroadcast() const override;
    Address GetBroadcast() const override;
    bool IsMulticast() const override;
    Address GetMulticast(Ipv4Address multicastGroup) const override;
    Address GetMulticast(Ipv6Address addr) const override;
    bool IsBridge() const override;
    bool IsPointToPoint() const override;
    bool Send(Ptr<Packet> packet, const Address& dest, uint16_t protocolNumber) override;
    bool SendFrom(Ptr<Packet> packet,
                  const Address& source,
                  const Address& dest,
                  uint16_t protocolNumber) override;
    Ptr<Node> GetNode() const override;
    void SetNode(Ptr<Node> node) override;
    bool NeedsArp() const override;
    void SetReceiveCallback(NetDevice::ReceiveCallback cb) override;
    void SetPromiscReceiveCallback(NetDevice::PromiscReceiveCallback cb) override;
    bool SupportsSendFrom() const override;

  private:
    void DoDispose() override;
    void StartTransmission(Ptr<Packet> p);
    void TransmitComplete();

    Ptr<Node> m_node;
    Ptr<VclosChannel> m_channel;
    uint32_t m_ifIndex;
    uint32_t m_portIndex;
    Mac48Address m_address;
    uint16_t m_mtu;
    DataRate m_bps;
    uint32_t m_framingOverhead;
    uint32_t m_queueLimit;
    std::deque<Ptr<Packet>> m_queue;
    uint32_t m_queueBytes;
    Time m_txEnd;                   //!< end of the current (or last) transmission
    EventId m_txCompleteEvent;      //!< pending TransmitComplete, if any
    bool m_txCompletePending;       //!< m_txCompleteEvent is scheduled
    mutable DataRate m_cachedRate;  //!< rate m_stepsPerByte was computed for
    mutable double m_stepsPerByte;  //!< serialisation time steps per byte
    PacketHandler m_handler;
    Callback<void> m_txIdle;

    uint64_t m_txBytes;
    uint64_t m_txPackets;
    uint64_t m_rxBytes;
    uint64_t m_drops;
    uint32_t m_maxQueueBytes;

    TracedCallback<Ptr<const Packet>> m_enqueueTrace;   //!< packet entered the egress queue
    TracedCallback<Ptr<const Packet>> m_dequeueTrace;   //!< packet left the queue for the wire
    TracedCallback<Ptr<const Packet>> m_dropTrace;      //!< packet dropped (buffer full)
    TracedCallback<Ptr<const Packet>> m_phyTxBeginTrace; //!< serialisation started
    TracedCallback<Ptr<const Packet>> m_phyRxEndTrace;  //!< packet fully received
    TracedCallback<Ptr<const Packet>> m_snifferTrace;   //!< every packet sent or received (pcap)
};

} // namespace ns3

#endif // VCLOS_NET_DEVICE_H
