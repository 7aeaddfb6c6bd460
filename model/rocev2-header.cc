/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "rocev2-header.h"

#include "bth-header.h"

#include "ns3/abort.h"
#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("Rocev2Header");
NS_OBJECT_ENSURE_REGISTERED(Rocev2Header);

namespace
{
constexpr uint8_t kUdpProtocol = 17;
} // namespace

Rocev2Header::Rocev2Header()
    : m_srcIp(0),
      m_dstIp(0),
      m_srcPort(0),
      m_opcode(0),
      m_tos(0),
      m_ttl(64),
      m_ackReq(false),
      m_hasExt(false),
      m_destQp(0),
      m_psn(0),
      m_ext(0),
      m_payload(0)
{
}

TypeId
Rocev2Header::GetTypeId()
{
    static TypeId tid = TypeId("ns3::Rocev2Header")
                            .SetParent<Header>()
                            .SetGroupName("Vclos")
                            .AddConstructor<Rocev2Header>();
    return tid;
}

TypeId
Rocev2Header::GetInstanceTypeId() const
{
    return GetTypeId();
}

void
Rocev2Header::Print(std::ostream& os) const
{
    os << "RoCEv2 opcode=0x" << std::hex << static_cast<uint32_t>(m_opcode) << std::dec
       << " dqp=" << m_destQp << " psn=" << m_psn << " payload=" << m_payload;
}

uint32_t
Rocev2Header::GetSerializedSize() const
{
    return BASE_SIZE + (m_hasExt ? EXT_SIZE : 0);
}

void
Rocev2Header::Set(uint32_t srcIp,
                  uint32_t dstIp,
                  uint16_t srcPort,
                  uint8_t opcode,
                  uint32_t destQp,
                  uint32_t psn,
                  bool ackReq,
                  uint32_t payloadBytes)
{
    m_srcIp = srcIp;
    m_dstIp = dstIp;
    m_srcPort = srcPort;
    m_opcode = opcode;
    m_destQp = destQp & BthHeader::PSN_MASK;
    m_psn = psn & BthHeader::PSN_MASK;
    m_ackReq = ackReq;
    m_payload = payloadBytes;
    m_hasExt = false;
}

void
Rocev2Header::SetTos(uint8_t tos)
{
    m_tos = tos;
}

void
Rocev2Header::SetTtl(uint8_t ttl)
{
    m_ttl = ttl;
}

void
Rocev2Header::SetExtension(uint32_t word)
{
    m_hasExt = true;
    m_ext = word;
}

void
Rocev2Header::Serialize(Buffer::Iterator i) const
{
    const uint32_t size = GetSerializedSize() + m_payload;
    // IPv4 (as Ipv4Header serializes it without checksums enabled)
    i.WriteU8(0x45);
    i.WriteU8(m_tos); // DSCP/ECN
    i.WriteHtonU16(static_cast<uint16_t>(size));
    i.WriteHtonU16(0);      // identification
    i.WriteHtonU16(0x4000); // DF, fragment offset 0
    i.WriteU8(m_ttl);
    i.WriteU8(kUdpProtocol);
    i.WriteU16(0); // checksum not computed (as ns-3 by default)
    i.WriteHtonU32(m_srcIp);
    i.WriteHtonU32(m_dstIp);
    // UDP
    i.WriteHtonU16(m_srcPort);
    i.WriteHtonU16(BthHeader::ROCEV2_PORT);
    i.WriteHtonU16(static_cast<uint16_t>(size - 20));
    i.WriteU16(0); // no checksum
    // BTH
    i.WriteU8(m_opcode);
    i.WriteU8(0);
    i.WriteHtonU16(0xFFFF); // default partition key
    i.WriteHtonU32(m_destQp);
    i.WriteHtonU32((m_ackReq ? 0x80000000u : 0u) | m_psn);
    if (m_hasExt)
    {
        i.WriteHtonU32(m_ext);
    }
}

uint32_t
Rocev2Header::Deserialize(Buffer::Iterator /* start */)
{
    NS_FATAL_ERROR("Rocev2Header is write-only: read with Ipv4Header, UdpHeader, BthHeader");
    return 0;
}

} // namespace ns3
