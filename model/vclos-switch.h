/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_SWITCH_H
#define VCLOS_SWITCH_H

#include "ecmp-hash.h"
#include "vclos-net-device.h"

#include "ns3/object.h"
#include "ns3/traced-callback.h"

#include <unordered_map>
#include <vector>

namespace ns3
{

/**
 * \ingroup vclos
 * A store-and-forward packet switch (leaf, spine or server switch), aggregated to a Node.
 *
 * Forwarding is by destination GPU (an array index: GPU addresses are 10.0.0.1 + GPU id).
 * Each destination maps to a next-hop group of one or more ports; with more than one
 * port the switch picks EcmpHash(5-tuple, HashSeed) modulo the group size, so a flow
 * always takes the same port at a given switch. Static per-flow routes
 * (source GPU, destination GPU) -> port, installed at run time by a scheduler,
 * override the hash. Each port queues in its own egress FIFO (VclosNetDevice).
 */
class VclosSwitch : public Object
{
  public:
    /// Returned by SelectPort when the switch has no route.
    static constexpr uint32_t NO_PORT = 0xFFFFFFFF;

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
     * The output port for a packet with this 5-tuple: the forwarding decision itself,
     * also used to compute paths without sending packets.
     * \param key the packet's 5-tuple
     * \return the port, or NO_PORT
     */
    uint32_t SelectPort(const vclos::FlowKey& key) const;

    /// \param seed the ECMP hash seed
    void SetHashSeed(uint32_t seed);
    /// \return the ECMP hash seed
    uint32_t GetHashSeed() const;
    /// \return packets dropped because no route matched
    uint64_t GetNoRouteDrops() const;

  private:
    void DoDispose() override;
    void Receive(Ptr<VclosNetDevice> in, Ptr<Packet> p);

    std::vector<Ptr<VclosNetDevice>> m_ports;
    std::vector<VclosNetDevice*> m_portPtr;           //!< raw view of m_ports for the hot path
    std::vector<uint32_t> m_routeGroup;               //!< per destination GPU: group index
    std::vector<std::vector<uint32_t>> m_groups;      //!< next-hop groups (deduplicated)
    std::unordered_map<uint64_t, uint32_t> m_flowRoutes; //!< (src << 32 | dst) -> port
    uint32_t m_seed;
    uint64_t m_noRouteDrops;
    TracedCallback<Ptr<const Packet>> m_noRouteTrace;
};

} // namespace ns3

#endif // VCLOS_SWITCH_H
