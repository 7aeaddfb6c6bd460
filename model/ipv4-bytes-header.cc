/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ipv4-bytes-header.h"

#include <algorithm>

namespace ns3
{

NS_OBJECT_ENSURE_REGISTERED(Ipv4BytesHeader);

Ipv4BytesHeader::Ipv4BytesHeader()
    : m_bytes{}
{
}

Ipv4BytesHeader::Ipv4BytesHeader(const uint8_t* bytes)
{
    std::copy(bytes, bytes + SIZE, m_bytes.begin());
}

TypeId
Ipv4BytesHeader::GetTypeId()
{
    static TypeId tid = TypeId("ns3::Ipv4BytesHeader")
                            .SetParent<Header>()
                            .SetGroupName("Vclos")
                            .AddConstructor<Ipv4BytesHeader>();
    return tid;
}

TypeId
Ipv4BytesHeader::GetInstanceTypeId() const
{
    return GetTypeId();
}

void
Ipv4BytesHeader::Print(std::ostream& os) const
{
    os << "IPv4 tos=" << static_cast<uint32_t>(m_bytes[1])
       << " ttl=" << static_cast<uint32_t>(m_bytes[8]);
}

uint32_t
Ipv4BytesHeader::GetSerializedSize() const
{
    return SIZE;
}

void
Ipv4BytesHeader::Serialize(Buffer::Iterator start) const
{
    start.Write(m_bytes.data(), SIZE);
}

uint32_t
Ipv4BytesHeader::Deserialize(Buffer::Iterator start)
{
    start.Read(m_bytes.data(), SIZE);
    return SIZE;
}

void
Ipv4BytesHeader::SetBytes(const uint8_t* bytes)
{
    std::copy(bytes, bytes + SIZE, m_bytes.begin());
}

const uint8_t*
Ipv4BytesHeader::GetBytes() const
{
    return m_bytes.data();
}

} // namespace ns3
