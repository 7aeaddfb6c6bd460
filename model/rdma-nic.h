/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_RDMA_NIC_H
#define VCLOS_RDMA_NIC_H

#include "rdma-queue-pair.h"
#include "vclos-net-device.h"

#include "ns3/object-factory.h"
#include "ns3/object.h"
#include "ns3/traced-callback.h"

#include <memory>
#include <vector>

namespace ns3
{

/**
 * \ingroup vclos
 * The RoCEv2-style NIC of a GPU, aggregated to the GPU's Node.
 *
 * Message API: CreateQp() connects a reliable queue pair to a peer NIC; PostSend()
 * queues a message of N bytes on it; a callback fires at the sender when the message
 * is fully acknowledged and at the receiver when its last byte has arrived in order.
 *
 * Transport: messages are cut into packets of at most Mtu payload bytes, each a real
 * serialized IPv4 + UDP (destination port 4791, a source port per queue pair for ECMP
 * entropy, the same at both ends) + BTH (+ ImmDt on a message's last packet) datagram. The
 * receiver accepts packets in PSN order, ACKs every AckInterval packets and at the end of each
 * message, sends one NAK per gap (again after NakInterval if set), and drops out-of-order
 * packets; the sender goes back to the NAKed PSN, or to the oldest unacknowledged one after
 * RetransmitTimeout without progress (go-back-N). Every byte is delivered exactly once, in order.
 *
 * Ports: port 0 is the network port (to the leaf switch); an optional second port
 * reaches the other GPUs of the same server over the intra-server fabric. Each port
 * sends data packets round-robin over its queue pairs when the line is free, paced
 * by each queue pair's CongestionControl (line rate by default).
 */
class RdmaNic : public Object
{
  public:
    /**
     * TracedCallback signature of MessageSent and MessageReceived.
     * \param qpn local queue pair number
     * \param bytes message payload bytes
     * \param imm the message's immediate value
     */
    typedef void (*MessageTracedCallback)(uint32_t qpn, uint64_t bytes, uint32_t imm);
    /**
     * TracedCallback signature of GoBack.
     * \param qpn local queue pair number
     * \param psn the 64-bit PSN the sender went back to
     */
    typedef void (*GoBackTracedCallback)(uint32_t qpn, uint64_t psn);
    /**
     * Signature of StaleDrop: a packet arrived for a queue pair that does not exist.
     * \param qpn the packet's destination QP number
     */
    typedef void (*StaleDropTracedCallback)(uint32_t qpn);

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    RdmaNic();
    ~RdmaNic() override;

    /**
     * Set the GPU identity.
     * \param gpuId GPU id (address 10.0.0.1 + id)
     * \param serverId server holding the GPU
     */
    void SetGpu(uint32_t gpuId, uint32_t serverId);
    /// \return the GPU id
    uint32_t GetGpuId() const;
    /// \return the server id
    uint32_t GetServerId() const;

    /**
     * Add a port: the first is the network port, a second one the intra-server port.
     * \param device the port's device
     * \return the port number
     */
    uint32_t AddPort(Ptr<VclosNetDevice> device);
    /**
     * \param port port number
     * \return the device
     */
    Ptr<VclosNetDevice> GetPort(uint32_t port) const;

    /**
     * Connect a queue pair to \p peer (creating the peer's end too). Both ends use UDP
     * source port \p srcPort, so the ACKs of a flow carry the flow's port (what source
     * routes and Routing::ReversePath() rely on). Collectives pass
     * vclos::QpSourcePort(run seed, job, source rank, destination rank, QP index).
     * \param peer the remote NIC (another GPU)
     * \param srcPort UDP source port of the queue pair (ECMP entropy)
     * \param onSent called here when a message is sent and fully acknowledged
     * \param onReceived called at the peer when a message has fully arrived
     * \return the local QP number
     */
    uint32_t CreateQp(Ptr<RdmaNic> peer,
                      uint16_t srcPort,
                      RdmaQueuePair::MessageCallback onSent,
                      RdmaQueuePair::MessageCallback onReceived);
    /**
     * Connect a queue pair to \p peer with the source port
     * vclos::QpSourcePort(RunSeed, vclos::kNoJob, this GPU, peer GPU, k), where k counts the
     * queue pairs this overload has created on this NIC (0, 1, ...): a pure function of the
     * run seed, the two GPUs and k (no random stream; QP numbers are reused after DestroyQp).
     * \param peer the remote NIC (another GPU)
     * \param onSent called here when a message is sent and fully acknowledged
     * \param onReceived called at the peer when a message has fully arrived
     * \return the local QP number
     */
    uint32_t CreateQp(Ptr<RdmaNic> peer,
                      RdmaQueuePair::MessageCallback onSent,
                      RdmaQueuePair::MessageCallback onReceived);
    /// \return the run seed that source ports are derived from (attribute RunSeed)
    uint64_t GetRunSeed() const;

    /**
     * Queue a message on a queue pair.
     * \param qpn local QP number
     * \param bytes payload bytes
     * \param imm immediate value delivered to the receiver with the message
     */
    void PostSend(uint32_t qpn, uint64_t bytes, uint32_t imm);

    /**
     * Destroy a queue pair, both ends (here and at the peer). Its slot in each NIC's QP
     * table is reused by a later CreateQp() with a new QP number (same slot, next
     * generation), so the table does not grow over jobs that come and go. Packets that
     * still arrive for it are dropped and counted (GetStalePackets(), trace StaleDrop).
     * Its timers are cancelled and its callbacks released; its counters stay in the NIC's
     * totals.
     * \param qpn local QP number
     * \return false if no such queue pair exists (already destroyed)
     */
    bool DestroyQp(uint32_t qpn);

    /**
     * \param qpn local QP number
     * \return the queue pair
     */
    const RdmaQueuePair& GetQp(uint32_t qpn) const;
    /**
     * \param qpn local QP number
     * \return true if the queue pair exists (created and not destroyed)
     */
    bool HasQp(uint32_t qpn) const;
    /**
     * \param qpn local QP number
     * \return true if every message posted on it has been acknowledged (its last ACK is in)
     */
    bool IsQpIdle(uint32_t qpn) const;
    /// \return the number of live queue pairs (created and not destroyed)
    uint32_t GetNQps() const;
    /// \return the size of the QP table (live and free slots): bounded by the peak of live QPs
    uint32_t GetQpTableSize() const;
    /**
     * \param slot index in the QP table
     * \return the queue pair in that slot, or null if the slot is free
     */
    const RdmaQueuePair* GetQpAtSlot(uint32_t slot) const;
    /// \return packets dropped because their queue pair did not exist (destroyed or unknown)
    uint64_t GetStalePackets() const;

    /// Bits of a QP number that index the QP table; the bits above count slot reuses.
    static constexpr uint32_t QP_SLOT_BITS = 16;
    /// Mask of the table index in a QP number.
    static constexpr uint32_t QP_SLOT_MASK = (1U << QP_SLOT_BITS) - 1;

    // Counters.
    uint64_t GetDataPacketsSent() const; //!< \return data packets sent (retransmissions included)
    uint64_t GetDataPacketsReceived() const;  //!< \return data packets received (all verdicts)
    uint64_t GetRetransmittedPackets() const; //!< \return data packets sent again
    uint64_t GetTimeouts() const;             //!< \return retransmission timeouts
    uint64_t GetDeliveredBytes() const;       //!< \return payload bytes accepted in order

    /// Bytes of IPv4 + UDP + BTH headers on every data packet.
    static constexpr uint32_t HEADER_BYTES = 20 + 8 + 12;
    /// TOS of data packets: DSCP CS3 (priority 3, the lossless RoCE class), ECN-capable.
    static constexpr uint8_t DATA_TOS = (24 << 2) | 0x2;
    /// TOS of ACK, NAK and CNP packets: DSCP CS6 (priority 6), not ECN-capable.
    static constexpr uint8_t CONTROL_TOS = 48 << 2;
    /// Priority of data packets (what PFC pauses).
    static constexpr uint32_t DATA_PRIORITY = DATA_TOS >> 5;
    /// Priority of ACK, NAK and CNP packets.
    static constexpr uint32_t CONTROL_PRIORITY = CONTROL_TOS >> 5;

    uint64_t GetCnpsSent() const;     //!< \return CNPs sent (as a receiver)
    uint64_t GetCnpsReceived() const; //!< \return CNPs received (as a sender)

  private:
    void DoDispose() override;
    /// A port's frame handler: the NIC consumes (releases) every frame.
    void Receive(VclosNetDevice* in, VclosFrame* f);
    /**
     * Handle a received packet.
     * \param hdr its first VclosFrame::HEAD_BYTES bytes (zeros past its end)
     * \param size its bytes
     */
    void ReceiveHeaders(const uint8_t* hdr, uint32_t size);
    void ReceiveData(RdmaQueuePair& qp, const uint8_t* hdr, uint32_t payload);
    void ReceiveAck(RdmaQueuePair& qp, const uint8_t* hdr);
    void SendControl(RdmaQueuePair& qp, bool nak);
    void TrySend(uint32_t port);
    /// Send \p qp's next data packet; \p now is Simulator::Now()
    void SendDataPacket(RdmaQueuePair& qp, const Time& now);
    void Activate(RdmaQueuePair& qp);
    void ArmTimer(RdmaQueuePair& qp);
    void RetransmitTimeout(uint32_t qpn);
    uint32_t AddQp(Ptr<RdmaNic> peer, uint16_t srcPort);
    RdmaQueuePair* FindQp(uint32_t qpn) const;
    void ReleaseQp(RdmaQueuePair& qp);
    VclosFrame* Build(const RdmaQueuePair& qp,
                      uint32_t payload,
                      uint8_t opcode,
                      uint64_t psn,
                      bool ackReq,
                      bool hasExt,
                      uint32_t ext,
                      uint8_t tos);
    void SendCnp(RdmaQueuePair& qp);

    /// Per-port transmit scheduler state.
    struct PortState
    {
        Ptr<VclosNetDevice> device;
        std::vector<uint32_t> active; //!< QPs with data to send, round-robin order
        uint32_t rr{0};               //!< next position in active
        EventId wake;                 //!< wake-up for rate-limited QPs
    };

    uint32_t m_gpuId;
    uint32_t m_serverId;
    uint32_t m_mtu;
    uint32_t m_ackInterval;
    uint32_t m_initialPsn; //!< first PSN of both ends of a new queue pair
    Time m_rto;
    TypeId m_ccType;
    uint64_t m_runSeed; //!< source ports derive from it
    std::vector<PortState> m_ports;
    std::vector<std::unique_ptr<RdmaQueuePair>> m_qps; //!< QP table, by slot (null: free)
    std::vector<uint32_t> m_freeSlots;                 //!< free slots of m_qps, reused LIFO
    std::vector<uint8_t> m_slotGeneration;             //!< reuses of each slot (QP number bits)
    uint32_t m_liveQps{0};                             //!< non-null entries of m_qps
    uint32_t m_portlessQps{0};          //!< queue pairs CreateQp() without a port made so far
    uint64_t m_stalePackets{0};         //!< packets for no live QP
    uint64_t m_retiredRetransmitted{0}; //!< counters of destroyed QPs
    uint64_t m_retiredTimeouts{0};      //!< counters of destroyed QPs
    uint64_t m_retiredDelivered{0};     //!< counters of destroyed QPs
    /// Scratch lists of completed messages, one per nesting level of ReceiveAck (a
    /// message callback may re-enter it): no per-ACK allocation. A deque of deques keeps
    /// references to the outer levels' lists valid when a nested level adds one.
    std::deque<std::deque<RdmaQueuePair::Message>> m_completed;
    /// Queue pair whose MessageSent callbacks run, per nesting level of ReceiveAck.
    std::vector<const RdmaQueuePair*> m_dispatchQps;
    uint32_t m_ackDepth; //!< ReceiveAck calls in progress
    uint8_t m_ttl;       //!< IPv4 TTL of the packets this NIC sends
    Time m_nakInterval;  //!< re-NAK a gap after this long (0: one NAK per gap)

    uint64_t m_dataSent;
    uint64_t m_dataReceived;
    Time m_cnpInterval;
    uint64_t m_cnpsSent;
    uint64_t m_cnpsReceived;

    TracedCallback<uint32_t, uint64_t, uint32_t> m_messageSentTrace;     //!< qpn, bytes, imm
    TracedCallback<uint32_t, uint64_t, uint32_t> m_messageReceivedTrace; //!< qpn, bytes, imm
    TracedCallback<uint32_t, uint64_t> m_goBackTrace; //!< qpn, PSN it went back to
    TracedCallback<uint32_t> m_staleDropTrace;        //!< destination QP number
};

} // namespace ns3

#endif // VCLOS_RDMA_NIC_H
