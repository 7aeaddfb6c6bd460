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
    uint8_t bytes[BASE_SIZE + EXT_SIZE];
    Write(bytes);
    i.Write(bytes, GetSerializedSize());
}

void
Rocev2Header::Write(uint8_t* out) const
{
    const uint32_t size = GetSerializedSize() + m_payload;
    const auto u16 = [&out](uint32_t v) {
        out[0] = static_cast<uint8_t>(v >> 8);
        out[1] = static_cast<uint8_t>(v);
        out += 2;
    };
    const auto u32 = [&out](uint32_t v) {
        out[0] = static_cast<uint8_t>(v >> 24);
        out[1] = static_cast<uint8_t>(v >> 16);
        out[2] = static_cast<uint8_t>(v >> 8);
        out[3] = static_cast<uint8_t>(v);
        out += 4;
    };
    // IPv4 (as Ipv4Header serializes it without checksums enabled)
    *out++ = 0x45;
    *out++ = m_tos; // DSCP/ECN
    u16(size);
    u16(0);      // identification
    u16(0x4000); // DF, fragment offset 0
    *out++ = m_ttl;
    *out++ = kUdpProtocol;
    u16(0); // checksum not computed (as ns-3 by default)
    u32(m_srcIp);
    u32(m_dstIp);
    // UDP
    u16(m_srcPort);
    u16(BthHeader::ROCEV2_PORT);
    u16(size - 20);
    u16(0); // no checksum
    // BTH
    *out++ = m_opcode;
    *out++ = 0;
    u16(0xFFFF); // default partition key
    u32(m_destQp);
    u32((m_ackReq ? 0x80000000u : 0u) | m_psn);
    if (m_hasExt)
    {
        u32(m_ext);
    }
}

uint32_t
Rocev2Header::Deserialize(Buffer::Iterator /* start */)
{
    NS_FATAL_ERROR("Rocev2Header is write-only: read with Ipv4Header, UdpHeader, BthHeader");
    return 0;
}

} // namespace ns3
