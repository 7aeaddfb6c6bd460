/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ocs-fabric-helper.h"

#include "ns3/abort.h"
#include "ns3/aeth-header.h"
#include "ns3/log.h"
#include "ns3/mac48-address.h"
#include "ns3/node.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/route-seeds.h"
#include "ns3/uinteger.h"
#include "ns3/vclos-channel.h"

#include <stdexcept>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("OcsFabricHelper");

OcsFabricHelper::OcsFabricHelper(const OcsFabricConfig& config)
    : m_config(config),
      m_fabric(config.shape)
{
}

void
OcsFabricHelper::Build()
{
    NS_ABORT_MSG_IF(m_built, "Build() called twice");
    m_built = true;
    const vclos::OcsFabricShape& s = m_config.shape;
    const uint32_t k = s.spinePortsPerOcs;
    const uint64_t runSeed = RngSeedManager::GetSeed();
    auto makeDevice = [this](Ptr<Node> node, DataRate rate, uint32_t mtu) {
        Ptr<VclosNetDevice> dev = CreateObject<VclosNetDevice>();
        dev->SetAttribute("DataRate", DataRateValue(rate));
        dev->SetAttribute("QueueBytes", UintegerValue(m_config.queueBytes));
        dev->SetAttribute("Mtu", UintegerValue(mtu));
        dev->SetAddress(Mac48Address::Allocate());
        node->AddDevice(dev);
        return dev;
    };
    auto makeSwitch = [&](uint32_t nPorts) {
        Ptr<Node> node = CreateObject<Node>();
        Ptr<VclosSwitch> sw = CreateObject<VclosSwitch>();
        auto table = std::make_shared<vclos::ForwardingTable>(nPorts);
        table->SetSeed(vclos::SwitchHashSeed(runSeed, node->GetId()));
        sw->SetForwardingTable(table);
        node->AggregateObject(sw);
        return std::make_pair(sw, table);
    };
    // GPUs.
    std::vector<Ptr<Node>> gpuNodes;
    for (uint32_t g = 0; g < s.leaves * s.gpusPerLeaf; ++g)
    {
        Ptr<Node> node = CreateObject<Node>();
        Ptr<RdmaNic> nic = CreateObject<RdmaNic>();
        nic->SetGpu(g, g);
        node->AggregateObject(nic);
        gpuNodes.push_back(node);
        m_nics.push_back(nic);
    }
    UintegerValue payload;
    m_nics.front()->GetAttribute("Mtu", payload);
    const uint32_t mtu = payload.Get() + RdmaNic::HEADER_BYTES + ImmDtHeader::SIZE;
    for (uint32_t l = 0; l < s.leaves; ++l)
    {
        auto [sw, table] = makeSwitch(s.gpusPerLeaf + s.uplinksPerLeaf);
        m_leaves.push_back(sw);
        m_leafTables.push_back(table);
    }
    for (uint32_t sp = 0; sp < s.spines; ++sp)
    {
        auto [sw, table] = makeSwitch(s.uplinksPerLeaf * k);
        m_spines.push_back(sw);
        m_spineTables.push_back(table);
    }
    // Host cables, in leaf port order.
    for (uint32_t g = 0; g < m_nics.size(); ++g)
    {
        Ptr<VclosSwitch> leaf = m_leaves[g / s.gpusPerLeaf];
        Ptr<VclosNetDevice> a = makeDevice(gpuNodes[g], m_config.hostRate, mtu);
        Ptr<VclosNetDevice> b = makeDevice(leaf->GetObject<Node>(), m_config.hostRate, mtu);
        Ptr<VclosChannel> ch = CreateObject<VclosChannel>();
        ch->SetAttribute("Delay", TimeValue(m_config.hostDelay));
        a->Attach(ch);
        b->Attach(ch);
        m_nics[g]->AddPort(a);
        leaf->AddPort(b);
    }
    // OCSes; leaf uplinks in leaf port order, spine ports in spine port order.
    for (uint32_t i = 0; i < s.uplinksPerLeaf; ++i)
    {
        Ptr<OcsChannel> ocs = CreateObject<OcsChannel>();
        ocs->SetAttribute("Ports", UintegerValue(m_fabric.GetNOcsPorts()));
        ocs->SetAttribute("ReconfigurationDelay", TimeValue(m_config.reconfigurationDelay));
        m_ocs.push_back(ocs);
    }
    for (uint32_t l = 0; l < s.leaves; ++l)
    {
        for (uint32_t i = 0; i < s.uplinksPerLeaf; ++i)
        {
            Ptr<VclosNetDevice> dev =
                makeDevice(m_leaves[l]->GetObject<Node>(), m_config.fabricRate, mtu);
            m_ocs[i]->Connect(dev, m_fabric.GetLeafOcsPort(l), m_config.fibreDelay);
            m_leaves[l]->AddPort(dev);
        }
    }
    for (uint32_t sp = 0; sp < s.spines; ++sp)
    {
        for (uint32_t i = 0; i < s.uplinksPerLeaf; ++i)
        {
            for (uint32_t j = 0; j < k; ++j)
            {
                Ptr<VclosNetDevice> dev =
                    makeDevice(m_spines[sp]->GetObject<Node>(), m_config.fabricRate, mtu);
                m_ocs[i]->Connect(dev, m_fabric.GetSpineOcsPort(sp, j), m_config.fibreDelay);
                m_spines[sp]->AddPort(dev);
            }
        }
    }
    UpdateRoutes();
}

bool
OcsFabricHelper::Apply(uint32_t ocs, const std::vector<OcsChannel::Circuit>& circuits, bool delayed)
{
    NS_ABORT_MSG_IF(!m_built, "call Build() first");
    NS_ABORT_MSG_IF(ocs >= m_ocs.size(), "no OCS " << ocs);
    const std::string error = vclos::CircuitMap::Check(circuits, m_fabric.GetNOcsPorts());
    if (!error.empty())
    {
        NS_LOG_WARN("OCS " << ocs << ": " << error);
        return false;
    }
    try
    {
        m_fabric.SetCircuits(ocs,
                             vclos::CircuitMap::FromCircuits(circuits, m_fabric.GetNOcsPorts()));
    }
    catch (const std::invalid_argument& e)
    {
        NS_LOG_WARN("OCS " << ocs << ": " << e.what());
        return false;
    }
    const bool ok = delayed ? m_ocs[ocs]->Reconfigure(circuits) : m_ocs[ocs]->SetCircuits(circuits);
    NS_ASSERT(ok);
    UpdateRoutes();
    return ok;
}

bool
OcsFabricHelper::SetCircuits(uint32_t ocs, const std::vector<OcsChannel::Circuit>& circuits)
{
    return Apply(ocs, circuits, false);
}

bool
OcsFabricHelper::Reconfigure(uint32_t ocs, const std::vector<OcsChannel::Circuit>& circuits)
{
    return Apply(ocs, circuits, true);
}

void
OcsFabricHelper::UpdateRoutes()
{
    const vclos::OcsFabricShape& s = m_config.shape;
    for (uint32_t l = 0; l < s.leaves; ++l)
    {
        for (uint32_t dst = 0; dst < s.leaves; ++dst)
        {
            const std::vector<uint32_t> group = m_fabric.LeafGroup(l, dst);
            for (uint32_t t = 0; t < s.gpusPerLeaf; ++t)
            {
                const uint32_t g = dst * s.gpusPerLeaf + t;
                m_leafTables[l]->SetRoute(g, dst == l ? std::vector<uint32_t>{t} : group);
            }
        }
        m_leafTables[l]->CompactGroups();
    }
    for (uint32_t sp = 0; sp < s.spines; ++sp)
    {
        for (uint32_t dst = 0; dst < s.leaves; ++dst)
        {
            const std::vector<uint32_t> group = m_fabric.SpineGroup(sp, dst);
            for (uint32_t t = 0; t < s.gpusPerLeaf; ++t)
            {
                m_spineTables[sp]->SetRoute(dst * s.gpusPerLeaf + t, group);
            }
        }
        m_spineTables[sp]->CompactGroups();
    }
}

const vclos::OcsFabric&
OcsFabricHelper::GetFabric() const
{
    return m_fabric;
}

Ptr<OcsChannel>
OcsFabricHelper::GetOcs(uint32_t ocs) const
{
    return m_ocs.at(ocs);
}

Ptr<RdmaNic>
OcsFabricHelper::GetNic(uint32_t gpu) const
{
    return m_nics.at(gpu);
}

Ptr<VclosSwitch>
OcsFabricHelper::GetLeaf(uint32_t leaf) const
{
    return m_leaves.at(leaf);
}

Ptr<VclosSwitch>
OcsFabricHelper::GetSpine(uint32_t spine) const
{
    return m_spines.at(spine);
}

std::shared_ptr<vclos::ForwardingTable>
OcsFabricHelper::GetLeafTable(uint32_t leaf) const
{
    return m_leafTables.at(leaf);
}

std::shared_ptr<vclos::ForwardingTable>
OcsFabricHelper::GetSpineTable(uint32_t spine) const
{
    return m_spineTables.at(spine);
}

} // namespace ns3
