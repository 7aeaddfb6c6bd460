/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "pfc-header.h"

#include "ns3/assert.h"
#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("PfcHeader");
NS_OBJECT_ENSURE_REGISTERED(PfcHeader);

PfcHeader::PfcHeader()
    : m_enable(0),
      m_quanta{}
{
}

TypeId
PfcHeader::GetTypeId()
{
    static TypeId tid = TypeId("ns3::PfcHeader")
                            .SetParent<Header>()
                            .SetGroupName("Vclos")
                            .AddConstructor<PfcHeader>();
    return tid;
}

TypeId
PfcHeader::GetInstanceTypeId() const
{
    return GetTypeId();
}

void
PfcHeader::Print(std::ostream& os) const
{
    os << "PFC";
    for (uint32_t p = 0; p < PRIORITIES; ++p)
    {
        if (IsEnabled(p))
        {
            os << " p" << p << "=" << m_quanta[p];
        }
    }
}

uint32_t
PfcHeader::GetSerializedSize() const
{
    return SIZE;
}

void
PfcHeader::Serialize(Buffer::Iterator i) const
{
    i.WriteHtonU16(OPCODE);
    i.WriteHtonU16(m_enable);
    for (uint16_t q : m_quanta)
    {
        i.WriteHtonU16(q);
    }
    i.WriteU8(0, SIZE - 4 - 2 * PRIORITIES); // pad to the minimum frame
}

uint32_t
PfcHeader::Deserialize(Buffer::Iterator i)
{
    i.ReadNtohU16(); // opcode
    m_enable = i.ReadNtohU16();
    for (uint16_t& q : m_quanta)
    {
        q = i.ReadNtohU16();
    }
    i.Next(SIZE - 4 - 2 * PRIORITIES);
    return SIZE;
}

void
PfcHeader::SetPause(uint32_t priority, uint16_t quanta)
{
    NS_ASSERT(priority < PRIORITIES);
    m_enable |= static_cast<uint16_t>(1u << priority);
    m_quanta[priority] = quanta;
}

bool
PfcHeader::IsEnabled(uint32_t priority) const
{
    return priority < PRIORITIES && (m_enable & (1u << priority)) != 0;
}

uint16_t
PfcHeader::GetQuanta(uint32_t priority) const
{
    return m_quanta.at(priority);
}

bool
PfcHeader::IsPfc(const uint8_t* first)
{
    return first[0] == (OPCODE >> 8) && first[1] == (OPCODE & 0xFF);
}

} // namespace ns3
