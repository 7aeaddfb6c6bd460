/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_OCS_FABRIC_HELPER_H
#define VCLOS_OCS_FABRIC_HELPER_H

#include "ns3/data-rate.h"
#include "ns3/leaf-spine-helper.h"
#include "ns3/node-container.h"
#include "ns3/nstime.h"
#include "ns3/ocs-channel.h"
#include "ns3/ocs-fabric.h"
#include "ns3/ocs-helper.h"
#include "ns3/placement.h"
#include "ns3/rdma-nic.h"
#include "ns3/vclos-switch.h"

#include <map>
#include <memory>
#include <tuple>
#include <vector>

namespace ns3
{

/**
 * \ingroup vclos
 * Shape and link parameters of a leaf-OCS-spine cluster.
 */
struct OcsFabricConfig
{
    vclos::OcsFabricShape shape;                 //!< leaves, GPUs, uplinks (OCSes), spines
    DataRate hostRate{"100Gbps"};                //!< GPU NIC <-> leaf
    Time hostDelay{MicroSeconds(1)};             //!< GPU NIC <-> leaf propagation delay
    DataRate fabricRate{"100Gbps"};              //!< leaf and spine OCS-facing ports
    Time fibreDelay{NanoSeconds(500)};           //!< each fibre between a switch and an OCS
    Time reconfigurationDelay{MilliSeconds(25)}; //!< OcsChannel ReconfigurationDelay
    uint32_t queueBytes{1 << 20};                //!< egress buffer of every port
    uint32_t gpusPerServer{1};                   //!< > 1: a server switch joins a server's GPUs
    DataRate intraRate{"1000Gbps"};              //!< GPU <-> server switch (NVSwitch-like)
    Time intraDelay{NanoSeconds(500)};           //!< GPU <-> server switch propagation delay
};

/**
 * \ingroup vclos
 * Builds a leaf-OCS-spine GPU cluster (vclos::OcsFabric numbering): one GPU node with an
 * RdmaNic per GPU (GPU g below leaf g / gpusPerLeaf and in server g / gpusPerServer, address
 * 10.0.0.1 + g; with gpusPerServer > 1 a server VclosSwitch joins the GPUs of a server by
 * their NICs' second port, as LeafSpineHelper does), leaf and spine VclosSwitch nodes, and
 * one OcsChannel per leaf uplink index:
 * leaf l's uplink i (switch port gpusPerLeaf + i) on port l of OCS i, spine s's j-th port
 * on OCS i (switch port i * k + j) on port leaves + s * k + j.
 *
 * SetCircuits() (at once) and Reconfigure() (dark for the reconfiguration delay) set an
 * OCS's circuits; every switch's destination routes then follow the circuits set
 * (OcsFabric::LeafGroup / SpineGroup: ECMP over the usable uplinks; no route while no
 * circuit joins two leaves) and route groups no longer used are freed. Routes change at
 * the start of a reconfiguration: packets for a new circuit wait in their port's queue
 * until it is lit (the port's link is down).
 */
class OcsFabricHelper
{
  public:
    /// One direction of a cable (as LeafSpineHelper's): host links, leaf uplinks into
    /// their OCS, spine ports into their OCS.
    using Link = LeafSpineHelper::Link;

    /// \param config the cluster
    explicit OcsFabricHelper(const OcsFabricConfig& config);

    /**
     * Set an attribute of every RdmaNic created by Build() (RunSeed is set by Build()).
     * \param name attribute name
     * \param value attribute value
     */
    void SetNicAttribute(const std::string& name, const AttributeValue& value);
    /**
     * Set an attribute of every VclosSwitch created by Build().
     * \param name attribute name
     * \param value attribute value
     */
    void SetSwitchAttribute(const std::string& name, const AttributeValue& value);

    /// Create nodes, devices, switches and OCSes (no circuit). Call once.
    void Build();

    /**
     * Set an OCS's circuits at once and update the routes.
     * \param ocs OCS index
     * \param circuits its new map
     * \return false (nothing changed) if the map is invalid or joins two spines
     */
    bool SetCircuits(uint32_t ocs, const std::vector<OcsChannel::Circuit>& circuits);
    /**
     * Reconfigure an OCS (changed circuits dark for the reconfiguration delay) and update
     * the routes.
     * \param ocs OCS index
     * \param circuits its new map
     * \return false (nothing changed) if the map is invalid or joins two spines
     */
    bool Reconfigure(uint32_t ocs, const std::vector<OcsChannel::Circuit>& circuits);

    /**
     * Add circuits (a job's, vclos::Placement::circuits): every OCS they touch is
     * reconfigured once (the new circuits are dark for the reconfiguration delay; the
     * others are not disturbed) and the routes are updated.
     * \param circuits the circuits to add
     * \return per OCS touched (ascending): how many circuits it gained
     * \throws std::invalid_argument (nothing changed) if a port is taken or a circuit is
     *         invalid
     */
    std::vector<std::pair<uint32_t, uint32_t>> AddCircuits(
        const std::vector<vclos::OcsCircuit>& circuits);
    /**
     * Remove circuits (broken at once; the others are not disturbed) and update the routes.
     * \param circuits circuits set before by AddCircuits()
     * \return per OCS touched (ascending): how many circuits it lost
     */
    std::vector<std::pair<uint32_t, uint32_t>> RemoveCircuits(
        const std::vector<vclos::OcsCircuit>& circuits);
    /**
     * Pin a job's traffic to its circuits: for every ordered pair of its GPUs on two
     * leaves, a flow route (vclos::ForwardingTable::SetFlowRoute) at the source leaf out of
     * the sender's uplink (\p uplinks, per rank), and at the spine where that circuit ends
     * down the job's first circuit from that spine to the destination leaf (as the flow
     * engine routes an ocs-vclos job). ACKs take the reverse pair's route. Pairs within a
     * leaf keep the destination route.
     * \param gpus the job's GPUs in rank order
     * \param uplinks per rank the OCS of its uplink (vclos::Placement::uplinks)
     * \param circuits the job's circuits (set)
     * \throws std::invalid_argument if a rank sends across leaves with no circuit to follow
     */
    void InstallJobRoutes(const std::vector<uint32_t>& gpus,
                          const std::vector<uint32_t>& uplinks,
                          const std::vector<vclos::OcsCircuit>& circuits);
    /**
     * Remove the flow routes InstallJobRoutes() set for these GPUs.
     * \param gpus the job's GPUs
     */
    void RemoveJobRoutes(const std::vector<uint32_t>& gpus);

    /// \return the links (after Build()): per GPU g ids 2g (gpu -> leaf) and 2g + 1 (leaf
    ///         -> gpu), then every leaf's uplinks (leaf-major), then every spine's OCS ports
    ///         (spine-major, in switch port order), then with server switches per GPU g
    ///         gpu -> server and server -> gpu
    const std::vector<Link>& GetLinks() const;
    /**
     * The links a data packet crosses now, as the switches forward it and the circuits set
     * carry it (whether lit or not).
     * \param srcGpu source GPU \param dstGpu destination GPU \param srcPort UDP source port
     * \return link ids in order; empty if there is no route
     */
    std::vector<uint32_t> GetPath(uint32_t srcGpu, uint32_t dstGpu, uint16_t srcPort) const;
    /// \return number of GPUs
    uint32_t GetNGpus() const;
    /// \return every GPU's NIC, by GPU id
    const std::vector<Ptr<RdmaNic>>& GetNics() const;

    /// \return the fabric (circuits as set)
    const vclos::OcsFabric& GetFabric() const;
    /// \param ocs index \return the OCS
    Ptr<OcsChannel> GetOcs(uint32_t ocs) const;
    /// \param gpu GPU id \return its NIC
    Ptr<RdmaNic> GetNic(uint32_t gpu) const;
    /// \param leaf index \return the switch
    Ptr<VclosSwitch> GetLeaf(uint32_t leaf) const;
    /// \param spine index \return the switch
    Ptr<VclosSwitch> GetSpine(uint32_t spine) const;
    /// \return the server switches (none with one GPU per server), by server
    const std::vector<Ptr<VclosSwitch>>& GetServerSwitches() const;
    /// \param leaf index \return its forwarding table
    std::shared_ptr<vclos::ForwardingTable> GetLeafTable(uint32_t leaf) const;
    /// \param spine index \return its forwarding table
    std::shared_ptr<vclos::ForwardingTable> GetSpineTable(uint32_t spine) const;

  private:
    bool Apply(uint32_t ocs, const std::vector<OcsChannel::Circuit>& circuits, bool delayed);
    void UpdateRoutes();
    /// Apply \p change (+1 add, -1 remove) of \p circuits per OCS, delayed.
    std::vector<std::pair<uint32_t, uint32_t>> Change(
        const std::vector<vclos::OcsCircuit>& circuits,
        bool add);

    OcsFabricConfig m_config;
    vclos::OcsFabric m_fabric;
    bool m_built{false};
    std::vector<Ptr<RdmaNic>> m_nics;
    std::vector<Ptr<VclosSwitch>> m_leaves;
    std::vector<Ptr<VclosSwitch>> m_spines;
    std::vector<Ptr<VclosSwitch>> m_servers; //!< server switches (gpusPerServer > 1)
    std::vector<std::shared_ptr<vclos::ForwardingTable>> m_leafTables;
    std::vector<std::shared_ptr<vclos::ForwardingTable>> m_spineTables;
    std::vector<Ptr<OcsChannel>> m_ocs;
    ObjectFactory m_nicFactory;    //!< RdmaNic factory
    ObjectFactory m_switchFactory; //!< VclosSwitch factory
    std::vector<Link> m_links;     //!< GetLinks()
    uint32_t m_leafUplinkLink0{0}; //!< id of leaf 0's uplink 0
    uint32_t m_spinePortLink0{0};  //!< id of spine 0's port 0
    uint32_t m_intraLink0{0};      //!< id of GPU 0's link to its server switch
    /// Per running job (by its first GPU): the spine routes it set (spine, src, dst).
    std::map<uint32_t, std::vector<std::tuple<uint32_t, uint32_t, uint32_t>>> m_jobRoutes;
};

} // namespace ns3

#endif // VCLOS_OCS_FABRIC_HELPER_H
