/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_RDMA_QUEUE_PAIR_H
#define VCLOS_RDMA_QUEUE_PAIR_H

#include "congestion-control.h"

#include "ns3/callback.h"
#include "ns3/event-id.h"
#include "ns3/nstime.h"
#include "ns3/ptr.h"

#include <cstdint>
#include <deque>

namespace ns3
{

class RdmaNic;

/**
 * \ingroup vclos
 * One end of a reliable-connected (RC) queue pair: the state of its sending side
 * (posted messages, go-back-N PSN window, rate) and of its receiving side
 * (expected PSN, message reassembly, ACK coalescing). Owned and driven by RdmaNic.
 *
 * PSNs are kept as 64-bit counters inside the simulator; packets carry their low
 * 24 bits and the receiving end maps them back (they never drift by 2^23).
 */
class RdmaQueuePair
{
  public:
    /// Callback (immediate, bytes): a message finished (sent and acknowledged / received).
    typedef Callback<void, uint32_t, uint64_t> MessageCallback;

    /// A posted message.
    struct Message
    {
        uint64_t bytes;    //!< payload bytes
        uint32_t imm;      //!< immediate value carried by its last packet
        uint64_t firstPsn; //!< PSN of its first packet
        uint64_t packets;  //!< packets it takes (at least one)
    };

    /**
     * \param mtu payload bytes per packet
     */
    explicit RdmaQueuePair(uint32_t mtu);

    /**
     * Post a message for sending.
     * \param bytes payload bytes (0 sends one empty packet)
     * \param imm immediate value delivered with it
     */
    void Post(uint64_t bytes, uint32_t imm);

    /**
     * Start both sides' PSN counters at \p psn (before anything is posted or received):
     * the sending side's sndUna, sndNxt and psnEnd and the receiving side's expectedPsn.
     * Packets carry the low 24 bits, so a start near 2^24 makes a flow cross the PSN wrap.
     * \param psn the first PSN, below 2^24
     */
    void SetInitialPsn(uint32_t psn);

    /// \return true if a packet is ready to send (ignoring the rate limit)
    bool HasDataToSend() const;
    /// \return true if packets are sent but not acknowledged
    bool HasOutstanding() const;

    /**
     * Describe the next data packet to send and advance the send pointer.
     * \param [out] payload payload bytes
     * \param [out] psn its PSN (64-bit)
     * \param [out] first it starts a message
     * \param [out] last it ends a message
     * \param [out] imm immediate of its message
     */
    void NextPacket(uint32_t& payload, uint64_t& psn, bool& first, bool& last, uint32_t& imm);

    /**
     * A cumulative ACK up to and including \p psn24.
     * \param psn24 the 24-bit PSN from the ACK
     * \param [out] completed messages completed by it are appended here
     * \return payload bytes newly acknowledged
     */
    uint64_t OnAck(uint32_t psn24, std::deque<Message>& completed);
    /**
     * A NAK: the receiver expects \p psn24 next; go back to it.
     * \param psn24 the 24-bit expected PSN
     * \param [out] completed messages completed by the implied ACK
     * \return payload bytes newly acknowledged
     */
    uint64_t OnNak(uint32_t psn24, std::deque<Message>& completed);
    /// Go back to the oldest unacknowledged packet (retransmission timeout).
    void GoBack();

    /// Receiver verdict on an arriving data packet.
    enum class RxVerdict
    {
        ACCEPT,      //!< in order: deliver
        DUPLICATE,   //!< already received: drop, re-ACK
        OUT_OF_ORDER //!< a gap: drop, NAK
    };
    /**
     * Classify an arriving data packet by its 24-bit PSN; advances the expected PSN if accepted.
     * \param psn24 the packet's PSN
     * \return the verdict
     */
    RxVerdict Receive(uint32_t psn24);

    /**
     * Map a 24-bit PSN to the 64-bit PSN nearest to \p reference.
     * \param psn24 24-bit PSN
     * \param reference a 64-bit PSN near the true value
     * \return the 64-bit PSN
     */
    static uint64_t Unwrap(uint32_t psn24, uint64_t reference);

    // Identity and wiring (set by RdmaNic).
    uint32_t qpn{0};            //!< local QP number (index in the NIC's table)
    uint32_t peerQpn{0};        //!< QP number at the peer
    RdmaNic* peer{nullptr};     //!< the peer NIC
    uint32_t port{0};           //!< NIC port this QP sends on
    uint32_t srcIp{0};          //!< local GPU address (host order)
    uint32_t dstIp{0};          //!< peer GPU address (host order)
    uint16_t srcPort{0};        //!< UDP source port (ECMP entropy)
    uint32_t mtu;               //!< payload bytes per packet
    Ptr<CongestionControl> cc;  //!< rate control of the sending side
    MessageCallback onSent;     //!< message sent and acknowledged
    MessageCallback onReceived; //!< message received (at this end)

    // Sending side.
    std::deque<Message> messages; //!< posted, not yet fully acknowledged
    uint64_t sndUna{0};           //!< oldest unacknowledged PSN
    uint64_t sndNxt{0};           //!< next PSN to send
    uint64_t psnEnd{0};           //!< one past the last PSN of posted messages
    Time nextSendTime;            //!< rate limit: earliest time of the next data packet
    Time lastProgress;            //!< last time the ACK point moved (retransmit timer)
    EventId rtoEvent;             //!< retransmit timer
    bool rtoArmed{false};         //!< rtoEvent is scheduled
    bool active{false};           //!< listed in its port's active list

    // Receiving side.
    uint64_t expectedPsn{0};    //!< next in-order PSN
    uint64_t rxMessageBytes{0}; //!< payload bytes of the message being reassembled
    uint32_t rxUnacked{0};      //!< accepted packets not yet acknowledged
    uint32_t msn{0};            //!< messages completed (AETH MSN)
    bool nakSent{false};        //!< a NAK for expectedPsn is outstanding
    Time lastNak;               //!< when the last NAK was sent (with nakSent)
    Time lastCnp{Seconds(-1)};  //!< when this end last sent a CNP (long ago at first)

    // Counters.
    uint64_t retransmittedPackets{0}; //!< data packets sent again
    uint64_t timeouts{0};             //!< retransmission timeouts
    uint64_t deliveredBytes{0};       //!< payload bytes accepted in order at this end

  private:
    uint64_t AckTo(uint64_t una, std::deque<Message>& completed);
    std::size_t m_sendMsg{0}; //!< index in messages of the message holding sndNxt
};

} // namespace ns3

#endif // VCLOS_RDMA_QUEUE_PAIR_H
