/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_CLUSTER_TOPOLOGY_H
#define VCLOS_CLUSTER_TOPOLOGY_H

// Pure code: the cluster graph. No ns-3 dependency.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace ns3
{
namespace vclos
{

/// Kind of a node of a ClusterTopology.
enum class NodeKind : uint8_t
{
    GPU,           //!< a GPU with its NIC (port 0: network, port 1: intra-server)
    SERVER_SWITCH, //!< the switch joining the GPUs of one server (NVSwitch-like)
    LEAF,          //!< a top-of-rack (leaf) switch
    SPINE,         //!< a spine switch
    // OCS ports come later; switch-like kinds must keep IsSwitch() true.
};

/// Kind of a link, for results.
enum class LinkKind : uint8_t
{
    HOST,   //!< GPU NIC <-> leaf
    FABRIC, //!< leaf <-> spine
    INTRA   //!< GPU <-> server switch
};

/// \return "gpu", "server_switch", "leaf" or "spine"
const char* NodeKindName(NodeKind kind);
/// \return "host", "fabric" or "intra" (the results database's link kinds)
const char* LinkKindName(LinkKind kind);

/// Rate and propagation delay of one class of cables.
struct LinkParams
{
    uint64_t rateBps{100000000000ULL}; //!< bits per second (> 0)
    int64_t delayPs{1000000};          //!< one-way propagation delay, picoseconds (>= 0)
};

/// Shape of a two-tier leaf-spine cluster (what LeafSpineHelper builds).
struct LeafSpineShape
{
    uint32_t leaves{2};            //!< leaf switches
    uint32_t spines{2};            //!< spine switches
    uint32_t gpusPerLeaf{4};       //!< GPUs below each leaf
    uint32_t gpusPerServer{1};     //!< GPUs per server (> 1 adds a server switch per server)
    uint32_t linksPerLeafSpine{1}; //!< parallel cables between each leaf and each spine
    LinkParams host{};             //!< GPU NIC <-> leaf
    LinkParams fabric{};           //!< leaf <-> spine
    LinkParams intra{1000000000000ULL, 500000}; //!< GPU <-> server switch
};

/**
 * \ingroup vclos
 * A node of the cluster graph.
 */
struct TopoNode
{
    uint32_t id;                //!< node id (index in the topology)
    NodeKind kind;              //!< kind
    uint32_t index;             //!< index among the nodes of its kind (GPU id, leaf index...)
    std::string name;           //!< "gpu3", "leaf0", "spine1", "server2"
    std::vector<uint32_t> port; //!< per port: the id of the link that leaves by it
};

/**
 * \ingroup vclos
 * One direction of a cable: a directed link from a port of one node to a port of another.
 */
struct TopoLink
{
    uint32_t id;      //!< link id (index in the topology)
    uint32_t src;     //!< sending node id
    uint32_t srcPort; //!< sending port
    uint32_t dst;     //!< receiving node id
    uint32_t dstPort; //!< receiving port
    uint64_t rateBps; //!< bits per second
    int64_t delayPs;  //!< propagation delay, picoseconds
    LinkKind kind;    //!< kind
    uint32_t reverse; //!< the link of the other direction of the same cable
};

/**
 * \ingroup vclos
 * The cluster as a graph: nodes (GPUs, server switches, leaves, spines) with numbered
 * ports, and directed links with stable ids, rates (bits/s, integer) and delays (integer
 * picoseconds, the resolution of the packet simulation).
 *
 * Node ids and link ids are assigned in creation order and never change. Each cable is
 * two links with consecutive ids: the direction from the first node given to Connect()
 * (even id 2c) and back (2c + 1). A node's ports are numbered in the order its cables
 * were connected.
 *
 * LeafSpine() builds the two-tier shape of LeafSpineHelper with its port numbering; the
 * packet simulation creates one device per port and one channel per cable from this
 * graph, so a link id names the same link in the core, the packet simulation and the
 * results database.
 */
class ClusterTopology
{
  public:
    /// "No such node/port/link".
    static constexpr uint32_t NONE = 0xFFFFFFFF;

    /**
     * Add a node.
     * \param kind its kind
     * \param name its name (unique)
     * \return its id
     */
    uint32_t AddNode(NodeKind kind, const std::string& name);
    /**
     * Add a cable between a new port of \p a and a new port of \p b.
     * \param a first node
     * \param b second node
     * \param spec rate and delay
     * \param kind link kind
     * \return the id of the link a -> b; b -> a is that id + 1
     * \throws std::invalid_argument for a missing node, a self-loop, rate 0 or delay < 0
     */
    uint32_t Connect(uint32_t a, uint32_t b, const LinkParams& spec, LinkKind kind);

    /**
     * Build the leaf-spine cluster of LeafSpineHelper.
     *
     * Nodes: GPUs 0..G-1 first (node id = GPU id), then the leaves, the spines and the
     * server switches (only if gpusPerServer > 1). GPU g is below leaf g / gpusPerLeaf
     * and in server g / gpusPerServer. Links, in id order: for each GPU g its host cable
     * (NIC port 0 <-> leaf port g % gpusPerLeaf); for each leaf l, spine s, parallel link
     * k a fabric cable (leaf port gpusPerLeaf + s * links + k <-> spine port l * links + k);
     * for each server v and local GPU j an intra cable (NIC port 1 <-> server switch port j).
     *
     * \param shape the shape
     * \return the topology
     * \throws std::invalid_argument if a size is 0, gpusPerServer does not divide
     *         gpusPerLeaf, a rate is 0, a delay negative, or there are more GPUs than
     *         addresses (kMaxGpus)
     */
    static ClusterTopology LeafSpine(const LeafSpineShape& shape);

    /// \return number of nodes
    uint32_t GetNNodes() const;
    /// \param id node id \return the node (throws std::out_of_range)
    const TopoNode& GetNode(uint32_t id) const;
    /// \return number of links (two per cable)
    uint32_t GetNLinks() const;
    /// \param id link id \return the link (throws std::out_of_range)
    const TopoLink& GetLink(uint32_t id) const;
    /// \return every link, in id order
    const std::vector<TopoLink>& GetLinks() const;
    /// \param name a node name \return its id, or NONE
    uint32_t FindNode(const std::string& name) const;
    /// \param id node id \return true for every kind that forwards packets
    bool IsSwitch(uint32_t id) const;
    /// \return the ids of the switch nodes, in id order
    std::vector<uint32_t> GetSwitches() const;

    /// \return number of GPUs
    uint32_t GetNGpus() const;
    /// \param gpu GPU id \return its node id (throws std::out_of_range)
    uint32_t GetGpuNode(uint32_t gpu) const;
    /// \param kind a kind \param index index among that kind \return node id or NONE
    uint32_t GetNodeOfKind(NodeKind kind, uint32_t index) const;
    /// \return the number of nodes of \p kind
    uint32_t GetNNodesOfKind(NodeKind kind) const;
    /**
     * \param node node id
     * \param port port number
     * \return the id of the link leaving by that port (throws std::out_of_range)
     */
    uint32_t GetPortLink(uint32_t node, uint32_t port) const;
    /**
     * The far end of a port's cable.
     * \param node node id
     * \param port port number
     * \return (peer node id, peer port)
     */
    std::pair<uint32_t, uint32_t> GetPeer(uint32_t node, uint32_t port) const;

    /// \return the leaf-spine shape this was built from (all zero if built by hand)
    const LeafSpineShape& GetShape() const;
    /// \return true if built by LeafSpine()
    bool IsLeafSpine() const;
    /// \param gpu GPU id \return its leaf's index (leaf-spine only)
    uint32_t GetLeafOf(uint32_t gpu) const;
    /// \param gpu GPU id \return its server's index (leaf-spine only)
    uint32_t GetServerOf(uint32_t gpu) const;
    /// \param gpu GPU id \return node id of its leaf
    uint32_t GetLeafNodeOf(uint32_t gpu) const;
    /// \param gpu GPU id \return node id of its server switch, or NONE
    uint32_t GetServerSwitchNodeOf(uint32_t gpu) const;
    /**
     * \param spine spine index
     * \param k parallel link index
     * \return the leaf port toward \p spine over parallel link \p k (the same on every leaf)
     */
    uint32_t GetLeafUplinkPort(uint32_t spine, uint32_t k = 0) const;
    /**
     * \param srcGpu source GPU
     * \param dstGpu destination GPU
     * \return the NIC port a packet from srcGpu to dstGpu leaves by: 1 (intra-server) if
     *         both GPUs share a server switch, else 0 (what RdmaNic does)
     */
    uint32_t GetNicPort(uint32_t srcGpu, uint32_t dstGpu) const;

  private:
    std::vector<TopoNode> m_nodes;
    std::vector<TopoLink> m_links;
    std::vector<uint32_t> m_gpuNode;                        //!< GPU id -> node id
    std::vector<std::vector<uint32_t>> m_nodeOfKind;        //!< kind -> index -> node id
    std::unordered_map<std::string, uint32_t> m_nodeOfName; //!< name -> node id
    LeafSpineShape m_shape{0, 0, 0, 0, 0, {}, {}, {}};
    bool m_leafSpine{false};
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_CLUSTER_TOPOLOGY_H
