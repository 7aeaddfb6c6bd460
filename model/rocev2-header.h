/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_ROCEV2_HEADER_H
#define VCLOS_ROCEV2_HEADER_H

#include "ns3/header.h"

#include <cstdint>

namespace ns3
{

/**
 * \ingroup vclos
 * The whole RoCEv2 header stack of one packet, written in a single step: IPv4 (20 bytes,
 * no options, DF, TTL 64) + UDP (8, destination port 4791) + BTH (12) + an optional
 * 4-byte AETH (ACK/NAK) or ImmDt (last packet of a message).
 *
 * The bytes are identical to serializing Ipv4Header, UdpHeader, BthHeader and AethHeader
 * or ImmDtHeader one after the other (a test checks this), so any of those classes reads
 * them back; the NIC uses this class on its per-packet path because one AddHeader()
 * costs a third of four.
 */
class Rocev2Header : public Header
{
  public:
    /// Bytes of IPv4 + UDP + BTH.
    static constexpr uint32_t BASE_SIZE = 40;
    /// Bytes of the optional AETH or ImmDt word.
    static constexpr uint32_t EXT_SIZE = 4;

    Rocev2Header();

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

    /**
     * Set all fields.
     * \param srcIp IPv4 source (host order)
     * \param dstIp IPv4 destination (host order)
     * \param srcPort UDP source port
     * \param opcode BTH opcode
     * \param destQp BTH destination QP
     * \param psn BTH PSN (low 24 bits used)
     * \param ackReq BTH AckReq bit
     * \param payloadBytes bytes that follow this header in the packet
     */
    void Set(uint32_t srcIp,
             uint32_t dstIp,
             uint16_t srcPort,
             uint8_t opcode,
             uint32_t destQp,
             uint32_t psn,
             bool ackReq,
             uint32_t payloadBytes);
    /**
     * \param tos the IPv4 TOS byte: DSCP (priority class) and ECN bits (default 0)
     */
    void SetTos(uint8_t tos);
    /**
     * \param ttl the IPv4 TTL (default 64); each switch decrements it
     */
    void SetTtl(uint8_t ttl);
    /**
     * Append the 4-byte AETH or ImmDt word.
     * \param word its value (AETH: syndrome << 24 | MSN)
     */
    void SetExtension(uint32_t word);

    /**
     * Write the header's bytes (GetSerializedSize() of them), as Serialize() does, to
     * memory: a NIC builds its frames' heads with it.
     * \param out where to write
     */
    void Write(uint8_t* out) const;

  private:
    uint32_t m_srcIp;
    uint32_t m_dstIp;
    uint16_t m_srcPort;
    uint8_t m_opcode;
    uint8_t m_tos;
    uint8_t m_ttl;
    bool m_ackReq;
    bool m_hasExt;
    uint32_t m_destQp;
    uint32_t m_psn;
    uint32_t m_ext;
    uint32_t m_payload;
};

} // namespace ns3

#endif // VCLOS_ROCEV2_HEADER_H
