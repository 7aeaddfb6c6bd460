/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_PFC_HEADER_H
#define VCLOS_PFC_HEADER_H

#include "ns3/header.h"

#include <array>

namespace ns3
{

/**
 * \ingroup vclos
 * IEEE 802.1Qbb priority-based flow control frame (MAC control opcode 0x0101): a class-enable
 * vector and, per priority, a pause time in quanta of 512 bit times. Time 0 resumes.
 *
 * vclos ports carry IPv4 packets without a link header; a PFC frame is told apart by its
 * first two bytes (0x0101; an IPv4 packet starts with 0x45). The frame is padded to the
 * 46-byte minimum Ethernet payload, so with the port's framing overhead it costs a
 * minimum-size frame on the wire.
 */
class PfcHeader : public Header
{
  public:
    static constexpr uint16_t OPCODE = 0x0101; //!< MAC control opcode of PFC
    static constexpr uint32_t SIZE = 46;       //!< serialized size (padded)
    static constexpr uint32_t PRIORITIES = 8;  //!< priorities

    PfcHeader();

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
     * Pause (or resume, with 0) one priority.
     * \param priority 0..7
     * \param quanta pause time in quanta of 512 bit times
     */
    void SetPause(uint32_t priority, uint16_t quanta);
    /// \param priority 0..7 \return true if the frame carries a time for it
    bool IsEnabled(uint32_t priority) const;
    /// \param priority 0..7 \return its pause time in quanta
    uint16_t GetQuanta(uint32_t priority) const;

    /**
     * \param first the first two bytes of a frame
     * \return true if they start a PFC frame
     */
    static bool IsPfc(const uint8_t* first);

  private:
    uint16_t m_enable;
    std::array<uint16_t, PRIORITIES> m_quanta;
};

} // namespace ns3

#endif // VCLOS_PFC_HEADER_H
