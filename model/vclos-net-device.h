/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_NET_DEVICE_H
#define VCLOS_NET_DEVICE_H

#include "ns3/callback.h"
#include "ns3/data-rate.h"
#include "ns3/error-model.h"
#include "ns3/event-id.h"
#include "ns3/link-job-counter.h"
#include "ns3/mac48-address.h"
#include "ns3/net-device.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/ring-fifo.h"
#include "ns3/traced-callback.h"
#include "ns3/vclos-frame.h"

#include <array>

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
 * Received packets go straight to the owner's frame handler (a switch or a NIC), not
 * through the ns-3 protocol stack: this is the simulator's hot path. Packets travel as
 * VclosFrame (header bytes and size); the ns-3 Packet of a frame is built only when a trace
 * sink, pcap or an error model needs it.
 * A NIC that pulls packets when the line is free registers a transmit-idle callback.
 */
class VclosNetDevice : public NetDevice
{
  public:
    /**
     * TracedCallback signature of PfcReceived.
     * \param priority the paused or resumed priority
     * \param quanta pause quanta (0: resume)
     */
    typedef void (*PfcTracedCallback)(uint32_t priority, uint16_t quanta);

    /// Handler of received packets: (ingress device, frame). The handler owns the frame:
    /// it passes it on (Enqueue()) or releases it (VclosFrame::Release()).
    typedef Callback<void, VclosNetDevice*, VclosFrame*> FrameHandler;
    /// Called when a packet queued with an ingress port leaves for the wire:
    /// (ingress port, priority, bytes). A switch's buffer accounting uses it.
    typedef Callback<void, uint32_t, uint32_t, uint32_t> DequeueHook;

    /// Priorities (802.1p classes), each with its own egress FIFO.
    static constexpr uint32_t PRIORITIES = 8;
    /// Ingress of packets that did not come through a switch port.
    static constexpr uint32_t NO_INGRESS = 0xFFFF;

    /**
     * Why a packet was lost. A drop is counted on the port whose link the packet
     * was on: the egress port it would have left by (QUEUE, BUFFER, HEADROOM), or
     * the sending port of the link it arrived on (NO_ROUTE, HOP_LIMIT, RX_ERROR).
     */
    enum DropCause : uint8_t
    {
        DROP_QUEUE = 0, //!< tail drop: the port's QueueBytes were full
        DROP_BUFFER,    //!< the switch's shared buffer refused it (lossy priority)
        DROP_HEADROOM,  //!< lossless priority, PFC headroom exhausted
        DROP_NO_ROUTE,  //!< the receiving switch had no route
        DROP_HOP_LIMIT, //!< the IPv4 TTL ran out at the receiving switch
        DROP_RX_ERROR,  //!< the receiving port's ReceiveErrorModel corrupted it
        DROP_CAUSES     //!< number of causes
    };

    /**
     * TracedCallback signature of DropWithCause.
     * \param packet the lost packet
     * \param cause its DropCause
     */
    typedef void (*DropTracedCallback)(Ptr<const Packet> packet, uint32_t cause);

    /**
     * \param cause a drop cause
     * \return its name as in the results' links table ("queue", "buffer", "headroom",
     *         "no_route", "hop_limit", "rx_error")
     */
    static const char* DropCauseName(DropCause cause);

    /**
     * \param tos the IPv4 TOS byte (DSCP and ECN)
     * \return the priority: the DSCP class selector (TOS >> 5)
     */
    static uint32_t PriorityOfTos(uint8_t tos)
    {
        return tos >> 5;
    }

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
     * Queue a packet for transmission in the FIFO of its priority (from its TOS byte), with
     * tail drop when the port's QueueBytes are full.
     * \param p an IPv4 packet
     * \return false if the packet was dropped
     */
    bool Enqueue(Ptr<Packet> p);
    /**
     * Queue a frame whose priority the caller knows. The port owns the frame from now on
     * (a dropped frame is released).
     * \param f an IPv4 packet's frame
     * \param priority its priority (0..7)
     * \param ingress the switch port it came in on (NO_INGRESS if none); given back to the
     *        dequeue hook
     * \param admitted true if the caller did admission control (a switch with a shared
     *        buffer): the port's own QueueBytes limit is not applied
     * \return false if the packet was dropped
     */
    bool Enqueue(VclosFrame* f, uint32_t priority, uint32_t ingress, bool admitted);

    /**
     * Send a PFC frame to the other end, ahead of every queued packet.
     * \param priority the priority to pause or resume
     * \param quanta pause time in quanta of 512 bit times (0: resume)
     */
    void SendPfc(uint32_t priority, uint16_t quanta);
    /**
     * \param priority 0..7
     * \return true while the other end has this priority paused
     */
    bool IsPaused(uint32_t priority) const;
    /// \param hook called for every packet queued with an ingress port when it leaves
    void SetDequeueHook(DequeueHook hook);
    /// Count one packet marked CE (by the owner, at enqueue).
    void CountEcnMark();
    /**
     * \param priority the packet's priority
     * \param size its bytes
     * \return true if Enqueue(f, priority, ingress, false) would accept it (no tail drop)
     */
    bool HasRoom(uint32_t priority, uint32_t size) const;
    /**
     * Count a packet lost on this port's link (see DropCause), fire the Drop traces and
     * release its frame.
     * \param cause why
     * \param f the packet's frame
     */
    void Drop(DropCause cause, VclosFrame* f);
    /**
     * Drop(cause, f) for a packet that arrived at this port: it is counted on the link it
     * arrived on, i.e. by the port at the other end (by this port if there is none).
     * \param cause why (NO_ROUTE, HOP_LIMIT, RX_ERROR)
     * \param f the packet's frame
     */
    void DropArrived(DropCause cause, VclosFrame* f);

    /**
     * Called by the channel when a packet has fully arrived; the port owns the frame.
     * \param f the packet's frame
     */
    void Receive(VclosFrame* f);
    /**
     * Schedule Receive(f) (a channel's delivery) in this port's node context: the event owns
     * the frame until it runs, and releases it if it is destroyed unrun (Simulator::Destroy()
     * with packets in flight).
     * \param delay when, from now
     * \param f the packet's frame
     */
    void ScheduleReceive(const Time& delay, VclosFrame* f);

    /// \param handler handler of received frames (it owns each frame it is given)
    void SetFrameHandler(FrameHandler handler);
    /// \param cb called whenever the port finishes a transmission and its queue is empty
    void SetTxIdleCallback(Callback<void> cb);

    /// \return true while a packet is being serialised
    bool IsBusy() const;

    /**
     * \param priority a priority
     * \param now Simulator::Now()
     * \return true if the line is free, no packet waits in the priority queues and the
     *         other end does not pause \p priority (a NIC may send one now)
     */
    bool IsIdle(uint32_t priority, const Time& now) const
    {
        return !(now < m_txEnd) && m_queueBytes == 0 && !(now < m_pausedUntil[priority]);
    }

    /// \return bytes waiting in the egress queues (not counting the packet on the wire)
    uint32_t GetQueueBytes() const;
    /// \param priority 0..7 \return bytes waiting in that priority's queue
    uint32_t GetQueueBytes(uint32_t priority) const;
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
    /// \return the device at the other end of the cable (an OCS port: of its circuit; null
    ///         if none)
    Ptr<VclosNetDevice> GetPeer() const;

    /**
     * Set the link state (called by the channel: an OcsChannel takes a port's link down
     * when its circuit is broken and up when a circuit is lit). While down the port sends
     * nothing: packets wait in its queues (tail drop as usual) and a NIC is not asked for
     * more; the packet on the wire when the link goes down is the channel's to lose. A
     * change calls the link-change callbacks.
     * \param up the new state
     */
    void SetLinkUp(bool up);
    /**
     * \param port the channel's index of this device (set by the channel at Attach())
     */
    void SetChannelPort(uint32_t port);
    /// \return the channel's index of this device
    uint32_t GetChannelPort() const;

    /**
     * Count every IPv4 packet this port transmits per job (LinkJobCounter::Count) as link
     * \p linkId. Null detaches it (the default: no cost but a pointer test per packet).
     * \param counter the counter, or null
     * \param linkId this port's link id
     */
    void SetLinkJobCounter(Ptr<LinkJobCounter> counter, uint32_t linkId);

    /// \param index the owner's index of this port (switch port number)
    void SetPortIndex(uint32_t index);
    /// \return the owner's index of this port
    uint32_t GetPortIndex() const;

    // Counters (since the start of the simulation).
    uint64_t GetTxBytes() const;     //!< \return IPv4 bytes sent
    uint64_t GetTxPackets() const;   //!< \return packets sent
    uint64_t GetRxBytes() const;     //!< \return IPv4 bytes received
    uint64_t GetRxPackets() const;   //!< \return IPv4 packets received
    uint64_t GetDropPackets() const; //!< \return packets lost on this link, every cause
    /// \param cause a drop cause \return packets lost on this link for that cause
    uint64_t GetDropPackets(DropCause cause) const;
    uint32_t GetMaxQueueBytes() const;     //!< \return high-water mark of the egress queues
    uint64_t GetEcnMarks() const;          //!< \return packets marked CE at this egress
    uint64_t GetPfcFramesSent() const;     //!< \return PFC frames sent (pause and resume)
    uint64_t GetPfcFramesReceived() const; //!< \return PFC frames received
    /// \return total time this port's priorities were paused by the other end (summed)
    Time GetPausedTime() const;

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
    class DeliveryEvent;
    class TransmitCompleteEvent;

    void DoDispose() override;
    /**
     * Serialise \p f onto the link now (the line is free).
     * \param f the frame (passed on to the channel)
     * \param now Simulator::Now(), read once by the caller
     */
    void StartTransmission(VclosFrame* f, const Time& now);
    void TransmitComplete();
    /// Schedule TransmitComplete() after \p delay (none may be pending).
    void ScheduleTransmitComplete(const Time& delay);
    /// Start the next eligible packet if the line is free; else wait for a resume.
    void TransmitNext();
    /**
     * Pick the highest priority non-empty queue not paused at \p now.
     * \param now Simulator::Now(), read once by the caller
     * \return the priority, or PRIORITIES if none
     */
    uint32_t NextPriority(const Time& now) const;
    void ReceivePfc(VclosFrame* f);
    void PauseExpired();

    Ptr<Node> m_node;
    uint32_t m_nodeId{0}; //!< m_node's id (event context; 0 without a node)
    Ptr<VclosChannel> m_channel;
    uint32_t m_ifIndex;
    uint32_t m_portIndex;
    Mac48Address m_address;
    uint16_t m_mtu;
    DataRate m_bps;
    uint32_t m_framingOverhead;
    uint32_t m_queueLimit;
    std::array<RingFifo<VclosFrame*>, PRIORITIES> m_queue; //!< egress FIFO per priority (lazy)
    std::array<uint32_t, PRIORITIES> m_prioBytes;          //!< bytes queued per priority
    RingFifo<VclosFrame*> m_control;                       //!< PFC frames to send first (lazy)
    uint32_t m_queueBytes;
    uint32_t m_queuedPackets;
    std::array<Time, PRIORITIES> m_pausedUntil; //!< the other end paused us until
    std::array<Time, PRIORITIES> m_pauseStart;  //!< start of the current pause
    std::array<Time, PRIORITIES> m_pausedAccum; //!< closed pause intervals
    EventId m_pauseWake;                        //!< earliest pause expiry
    DequeueHook m_dequeueHook;
    uint64_t m_ecnMarks;
    uint64_t m_pfcSent;
    uint64_t m_pfcReceived;
    Time m_txEnd;                    //!< end of the current (or last) transmission
    bool m_txCompletePending{false}; //!< a TransmitComplete is scheduled
    mutable DataRate m_cachedRate;   //!< rate m_stepsPerByte was computed for
    mutable double m_stepsPerByte;   //!< serialisation time steps per byte

    /// A wire size (framing included) and its serialisation time steps.
    struct TxMemo
    {
        uint32_t wireBytes{0}; //!< 0: empty
        int64_t steps{0};      //!< time steps at m_cachedRate
    };

    mutable std::array<TxMemo, 2> m_txMemo; //!< the last two sizes computed, newest first
    FrameHandler m_handler;
    Callback<void> m_txIdle;
    bool m_linkUp{true};                    //!< link state (SetLinkUp())
    uint32_t m_channelPort{0};              //!< the channel's index of this device
    TracedCallback<> m_linkChangeCallbacks; //!< AddLinkChangeCallback()

    uint64_t m_txBytes;
    uint64_t m_txPackets;
    uint64_t m_rxBytes;
    uint64_t m_rxPackets;
    std::array<uint64_t, DROP_CAUSES> m_drops; //!< per cause
    uint32_t m_maxQueueBytes;
    Ptr<ErrorModel> m_receiveErrorModel; //!< drops received packets it corrupts (optional)
    Ptr<LinkJobCounter> m_jobCounter;    //!< per-job transmit counter (optional)
    uint32_t m_jobCounterLink{0};        //!< this port's link id for m_jobCounter

    TracedCallback<Ptr<const Packet>> m_enqueueTrace; //!< packet entered the egress queue
    TracedCallback<Ptr<const Packet>> m_dequeueTrace; //!< packet left the queue for the wire
    TracedCallback<Ptr<const Packet>> m_dropTrace;    //!< packet lost on this link
    TracedCallback<Ptr<const Packet>, uint32_t> m_dropCauseTrace; //!< ... with its DropCause
    TracedCallback<Ptr<const Packet>> m_phyTxBeginTrace;          //!< serialisation started
    TracedCallback<Ptr<const Packet>> m_phyRxEndTrace;            //!< packet fully received
    TracedCallback<Ptr<const Packet>> m_snifferTrace; //!< every packet sent or received (pcap)
    TracedCallback<uint32_t, uint16_t> m_pfcTrace;    //!< PFC received: priority, quanta
};

} // namespace ns3

#endif // VCLOS_NET_DEVICE_H
