/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_OCS_FABRIC_HELPER_H
#define VCLOS_OCS_FABRIC_HELPER_H

#include "ns3/data-rate.h"
#include "ns3/node-container.h"
#include "ns3/nstime.h"
#include "ns3/ocs-channel.h"
#include "ns3/ocs-fabric.h"
#include "ns3/ocs-helper.h"
#include "ns3/rdma-nic.h"
#include "ns3/vclos-switch.h"

#include <memory>
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
};

/**
 * \ingroup vclos
 * Builds a leaf-OCS-spine GPU cluster (vclos::OcsFabric numbering): one GPU node with an
 * RdmaNic per GPU (one GPU per server; GPU g below leaf g / gpusPerLeaf, address
 * 10.0.0.1 + g), leaf and spine VclosSwitch nodes, and one OcsChannel per leaf uplink index:
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
    /// \param config the cluster
    explicit OcsFabricHelper(const OcsFabricConfig& config);

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
    /// \param leaf index \return its forwarding table
    std::shared_ptr<vclos::ForwardingTable> GetLeafTable(uint32_t leaf) const;
    /// \param spine index \return its forwarding table
    std::shared_ptr<vclos::ForwardingTable> GetSpineTable(uint32_t spine) const;

  private:
    bool Apply(uint32_t ocs, const std::vector<OcsChannel::Circuit>& circuits, bool delayed);
    void UpdateRoutes();

    OcsFabricConfig m_config;
    vclos::OcsFabric m_fabric;
    bool m_built{false};
    std::vector<Ptr<RdmaNic>> m_nics;
    std::vector<Ptr<VclosSwitch>> m_leaves;
    std::vector<Ptr<VclosSwitch>> m_spines;
    std::vector<std::shared_ptr<vclos::ForwardingTable>> m_leafTables;
    std::vector<std::shared_ptr<vclos::ForwardingTable>> m_spineTables;
    std::vector<Ptr<OcsChannel>> m_ocs;
};

} // namespace ns3

#endif // VCLOS_OCS_FABRIC_HELPER_H
