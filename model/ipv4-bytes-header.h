/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_IPV4_BYTES_HEADER_H
#define VCLOS_IPV4_BYTES_HEADER_H

#include "ns3/header.h"

#include <array>
#include <cstdint>

namespace ns3
{

/**
 * \ingroup vclos
 * A 20-byte IPv4 header (no options) held as its serialized bytes.
 *
 * A switch rewrites a packet's IPv4 header (TTL, ECN) with it in place: it reads the
 * bytes, edits them, removes the old 20 bytes and adds this header. Nothing is parsed,
 * so this is far cheaper per hop than Ipv4Header's deserialization.
 */
class Ipv4BytesHeader : public Header
{
  public:
    /// Bytes of an IPv4 header without options.
    static constexpr uint32_t SIZE = 20;

    Ipv4BytesHeader();
    /// \param bytes the serialized header (SIZE bytes are copied)
    explicit Ipv4BytesHeader(const uint8_t* bytes);

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    TypeId GetInstanceTypeId() const override;
    void Print(std::ostream& os) const override;
    uint32_t GetSerializedSize() const override;
    void Serialize(Buffer::Iterator start) const override;
    uint32_t Deserialize(Buffer::Iterator start) override;

    /// \param bytes the serialized header (SIZE bytes are copied)
    void SetBytes(const uint8_t* bytes);
    /// \return the serialized bytes
    const uint8_t* GetBytes() const;

  private:
    std::array<uint8_t, SIZE> m_bytes;
};

} // namespace ns3

#endif // VCLOS_IPV4_BYTES_HEADER_H
