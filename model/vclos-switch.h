/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_SWITCH_H
#define VCLOS_SWITCH_H

#include "vclos-net-device.h"

#include "ns3/ecmp-hash.h"
#include "ns3/forwarding-table.h"
#include "ns3/object.h"
#include "ns3/random-variable-stream.h"
#include "ns3/traced-callback.h"

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup vclos
 * A store-and-forward packet switch (leaf, spine or server switch), aggregated to a Node.
 *
 * Forwarding is by a vclos::ForwardingTable (pure code, shared with vclos::Routing so
 * that Routing::Path() is what the switch does): per destination GPU (an array index:
 * GPU addresses are 10.0.0.1 + GPU id) a next-hop group of one or more ports; with more
 * than one port the switch picks EcmpHash(5-tuple, HashSeed) modulo the group size, so a
 * flow always takes the same port at a given switch. Source routes (per GPU, a member of
 * the group, for data from the GPU and ACK/NAK/CNP to it) and static per-flow routes
 * (source GPU, destination GPU) -> port, installed at run time by a scheduler, override
 * the hash (flow route > source route > hash). A packet is a control packet when its
 * TOS priority is RdmaNic::CONTROL_PRIORITY. Each port queues in its own egress FIFO
 * (VclosNetDevice).
 */
class VclosSwitch : public Object
{
  public:
    /**
     * TracedCallback signature of EcnMark.
     * \param packet the packet marked CE
     * \param port its egress port
     */
    typedef void (*EcnMarkTracedCallback)(Ptr<const Packet> packet, uint32_t port);
    /**
     * TracedCallback signature of PfcSent.
     * \param port the ingress port the frame was sent from
     * \param priority the priority
     * \param pause true for PAUSE, false for RESUME
     */
    typedef void (*PfcTracedCallback)(uint32_t port, uint32_t priority, bool pause);

    /// Returned by SelectPort when the switch has no route.
    static constexpr uint32_t NO_PORT = vclos::ForwardingTable::NO_PORT;

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    VclosSwitch();

    /**
     * Add a port; the switch becomes the port's packet handler.
     * \param device the port
     * \return the port number
     */
    uint32_t AddPort(Ptr<VclosNetDevice> device);
    /// \return number of ports
    uint32_t GetNPorts() const;
    /**
     * \param port a port number
     * \return the port's device
     */
    Ptr<VclosNetDevice> GetPort(uint32_t port) const;

    /**
     * Set the next hops toward a destination GPU (replaces any earlier entry).
     * \param dstGpu destination GPU id
     * \param ports equal-cost output ports (one for a plain route)
     */
    void SetRoute(uint32_t dstGpu, const std::vector<uint32_t>& ports);
    /**
     * \param dstGpu destination GPU id
     * \return the next-hop ports toward it (empty if none)
     */
    std::vector<uint32_t> GetRoute(uint32_t dstGpu) const;

    /**
     * Install a static route for the flows from \p srcGpu to \p dstGpu; it overrides ECMP.
     * \param srcGpu source GPU id
     * \param dstGpu destination GPU id
     * \param port output port
     */
    void SetFlowRoute(uint32_t srcGpu, uint32_t dstGpu, uint32_t port);
    /**
     * Remove a static route (no-op if absent).
     * \param srcGpu source GPU id
     * \param dstGpu destination GPU id
     */
    void RemoveFlowRoute(uint32_t srcGpu, uint32_t dstGpu);
    /// Remove every static route.
    void ClearFlowRoutes();
    /// \return number of installed static routes
    std::size_t GetNFlowRoutes() const;

    /**
     * Source route of a GPU: member \p member of the destination's next-hop group for
     * data packets from \p gpu and control packets (ACK, NAK, CNP) to \p gpu. Groups of
     * one port ignore it; a member beyond the group's size falls back to ECMP.
     * \param gpu the GPU
     * \param member the group member index
     */
    void SetSourceRoute(uint32_t gpu, uint32_t member);
    /**
     * Remove a source route (no-op if absent).
     * \param gpu the GPU
     */
    void RemoveSourceRoute(uint32_t gpu);

    /**
     * The output port for a packet with this 5-tuple: the forwarding decision itself,
     * also used to compute paths without sending packets.
     * \param key the packet's 5-tuple
     * \param control true for an ACK, NAK or CNP packet
     * \return the port, or NO_PORT
     */
    uint32_t SelectPort(const vclos::FlowKey& key, bool control = false) const;

    /**
     * Forward by \p table from now on (LeafSpineHelper shares each switch's table with
     * vclos::Routing). Its port count grows to the switch's.
     * \param table the table (not null)
     */
    void SetForwardingTable(std::shared_ptr<vclos::ForwardingTable> table);
    /// \return the table the switch forwards by
    std::shared_ptr<vclos::ForwardingTable> GetForwardingTable() const;

    /// \param seed the ECMP hash seed
    void SetHashSeed(uint32_t seed);
    /// \return the ECMP hash seed
    uint32_t GetHashSeed() const;
    /// \return packets dropped because no route matched
    uint64_t GetNoRouteDrops() const;
    /// \return packets dropped by the shared buffer's admission control
    uint64_t GetBufferDrops() const;
    /// \return lossless-priority packets dropped (headroom exhausted; 0 if sized right)
    uint64_t GetLosslessDrops() const;
    /// \return packets dropped because their IPv4 TTL ran out here
    uint64_t GetHopLimitDrops() const;

    /**
     * Decrement the TTL of a serialized IPv4 header in place, updating its header checksum
     * incrementally (RFC 1624) if one is written (a checksum of 0 means "not computed", as
     * vclos and ns-3's Ipv4Header without EnableChecksum write it).
     * \param ipv4 the 20-byte IPv4 header; its TTL must be at least 1
     */
    static void DecrementTtl(uint8_t* ipv4);
    /**
     * Set the ECN field of a serialized IPv4 header to CE (11) in place, updating its
     * checksum like DecrementTtl.
     * \param ipv4 the 20-byte IPv4 header
     */
    static void SetCe(uint8_t* ipv4);
    /**
     * Check the PFC attributes that cannot work together; InitBuffer aborts with this
     * message.
     * \return an empty string, or what is wrong (attribute names and values)
     */
    std::string CheckPfcConfig() const;

    /**
     * RED marking probability of the ECN attributes for a queue of \p queueBytes on a port
     * of \p rate: 0 up to Kmin, rising linearly to Pmax at Kmax, 1 beyond (Kmin and Kmax
     * scale with the port's rate relative to 100 Gbps).
     * \param queueBytes egress queue of the packet's priority, before the packet
     * \param rate the port's rate
     * \return the marking probability
     */
    double EcnMarkProbability(uint32_t queueBytes, DataRate rate) const;
    /**
     * Draw the marking decision for one packet (what the switch does at enqueue).
     * \param queueBytes egress queue before the packet
     * \param rate the port's rate
     * \return true to mark CE
     */
    bool DrawEcnMark(uint32_t queueBytes, DataRate rate);
    /**
     * \param stream first random stream (ECN marking)
     * \return streams used
     */
    int64_t AssignStreams(int64_t stream);
    /// \param port a port \return the headroom reserved per lossless priority on it
    uint32_t GetHeadroom(uint32_t port) const;

  private:
    void DoDispose() override;
    /// A port's frame handler: route, admit, mark and queue \p f (or drop it).
    void Receive(VclosNetDevice* in, VclosFrame* f);
    /// Shared-buffer admission of a packet; sends PAUSE upstream when needed. On refusal
    /// \p cause says why (DROP_BUFFER or DROP_HEADROOM).
    bool Admit(uint32_t ingress,
               uint32_t egress,
               uint32_t priority,
               uint32_t size,
               VclosNetDevice::DropCause& cause);
    /// A packet admitted on ingress/priority left its egress queue.
    void Dequeued(uint32_t egress, uint32_t ingress, uint32_t priority, uint32_t size);
    /// Dynamic shared-buffer limit: Alpha x the free shared pool, bytes.
    double Threshold() const;
    /// XOFF threshold of a lossless ingress priority: StaticXoffBytes, or Threshold().
    double XoffThreshold() const;
    /// While a PAUSE is asserted: send it and schedule the next refresh.
    void PfcRefresh(uint32_t ingress, uint32_t priority);
    /// \return true if a paused ingress priority may be resumed now (XON)
    bool CanResume(uint32_t ingress, uint32_t priority) const;
    /// Send RESUME upstream and stop the refreshes.
    void Resume(uint32_t ingress, uint32_t priority);
    void InitBuffer();
    bool IsLossless(uint32_t priority) const;

    std::vector<Ptr<VclosNetDevice>> m_ports;
    std::vector<VclosNetDevice*> m_portPtr;          //!< raw view of m_ports for the hot path
    std::shared_ptr<vclos::ForwardingTable> m_table; //!< routes, source/flow routes, seed
    uint64_t m_noRouteDrops;
    TracedCallback<Ptr<const Packet>> m_noRouteTrace;

    // Shared buffer (MMU), PFC and ECN.
    uint32_t m_bufferBytes;  //!< total buffer; 0: each port tail-drops at its QueueBytes
    bool m_pfcEnabled;       //!< PFC on the lossless priorities
    uint32_t m_losslessMask; //!< bit p set: priority p is lossless
    double m_alpha;          //!< dynamic threshold factor
    uint32_t m_staticXoff;   //!< static XOFF threshold (0: dynamic)
    uint32_t m_xonOffset;    //!< resume when usage falls this far below XOFF
    uint32_t m_headroomAttr; //!< headroom per port and lossless priority (0: automatic)
    uint16_t m_pauseQuanta;  //!< quanta in a PAUSE frame
    bool m_ecnEnabled;       //!< RED/ECN marking
    uint32_t m_kmin;         //!< ECN Kmin at 100 Gbps, bytes
    uint32_t m_kmax;         //!< ECN Kmax at 100 Gbps, bytes
    double m_pmax;           //!< ECN marking probability at Kmax
    Ptr<UniformRandomVariable> m_ecnRng;
    bool m_bufferReady;
    double m_sharedPool;                                  //!< buffer less the reserved headroom
    double m_sharedUsed;                                  //!< bytes in the shared pool
    std::vector<uint32_t> m_headroom;                     //!< per port
    std::vector<std::array<uint32_t, 8>> m_ingressShared; //!< per port, priority
    std::vector<std::array<uint32_t, 8>> m_ingressHeadroom;
    std::vector<std::array<bool, 8>> m_pauseSent;
    std::vector<std::array<EventId, 8>> m_pfcRefresh;
    uint64_t m_bufferDrops;
    uint64_t m_losslessDrops;
    uint64_t m_hopLimitDrops;
    TracedCallback<Ptr<const Packet>> m_hopLimitTrace;
    TracedCallback<Ptr<const Packet>> m_bufferDropTrace;
    TracedCallback<Ptr<const Packet>, uint32_t> m_ecnMarkTrace; //!< marked packet, egress port
    TracedCallback<uint32_t, uint32_t, bool> m_pfcSentTrace;    //!< ingress port, priority, pause
};

} // namespace ns3

#endif // VCLOS_SWITCH_H
