/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "aeth-header.h"

#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("AethHeader");
NS_OBJECT_ENSURE_REGISTERED(AethHeader);
NS_OBJECT_ENSURE_REGISTERED(ImmDtHeader);

AethHeader::AethHeader()
    : m_syndrome(SYNDROME_ACK),
      m_msn(0)
{
}

TypeId
AethHeader::GetTypeId()
{
    static TypeId tid = TypeId("ns3::AethHeader")
                            .SetParent<Header>()
                            .SetGroupName("Vclos")
                            .AddConstructor<AethHeader>();
    return tid;
}

TypeId
AethHeader::GetInstanceTypeId() const
{
    return GetTypeId();
}

void
AethHeader::Print(std::ostream& os) const
{
    os << "AETH " << (IsNak() ? "NAK" : "ACK") << " msn=" << m_msn;
}

uint32_t
AethHeader::GetSerializedSize() const
{
    return SIZE;
}

void
AethHeader::Serialize(Buffer::Iterator i) const
{
    i.WriteHtonU32((static_cast<uint32_t>(m_syndrome) << 24) | (m_msn & 0xFFFFFF));
}

uint32_t
AethHeader::Deserialize(Buffer::Iterator i)
{
    uint32_t w = i.ReadNtohU32();
    m_syndrome = static_cast<uint8_t>(w >> 24);
    m_msn = w & 0xFFFFFF;
    return SIZE;
}

void
AethHeader::SetSyndrome(uint8_t syndrome)
{
    m_syndrome = syndrome;
}

uint8_t
AethHeader::GetSyndrome() const
{
    return m_syndrome;
}

void
AethHeader::SetMsn(uint32_t msn)
{
    m_msn = msn & 0xFFFFFF;
}

uint32_t
AethHeader::GetMsn() const
{
    return m_msn;
}

bool
AethHeader::IsNak() const
{
    return (m_syndrome & 0x60) == 0x60;
}

ImmDtHeader::ImmDtHeader()
    : m_imm(0)
{
}

TypeId
ImmDtHeader::GetTypeId()
{
    static TypeId tid = TypeId("ns3::ImmDtHeader")
                            .SetParent<Header>()
                            .SetGroupName("Vclos")
                            .AddConstructor<ImmDtHeader>();
    return tid;
}

TypeId
ImmDtHeader::GetInstanceTypeId() const
{
    return GetTypeId();
}

void
ImmDtHeader::Print(std::ostream& os) const
{
    os << "ImmDt " << m_imm;
}

uint32_t
ImmDtHeader::GetSerializedSize() const
{
    return SIZE;
}

void
ImmDtHeader::Serialize(Buffer::Iterator i) const
{
    i.WriteHtonU32(m_imm);
}

uint32_t
ImmDtHeader::Deserialize(Buffer::Iterator i)
{
    m_imm = i.ReadNtohU32();
    return SIZE;
}

void
ImmDtHeader::SetImmediate(uint32_t imm)
{
    m_imm = imm;
}

uint32_t
ImmDtHeader::GetImmediate() const
{
    return m_imm;
}

} // namespace ns3
