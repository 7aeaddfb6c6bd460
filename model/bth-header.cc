/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "bth-header.h"

#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("BthHeader");
NS_OBJECT_ENSURE_REGISTERED(BthHeader);

BthHeader::BthHeader()
    : m_opcode(SEND_ONLY),
      m_ackReq(false),
      m_pkey(0xFFFF),
      m_destQp(0),
      m_psn(0)
{
}

TypeId
BthHeader::GetTypeId()
{
    static TypeId tid = TypeId("ns3::BthHeader")
                            .SetParent<Header>()
                            .SetGroupName("Vclos")
                            .AddConstructor<BthHeader>();
    return tid;
}

TypeId
BthHeader::GetInstanceTypeId() const
{
    return GetTypeId();
}

void
BthHeader::Print(std::ostream& os) const
{
    os << "BTH opcode=0x" << std::hex << static_cast<uint32_t>(m_opcode) << std::dec
       << " dqp=" << m_destQp << " psn=" << m_psn << (m_ackReq ? " A" : "");
}

uint32_t
BthHeader::GetSerializedSize() const
{
    return SIZE;
}

void
BthHeader::Serialize(Buffer::Iterator i) const
{
    i.WriteU8(m_opcode);
    i.WriteU8(0); // SE=0, M=0, pad=0, tver=0
    i.WriteHtonU16(m_pkey);
    i.WriteHtonU32(m_destQp & PSN_MASK); // reserved byte is zero
    i.WriteHtonU32((m_ackReq ? 0x80000000u : 0u) | (m_psn & PSN_MASK));
}

uint32_t
BthHeader::Deserialize(Buffer::Iterator i)
{
    m_opcode = i.ReadU8();
    i.ReadU8();
    m_pkey = i.ReadNtohU16();
    m_destQp = i.ReadNtohU32() & PSN_MASK;
    uint32_t w = i.ReadNtohU32();
    m_ackReq = (w & 0x80000000u) != 0;
    m_psn = w & PSN_MASK;
    return SIZE;
}

void
BthHeader::SetOpcode(uint8_t opcode)
{
    m_opcode = opcode;
}

uint8_t
BthHeader::GetOpcode() const
{
    return m_opcode;
}

void
BthHeader::SetDestQp(uint32_t qp)
{
    m_destQp = qp & PSN_MASK;
}

uint32_t
BthHeader::GetDestQp() const
{
    return m_destQp;
}

void
BthHeader::SetPsn(uint32_t psn)
{
    m_psn = psn & PSN_MASK;
}

uint32_t
BthHeader::GetPsn() const
{
    return m_psn;
}

void
BthHeader::SetAckRequest(bool ackReq)
{
    m_ackReq = ackReq;
}

bool
BthHeader::GetAckRequest() const
{
    return m_ackReq;
}

void
BthHeader::SetPartitionKey(uint16_t pkey)
{
    m_pkey = pkey;
}

uint16_t
BthHeader::GetPartitionKey() const
{
    return m_pkey;
}

bool
BthHeader::IsLast(uint8_t opcode)
{
    return opcode == SEND_LAST || opcode == SEND_LAST_WITH_IMMEDIATE || opcode == SEND_ONLY ||
           opcode == SEND_ONLY_WITH_IMMEDIATE;
}

bool
BthHeader::IsFirst(uint8_t opcode)
{
    return opcode == SEND_FIRST || opcode == SEND_ONLY || opcode == SEND_ONLY_WITH_IMMEDIATE;
}

bool
BthHeader::HasImmediate(uint8_t opcode)
{
    return opcode == SEND_LAST_WITH_IMMEDIATE || opcode == SEND_ONLY_WITH_IMMEDIATE;
}

} // namespace ns3
