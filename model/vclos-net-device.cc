/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "vclos-net-device.h"

#include "vclos-channel.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("VclosNetDevice");
NS_OBJECT_ENSURE_REGISTERED(VclosNetDevice);

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
            .AddTraceSource("Enqueue",
                            "A packet entered the egress queue.",
                            MakeTraceSourceAccessor(&VclosNetDevice::m_enqueueTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("Dequeue",
                            "A packet left the egress queue for the wire.",
                            MakeTraceSourceAccessor(&VclosNetDevice::m_dequeueTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("Drop",
                            "A packet was dropped because the egress buffer was full.",
                            MakeTraceSourceAccessor(&VclosNetDevice::m_dropTrace),
                            "ns3::Packet::TracedCallback")
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
                            "ns3::Packet::TracedCallback");
    return tid;
}

VclosNetDevice::VclosNetDevice()
    : m_ifIndex(0),
      m_portIndex(0),
      m_mtu(9000),
      m_framingOverhead(38),
      m_queueLimit(1 << 20),
      m_queueBytes(0),
      m_txCompletePending(false),
      m_stepsPerByte(0),
      m_txBytes(0),
      m_txPackets(0),
      m_rxBytes(0),
      m_drops(0),
      m_maxQueueBytes(0)
{
}

VclosNetDevice::~VclosNetDevice() = default;

void
VclosNetDevice::DoDispose()
{
    m_txCompleteEvent.Cancel();
    m_node = nullptr;
    m_channel = nullptr;
    m_queue.clear();
    m_handler = MakeNullCallback<void, Ptr<VclosNetDevice>, Ptr<Packet>>();
    m_txIdle = MakeNullCallback<void>();
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
    if (!IsBusy() && m_queue.empty())
    {
        m_enqueueTrace(p);
        m_dequeueTrace(p);
        StartTransmission(p);
        return true;
    }
    const uint32_t size = p->GetSize();
    if (m_queueBytes + size > m_queueLimit)
    {
        NS_LOG_LOGIC("drop " << size << " bytes, queue " << m_queueBytes);
        ++m_drops;
        m_dropTrace(p);
        return false;
    }
    m_queueBytes += size;
    if (m_queueBytes > m_maxQueueBytes)
    {
        m_maxQueueBytes = m_queueBytes;
    }
    m_enqueueTrace(p);
    m_queue.push_back(p);
    if (!m_txCompletePending)
    {
        // The line is busy: come back when the packet on the wire is out.
        m_txCompletePending = true;
        m_txCompleteEvent = Simulator::Schedule(m_txEnd - Simulator::Now(),
                                                &VclosNetDevice::TransmitComplete,
                                                this);
    }
    return true;
}

void
VclosNetDevice::StartTransmission(Ptr<Packet> p)
{
    const uint32_t size = p->GetSize();
    const Time txTime = GetTxTime(size);
    m_txEnd = Simulator::Now() + txTime;
    m_txBytes += size;
    ++m_txPackets;
    m_phyTxBeginTrace(p);
    m_snifferTrace(p);
    // A port needs an event at the end of the transmission only if something waits
    // for the line: queued packets (scheduled by Enqueue) or a NIC pulling packets.
    if (!m_queue.empty() || !m_txIdle.IsNull())
    {
        m_txCompletePending = true;
        m_txCompleteEvent = Simulator::Schedule(txTime, &VclosNetDevice::TransmitComplete, this);
    }
    m_channel->Transmit(p, this, txTime);
}

void
VclosNetDevice::TransmitComplete()
{
    m_txCompletePending = false;
    if (!m_queue.empty())
    {
        Ptr<Packet> p = m_queue.front();
        m_queue.pop_front();
        m_queueBytes -= p->GetSize();
        m_dequeueTrace(p);
        StartTransmission(p);
        return;
    }
    if (!m_txIdle.IsNull())
    {
        m_txIdle();
    }
}

void
VclosNetDevice::Receive(Ptr<Packet> p)
{
    m_rxBytes += p->GetSize();
    m_phyRxEndTrace(p);
    m_snifferTrace(p);
    m_handler(this, p);
}

void
VclosNetDevice::SetPacketHandler(PacketHandler handler)
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
    if (m_bps != m_cachedRate)
    {
        // time steps (of the current resolution) per byte at this rate
        m_cachedRate = m_bps;
        m_stepsPerByte = 8.0 / m_bps.GetBitRate() * Time(Seconds(1)).GetTimeStep();
    }
    return Time(std::llround((bytes + m_framingOverhead) * m_stepsPerByte));
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
VclosNetDevice::GetDropPackets() const
{
    return m_drops;
}

uint32_t
VclosNetDevice::GetMaxQueueBytes() const
{
    return m_maxQueueBytes;
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
    return m_channel != nullptr;
}

void
VclosNetDevice::AddLinkChangeCallback(Callback<void> /* callback */)
{
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
}

bool
VclosNetDevice::NeedsArp() const
{
    return false;
}

void
VclosNetDevice::SetReceiveCallback(NetDevice::ReceiveCallback /* cb */)
{
    // Packets go to the packet handler (SetPacketHandler), not to the node's stack.
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
