/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_ROUTING_H
#define VCLOS_ROUTING_H

// Pure code: the forwarding tables of a cluster and the paths they produce. No ns-3.

#include "ns3/cluster-topology.h"
#include "ns3/ecmp-hash.h"
#include "ns3/forwarding-table.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace ns3
{
namespace vclos
{

/// UDP destination port of RoCEv2.
constexpr uint16_t kRoceV2Port = 4791;
/// IP protocol number of UDP.
constexpr uint8_t kUdpProtocol = 17;

/**
 * \ingroup vclos
 * One ForwardingTable per switch node of a ClusterTopology, and Path(): the links a
 * packet takes, computed with the switches' own forwarding decision.
 *
 * The constructor fills the leaf-spine default routes (the ones LeafSpineHelper has
 * always installed): a leaf reaches its own GPUs by their host port and every other GPU
 * over the equal-cost group of all its uplinks, listing parallel link 0 of every spine
 * first, then link 1, ... (member m = spine m % spines, parallel link m / spines); a
 * spine reaches a GPU over the parallel links to its leaf (member k = link k); a server
 * switch reaches its GPUs by port. ECMP seeds are SwitchHashSeed(runSeed, node id), or
 * SharedHashSeed(runSeed) on every switch with \p sameSeed.
 *
 * The packet simulation shares these tables with its switches (LeafSpineHelper), so a
 * route changed through either is one state.
 */
class Routing
{
  public:
    /**
     * \param topology the cluster (kept alive by the routing)
     * \param runSeed the run seed
     * \param sameSeed one ECMP seed for every switch (polarization) instead of one each
     */
    Routing(std::shared_ptr<const ClusterTopology> topology, uint64_t runSeed, bool sameSeed);

    /// \return the topology
    const ClusterTopology& GetTopology() const;
    /// \return the run seed
    uint64_t GetRunSeed() const;
    /**
     * \param node a switch node id
     * \return its table (null for a GPU or a missing node)
     */
    std::shared_ptr<ForwardingTable> GetTable(uint32_t node) const;
    /**
     * Set the control-packet rule of every switch's table (ForwardingTable::SetControlRoute).
     * \param rule the rule
     */
    void SetControlRoute(ForwardingTable::ControlRoute rule);

    /**
     * Install the source routes of the rule "GPU i uses uplink i mod n" for the GPUs of a
     * job: for every GPU g of \p gpus, on every leaf of the job member (g mod n) of the
     * uplink group, n = spines x parallel links, and on every spine member
     * (g mod n) / spines (the parallel link). Data from g then leaves every leaf toward
     * the same spine and parallel link, and ACKs to g come back over the same cables.
     * \param gpus the job's GPUs
     * \return the member index installed at the leaves per GPU, in \p gpus order
     */
    std::vector<uint32_t> InstallUplinkSourceRoutes(const std::vector<uint32_t>& gpus);
    /**
     * Remove the source routes of these GPUs from every switch.
     * \param gpus the GPUs
     */
    void RemoveSourceRoutes(const std::vector<uint32_t>& gpus);

    /**
     * The links a packet from \p srcGpu to \p dstGpu crosses, as the switches forward it now.
     * \param srcGpu source GPU (the packet's source address)
     * \param dstGpu destination GPU
     * \param srcPort UDP source port
     * \param control true for an ACK/NAK/CNP packet
     * \return link ids in order; empty if a switch has no route, the packet would loop or
     *         it reaches another GPU
     */
    std::vector<uint32_t> Path(uint32_t srcGpu,
                               uint32_t dstGpu,
                               uint16_t srcPort,
                               bool control = false) const;
    /**
     * Path() without allocating: append the links to \p out.
     * \param srcGpu source GPU
     * \param dstGpu destination GPU
     * \param srcPort UDP source port
     * \param control true for an ACK/NAK/CNP packet
     * \param[in,out] out the links are appended to it (nothing on failure)
     * \return false (and \p out unchanged) where Path() returns an empty path
     */
    bool AppendPath(uint32_t srcGpu,
                    uint32_t dstGpu,
                    uint16_t srcPort,
                    bool control,
                    std::vector<uint32_t>& out) const;

    /// One flow of a batch for AppendPaths().
    struct PathRequest
    {
        uint32_t srcGpu;  //!< source GPU
        uint32_t dstGpu;  //!< destination GPU
        uint16_t srcPort; //!< UDP source port
    };

    /**
     * Path() of many data flows at once, hop by hop over the whole batch (the lookups of
     * different flows overlap in memory): the links of flow i are appended to \p out, flow
     * after flow, and \p end[i] is the end of flow i's links in \p out.
     * \param flows the flows
     * \param[in,out] out links appended
     * \param[out] end per flow: out.size() after its links
     * \return false (and \p out as it was) if a flow has no path (see Path())
     * Not reentrant: it uses scratch arrays of the Routing.
     */
    bool AppendPaths(const std::vector<PathRequest>& flows,
                     std::vector<uint32_t>& out,
                     std::vector<std::size_t>& end) const;

    /**
     * The path of the ACKs (and NAKs, CNPs) of the flow srcGpu -> dstGpu: a control
     * packet from \p dstGpu to \p srcGpu with the same UDP source port (both ends of a
     * queue pair use one port).
     * \param srcGpu the flow's source GPU
     * \param dstGpu the flow's destination GPU
     * \param srcPort the flow's UDP source port
     * \return link ids in order, from dstGpu to srcGpu
     */
    std::vector<uint32_t> ReversePath(uint32_t srcGpu, uint32_t dstGpu, uint16_t srcPort) const;

    /// \return the 5-tuple of a RoCEv2 packet from \p srcGpu to \p dstGpu
    static FlowKey MakeKey(uint32_t srcGpu, uint32_t dstGpu, uint16_t srcPort);

  private:
    void InstallLeafSpineRoutes();

    std::shared_ptr<const ClusterTopology> m_topology;
    uint64_t m_runSeed;
    std::vector<std::shared_ptr<ForwardingTable>> m_tables; //!< per node (null for GPUs)
    // Flat copies of the (immutable) topology for AppendPath(): the flow level calls it
    // for every pair of every collective phase.
    std::vector<const ForwardingTable*> m_table; //!< per node: its table (null for GPUs)
    std::vector<uint32_t> m_linkDst;             //!< per link: receiving node
    std::vector<uint32_t> m_portBase;            //!< per node (+1): first entry in m_portLink
    std::vector<uint32_t> m_portLink;            //!< per node and port: the leaving link
    std::vector<uint32_t> m_gpuNode;             //!< per GPU: node id
    std::vector<uint32_t> m_gpuIntra;            //!< per GPU: node behind NIC port 1, or NONE
    mutable std::vector<uint32_t> m_hopLinks;    //!< AppendPaths() scratch
    mutable std::vector<uint32_t> m_batchLink;   //!< AppendPaths() scratch
    mutable std::vector<uint32_t> m_batchLen;    //!< AppendPaths() scratch
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_ROUTING_H
