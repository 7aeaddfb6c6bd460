/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_LEAF_SPINE_HELPER_H
#define VCLOS_LEAF_SPINE_HELPER_H

#include "ns3/cluster-topology.h"
#include "ns3/data-rate.h"
#include "ns3/node-container.h"
#include "ns3/nstime.h"
#include "ns3/object-factory.h"
#include "ns3/rdma-nic.h"
#include "ns3/routing.h"
#include "ns3/vclos-net-device.h"
#include "ns3/vclos-switch.h"

#include <memory>
#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup vclos
 * Shape and link parameters of a two-tier leaf-spine cluster.
 */
struct LeafSpineConfig
{
    uint32_t leaves{2};                //!< leaf switches
    uint32_t spines{2};                //!< spine switches
    uint32_t gpusPerLeaf{4};           //!< GPUs (NICs) below each leaf
    uint32_t gpusPerServer{1};         //!< GPUs per server (> 1 adds a server switch)
    uint32_t linksPerLeafSpine{1};     //!< parallel links between each leaf and spine
    DataRate hostRate{"100Gbps"};      //!< GPU NIC <-> leaf
    Time hostDelay{MicroSeconds(1)};   //!< GPU NIC <-> leaf propagation delay
    DataRate fabricRate{"100Gbps"};    //!< leaf <-> spine
    Time fabricDelay{MicroSeconds(1)}; //!< leaf <-> spine propagation delay
    DataRate intraRate{"1000Gbps"};    //!< GPU <-> server switch (NVSwitch-like)
    Time intraDelay{NanoSeconds(500)}; //!< GPU <-> server switch propagation delay
    uint32_t queueBytes{1 << 20};      //!< egress buffer of every switch and NIC port
    bool sameHashSeed{false};          //!< all switches share one ECMP seed (polarization)
};

/**
 * \ingroup vclos
 * Builds a leaf-spine GPU cluster: GPU nodes with an RdmaNic each, leaf and spine
 * VclosSwitch nodes, optional server switches joining the GPUs of a server, all
 * connected by VclosChannel cables, with destination routes (ECMP over the uplinks
 * at the leaves, over parallel links at the spines) installed in every switch.
 *
 * The ns-3 world is built from a pure vclos::ClusterTopology (ClusterTopology::LeafSpine
 * of the configuration): one ns-3 Node per topology node (same order, so ns-3 node ids
 * equal topology node ids when the helper creates the first nodes of the simulation),
 * one VclosNetDevice per port, one VclosChannel per cable, and GetLinks() lists the
 * topology's links in id order. Every switch forwards by the vclos::ForwardingTable that
 * the pure vclos::Routing holds for it (shared, not copied): routes changed through a
 * switch or through GetRouting() are one state, and GetPath() (Routing::Path) is what the
 * switches do. ECMP seeds are vclos::SwitchHashSeed(run seed, node id) (or one
 * SharedHashSeed with sameHashSeed); queue pairs created by CreateQp() without a port get
 * vclos::QpSourcePort ports from the same run seed (RdmaNic attribute RunSeed).
 *
 * GPU g is on server g / gpusPerServer and below leaf g / gpusPerLeaf, with address
 * 10.0.0.1 + g. Oversubscription: fewer spines than GPUs per leaf, or slower fabric links.
 */
class LeafSpineHelper
{
  public:
    /// Kind of a link, for results.
    using LinkKind = vclos::LinkKind;

    /// One direction of a cable.
    struct Link
    {
        uint32_t id;                //!< index in GetLinks()
        std::string src;            //!< sending node's name, e.g. "gpu3", "leaf0"
        std::string dst;            //!< receiving node's name
        LinkKind kind;              //!< kind
        Ptr<VclosNetDevice> device; //!< the sending port (its counters are the link's)
    };

    /// \param config the cluster shape and link parameters
    explicit LeafSpineHelper(const LeafSpineConfig& config);

    /**
     * Set an attribute of every RdmaNic created by Build().
     * \param name attribute name
     * \param value attribute value
     */
    void SetNicAttribute(const std::string& name, const AttributeValue& value);
    /**
     * Set the run seed that ECMP seeds and default source ports derive from (call before
     * Build(); default: ns3::RngSeedManager::GetSeed() at Build()).
     * \param seed the run seed
     */
    void SetRunSeed(uint64_t seed);
    /// \return the run seed (after Build(), or once set)
    uint64_t GetRunSeed() const;

    /**
     * Set an attribute of every VclosSwitch created by Build() (HashSeed is set by Build()).
     * \param name attribute name
     * \param value attribute value
     */
    void SetSwitchAttribute(const std::string& name, const AttributeValue& value);

    /// Create nodes, devices, cables and routes. Call once.
    void Build();

    /**
     * Assign fixed random streams: one per switch (its ECN marking draws), in topology
     * node order (leaves, spines, server switches). ECMP seeds and source ports draw no
     * streams (they are pure functions of the run seed). Call before Build().
     * \param stream first stream index
     * \return number of streams used: leaves + spines (+ servers with gpusPerServer > 1)
     */
    int64_t AssignStreams(int64_t stream);

    /// \return the cluster graph (after Build())
    const vclos::ClusterTopology& GetTopology() const;
    /// \return the cluster graph, shared (after Build()): what a ClusterScheduler needs
    std::shared_ptr<const vclos::ClusterTopology> GetTopologyPtr() const;
    /// \return the forwarding tables the switches use (after Build())
    vclos::Routing& GetRouting();
    /// \return the forwarding tables the switches use (after Build())
    const vclos::Routing& GetRouting() const;
    /**
     * \param node a topology node id
     * \return the switch of that node (null for a GPU)
     */
    Ptr<VclosSwitch> GetSwitch(uint32_t node) const;

    /// \return the configuration
    const LeafSpineConfig& GetConfig() const;
    uint32_t GetNGpus() const;                       //!< \return number of GPUs
    Ptr<Node> GetGpuNode(uint32_t gpu) const;        //!< \param gpu id \return its node
    Ptr<RdmaNic> GetNic(uint32_t gpu) const;         //!< \param gpu id \return its NIC
    Ptr<VclosSwitch> GetLeaf(uint32_t leaf) const;   //!< \param leaf index \return the switch
    Ptr<VclosSwitch> GetSpine(uint32_t spine) const; //!< \param spine index \return the switch
    /// \param server index \return its server switch (null with one GPU per server)
    Ptr<VclosSwitch> GetServerSwitch(uint32_t server) const;
    uint32_t GetLeafOf(uint32_t gpu) const;   //!< \param gpu id \return its leaf
    uint32_t GetServerOf(uint32_t gpu) const; //!< \param gpu id \return its server
    /// \return every link direction
    const std::vector<Link>& GetLinks() const;
    /**
     * Port number of the leaf's uplink toward \p spine (parallel link \p k).
     * \param spine spine index
     * \param k parallel link index
     * \return leaf port number (the same on every leaf)
     */
    uint32_t GetLeafUplinkPort(uint32_t spine, uint32_t k = 0) const;

    /**
     * The links a packet of this flow crosses, as the switches would forward it now
     * (their routes, flow routes, source routes and ECMP hashes): vclos::Routing::Path().
     * \param srcGpu source GPU
     * \param dstGpu destination GPU
     * \param srcPort UDP source port of the flow (its queue pair's)
     * \param control true for the flow's ACK/NAK/CNP packets (sent by dstGpu's side:
     *        then pass the ACK's source and destination)
     * \return link ids in order; empty if the flow has no route
     */
    std::vector<uint32_t> GetPath(uint32_t srcGpu,
                                  uint32_t dstGpu,
                                  uint16_t srcPort,
                                  bool control = false) const;

    /**
     * Write a pcap file (DLT_RAW: IPv4) of the packets sent and received by a GPU's
     * network port.
     * \param filename the file
     * \param gpu the GPU
     */
    void EnablePcap(const std::string& filename, uint32_t gpu);

  private:
    Ptr<VclosNetDevice> MakeDevice(Ptr<Node> node, DataRate rate);
    /// Give a device to the NIC or switch of a topology node; checks the port number.
    void AddPort(uint32_t node, uint32_t port, Ptr<VclosNetDevice> dev);

    LeafSpineConfig m_config;
    ObjectFactory m_nicFactory;
    ObjectFactory m_switchFactory;
    bool m_built;
    NodeContainer m_gpus;
    std::vector<Ptr<RdmaNic>> m_nics;
    std::vector<Ptr<VclosSwitch>> m_leaves;
    std::vector<Ptr<VclosSwitch>> m_spines;
    std::vector<Ptr<VclosSwitch>> m_serverSwitches;
    std::vector<Ptr<VclosSwitch>> m_switchOfNode; //!< per topology node (null for GPUs)
    std::vector<Ptr<Node>> m_nodes;               //!< per topology node
    std::vector<Link> m_links;
    std::shared_ptr<const vclos::ClusterTopology> m_topology;
    std::unique_ptr<vclos::Routing> m_routing;
    uint64_t m_runSeed{0};
    bool m_runSeedSet{false};
    uint32_t m_mtu;
    int64_t m_streamBase{0};
};

} // namespace ns3

#endif // VCLOS_LEAF_SPINE_HELPER_H
