/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "rdma-nic.h"

#include "aeth-header.h"
#include "bth-header.h"
#include "rocev2-header.h"

#include "ns3/abort.h"
#include "ns3/ecmp-hash.h"
#include "ns3/log.h"
#include "ns3/ns3-compat.h"
#include "ns3/route-seeds.h"
#include "ns3/simulator.h"
#include "ns3/type-id.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("RdmaNic");
NS_OBJECT_ENSURE_REGISTERED(RdmaNic);

namespace
{
constexpr uint8_t kUdpProtocol = 17;
constexpr uint32_t kParseBytes = RdmaNic::HEADER_BYTES + 4; // headers + AETH or ImmDt

uint32_t
ReadU24(const uint8_t* b)
{
    return (static_cast<uint32_t>(b[0]) << 16) | (static_cast<uint32_t>(b[1]) << 8) | b[2];
}

uint32_t
ReadU32(const uint8_t* b)
{
    return (static_cast<uint32_t>(b[0]) << 24) | ReadU24(b + 1);
}
} // namespace

TypeId
RdmaNic::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::RdmaNic")
            .SetParent<Object>()
            .SetGroupName("Vclos")
            .AddConstructor<RdmaNic>()
            .AddAttribute("Mtu",
                          "RoCE payload bytes per packet (IPv4 packet = payload + 40 bytes).",
                          UintegerValue(4096),
                          MakeUintegerAccessor(&RdmaNic::m_mtu),
                          MakeUintegerChecker<uint32_t>(1, 65000))
            .AddAttribute("AckInterval",
                          "The receiver ACKs every this many in-order packets (and always the "
                          "last packet of a message).",
                          UintegerValue(1),
                          MakeUintegerAccessor(&RdmaNic::m_ackInterval),
                          MakeUintegerChecker<uint32_t>(1))
            .AddAttribute("InitialPsn",
                          "First PSN of both ends of a queue pair this NIC creates (CreateQp): "
                          "the sender's first packet and the receiver's expected PSN. Packets "
                          "carry 24-bit PSNs; a start near 2^24 - 1 makes flows cross the wrap.",
                          UintegerValue(0),
                          MakeUintegerAccessor(&RdmaNic::m_initialPsn),
                          MakeUintegerChecker<uint32_t>(0, BthHeader::PSN_MASK))
            .AddAttribute("RetransmitTimeout",
                          "Go back to the oldest unacknowledged packet after this long "
                          "without progress.",
                          TimeValue(MilliSeconds(1)),
                          MakeTimeAccessor(&RdmaNic::m_rto),
                          MakeTimeChecker(NanoSeconds(1)))
            .AddAttribute("CongestionControl",
                          "TypeId of the congestion control created for each queue pair.",
                          TypeIdValue(LineRateCongestionControl::GetTypeId()),
                          MakeTypeIdAccessor(&RdmaNic::m_ccType),
                          MakeTypeIdChecker())
            .AddAttribute("CnpInterval",
                          "A receiver sends at most one CNP per queue pair per interval, for "
                          "CE-marked data packets.",
                          TimeValue(MicroSeconds(50)),
                          MakeTimeAccessor(&RdmaNic::m_cnpInterval),
                          MakeTimeChecker(Time(0)))
            .AddAttribute("RunSeed",
                          "Run seed that CreateQp() without a port derives the queue pair's "
                          "UDP source port from (vclos::QpSourcePort); LeafSpineHelper sets "
                          "its run seed.",
                          UintegerValue(1),
                          MakeUintegerAccessor(&RdmaNic::m_runSeed),
                          MakeUintegerChecker<uint64_t>())
            .AddAttribute("InitialTtl",
                          "IPv4 TTL of every packet this NIC sends; each switch decrements it "
                          "and drops the packet when it would reach 0 (a hop limit).",
                          UintegerValue(64),
                          MakeUintegerAccessor(&RdmaNic::m_ttl),
                          MakeUintegerChecker<uint8_t>(1))
            .AddAttribute("NakInterval",
                          "A receiver NAKs a gap once (as InfiniBand specifies) if 0; else it "
                          "NAKs the same expected PSN again when out-of-order packets keep "
                          "arriving this long after its last NAK (HPCC's ns-3 simulator: "
                          "500 us). Recovers a lost retransmission before RetransmitTimeout.",
                          TimeValue(Time(0)),
                          MakeTimeAccessor(&RdmaNic::m_nakInterval),
                          MakeTimeChecker(Time(0)))
            .AddTraceSource("MessageSent",
                            "A message was sent and fully acknowledged: qpn, bytes, imm.",
                            MakeTraceSourceAccessor(&RdmaNic::m_messageSentTrace),
                            "ns3::RdmaNic::MessageTracedCallback")
            .AddTraceSource("MessageReceived",
                            "A message fully arrived: qpn, bytes, imm.",
                            MakeTraceSourceAccessor(&RdmaNic::m_messageReceivedTrace),
                            "ns3::RdmaNic::MessageTracedCallback")
            .AddTraceSource("GoBack",
                            "The sender went back (NAK or timeout): qpn, PSN.",
                            MakeTraceSourceAccessor(&RdmaNic::m_goBackTrace),
                            "ns3::RdmaNic::GoBackTracedCallback")
            .AddTraceSource("StaleDrop",
                            "A packet for a queue pair that does not exist (destroyed) was "
                            "dropped: its destination QP number.",
                            MakeTraceSourceAccessor(&RdmaNic::m_staleDropTrace),
                            "ns3::RdmaNic::StaleDropTracedCallback");
    return tid;
}

RdmaNic::RdmaNic()
    : m_gpuId(0),
      m_serverId(0),
      m_mtu(4096),
      m_ackInterval(1),
      m_initialPsn(0),
      m_rto(MilliSeconds(1)),
      m_runSeed(1),
      m_ackDepth(0),
      m_ttl(64),
      m_nakInterval(0),
      m_dataSent(0),
      m_dataReceived(0),
      m_cnpInterval(MicroSeconds(50)),
      m_cnpsSent(0),
      m_cnpsReceived(0)
{
}

RdmaNic::~RdmaNic() = default;

void
RdmaNic::DoDispose()
{
    for (auto& ps : m_ports)
    {
        ps.wake.Cancel();
        ps.device = nullptr;
    }
    for (auto& qp : m_qps)
    {
        if (qp)
        {
            qp->rtoEvent.Cancel();
            qp->cc = nullptr;
            qp->peer = nullptr;
            qp->onSent = RdmaQueuePair::MessageCallback();
            qp->onReceived = RdmaQueuePair::MessageCallback();
        }
    }
    m_qps.clear();
    m_freeSlots.clear();
    m_slotGeneration.clear();
    m_liveQps = 0;
    Object::DoDispose();
}

void
RdmaNic::SetGpu(uint32_t gpuId, uint32_t serverId)
{
    NS_ABORT_MSG_IF(gpuId >= vclos::kMaxGpus, "GPU id " << gpuId << " out of range");
    m_gpuId = gpuId;
    m_serverId = serverId;
}

uint32_t
RdmaNic::GetGpuId() const
{
    return m_gpuId;
}

uint32_t
RdmaNic::GetServerId() const
{
    return m_serverId;
}

uint32_t
RdmaNic::AddPort(Ptr<VclosNetDevice> device)
{
    NS_ABORT_MSG_IF(m_ports.size() >= 2, "a NIC has a network port and an intra-server port");
    const uint32_t port = m_ports.size();
    device->SetPortIndex(port);
    device->SetFrameHandler(MakeCallback(&RdmaNic::Receive, this));
    device->SetTxIdleCallback(MakeCallback(&RdmaNic::TrySend, this).Bind(port));
    m_ports.emplace_back();
    m_ports.back().device = device;
    return port;
}

Ptr<VclosNetDevice>
RdmaNic::GetPort(uint32_t port) const
{
    NS_ABORT_MSG_IF(port >= m_ports.size(), "no NIC port " << port);
    return m_ports[port].device;
}

uint64_t
RdmaNic::GetRunSeed() const
{
    return m_runSeed;
}

uint32_t
RdmaNic::AddQp(Ptr<RdmaNic> peer, uint16_t srcPort)
{
    NS_ABORT_MSG_IF(m_ports.empty(), "NIC of GPU " << m_gpuId << " has no port");
    uint32_t slot;
    if (!m_freeSlots.empty())
    {
        slot = m_freeSlots.back();
        m_freeSlots.pop_back();
    }
    else
    {
        NS_ABORT_MSG_IF(m_qps.size() > QP_SLOT_MASK,
                        "GPU " << m_gpuId << ": more than " << QP_SLOT_MASK + 1
                               << " live queue pairs");
        slot = m_qps.size();
        m_qps.emplace_back();
        m_slotGeneration.push_back(0);
    }
    auto qp = std::make_unique<RdmaQueuePair>(m_mtu);
    qp->qpn = slot | (static_cast<uint32_t>(m_slotGeneration[slot]) << QP_SLOT_BITS);
    qp->peer = PeekPointer(peer);
    qp->port = (m_ports.size() > 1 && peer->m_serverId == m_serverId) ? 1 : 0;
    qp->srcIp = vclos::GpuIp(m_gpuId);
    qp->dstIp = vclos::GpuIp(peer->m_gpuId);
    qp->srcPort = srcPort;
    ObjectFactory factory;
    factory.SetTypeId(m_ccType);
    qp->cc = factory.Create<CongestionControl>();
    qp->cc->Init(m_ports[qp->port].device->GetDataRate());
    const uint32_t qpn = qp->qpn;
    m_qps[slot] = std::move(qp);
    ++m_liveQps;
    return qpn;
}

uint32_t
RdmaNic::CreateQp(Ptr<RdmaNic> peer,
                  RdmaQueuePair::MessageCallback onSent,
                  RdmaQueuePair::MessageCallback onReceived)
{
    NS_ABORT_MSG_IF(!peer, "CreateQp() without a peer");
    // A count of such queue pairs, not the table size: slots are reused after DestroyQp().
    const uint16_t port =
        vclos::QpSourcePort(m_runSeed, vclos::kNoJob, m_gpuId, peer->m_gpuId, m_portlessQps++);
    return CreateQp(peer, port, onSent, onReceived);
}

uint32_t
RdmaNic::CreateQp(Ptr<RdmaNic> peer,
                  uint16_t srcPort,
                  RdmaQueuePair::MessageCallback onSent,
                  RdmaQueuePair::MessageCallback onReceived)
{
    NS_ABORT_MSG_IF(!peer || peer == this, "a queue pair needs two different GPUs");
    const uint32_t local = AddQp(peer, srcPort);
    const uint32_t remote = peer->AddQp(this, srcPort);
    RdmaQueuePair* l = FindQp(local);
    RdmaQueuePair* r = peer->FindQp(remote);
    l->SetInitialPsn(m_initialPsn);
    r->SetInitialPsn(m_initialPsn);
    l->peerQpn = remote;
    l->onSent = onSent;
    r->peerQpn = local;
    r->onReceived = onReceived;
    return local;
}

RdmaQueuePair*
RdmaNic::FindQp(uint32_t qpn) const
{
    const uint32_t slot = qpn & QP_SLOT_MASK;
    if (slot >= m_qps.size() || !m_qps[slot] || m_qps[slot]->qpn != qpn)
    {
        return nullptr;
    }
    return m_qps[slot].get();
}

bool
RdmaNic::DestroyQp(uint32_t qpn)
{
    RdmaQueuePair* qp = FindQp(qpn);
    if (qp == nullptr)
    {
        return false;
    }
    RdmaNic* peer = qp->peer;
    const uint32_t peerQpn = qp->peerQpn;
    ReleaseQp(*qp);
    if (peer != nullptr)
    {
        RdmaQueuePair* other = peer->FindQp(peerQpn);
        if (other != nullptr && other->peer == this && other->peerQpn == qpn)
        {
            peer->ReleaseQp(*other);
        }
    }
    return true;
}

void
RdmaNic::ReleaseQp(RdmaQueuePair& qp)
{
    NS_LOG_FUNCTION(this << qp.qpn);
    for (uint32_t d = 0; d < m_ackDepth; ++d)
    {
        NS_ABORT_MSG_IF(&qp == m_dispatchQps[d],
                        "GPU " << m_gpuId << ": queue pair " << qp.qpn
                               << " destroyed from inside its own MessageSent callback; "
                                  "schedule the teardown (Simulator::ScheduleNow)");
    }
    const uint32_t slot = qp.qpn & QP_SLOT_MASK;
    qp.rtoEvent.Cancel();
    if (qp.active)
    {
        PortState& ps = m_ports[qp.port];
        for (uint32_t i = 0; i < ps.active.size(); ++i)
        {
            if (ps.active[i] == qp.qpn)
            {
                ps.active.erase(ps.active.begin() + i);
                if (ps.rr > i)
                {
                    --ps.rr;
                }
                break;
            }
        }
    }
    m_retiredRetransmitted += qp.retransmittedPackets;
    m_retiredTimeouts += qp.timeouts;
    m_retiredDelivered += qp.deliveredBytes;
    m_qps[slot].reset(); // releases its congestion control and callbacks
    ++m_slotGeneration[slot];
    m_freeSlots.push_back(slot);
    --m_liveQps;
}

void
RdmaNic::PostSend(uint32_t qpn, uint64_t bytes, uint32_t imm)
{
    RdmaQueuePair* q = FindQp(qpn);
    NS_ABORT_MSG_IF(q == nullptr, "GPU " << m_gpuId << ": no queue pair " << qpn);
    RdmaQueuePair& qp = *q;
    qp.Post(bytes, imm);
    Activate(qp);
}

const RdmaQueuePair&
RdmaNic::GetQp(uint32_t qpn) const
{
    const RdmaQueuePair* qp = FindQp(qpn);
    NS_ABORT_MSG_IF(qp == nullptr, "GPU " << m_gpuId << ": no queue pair " << qpn);
    return *qp;
}

bool
RdmaNic::HasQp(uint32_t qpn) const
{
    return FindQp(qpn) != nullptr;
}

bool
RdmaNic::IsQpIdle(uint32_t qpn) const
{
    return GetQp(qpn).messages.empty();
}

uint32_t
RdmaNic::GetNQps() const
{
    return m_liveQps;
}

uint32_t
RdmaNic::GetQpTableSize() const
{
    return m_qps.size();
}

const RdmaQueuePair*
RdmaNic::GetQpAtSlot(uint32_t slot) const
{
    return slot < m_qps.size() ? m_qps[slot].get() : nullptr;
}

uint64_t
RdmaNic::GetStalePackets() const
{
    return m_stalePackets;
}

void
RdmaNic::Activate(RdmaQueuePair& qp)
{
    if (!qp.active && qp.HasDataToSend())
    {
        qp.active = true;
        m_ports[qp.port].active.push_back(qp.qpn);
    }
    TrySend(qp.port);
}

void
RdmaNic::TrySend(uint32_t port)
{
    PortState& ps = m_ports[port];
    const Time now = Simulator::Now();
    if (!ps.device->IsIdle(DATA_PRIORITY, now))
    {
        return; // the device calls back when the line is free (or resumed)
    }
    Time earliest = Time::Max();
    uint32_t examined = 0;
    while (examined < ps.active.size())
    {
        if (ps.rr >= ps.active.size())
        {
            ps.rr = 0;
        }
        RdmaQueuePair& qp = *m_qps[ps.active[ps.rr] & QP_SLOT_MASK];
        if (!qp.HasDataToSend())
        {
            qp.active = false;
            ps.active.erase(ps.active.begin() + ps.rr);
            continue;
        }
        ++ps.rr;
        if (qp.nextSendTime <= now)
        {
            SendDataPacket(qp, now);
            return;
        }
        earliest = std::min(earliest, qp.nextSendTime);
        ++examined;
    }
    if (earliest != Time::Max() &&
        (!vclos::compat::IsPending(ps.wake) || Simulator::GetDelayLeft(ps.wake) > earliest - now))
    {
        ps.wake.Cancel();
        ps.wake = Simulator::Schedule(earliest - now, &RdmaNic::TrySend, this, port);
    }
}

VclosFrame*
RdmaNic::Build(const RdmaQueuePair& qp,
               uint32_t payload,
               uint8_t opcode,
               uint64_t psn,
               bool ackReq,
               bool hasExt,
               uint32_t ext,
               uint8_t tos)
{
    Rocev2Header h;
    h.SetTos(tos);
    h.SetTtl(m_ttl);
    h.Set(qp.srcIp,
          qp.dstIp,
          qp.srcPort,
          opcode,
          qp.peerQpn,
          static_cast<uint32_t>(psn),
          ackReq,
          payload);
    if (hasExt)
    {
        h.SetExtension(ext);
    }
    const uint32_t headerBytes = h.GetSerializedSize();
    VclosFrame* f = VclosFrame::Create(headerBytes + payload, headerBytes);
    h.Write(f->Head());
    return f;
}

void
RdmaNic::SendDataPacket(RdmaQueuePair& qp, const Time& now)
{
    uint32_t payload;
    uint64_t psn;
    bool first;
    bool last;
    uint32_t imm;
    const bool wasIdle = !qp.HasOutstanding();
    qp.NextPacket(payload, psn, first, last, imm);
    uint8_t opcode;
    if (last)
    {
        opcode = first ? BthHeader::SEND_ONLY_WITH_IMMEDIATE : BthHeader::SEND_LAST_WITH_IMMEDIATE;
    }
    else
    {
        opcode = first ? BthHeader::SEND_FIRST : BthHeader::SEND_MIDDLE;
    }
    // The last packet of a message asks for an ACK and carries the immediate (ImmDt).
    VclosFrame* f = Build(qp, payload, opcode, psn, last, last, imm, DATA_TOS);
    PortState& ps = m_ports[qp.port];
    const uint32_t size = f->GetSize();
    ++m_dataSent;
    qp.cc->OnPacketSent(size);
    const DataRate rate = qp.cc->GetRate();
    if (rate < ps.device->GetDataRate())
    {
        qp.nextSendTime =
            now + rate.CalculateBytesTxTime(size + ps.device->GetFramingOverhead());
    }
    if (wasIdle)
    {
        qp.lastProgress = now;
    }
    ps.device->Enqueue(f, DATA_PRIORITY, VclosNetDevice::NO_INGRESS, false);
    ArmTimer(qp);
}

void
RdmaNic::ArmTimer(RdmaQueuePair& qp)
{
    if (qp.rtoArmed || !qp.HasOutstanding())
    {
        return;
    }
    qp.rtoArmed = true;
    Time left = qp.lastProgress + m_rto - Simulator::Now();
    if (left.IsNegative())
    {
        left = Time(0);
    }
    qp.rtoEvent = Simulator::Schedule(left, &RdmaNic::RetransmitTimeout, this, qp.qpn);
}

void
RdmaNic::RetransmitTimeout(uint32_t qpn)
{
    RdmaQueuePair* q = FindQp(qpn);
    if (q == nullptr)
    {
        return; // destroyed (its timer is cancelled then; defensive)
    }
    RdmaQueuePair& qp = *q;
    qp.rtoArmed = false;
    if (!qp.HasOutstanding())
    {
        return;
    }
    if (Simulator::Now() - qp.lastProgress >= m_rto)
    {
        NS_LOG_DEBUG("GPU " << m_gpuId << " qp " << qpn << " timeout, back to " << qp.sndUna);
        ++qp.timeouts;
        qp.GoBack();
        qp.lastProgress = Simulator::Now();
        m_goBackTrace(qpn, qp.sndUna);
        Activate(qp);
    }
    ArmTimer(qp);
}

void
RdmaNic::Receive(VclosNetDevice* /* in */, VclosFrame* f)
{
    // The frame's head holds the headers (zeros past a short packet's end).
    static_assert(kParseBytes <= VclosFrame::HEAD_BYTES, "headers in the head");
    ReceiveHeaders(f->Head(), f->GetSize());
    VclosFrame::Release(f);
}

void
RdmaNic::ReceiveHeaders(const uint8_t* hdr, uint32_t size)
{
    const uint16_t dport = static_cast<uint16_t>((hdr[22] << 8) | hdr[23]);
    const uint8_t* bth = hdr + 28;
    const uint32_t destQp = ReadU24(bth + 5);
    if (size < HEADER_BYTES || hdr[9] != kUdpProtocol || dport != BthHeader::ROCEV2_PORT)
    {
        NS_LOG_WARN("GPU " << m_gpuId << " dropped a packet that is not RoCEv2");
        return;
    }
    RdmaQueuePair* q = FindQp(destQp);
    if (q == nullptr)
    {
        // Late packet of a destroyed queue pair (or of none): dropped and counted.
        NS_LOG_DEBUG("GPU " << m_gpuId << " dropped a packet for QP " << destQp);
        ++m_stalePackets;
        m_staleDropTrace(destQp);
        return;
    }
    RdmaQueuePair& qp = *q;
    const uint8_t opcode = bth[0];
    if (opcode == BthHeader::ACKNOWLEDGE)
    {
        ReceiveAck(qp, hdr);
    }
    else if (opcode == BthHeader::CNP)
    {
        ++m_cnpsReceived;
        qp.cc->OnCnp();
    }
    else
    {
        const uint32_t extra = BthHeader::HasImmediate(opcode) ? ImmDtHeader::SIZE : 0;
        ReceiveData(qp, hdr, size - HEADER_BYTES - extra);
    }
}

void
RdmaNic::ReceiveData(RdmaQueuePair& qp, const uint8_t* hdr, uint32_t payload)
{
    ++m_dataReceived;
    const uint8_t* bth = hdr + 28;
    const uint8_t opcode = bth[0];
    const bool ackReq = (bth[8] & 0x80) != 0;
    // ECN: a CE mark asks the sender to slow down (at most one CNP per interval).
    if ((hdr[1] & 0x3) == 0x3 && Simulator::Now() - qp.lastCnp >= m_cnpInterval)
    {
        SendCnp(qp);
    }
    switch (qp.Receive(ReadU24(bth + 9)))
    {
    case RdmaQueuePair::RxVerdict::ACCEPT:
        qp.rxMessageBytes += payload;
        qp.deliveredBytes += payload;
        ++qp.rxUnacked;
        if (BthHeader::IsLast(opcode))
        {
            const uint32_t imm = BthHeader::HasImmediate(opcode) ? ReadU32(hdr + HEADER_BYTES) : 0;
            const uint64_t bytes = qp.rxMessageBytes;
            qp.rxMessageBytes = 0;
            ++qp.msn;
            SendControl(qp, false);
            m_messageReceivedTrace(qp.qpn, bytes, imm);
            if (!qp.onReceived.IsNull())
            {
                qp.onReceived(imm, bytes);
            }
        }
        else if (ackReq || qp.rxUnacked >= m_ackInterval)
        {
            SendControl(qp, false);
        }
        break;
    case RdmaQueuePair::RxVerdict::DUPLICATE:
        SendControl(qp, false);
        break;
    case RdmaQueuePair::RxVerdict::OUT_OF_ORDER:
        // One NAK per gap; again after NakInterval if the gap persists (the
        // retransmission was lost too).
        if (!qp.nakSent ||
            (m_nakInterval.IsStrictlyPositive() && Simulator::Now() - qp.lastNak >= m_nakInterval))
        {
            qp.nakSent = true;
            qp.lastNak = Simulator::Now();
            SendControl(qp, true);
        }
        break;
    }
}

void
RdmaNic::SendControl(RdmaQueuePair& qp, bool nak)
{
    qp.rxUnacked = 0;
    const uint8_t syndrome = nak ? AethHeader::SYNDROME_NAK_SEQ : AethHeader::SYNDROME_ACK;
    const uint32_t aeth = (static_cast<uint32_t>(syndrome) << 24) | (qp.msn & 0xFFFFFF);
    // ACK: last PSN received in order; NAK: the PSN expected next.
    VclosFrame* f = Build(qp,
                          0,
                          BthHeader::ACKNOWLEDGE,
                          nak ? qp.expectedPsn : qp.expectedPsn - 1,
                          false,
                          true,
                          aeth,
                          CONTROL_TOS);
    m_ports[qp.port].device->Enqueue(f, CONTROL_PRIORITY, VclosNetDevice::NO_INGRESS, false);
}

void
RdmaNic::SendCnp(RdmaQueuePair& qp)
{
    // RoCEv2 CNP: BTH opcode 0x81 to the sender's queue pair, 16 reserved bytes.
    qp.lastCnp = Simulator::Now();
    ++m_cnpsSent;
    m_ports[qp.port].device->Enqueue(Build(qp, 16, BthHeader::CNP, 0, false, false, 0, CONTROL_TOS),
                                     CONTROL_PRIORITY,
                                     VclosNetDevice::NO_INGRESS,
                                     false);
}

void
RdmaNic::ReceiveAck(RdmaQueuePair& qp, const uint8_t* hdr)
{
    const uint32_t psn = ReadU24(hdr + 28 + 9);
    const bool nak = (hdr[HEADER_BYTES] & 0x60) == 0x60;
    // A message callback may post messages, hence (in principle) re-enter: each nesting
    // level has its own scratch list, kept (with its capacity) between ACKs.
    if (m_ackDepth == m_completed.size())
    {
        m_completed.emplace_back();
    }
    std::deque<RdmaQueuePair::Message>& completed = m_completed[m_ackDepth];
    completed.clear();
    uint64_t acked;
    if (nak)
    {
        const uint64_t before = qp.sndNxt;
        acked = qp.OnNak(psn, completed);
        if (qp.sndNxt != before)
        {
            m_goBackTrace(qp.qpn, qp.sndNxt);
        }
    }
    else
    {
        acked = qp.OnAck(psn, completed);
    }
    if (acked > 0 || !completed.empty())
    {
        qp.lastProgress = Simulator::Now();
        qp.cc->OnAck(acked);
    }
    // qp is used after the callbacks: they must not destroy it (ReleaseQp checks).
    if (m_ackDepth == m_dispatchQps.size())
    {
        m_dispatchQps.push_back(nullptr);
    }
    m_dispatchQps[m_ackDepth] = &qp;
    ++m_ackDepth;
    for (const auto& m : completed)
    {
        m_messageSentTrace(qp.qpn, m.bytes, m.imm);
        if (!qp.onSent.IsNull())
        {
            qp.onSent(m.imm, m.bytes);
        }
    }
    --m_ackDepth;
    m_dispatchQps[m_ackDepth] = nullptr;
    completed.clear();
    if (nak)
    {
        Activate(qp);
    }
    ArmTimer(qp);
}

uint64_t
RdmaNic::GetCnpsSent() const
{
    return m_cnpsSent;
}

uint64_t
RdmaNic::GetCnpsReceived() const
{
    return m_cnpsReceived;
}

uint64_t
RdmaNic::GetDataPacketsSent() const
{
    return m_dataSent;
}

uint64_t
RdmaNic::GetDataPacketsReceived() const
{
    return m_dataReceived;
}

uint64_t
RdmaNic::GetRetransmittedPackets() const
{
    uint64_t n = m_retiredRetransmitted;
    for (const auto& qp : m_qps)
    {
        if (qp)
        {
            n += qp->retransmittedPackets;
        }
    }
    return n;
}

uint64_t
RdmaNic::GetTimeouts() const
{
    uint64_t n = m_retiredTimeouts;
    for (const auto& qp : m_qps)
    {
        if (qp)
        {
            n += qp->timeouts;
        }
    }
    return n;
}

uint64_t
RdmaNic::GetDeliveredBytes() const
{
    uint64_t n = m_retiredDelivered;
    for (const auto& qp : m_qps)
    {
        if (qp)
        {
            n += qp->deliveredBytes;
        }
    }
    return n;
}

} // namespace ns3
