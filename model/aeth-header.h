/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_AETH_HEADER_H
#define VCLOS_AETH_HEADER_H

#include "ns3/header.h"

namespace ns3
{

/**
 * \ingroup vclos
 * InfiniBand ACK Extended Transport Header (4 bytes): syndrome(8) | MSN(24).
 * Syndrome 0x00-0x1F is an ACK, 0x60 a NAK for a PSN sequence error.
 */
class AethHeader : public Header
{
  public:
    static constexpr uint8_t SYNDROME_ACK = 0x1F;     //!< ACK (unlimited credit)
    static constexpr uint8_t SYNDROME_NAK_SEQ = 0x60; //!< NAK: PSN sequence error
    static constexpr uint32_t SIZE = 4;               //!< serialized size in bytes

    AethHeader();

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

    void SetSyndrome(uint8_t syndrome); //!< \param syndrome the syndrome
    uint8_t GetSyndrome() const;        //!< \return the syndrome
    void SetMsn(uint32_t msn);          //!< \param msn message sequence number (24 bits)
    uint32_t GetMsn() const;            //!< \return message sequence number
    bool IsNak() const;                 //!< \return true for a NAK syndrome

  private:
    uint8_t m_syndrome;
    uint32_t m_msn;
};

/**
 * \ingroup vclos
 * InfiniBand Immediate Data header (4 bytes), carried by the last packet of a
 * SEND ... WITH IMMEDIATE message; vclos uses it to name the message to the receiver.
 */
class ImmDtHeader : public Header
{
  public:
    static constexpr uint32_t SIZE = 4; //!< serialized size in bytes

    ImmDtHeader();

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

    void SetImmediate(uint32_t imm); //!< \param imm the immediate value
    uint32_t GetImmediate() const;   //!< \return the immediate value

  private:
    uint32_t m_imm;
};

} // namespace ns3

#endif // VCLOS_AETH_HEADER_H
