/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_FORWARDING_TABLE_H
#define VCLOS_FORWARDING_TABLE_H

// Pure code: what one switch forwards by. No ns-3 dependency.

#include "ns3/ecmp-hash.h"

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * The forwarding state of one switch, and its forwarding decision SelectPort().
 *
 * - Destination routes: per destination GPU (an array index) an equal-cost group of
 *   output ports; identical groups are stored once.
 * - Flow routes: (source GPU, destination GPU) -> port, matched on the packet's own
 *   addresses (data and control alike), consulted only when at least one is installed.
 * - Source routes: per GPU g a member index of the destination's group. It applies to
 *   DATA packets from g, and to CONTROL packets (ACK, NAK, CNP) by one of two rules
 *   (ControlRoute, doc/topology.rst): REVERSE_PATH (the default), control packets to g
 *   follow g's route, so a queue pair's acknowledgements take its data's path backwards
 *   when the routes of both directions are installed; SENDER, control packets from g
 *   follow g's route, so every packet leaves on its sender's member and a leaf uplink
 *   carries the output of the NICs routed to it only. A group of one port ignores source
 *   routes; a member at or beyond the group's size falls back to ECMP.
 * - ECMP: EcmpHash(5-tuple, seed) modulo the group size.
 *
 * Precedence: flow route > source route > ECMP hash. VclosSwitch forwards every packet
 * with SelectPort(), and Routing::Path() computes paths with the same function, so the
 * two cannot disagree. Tables are shared (std::shared_ptr) between a switch and Routing.
 */
class ForwardingTable
{
  public:
    /// No route (SelectPort()) / no port.
    static constexpr uint32_t NO_PORT = 0xFFFFFFFF;
    /// No source route installed for a GPU.
    static constexpr uint32_t NO_MEMBER = 0xFFFFFFFF;

    /// \param nPorts ports of the switch (routes through other ports are rejected)
    explicit ForwardingTable(uint32_t nPorts = 0);

    /// \param nPorts ports of the switch (only grows: routes stay valid)
    void SetNPorts(uint32_t nPorts);
    /// \return ports of the switch
    uint32_t GetNPorts() const;

    /**
     * Set the equal-cost next hops toward a destination GPU (replaces any earlier entry;
     * an empty list removes the route).
     * \param dstGpu destination GPU id (< kMaxGpus)
     * \param ports output ports, in the order members are numbered
     * \throws std::invalid_argument for a GPU id out of range or a missing port
     */
    void SetRoute(uint32_t dstGpu, const std::vector<uint32_t>& ports);
    /// \param dstGpu destination GPU \return its group (empty if none)
    std::vector<uint32_t> GetRoute(uint32_t dstGpu) const;
    /// \return number of distinct equal-cost groups stored
    std::size_t GetNGroups() const;
    /**
     * Free the equal-cost groups that no destination uses any more (routes that changed
     * leave their old group stored; a fabric whose routes follow reconfigured circuits
     * calls this after each change). Routes and decisions are unchanged.
     * \return number of groups freed
     */
    std::size_t CompactGroups();

    /**
     * Static route for the packets from \p srcGpu to \p dstGpu (overrides the rest).
     * \param srcGpu source GPU
     * \param dstGpu destination GPU
     * \param port output port
     * \throws std::invalid_argument for a missing port
     */
    void SetFlowRoute(uint32_t srcGpu, uint32_t dstGpu, uint32_t port);
    /// Remove a flow route (no-op if absent). \param srcGpu source \param dstGpu destination
    void RemoveFlowRoute(uint32_t srcGpu, uint32_t dstGpu);
    /// Remove every flow route.
    void ClearFlowRoutes();
    /// \return number of flow routes
    std::size_t GetNFlowRoutes() const;

    /// Which GPU's source route a control packet (ACK, NAK, CNP) follows.
    enum class ControlRoute
    {
        REVERSE_PATH, //!< its destination's: the data's path backwards
        SENDER        //!< its source's: the uplink of the NIC that sends it
    };
    /// \param rule the rule for control packets (default REVERSE_PATH)
    void SetControlRoute(ControlRoute rule);
    /// \return the rule for control packets
    ControlRoute GetControlRoute() const;

    /**
     * Source route of GPU \p gpu: member \p member of the destination's group for data
     * packets from \p gpu and control packets to \p gpu.
     * \param gpu the GPU (< kMaxGpus)
     * \param member the group member index (>= group size: ECMP decides)
     * \throws std::invalid_argument for a GPU id out of range or member == NO_MEMBER
     */
    void SetSourceRoute(uint32_t gpu, uint32_t member);
    /// Remove a source route (no-op if absent). \param gpu the GPU
    void RemoveSourceRoute(uint32_t gpu);
    /// Remove every source route.
    void ClearSourceRoutes();
    /// \param gpu the GPU \return its member index, or NO_MEMBER
    uint32_t GetSourceRoute(uint32_t gpu) const;
    /// \return number of GPUs with a source route
    std::size_t GetNSourceRoutes() const;

    /// \param seed the ECMP hash seed
    void SetSeed(uint32_t seed);
    /// \return the ECMP hash seed
    uint32_t GetSeed() const;

    /**
     * The forwarding decision.
     * \param key the packet's 5-tuple
     * \param control true for ACK, NAK and CNP packets (they follow the source route of
     *        GetControlRoute()), false for data (the source's)
     * \return the output port, or NO_PORT if no route matches
     */
    uint32_t SelectPort(const FlowKey& key, bool control) const
    {
        const uint32_t dst = GpuOfIp(key.dstIp);
        if (!m_flowRoutes.empty())
        {
            auto it = m_flowRoutes.find(FlowRouteKey(GpuOfIp(key.srcIp), dst));
            if (it != m_flowRoutes.end())
            {
                return it->second;
            }
        }
        if (dst >= m_routeGroup.size() || m_routeGroup[dst] == NO_PORT)
        {
            return NO_PORT;
        }
        const std::vector<uint32_t>& group = m_groups[m_routeGroup[dst]];
        if (group.size() == 1)
        {
            return group[0];
        }
        if (m_nSourceRoutes != 0)
        {
            const uint32_t owner = (control && !m_controlBySender) ? dst : GpuOfIp(key.srcIp);
            if (owner < m_sourceMember.size() && m_sourceMember[owner] < group.size())
            {
                return group[m_sourceMember[owner]];
            }
        }
        return group[EcmpHash(key, m_seed) % group.size()];
    }

  private:
    static uint64_t FlowRouteKey(uint32_t src, uint32_t dst)
    {
        return (static_cast<uint64_t>(src) << 32) | dst;
    }

    void CheckPort(uint32_t port, const char* what) const;

    uint32_t m_nPorts;
    std::vector<uint32_t> m_routeGroup;                  //!< per destination GPU: group index
    std::vector<std::vector<uint32_t>> m_groups;         //!< equal-cost groups (deduplicated)
    std::unordered_map<uint64_t, uint32_t> m_flowRoutes; //!< (src << 32 | dst) -> port
    std::vector<uint32_t> m_sourceMember;                //!< per GPU: member, or NO_MEMBER
    std::size_t m_nSourceRoutes;
    bool m_controlBySender{false}; //!< ControlRoute::SENDER
    uint32_t m_seed;
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_FORWARDING_TABLE_H
