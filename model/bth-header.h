/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_BTH_HEADER_H
#define VCLOS_BTH_HEADER_H

#include "ns3/header.h"

namespace ns3
{

/**
 * \ingroup vclos
 * InfiniBand Base Transport Header (12 bytes) as carried by RoCEv2 over UDP port 4791.
 *
 * Layout (network byte order): opcode(8) | SE,M,pad(2),tver(4) | P_Key(16) |
 * reserved(8) | DestQP(24) | AckReq(1),reserved(7) | PSN(24).
 */
class BthHeader : public Header
{
  public:
    /// Reliable-connection opcodes used by the vclos NIC.
    enum Opcode : uint8_t
    {
        SEND_FIRST = 0x00,
        SEND_MIDDLE = 0x01,
        SEND_LAST = 0x02,
        SEND_LAST_WITH_IMMEDIATE = 0x03,
        SEND_ONLY = 0x04,
        SEND_ONLY_WITH_IMMEDIATE = 0x05,
        ACKNOWLEDGE = 0x11,
        CNP = 0x81, //!< RoCEv2 congestion notification packet
    };

    /// Size of the serialized header in bytes.
    static constexpr uint32_t SIZE = 12;
    /// RoCEv2 UDP destination port.
    static constexpr uint16_t ROCEV2_PORT = 4791;
    /// PSNs are 24-bit.
    static constexpr uint32_t PSN_MASK = 0xFFFFFF;

    BthHeader();

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

    void SetOpcode(uint8_t opcode);      //!< \param opcode the opcode
    uint8_t GetOpcode() const;           //!< \return the opcode
    void SetDestQp(uint32_t qp);         //!< \param qp destination QP (24 bits)
    uint32_t GetDestQp() const;          //!< \return destination QP
    void SetPsn(uint32_t psn);           //!< \param psn packet sequence number (24 bits)
    uint32_t GetPsn() const;             //!< \return packet sequence number
    void SetAckRequest(bool ackReq);     //!< \param ackReq the AckReq bit
    bool GetAckRequest() const;          //!< \return the AckReq bit
    void SetPartitionKey(uint16_t pkey); //!< \param pkey partition key
    uint16_t GetPartitionKey() const;    //!< \return partition key

    /// \return true if \p opcode ends a message
    static bool IsLast(uint8_t opcode);
    /// \return true if \p opcode starts a message
    static bool IsFirst(uint8_t opcode);
    /// \return true if \p opcode carries an immediate data header
    static bool HasImmediate(uint8_t opcode);

  private:
    uint8_t m_opcode;
    bool m_ackReq;
    uint16_t m_pkey;
    uint32_t m_destQp;
    uint32_t m_psn;
};

} // namespace ns3

#endif // VCLOS_BTH_HEADER_H
