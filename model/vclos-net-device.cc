/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "vclos-net-device.h"

#include "pfc-header.h"
#include "pooled-event.h"
#include "vclos-channel.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/ns3-compat.h"
#include "ns3/pointer.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <cstring>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("VclosNetDevice");
NS_OBJECT_ENSURE_REGISTERED(VclosNetDevice);

/// A frame's arrival at a port (one per packet hop).
class VclosNetDevice::DeliveryEvent final : public VclosFrameEventImpl<DeliveryEvent>
{
  public:
    /**
     * \param to the receiving port (not owned: ports live as long as the simulation)
     * \param f the frame
     */
    DeliveryEvent(VclosNetDevice* to, VclosFrame* f)
        : VclosFrameEventImpl(f),
          m_to(to)
    {
    }

  private:
    void Notify() override
    {
        m_to->Receive(TakeFrame());
    }

    VclosNetDevice* m_to; //!< the receiving port
};

/// A port's end of transmission (pooled). Holds a reference to the port, so a disposed
/// port's late event finds nothing to send instead of a deleted object.
class VclosNetDevice::TransmitCompleteEvent final : public PooledEventImpl<TransmitCompleteEvent>
{
  public:
    /// \param port the port
    explicit TransmitCompleteEvent(VclosNetDevice* port)
        : m_port(port)
    {
    }

  private:
    void Notify() override
    {
        m_port->TransmitComplete();
    }

    Ptr<VclosNetDevice> m_port; //!< the port
};

TypeId
VclosNetDevice::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::VclosNetDevice")
            .SetParent<NetDevice>()
            .SetGroupName("Vclos")
            .AddConstructor<VclosNetDevice>()
            .AddAttribute("DataRate",
                          "Line rate of the port.",
                          DataRateValue(DataRate("100Gbps")),
                          MakeDataRateAccessor(&VclosNetDevice::m_bps),
                          MakeDataRateChecker())
            .AddAttribute("Mtu",
                          "Largest IPv4 packet in bytes (RoCE payload + 40 bytes of headers).",
                          UintegerValue(9000),
                          MakeUintegerAccessor(&VclosNetDevice::m_mtu),
                          MakeUintegerChecker<uint16_t>(68))
            .AddAttribute("FramingOverhead",
                          "Bytes of serialisation time added to every packet for the link "
                          "layer: Ethernet header 14 + FCS 4 + preamble 8 + inter-frame gap 12.",
                          UintegerValue(38),
                          MakeUintegerAccessor(&VclosNetDevice::m_framingOverhead),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("QueueBytes",
                          "Capacity of the egress FIFO in bytes (tail drop beyond it).",
                          UintegerValue(1 << 20),
                          MakeUintegerAccessor(&VclosNetDevice::m_queueLimit),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("ReceiveErrorModel",
                          "Optional error model: received packets it reports corrupt are "
                          "dropped (counted as DROP_RX_ERROR on the sending port's link).",
                          PointerValue(),
                          MakePointerAccessor(&VclosNetDevice::m_receiveErrorModel),
                          MakePointerChecker<ErrorModel>())
            .AddTraceSource("Enqueue",
                            "A packet entered the egress queue.",
                            MakeTraceSourceAccessor(&VclosNetDevice::m_enqueueTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("Dequeue",
                            "A packet left the egress queue for the wire.",
                            MakeTraceSourceAccessor(&VclosNetDevice::m_dequeueTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("Drop",
                            "A packet was lost on this port's link, whatever the cause (see "
                            "DropWithCause).",
                            MakeTraceSourceAccessor(&VclosNetDevice::m_dropTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("DropWithCause",
                            "A packet was lost on this port's link: the packet, its "
                            "VclosNetDevice::DropCause.",
                            MakeTraceSourceAccessor(&VclosNetDevice::m_dropCauseTrace),
                            "ns3::VclosNetDevice::DropTracedCallback")
            .AddTraceSource("PhyTxBegin",
                            "Serialisation of a packet started.",
                            MakeTraceSourceAccessor(&VclosNetDevice::m_phyTxBeginTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("PhyRxEnd",
                            "A packet was fully received.",
                            MakeTraceSourceAccessor(&VclosNetDevice::m_phyRxEndTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("Sniffer",
                            "Every packet sent or received (IPv4, for pcap DLT_RAW).",
                            MakeTraceSourceAccessor(&VclosNetDevice::m_snifferTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("PfcReceived",
                            "A PFC frame arrived: priority, pause quanta (0: resume).",
                            MakeTraceSourceAccessor(&VclosNetDevice::m_pfcTrace),
                            "ns3::VclosNetDevice::PfcTracedCallback");
    return tid;
}

VclosNetDevice::VclosNetDevice()
    : m_ifIndex(0),
      m_portIndex(0),
      m_mtu(9000),
      m_framingOverhead(38),
      m_queueLimit(1 << 20),
      m_prioBytes{},
      m_queueBytes(0),
      m_queuedPackets(0),
      m_ecnMarks(0),
      m_pfcSent(0),
      m_pfcReceived(0),
      m_stepsPerByte(0),
      m_txBytes(0),
      m_txPackets(0),
      m_rxBytes(0),
      m_rxPackets(0),
      m_drops{},
      m_maxQueueBytes(0)
{
}

VclosNetDevice::~VclosNetDevice() = default;

void
VclosNetDevice::DoDispose()
{
    m_pauseWake.Cancel();
    m_node = nullptr;
    m_channel = nullptr;
    for (auto& q : m_queue)
    {
        while (!q.Empty())
        {
            VclosFrame::Release(q.PopFront());
        }
    }
    while (!m_control.Empty())
    {
        VclosFrame::Release(m_control.PopFront());
    }
    m_jobCounter = nullptr;
    m_dequeueHook = MakeNullCallback<void, uint32_t, uint32_t, uint32_t>();
    m_handler = MakeNullCallback<void, VclosNetDevice*, VclosFrame*>();
    m_txIdle = MakeNullCallback<void>();
    m_receiveErrorModel = nullptr;
    NetDevice::DoDispose();
}

void
VclosNetDevice::Attach(Ptr<VclosChannel> channel)
{
    m_channel = channel;
    channel->Attach(this);
}

bool
VclosNetDevice::Enqueue(Ptr<Packet> p)
{
    VclosFrame* f = VclosFrame::FromPacket(p);
    // (the head reads as zeros past a short packet's end: priority 0)
    return Enqueue(f, PriorityOfTos(f->Head()[1]), NO_INGRESS, false);
}

bool
VclosNetDevice::Enqueue(VclosFrame* f, uint32_t priority, uint32_t ingress, bool admitted)
{
    NS_ASSERT(priority < PRIORITIES);
    f->SetIngress(ingress);
    const Time now = Simulator::Now(); // read once: IsBusy() and IsPaused() at this instant
    if (!(now < m_txEnd) && m_queuedPackets == 0 && m_control.Empty() && m_linkUp &&
        !(now < m_pausedUntil[priority]))
    {
        if (!m_enqueueTrace.IsEmpty())
        {
            m_enqueueTrace(f->GetPacket());
        }
        if (!m_dequeueTrace.IsEmpty())
        {
            m_dequeueTrace(f->GetPacket());
        }
        if (ingress != NO_INGRESS && !m_dequeueHook.IsNull())
        {
            m_dequeueHook(ingress, priority, f->GetSize());
        }
        StartTransmission(f, now);
        return true;
    }
    const uint32_t size = f->GetSize();
    if (!admitted && m_queueBytes + size > m_queueLimit)
    {
        NS_LOG_LOGIC("drop " << size << " bytes, queue " << m_queueBytes);
        Drop(DROP_QUEUE, f);
        return false;
    }
    m_queueBytes += size;
    m_prioBytes[priority] += size;
    ++m_queuedPackets;
    if (m_queueBytes > m_maxQueueBytes)
    {
        m_maxQueueBytes = m_queueBytes;
    }
    if (!m_enqueueTrace.IsEmpty())
    {
        m_enqueueTrace(f->GetPacket());
    }
    m_queue[priority].PushBack(f);
    if (!(now < m_txEnd))
    {
        // The line is free but packets wait: a transmission that ends right now (its
        // TransmitComplete is pending and sends the next one), or paused priorities. This
        // one may not be paused (an ACK behind paused data): send what is eligible; a
        // resume or a pause's expiry restarts the rest.
        if (!m_txCompletePending)
        {
            TransmitNext();
        }
        return true;
    }
    if (!m_txCompletePending)
    {
        // The line is busy: come back when the packet on the wire is out.
        ScheduleTransmitComplete(m_txEnd - now);
    }
    return true;
}

uint32_t
VclosNetDevice::NextPriority(const Time& now) const
{
    for (uint32_t prio = PRIORITIES; prio-- > 0;)
    {
        if (!m_queue[prio].Empty() && !(now < m_pausedUntil[prio]))
        {
            return prio;
        }
    }
    return PRIORITIES;
}

void
VclosNetDevice::StartTransmission(VclosFrame* f, const Time& now)
{
    const uint32_t size = f->GetSize();
    const Time txTime = GetTxTime(size);
    m_txEnd = now + txTime;
    m_txBytes += size;
    ++m_txPackets;
    if (m_jobCounter && !PfcHeader::IsPfc(f->Head()))
    {
        m_jobCounter->Count(m_jobCounterLink, f->Head(), size, now.GetTimeStep());
    }
    if (!m_phyTxBeginTrace.IsEmpty())
    {
        m_phyTxBeginTrace(f->GetPacket());
    }
    if (!m_snifferTrace.IsEmpty())
    {
        m_snifferTrace(f->GetPacket());
    }
    // A port needs an event at the end of the transmission only if something waits
    // for the line: queued packets (scheduled by Enqueue) or a NIC pulling packets.
    if (m_queuedPackets > 0 || !m_control.Empty() || !m_txIdle.IsNull())
    {
        ScheduleTransmitComplete(txTime);
    }
    m_channel->Transmit(f, this, txTime);
}

void
VclosNetDevice::SetLinkJobCounter(Ptr<LinkJobCounter> counter, uint32_t linkId)
{
    m_jobCounter = counter;
    m_jobCounterLink = linkId;
}

void
VclosNetDevice::ScheduleTransmitComplete(const Time& delay)
{
    m_txCompletePending = true;
    // In the port's node (as the channel delivers to it), or the caller's if it has none.
    Simulator::ScheduleWithContext(m_node ? m_nodeId : Simulator::GetContext(),
                                   delay,
                                   new TransmitCompleteEvent(this));
}

void
VclosNetDevice::TransmitComplete()
{
    m_txCompletePending = false;
    if (m_channel)
    {
        TransmitNext();
    }
}

void
VclosNetDevice::TransmitNext()
{
    const Time now = Simulator::Now();
    if (now < m_txEnd || !m_linkUp)
    {
        return;
    }
    if (!m_control.Empty())
    {
        StartTransmission(m_control.PopFront(), now);
        return;
    }
    const uint32_t prio = NextPriority(now);
    if (prio < PRIORITIES)
    {
        VclosFrame* f = m_queue[prio].PopFront();
        const uint32_t size = f->GetSize();
        m_queueBytes -= size;
        m_prioBytes[prio] -= size;
        --m_queuedPackets;
        if (!m_dequeueTrace.IsEmpty())
        {
            m_dequeueTrace(f->GetPacket());
        }
        if (f->GetIngress() != NO_INGRESS && !m_dequeueHook.IsNull())
        {
            m_dequeueHook(f->GetIngress(), prio, size);
        }
        StartTransmission(f, now);
        return;
    }
    if (!m_txIdle.IsNull())
    {
        m_txIdle();
    }
}

void
VclosNetDevice::SendPfc(uint32_t priority, uint16_t quanta)
{
    Ptr<Packet> p = Create<Packet>();
    PfcHeader pfc;
    pfc.SetPause(priority, quanta);
    p->AddHeader(pfc);
    ++m_pfcSent;
    m_control.PushBack(VclosFrame::FromPacket(p));
    if (IsBusy())
    {
        if (!m_txCompletePending)
        {
            ScheduleTransmitComplete(m_txEnd - Simulator::Now());
        }
        return;
    }
    TransmitNext();
}

void
VclosNetDevice::ReceivePfc(VclosFrame* f)
{
    PfcHeader pfc;
    f->GetPacket()->PeekHeader(pfc);
    VclosFrame::Release(f);
    ++m_pfcReceived;
    const Time now = Simulator::Now();
    // One quantum is 512 bit times at this port's rate.
    const Time quantum = m_bps.CalculateBitsTxTime(512);
    Time earliest = Time::Max();
    for (uint32_t prio = 0; prio < PRIORITIES; ++prio)
    {
        if (!pfc.IsEnabled(prio))
        {
            continue;
        }
        const uint16_t quanta = pfc.GetQuanta(prio);
        m_pfcTrace(prio, quanta);
        const bool paused = now < m_pausedUntil[prio];
        if (quanta > 0)
        {
            if (!paused)
            {
                m_pausedAccum[prio] += m_pausedUntil[prio] - m_pauseStart[prio];
                m_pauseStart[prio] = now;
            }
            m_pausedUntil[prio] = now + quantum * quanta;
            earliest = std::min(earliest, m_pausedUntil[prio]);
        }
        else if (paused)
        {
            m_pausedUntil[prio] = now; // resume
        }
    }
    if (earliest != Time::Max() && (!vclos::compat::IsPending(m_pauseWake) ||
                                    Simulator::GetDelayLeft(m_pauseWake) > earliest - now))
    {
        m_pauseWake.Cancel();
        m_pauseWake = Simulator::Schedule(earliest - now, &VclosNetDevice::PauseExpired, this);
    }
    TransmitNext();
}

void
VclosNetDevice::PauseExpired()
{
    // Re-arm for any later expiry, then send what became eligible.
    const Time now = Simulator::Now();
    Time earliest = Time::Max();
    for (uint32_t prio = 0; prio < PRIORITIES; ++prio)
    {
        if (now < m_pausedUntil[prio])
        {
            earliest = std::min(earliest, m_pausedUntil[prio]);
        }
    }
    if (earliest != Time::Max())
    {
        m_pauseWake = Simulator::Schedule(earliest - now, &VclosNetDevice::PauseExpired, this);
    }
    TransmitNext();
}

bool
VclosNetDevice::IsPaused(uint32_t priority) const
{
    return Simulator::Now() < m_pausedUntil[priority];
}

void
VclosNetDevice::SetDequeueHook(DequeueHook hook)
{
    m_dequeueHook = hook;
}

void
VclosNetDevice::CountEcnMark()
{
    ++m_ecnMarks;
}

bool
VclosNetDevice::HasRoom(uint32_t priority, uint32_t size) const
{
    // As Enqueue decides: room in the FIFO, or the fast path to an idle line.
    if (m_queueBytes + size <= m_queueLimit)
    {
        return true;
    }
    const Time now = Simulator::Now();
    return !(now < m_txEnd) && m_queuedPackets == 0 && m_control.Empty() &&
           !(now < m_pausedUntil[priority]);
}

void
VclosNetDevice::Drop(DropCause cause, VclosFrame* f)
{
    NS_ASSERT(cause < DROP_CAUSES);
    ++m_drops[cause];
    if (!m_dropTrace.IsEmpty())
    {
        m_dropTrace(f->GetPacket());
    }
    if (!m_dropCauseTrace.IsEmpty())
    {
        m_dropCauseTrace(f->GetPacket(), cause);
    }
    VclosFrame::Release(f);
}

void
VclosNetDevice::DropArrived(DropCause cause, VclosFrame* f)
{
    Ptr<VclosNetDevice> peer = GetPeer();
    (peer ? PeekPointer(peer) : this)->Drop(cause, f);
}

const char*
VclosNetDevice::DropCauseName(DropCause cause)
{
    static const char* const names[DROP_CAUSES] =
        {"queue", "buffer", "headroom", "no_route", "hop_limit", "rx_error"};
    NS_ABORT_MSG_IF(cause >= DROP_CAUSES, "no drop cause " << static_cast<uint32_t>(cause));
    return names[cause];
}

void
VclosNetDevice::Receive(VclosFrame* f)
{
    if (PfcHeader::IsPfc(f->Head()))
    {
        ReceivePfc(f);
        return;
    }
    if (m_receiveErrorModel && m_receiveErrorModel->IsCorrupt(f->GetPacket()))
    {
        NS_LOG_LOGIC("receive error model dropped a packet");
        DropArrived(DROP_RX_ERROR, f);
        return;
    }
    m_rxBytes += f->GetSize();
    ++m_rxPackets;
    if (!m_phyRxEndTrace.IsEmpty())
    {
        m_phyRxEndTrace(f->GetPacket());
    }
    if (!m_snifferTrace.IsEmpty())
    {
        m_snifferTrace(f->GetPacket());
    }
    m_handler(this, f);
}

void
VclosNetDevice::ScheduleReceive(const Time& delay, VclosFrame* f)
{
    Simulator::ScheduleWithContext(m_nodeId, delay, new DeliveryEvent(this, f));
}

void
VclosNetDevice::SetFrameHandler(FrameHandler handler)
{
    m_handler = handler;
}

void
VclosNetDevice::SetTxIdleCallback(Callback<void> cb)
{
    m_txIdle = cb;
}

bool
VclosNetDevice::IsBusy() const
{
    return Simulator::Now() < m_txEnd;
}

uint32_t
VclosNetDevice::GetQueueBytes() const
{
    return m_queueBytes;
}

uint32_t
VclosNetDevice::GetQueueBytes(uint32_t priority) const
{
    return m_prioBytes.at(priority);
}

DataRate
VclosNetDevice::GetDataRate() const
{
    return m_bps;
}

uint32_t
VclosNetDevice::GetFramingOverhead() const
{
    return m_framingOverhead;
}

Time
VclosNetDevice::GetTxTime(uint32_t bytes) const
{
    const uint32_t wire = bytes + m_framingOverhead;
    if (m_bps != m_cachedRate)
    {
        // time steps (of the current resolution) per byte at this rate
        m_cachedRate = m_bps;
        m_stepsPerByte = 8.0 / m_bps.GetBitRate() * Time(Seconds(1)).GetTimeStep();
        m_txMemo.fill(TxMemo{});
    }
    // A port sends few distinct sizes (data, ACK): remember the last two computed (newest first; a
    // hit does not reorder them).
    if (m_txMemo[0].wireBytes == wire)
    {
        return Time(m_txMemo[0].steps);
    }
    if (m_txMemo[1].wireBytes != wire)
    {
        m_txMemo[1] = m_txMemo[0]; // the older one is dropped
        m_txMemo[0] = {wire, std::llround(wire * m_stepsPerByte)};
        return Time(m_txMemo[0].steps);
    }
    return Time(m_txMemo[1].steps);
}

Ptr<VclosChannel>
VclosNetDevice::GetVclosChannel() const
{
    return m_channel;
}

Ptr<VclosNetDevice>
VclosNetDevice::GetPeer() const
{
    return m_channel ? m_channel->GetPeer(this) : nullptr;
}

void
VclosNetDevice::SetPortIndex(uint32_t index)
{
    m_portIndex = index;
}

uint32_t
VclosNetDevice::GetPortIndex() const
{
    return m_portIndex;
}

uint64_t
VclosNetDevice::GetTxBytes() const
{
    return m_txBytes;
}

uint64_t
VclosNetDevice::GetTxPackets() const
{
    return m_txPackets;
}

uint64_t
VclosNetDevice::GetRxBytes() const
{
    return m_rxBytes;
}

uint64_t
VclosNetDevice::GetRxPackets() const
{
    return m_rxPackets;
}

uint64_t
VclosNetDevice::GetDropPackets() const
{
    uint64_t total = 0;
    for (uint64_t n : m_drops)
    {
        total += n;
    }
    return total;
}

uint64_t
VclosNetDevice::GetDropPackets(DropCause cause) const
{
    NS_ABORT_MSG_IF(cause >= DROP_CAUSES, "no drop cause " << static_cast<uint32_t>(cause));
    return m_drops[cause];
}

uint32_t
VclosNetDevice::GetMaxQueueBytes() const
{
    return m_maxQueueBytes;
}

uint64_t
VclosNetDevice::GetEcnMarks() const
{
    return m_ecnMarks;
}

uint64_t
VclosNetDevice::GetPfcFramesSent() const
{
    return m_pfcSent;
}

uint64_t
VclosNetDevice::GetPfcFramesReceived() const
{
    return m_pfcReceived;
}

Time
VclosNetDevice::GetPausedTime() const
{
    const Time now = Simulator::Now();
    Time total(0);
    for (uint32_t prio = 0; prio < PRIORITIES; ++prio)
    {
        total += m_pausedAccum[prio] + (std::min(now, m_pausedUntil[prio]) - m_pauseStart[prio]);
    }
    return total;
}

void
VclosNetDevice::SetIfIndex(const uint32_t index)
{
    m_ifIndex = index;
}

uint32_t
VclosNetDevice::GetIfIndex() const
{
    return m_ifIndex;
}

Ptr<Channel>
VclosNetDevice::GetChannel() const
{
    return m_channel;
}

void
VclosNetDevice::SetAddress(Address address)
{
    m_address = Mac48Address::ConvertFrom(address);
}

Address
VclosNetDevice::GetAddress() const
{
    return m_address;
}

bool
VclosNetDevice::SetMtu(const uint16_t mtu)
{
    m_mtu = mtu;
    return true;
}

uint16_t
VclosNetDevice::GetMtu() const
{
    return m_mtu;
}

bool
VclosNetDevice::IsLinkUp() const
{
    return m_channel != nullptr && m_linkUp;
}

void
VclosNetDevice::AddLinkChangeCallback(Callback<void> callback)
{
    m_linkChangeCallbacks.ConnectWithoutContext(callback);
}

void
VclosNetDevice::SetLinkUp(bool up)
{
    if (up == m_linkUp)
    {
        return;
    }
    NS_LOG_FUNCTION(this << up);
    m_linkUp = up;
    m_linkChangeCallbacks();
    if (up && !IsBusy() && !m_txCompletePending)
    {
        TransmitNext();
    }
}

void
VclosNetDevice::SetChannelPort(uint32_t port)
{
    m_channelPort = port;
}

uint32_t
VclosNetDevice::GetChannelPort() const
{
    return m_channelPort;
}

bool
VclosNetDevice::IsBroadcast() const
{
    return false;
}

Address
VclosNetDevice::GetBroadcast() const
{
    return Mac48Address::GetBroadcast();
}

bool
VclosNetDevice::IsMulticast() const
{
    return false;
}

Address
VclosNetDevice::GetMulticast(Ipv4Address /* multicastGroup */) const
{
    return Mac48Address::GetMulticast(Ipv4Address::GetAny());
}

Address
VclosNetDevice::GetMulticast(Ipv6Address addr) const
{
    return Mac48Address::GetMulticast(addr);
}

bool
VclosNetDevice::IsBridge() const
{
    return false;
}

bool
VclosNetDevice::IsPointToPoint() const
{
    return true;
}

bool
VclosNetDevice::Send(Ptr<Packet> packet, const Address& /* dest */, uint16_t /* protocol */)
{
    return Enqueue(packet);
}

bool
VclosNetDevice::SendFrom(Ptr<Packet> packet,
                         const Address& /* source */,
                         const Address& /* dest */,
                         uint16_t /* protocol */)
{
    return Enqueue(packet);
}

Ptr<Node>
VclosNetDevice::GetNode() const
{
    return m_node;
}

void
VclosNetDevice::SetNode(Ptr<Node> node)
{
    m_node = node;
    m_nodeId = node ? node->GetId() : 0;
}

bool
VclosNetDevice::NeedsArp() const
{
    return false;
}

void
VclosNetDevice::SetReceiveCallback(NetDevice::ReceiveCallback /* cb */)
{
    // Packets go to the frame handler (SetFrameHandler), not to the node's stack.
}

void
VclosNetDevice::SetPromiscReceiveCallback(NetDevice::PromiscReceiveCallback /* cb */)
{
}

bool
VclosNetDevice::SupportsSendFrom() const
{
    return true;
}

} // namespace ns3
