/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "vclos-switch.h"

#include "rdma-nic.h"
#include "vclos-channel.h"

#include "ns3/abort.h"
#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/log.h"
#include "ns3/pfc-headroom.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <sstream>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("VclosSwitch");
NS_OBJECT_ENSURE_REGISTERED(VclosSwitch);

TypeId
VclosSwitch::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::VclosSwitch")
            .SetParent<Object>()
            .SetGroupName("Vclos")
            .AddConstructor<VclosSwitch>()
            .AddAttribute(
                "HashSeed",
                "Seed of this switch's ECMP hash (kept in its forwarding table; "
                "LeafSpineHelper sets vclos::SwitchHashSeed(run seed, node id)). Switches "
                "that share a seed make correlated choices (polarization).",
                UintegerValue(0),
                MakeUintegerAccessor(&VclosSwitch::SetHashSeed, &VclosSwitch::GetHashSeed),
                MakeUintegerChecker<uint32_t>())
            .AddAttribute("BufferBytes",
                          "Shared packet buffer of the switch (MMU). 0: no shared buffer, "
                          "each port tail-drops at its own QueueBytes.",
                          UintegerValue(0),
                          MakeUintegerAccessor(&VclosSwitch::m_bufferBytes),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("PfcEnabled",
                          "Send PFC PAUSE/RESUME upstream for the lossless priorities "
                          "(needs BufferBytes > 0).",
                          BooleanValue(false),
                          MakeBooleanAccessor(&VclosSwitch::m_pfcEnabled),
                          MakeBooleanChecker())
            .AddAttribute("LosslessPriorities",
                          "Bit mask of the priorities PFC protects (RoCE data: priority 3).",
                          UintegerValue(1 << 3),
                          MakeUintegerAccessor(&VclosSwitch::m_losslessMask),
                          MakeUintegerChecker<uint32_t>(0, 0xFF))
            .AddAttribute("Alpha",
                          "Dynamic threshold factor: a queue (lossy, at egress) or an ingress "
                          "priority (lossless, XOFF) may hold Alpha x the free shared buffer.",
                          DoubleValue(0.125),
                          MakeDoubleAccessor(&VclosSwitch::m_alpha),
                          MakeDoubleChecker<double>(0))
            .AddAttribute("StaticXoffBytes",
                          "Static XOFF threshold per ingress port and priority (0: dynamic, "
                          "Alpha x free shared buffer).",
                          UintegerValue(0),
                          MakeUintegerAccessor(&VclosSwitch::m_staticXoff),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("XonOffsetBytes",
                          "RESUME once an ingress priority's usage is this far below XOFF.",
                          UintegerValue(2 * 4200),
                          MakeUintegerAccessor(&VclosSwitch::m_xonOffset),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("HeadroomBytes",
                          "PFC headroom per port and lossless priority (0: automatic, the "
                          "bytes in flight on the port's cable during one PAUSE round trip "
                          "plus three maximum frames).",
                          UintegerValue(0),
                          MakeUintegerAccessor(&VclosSwitch::m_headroomAttr),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("PauseQuanta",
                          "Pause time in a PAUSE frame, in quanta of 512 bit times; refreshed "
                          "at half that while congested.",
                          UintegerValue(0xFFFF),
                          MakeUintegerAccessor(&VclosSwitch::m_pauseQuanta),
                          MakeUintegerChecker<uint16_t>(1))
            .AddAttribute("EcnEnabled",
                          "RED-style ECN marking of ECN-capable packets at egress.",
                          BooleanValue(false),
                          MakeBooleanAccessor(&VclosSwitch::m_ecnEnabled),
                          MakeBooleanChecker())
            .AddAttribute("EcnKminBytes",
                          "Queue below which nothing is marked, for a 100 Gbps port (scaled "
                          "with the port rate).",
                          UintegerValue(100 * 1000),
                          MakeUintegerAccessor(&VclosSwitch::m_kmin),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("EcnKmaxBytes",
                          "Queue at which the marking probability reaches EcnPmax (beyond: "
                          "every packet), for a 100 Gbps port.",
                          UintegerValue(400 * 1000),
                          MakeUintegerAccessor(&VclosSwitch::m_kmax),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("EcnPmax",
                          "Marking probability at EcnKmaxBytes.",
                          DoubleValue(0.2),
                          MakeDoubleAccessor(&VclosSwitch::m_pmax),
                          MakeDoubleChecker<double>(0, 1))
            .AddTraceSource("NoRouteDrop",
                            "A packet was dropped because no route matched its destination.",
                            MakeTraceSourceAccessor(&VclosSwitch::m_noRouteTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("HopLimitDrop",
                            "A packet was dropped because its IPv4 TTL ran out.",
                            MakeTraceSourceAccessor(&VclosSwitch::m_hopLimitTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("BufferDrop",
                            "The shared buffer refused a packet.",
                            MakeTraceSourceAccessor(&VclosSwitch::m_bufferDropTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("EcnMark",
                            "A packet was marked CE: the packet, its egress port.",
                            MakeTraceSourceAccessor(&VclosSwitch::m_ecnMarkTrace),
                            "ns3::VclosSwitch::EcnMarkTracedCallback")
            .AddTraceSource("PfcSent",
                            "PAUSE (true) or RESUME (false) sent upstream: ingress port, "
                            "priority.",
                            MakeTraceSourceAccessor(&VclosSwitch::m_pfcSentTrace),
                            "ns3::VclosSwitch::PfcTracedCallback");
    return tid;
}

VclosSwitch::VclosSwitch()
    : m_table(std::make_shared<vclos::ForwardingTable>()),
      m_noRouteDrops(0),
      m_bufferBytes(0),
      m_pfcEnabled(false),
      m_losslessMask(1 << 3),
      m_alpha(0.125),
      m_staticXoff(0),
      m_xonOffset(2 * 4200),
      m_headroomAttr(0),
      m_pauseQuanta(0xFFFF),
      m_ecnEnabled(false),
      m_kmin(100 * 1000),
      m_kmax(400 * 1000),
      m_pmax(0.2),
      m_bufferReady(false),
      m_sharedPool(0),
      m_sharedUsed(0),
      m_bufferDrops(0),
      m_losslessDrops(0),
      m_hopLimitDrops(0)
{
    m_ecnRng = CreateObject<UniformRandomVariable>();
}

void
VclosSwitch::DoDispose()
{
    for (auto& events : m_pfcRefresh)
    {
        for (auto& e : events)
        {
            e.Cancel();
        }
    }
    m_ecnRng = nullptr;
    m_ports.clear();
    m_portPtr.clear();
    Object::DoDispose();
}

uint32_t
VclosSwitch::AddPort(Ptr<VclosNetDevice> device)
{
    const uint32_t port = m_ports.size();
    device->SetPortIndex(port);
    device->SetFrameHandler(MakeCallback(&VclosSwitch::Receive, this));
    device->SetDequeueHook(MakeCallback(&VclosSwitch::Dequeued, this).Bind(port));
    m_ports.push_back(device);
    m_portPtr.push_back(PeekPointer(device));
    m_table->SetNPorts(m_ports.size());
    m_bufferReady = false;
    return port;
}

uint32_t
VclosSwitch::GetNPorts() const
{
    return m_ports.size();
}

Ptr<VclosNetDevice>
VclosSwitch::GetPort(uint32_t port) const
{
    NS_ABORT_MSG_IF(port >= m_ports.size(), "no port " << port);
    return m_ports[port];
}

void
VclosSwitch::SetRoute(uint32_t dstGpu, const std::vector<uint32_t>& ports)
{
    NS_ABORT_MSG_IF(dstGpu >= vclos::kMaxGpus, "GPU id " << dstGpu << " out of range");
    for (uint32_t p : ports)
    {
        NS_ABORT_MSG_IF(p >= m_ports.size(),
                        "route to GPU " << dstGpu << " via missing port " << p);
    }
    m_table->SetRoute(dstGpu, ports);
}

std::vector<uint32_t>
VclosSwitch::GetRoute(uint32_t dstGpu) const
{
    return m_table->GetRoute(dstGpu);
}

void
VclosSwitch::SetFlowRoute(uint32_t srcGpu, uint32_t dstGpu, uint32_t port)
{
    NS_ABORT_MSG_IF(port >= m_ports.size(), "flow route via missing port " << port);
    m_table->SetFlowRoute(srcGpu, dstGpu, port);
}

void
VclosSwitch::RemoveFlowRoute(uint32_t srcGpu, uint32_t dstGpu)
{
    m_table->RemoveFlowRoute(srcGpu, dstGpu);
}

void
VclosSwitch::ClearFlowRoutes()
{
    m_table->ClearFlowRoutes();
}

std::size_t
VclosSwitch::GetNFlowRoutes() const
{
    return m_table->GetNFlowRoutes();
}

void
VclosSwitch::SetSourceRoute(uint32_t gpu, uint32_t member)
{
    NS_ABORT_MSG_IF(gpu >= vclos::kMaxGpus, "GPU id " << gpu << " out of range");
    NS_ABORT_MSG_IF(member == vclos::ForwardingTable::NO_MEMBER,
                    "source route member out of range");
    m_table->SetSourceRoute(gpu, member);
}

void
VclosSwitch::RemoveSourceRoute(uint32_t gpu)
{
    m_table->RemoveSourceRoute(gpu);
}

uint32_t
VclosSwitch::SelectPort(const vclos::FlowKey& key, bool control) const
{
    return m_table->SelectPort(key, control);
}

void
VclosSwitch::SetForwardingTable(std::shared_ptr<vclos::ForwardingTable> table)
{
    NS_ABORT_MSG_IF(!table, "VclosSwitch: null forwarding table");
    m_table = std::move(table);
    m_table->SetNPorts(m_ports.size());
}

std::shared_ptr<vclos::ForwardingTable>
VclosSwitch::GetForwardingTable() const
{
    return m_table;
}

void
VclosSwitch::SetHashSeed(uint32_t seed)
{
    m_table->SetSeed(seed);
}

uint32_t
VclosSwitch::GetHashSeed() const
{
    return m_table->GetSeed();
}

uint64_t
VclosSwitch::GetNoRouteDrops() const
{
    return m_noRouteDrops;
}

void
VclosSwitch::Receive(VclosNetDevice* in, VclosFrame* f)
{
    // The IPv4 header (20 bytes) and UDP ports, rewritten in place below (zeros past the
    // end of a short packet).
    uint8_t* buf = f->Head();
    static_assert(vclos::kFlowKeyBytes <= VclosFrame::HEAD_BYTES, "flow key in the head");
    // Hop limit: a packet that arrives with TTL 1 (or 0) would leave with 0.
    if (buf[8] <= 1)
    {
        NS_LOG_WARN("TTL expired at port " << in->GetPortIndex());
        ++m_hopLimitDrops;
        if (!m_hopLimitTrace.IsEmpty())
        {
            m_hopLimitTrace(f->GetPacket());
        }
        in->DropArrived(VclosNetDevice::DROP_HOP_LIMIT, f);
        return;
    }
    vclos::FlowKey key;
    vclos::ParseFlowKey(buf, key);
    const uint32_t port =
        m_table->SelectPort(key,
                            VclosNetDevice::PriorityOfTos(buf[1]) == RdmaNic::CONTROL_PRIORITY);
    if (port == NO_PORT)
    {
        NS_LOG_WARN("no route to " << key.dstIp);
        ++m_noRouteDrops;
        if (!m_noRouteTrace.IsEmpty())
        {
            m_noRouteTrace(f->GetPacket());
        }
        in->DropArrived(VclosNetDevice::DROP_NO_ROUTE, f);
        return;
    }
    const uint8_t tos = buf[1];
    const uint32_t prio = VclosNetDevice::PriorityOfTos(tos);
    VclosNetDevice* out = m_portPtr[port];
    const uint32_t ingress = in->GetPortIndex();
    const uint32_t size = f->GetSize();
    // Admission first: a packet the buffer refuses is neither marked nor counted as marked.
    const bool shared = m_bufferBytes != 0;
    if (shared)
    {
        VclosNetDevice::DropCause cause;
        if (!Admit(ingress, port, prio, size, cause))
        {
            if (!m_bufferDropTrace.IsEmpty())
            {
                m_bufferDropTrace(f->GetPacket());
            }
            out->Drop(cause, f);
            return;
        }
    }
    else if (!out->HasRoom(prio, size))
    {
        out->Drop(VclosNetDevice::DROP_QUEUE, f); // tail drop
        return;
    }
    // ECN: mark by the egress queue the packet joins (ECN-capable, not yet CE).
    const bool mark = m_ecnEnabled && (tos & 0x3) != 0 && (tos & 0x3) != 0x3 &&
                      DrawEcnMark(out->GetQueueBytes(prio), out->GetDataRate());
    // Rewrite the IPv4 header in place: TTL - 1, and CE if marked.
    DecrementTtl(buf);
    if (mark)
    {
        SetCe(buf);
        out->CountEcnMark();
    }
    f->Ipv4HeaderRewritten();
    if (mark && !m_ecnMarkTrace.IsEmpty())
    {
        m_ecnMarkTrace(f->GetPacket(), port);
    }
    out->Enqueue(f, prio, ingress, shared);
}

bool
VclosSwitch::IsLossless(uint32_t priority) const
{
    return m_pfcEnabled && ((m_losslessMask >> priority) & 1) != 0;
}

uint32_t
VclosSwitch::GetHeadroom(uint32_t port) const
{
    NS_ABORT_MSG_IF(port >= m_ports.size(), "no port " << port);
    if (m_headroomAttr != 0)
    {
        return m_headroomAttr;
    }
    // Bytes that keep arriving after we decide to pause: the PAUSE frame's wait behind a
    // maximum frame and its own serialisation, the cable's round trip, and the frame the
    // sender is in the middle of.
    // (vclos::PfcHeadroomBytes, shared with the scenario loader, which rejects a buffer
    // too small for it.)
    const VclosNetDevice* dev = m_portPtr[port];
    return static_cast<uint32_t>(std::min<uint64_t>(
        vclos::PfcHeadroomBytes(dev->GetDataRate().GetBitRate(),
                                dev->GetVclosChannel()->GetDelay().GetPicoSeconds(),
                                dev->GetMtu() + dev->GetFramingOverhead()),
        std::numeric_limits<uint32_t>::max()));
}

void
VclosSwitch::InitBuffer()
{
    const uint32_t n = m_ports.size();
    const std::string error = CheckPfcConfig();
    NS_ABORT_MSG_IF(!error.empty(), "VclosSwitch: " << error);
    m_headroom.assign(n, 0);
    m_ingressShared.assign(n, {});
    m_ingressHeadroom.assign(n, {});
    m_pauseSent.assign(n, {});
    m_pfcRefresh.resize(n);
    double reserved = 0;
    uint32_t lossless = 0;
    for (uint32_t prio = 0; prio < VclosNetDevice::PRIORITIES; ++prio)
    {
        lossless += IsLossless(prio) ? 1 : 0;
    }
    for (uint32_t port = 0; port < n; ++port)
    {
        m_headroom[port] = GetHeadroom(port);
        reserved += static_cast<double>(m_headroom[port]) * lossless;
    }
    m_sharedPool = m_bufferBytes - reserved;
    NS_ABORT_MSG_IF(m_sharedPool <= 0,
                    "VclosSwitch: BufferBytes (" << m_bufferBytes << ") does not cover the PFC "
                                                 << "headroom of its ports (" << reserved
                                                 << " bytes)");
    m_sharedUsed = 0;
    m_bufferReady = true;
}

double
VclosSwitch::Threshold() const
{
    return m_alpha * (m_sharedPool - m_sharedUsed);
}

double
VclosSwitch::XoffThreshold() const
{
    return m_staticXoff != 0 ? m_staticXoff : Threshold();
}

bool
VclosSwitch::Admit(uint32_t ingress,
                   uint32_t egress,
                   uint32_t priority,
                   uint32_t size,
                   VclosNetDevice::DropCause& cause)
{
    if (!m_bufferReady)
    {
        InitBuffer();
    }
    if (!IsLossless(priority))
    {
        // Lossy: the egress queue may hold Alpha x the free shared buffer.
        const double free = m_sharedPool - m_sharedUsed;
        if (size > free || m_portPtr[egress]->GetQueueBytes(priority) + size > m_alpha * free)
        {
            ++m_bufferDrops;
            cause = VclosNetDevice::DROP_BUFFER;
            return false;
        }
        m_sharedUsed += size;
        m_ingressShared[ingress][priority] += size;
        return true;
    }
    // Lossless: the ingress priority uses the shared pool up to XOFF, then its headroom.
    const double xoff = XoffThreshold();
    auto& shared = m_ingressShared[ingress][priority];
    auto& headroom = m_ingressHeadroom[ingress][priority];
    bool inHeadroom = false;
    if (shared + size <= xoff && m_sharedUsed + size <= m_sharedPool)
    {
        shared += size;
        m_sharedUsed += size;
    }
    else if (headroom + size <= m_headroom[ingress])
    {
        headroom += size;
        inHeadroom = true;
    }
    else
    {
        ++m_losslessDrops;
        ++m_bufferDrops;
        cause = VclosNetDevice::DROP_HEADROOM;
        NS_LOG_WARN("lossless drop at port " << ingress << " priority " << priority);
        return false;
    }
    // Pause beyond XOFF, or as soon as the headroom is used (the pool may fill first).
    if (!m_pauseSent[ingress][priority] && (inHeadroom || shared + headroom + size > xoff))
    {
        m_pauseSent[ingress][priority] = true;
        m_pfcSentTrace(ingress, priority, true);
        PfcRefresh(ingress, priority); // sends the PAUSE and keeps it refreshed
    }
    return true;
}

void
VclosSwitch::PfcRefresh(uint32_t ingress, uint32_t priority)
{
    if (!m_pauseSent[ingress][priority])
    {
        return;
    }
    // The XOFF threshold moves with the other ports' use of the pool: check again.
    if (CanResume(ingress, priority))
    {
        Resume(ingress, priority);
        return;
    }
    m_portPtr[ingress]->SendPfc(priority, m_pauseQuanta);
    const Time refresh =
        m_portPtr[ingress]->GetDataRate().CalculateBitsTxTime(512) * (m_pauseQuanta / 2);
    m_pfcRefresh[ingress][priority] =
        Simulator::Schedule(refresh, &VclosSwitch::PfcRefresh, this, ingress, priority);
}

bool
VclosSwitch::CanResume(uint32_t ingress, uint32_t priority) const
{
    const uint32_t headroom = m_ingressHeadroom[ingress][priority];
    const uint32_t shared = m_ingressShared[ingress][priority];
    // XON: usage XonOffset below XOFF, or nothing queued at all (a small dynamic pool can
    // hold XOFF below the offset).
    return headroom == 0 && (shared == 0 || shared + m_xonOffset <= XoffThreshold());
}

void
VclosSwitch::Resume(uint32_t ingress, uint32_t priority)
{
    m_pauseSent[ingress][priority] = false;
    m_pfcRefresh[ingress][priority].Cancel();
    m_pfcSentTrace(ingress, priority, false);
    m_portPtr[ingress]->SendPfc(priority, 0);
}

void
VclosSwitch::Dequeued(uint32_t /* egress */, uint32_t ingress, uint32_t priority, uint32_t size)
{
    if (m_bufferBytes == 0 || !m_bufferReady)
    {
        return;
    }
    auto& headroom = m_ingressHeadroom[ingress][priority];
    auto& shared = m_ingressShared[ingress][priority];
    const uint32_t fromHeadroom = std::min(headroom, size);
    headroom -= fromHeadroom;
    shared -= size - fromHeadroom;
    m_sharedUsed -= size - fromHeadroom;
    if (m_pauseSent[ingress][priority] && CanResume(ingress, priority))
    {
        Resume(ingress, priority);
    }
}

double
VclosSwitch::EcnMarkProbability(uint32_t queueBytes, DataRate rate) const
{
    const double scale = rate.GetBitRate() / 100e9;
    const double kmin = m_kmin * scale;
    const double kmax = m_kmax * scale;
    if (queueBytes <= kmin)
    {
        return 0;
    }
    if (queueBytes >= kmax)
    {
        return 1;
    }
    return m_pmax * (queueBytes - kmin) / (kmax - kmin);
}

bool
VclosSwitch::DrawEcnMark(uint32_t queueBytes, DataRate rate)
{
    const double prob = EcnMarkProbability(queueBytes, rate);
    return prob > 0 && (prob >= 1 || m_ecnRng->GetValue() < prob);
}

int64_t
VclosSwitch::AssignStreams(int64_t stream)
{
    m_ecnRng->SetStream(stream);
    return 1;
}

uint64_t
VclosSwitch::GetBufferDrops() const
{
    return m_bufferDrops;
}

uint64_t
VclosSwitch::GetLosslessDrops() const
{
    return m_losslessDrops;
}

uint64_t
VclosSwitch::GetHopLimitDrops() const
{
    return m_hopLimitDrops;
}

namespace
{
/// Replace the 16-bit word at \p offset of an IPv4 header, keeping a written checksum
/// valid: HC' = ~(~HC + ~m + m') (RFC 1624, eqn. 3).
void
ReplaceWord(uint8_t* ipv4, uint32_t offset, uint16_t word)
{
    const uint16_t old = static_cast<uint16_t>((ipv4[offset] << 8) | ipv4[offset + 1]);
    ipv4[offset] = static_cast<uint8_t>(word >> 8);
    ipv4[offset + 1] = static_cast<uint8_t>(word);
    const uint16_t hc = static_cast<uint16_t>((ipv4[10] << 8) | ipv4[11]);
    if (hc == 0)
    {
        return; // no checksum written
    }
    uint32_t sum = static_cast<uint16_t>(~hc) + static_cast<uint16_t>(~old) + uint32_t{word};
    sum = (sum & 0xFFFF) + (sum >> 16);
    sum = (sum & 0xFFFF) + (sum >> 16);
    const uint16_t result = static_cast<uint16_t>(~sum);
    ipv4[10] = static_cast<uint8_t>(result >> 8);
    ipv4[11] = static_cast<uint8_t>(result);
}
} // namespace

void
VclosSwitch::DecrementTtl(uint8_t* ipv4)
{
    NS_ASSERT(ipv4[8] > 0);
    ReplaceWord(ipv4, 8, static_cast<uint16_t>(((ipv4[8] - 1) << 8) | ipv4[9]));
}

void
VclosSwitch::SetCe(uint8_t* ipv4)
{
    ReplaceWord(ipv4, 0, static_cast<uint16_t>((ipv4[0] << 8) | ipv4[1] | 0x3));
}

std::string
VclosSwitch::CheckPfcConfig() const
{
    if (!m_pfcEnabled)
    {
        return "";
    }
    std::ostringstream os;
    if (m_bufferBytes == 0)
    {
        os << "PfcEnabled needs a shared buffer (BufferBytes > 0)";
    }
    else if (m_staticXoff != 0 && m_staticXoff <= m_xonOffset)
    {
        // XON = XOFF - offset would be at or below 0: only an empty queue could resume.
        os << "StaticXoffBytes (" << m_staticXoff << ") must be above XonOffsetBytes ("
           << m_xonOffset << "), or 0 for the dynamic threshold";
    }
    return os.str();
}

} // namespace ns3
