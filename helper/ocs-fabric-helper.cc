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
#include "ns3/routing.h"
#include "ns3/uinteger.h"
#include "ns3/vclos-channel.h"

#include <map>
#include <stdexcept>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("OcsFabricHelper");

OcsFabricHelper::OcsFabricHelper(const OcsFabricConfig& config)
    : m_config(config),
      m_fabric(config.shape)
{
    m_nicFactory.SetTypeId(RdmaNic::GetTypeId());
    m_switchFactory.SetTypeId(VclosSwitch::GetTypeId());
}

void
OcsFabricHelper::SetNicAttribute(const std::string& name, const AttributeValue& value)
{
    m_nicFactory.Set(name, value);
}

void
OcsFabricHelper::SetSwitchAttribute(const std::string& name, const AttributeValue& value)
{
    m_switchFactory.Set(name, value);
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
        Ptr<VclosSwitch> sw = m_switchFactory.Create<VclosSwitch>();
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
        Ptr<RdmaNic> nic = m_nicFactory.Create<RdmaNic>();
        nic->SetGpu(g, g / m_config.gpusPerServer);
        nic->SetAttribute("RunSeed", UintegerValue(runSeed));
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
        const std::string gpu = "gpu" + std::to_string(g);
        const std::string leafName = "leaf" + std::to_string(g / s.gpusPerLeaf);
        m_links.push_back(Link{2 * g, gpu, leafName, LeafSpineHelper::LinkKind::HOST, a});
        m_links.push_back(Link{2 * g + 1, leafName, gpu, LeafSpineHelper::LinkKind::HOST, b});
    }
    // OCSes; leaf uplinks in leaf port order, spine ports in spine port order.
    for (uint32_t i = 0; i < s.uplinksPerLeaf; ++i)
    {
        Ptr<OcsChannel> ocs = CreateObject<OcsChannel>();
        ocs->SetAttribute("Ports", UintegerValue(m_fabric.GetNOcsPorts()));
        ocs->SetAttribute("ReconfigurationDelay", TimeValue(m_config.reconfigurationDelay));
        m_ocs.push_back(ocs);
    }
    auto addLink = [this](const std::string& src, uint32_t ocs, Ptr<VclosNetDevice> dev) {
        const auto id = static_cast<uint32_t>(m_links.size());
        m_links.push_back(
            Link{id, src, "ocs" + std::to_string(ocs), LeafSpineHelper::LinkKind::FABRIC, dev});
    };
    m_leafUplinkLink0 = m_links.size();
    for (uint32_t l = 0; l < s.leaves; ++l)
    {
        for (uint32_t i = 0; i < s.uplinksPerLeaf; ++i)
        {
            Ptr<VclosNetDevice> dev =
                makeDevice(m_leaves[l]->GetObject<Node>(), m_config.fabricRate, mtu);
            m_ocs[i]->Connect(dev, m_fabric.GetLeafOcsPort(l), m_config.fibreDelay);
            m_leaves[l]->AddPort(dev);
            addLink("leaf" + std::to_string(l), i, dev);
        }
    }
    m_spinePortLink0 = m_links.size();
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
                addLink("spine" + std::to_string(sp), i, dev);
            }
        }
    }
    // Server switches: GPU port 1 (the NIC's intra-server port) to switch port g % n.
    m_intraLink0 = m_links.size();
    const uint32_t perServer = m_config.gpusPerServer;
    if (perServer > 1)
    {
        for (uint32_t server = 0; server < m_nics.size() / perServer; ++server)
        {
            auto [sw, table] = makeSwitch(perServer);
            m_servers.push_back(sw);
            const std::string name = "server" + std::to_string(server);
            for (uint32_t t = 0; t < perServer; ++t)
            {
                const uint32_t g = server * perServer + t;
                Ptr<VclosNetDevice> a = makeDevice(gpuNodes[g], m_config.intraRate, mtu);
                Ptr<VclosNetDevice> b = makeDevice(sw->GetObject<Node>(), m_config.intraRate, mtu);
                Ptr<VclosChannel> ch = CreateObject<VclosChannel>();
                ch->SetAttribute("Delay", TimeValue(m_config.intraDelay));
                a->Attach(ch);
                b->Attach(ch);
                m_nics[g]->AddPort(a);
                sw->AddPort(b);
                table->SetRoute(g, {t});
                const std::string gpu = "gpu" + std::to_string(g);
                const auto id = static_cast<uint32_t>(m_links.size());
                m_links.push_back(Link{id, gpu, name, LeafSpineHelper::LinkKind::INTRA, a});
                m_links.push_back(Link{id + 1, name, gpu, LeafSpineHelper::LinkKind::INTRA, b});
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

std::vector<std::pair<uint32_t, uint32_t>>
OcsFabricHelper::Change(const std::vector<vclos::OcsCircuit>& circuits, bool add)
{
    NS_ABORT_MSG_IF(!m_built, "call Build() first");
    std::map<uint32_t, vclos::CircuitMap> maps;
    std::vector<std::pair<uint32_t, uint32_t>> touched;
    for (const vclos::OcsCircuit& c : circuits)
    {
        if (c.ocs >= m_ocs.size())
        {
            throw std::invalid_argument("OcsFabricHelper: no OCS " + std::to_string(c.ocs));
        }
        auto it = maps.find(c.ocs);
        if (it == maps.end())
        {
            it = maps.emplace(c.ocs, m_fabric.GetCircuits(c.ocs)).first;
        }
        if (add)
        {
            it->second.Connect(c.a, c.b); // throws (nothing applied yet) if a port is taken
        }
        else if (it->second.GetPeer(c.a) == c.b)
        {
            it->second.Disconnect(c.a);
        }
    }
    for (const auto& [ocs, map] : maps)
    {
        const auto n = static_cast<uint32_t>(
            vclos::CircuitMap::Changed(m_fabric.GetCircuits(ocs), map).size());
        m_fabric.SetCircuits(ocs, map); // throws for a spine-spine circuit
        const bool ok = m_ocs[ocs]->Reconfigure(map.GetCircuits());
        NS_ASSERT(ok);
        touched.emplace_back(ocs, n);
    }
    if (!maps.empty())
    {
        UpdateRoutes();
    }
    return touched;
}

std::vector<std::pair<uint32_t, uint32_t>>
OcsFabricHelper::AddCircuits(const std::vector<vclos::OcsCircuit>& circuits)
{
    // Validate every OCS's new map before changing any.
    for (const vclos::OcsCircuit& c : circuits)
    {
        if (c.ocs < m_ocs.size() && !m_fabric.IsLeafOcsPort(c.a) && !m_fabric.IsLeafOcsPort(c.b))
        {
            throw std::invalid_argument("OcsFabricHelper: circuit (" + std::to_string(c.a) + ", " +
                                        std::to_string(c.b) + ") on OCS " + std::to_string(c.ocs) +
                                        " joins two spines");
        }
    }
    return Change(circuits, true);
}

std::vector<std::pair<uint32_t, uint32_t>>
OcsFabricHelper::RemoveCircuits(const std::vector<vclos::OcsCircuit>& circuits)
{
    return Change(circuits, false);
}

void
OcsFabricHelper::InstallJobRoutes(const std::vector<uint32_t>& gpus,
                                  const std::vector<uint32_t>& uplinks,
                                  const std::vector<vclos::OcsCircuit>& circuits)
{
    NS_ABORT_MSG_IF(!m_built, "call Build() first");
    const vclos::OcsFabricShape& s = m_config.shape;
    const uint32_t k = s.spinePortsPerOcs;
    // (leaf, spine) -> the spine's switch port of the job's first circuit joining them.
    std::map<std::pair<uint32_t, uint32_t>, uint32_t> down;
    for (const vclos::OcsCircuit& c : circuits)
    {
        for (const auto& [x, y] : {std::pair{c.a, c.b}, std::pair{c.b, c.a}})
        {
            if (m_fabric.IsLeafOcsPort(x) && !m_fabric.IsLeafOcsPort(y))
            {
                const uint32_t spine = m_fabric.GetOcsPortOwner(y);
                const uint32_t j = y - m_fabric.GetSpineOcsPort(spine, 0);
                down.emplace(std::pair{m_fabric.GetOcsPortOwner(x), spine}, c.ocs * k + j);
            }
        }
    }
    std::vector<std::tuple<uint32_t, uint32_t, uint32_t>> spineRoutes;
    for (uint32_t r = 0; r < gpus.size(); ++r)
    {
        const uint32_t leaf = gpus[r] / s.gpusPerLeaf;
        for (uint32_t d = 0; d < gpus.size(); ++d)
        {
            const uint32_t dstLeaf = gpus[d] / s.gpusPerLeaf;
            if (dstLeaf == leaf)
            {
                continue;
            }
            const uint32_t ocs = r < uplinks.size() ? uplinks[r] : vclos::OcsFabric::NONE;
            const uint32_t end =
                ocs < m_ocs.size()
                    ? m_fabric.GetCircuits(ocs).GetPeer(m_fabric.GetLeafOcsPort(leaf))
                    : vclos::OcsFabric::NONE;
            if (end == vclos::OcsFabric::NONE)
            {
                throw std::invalid_argument("OcsFabricHelper: rank " + std::to_string(r) +
                                            " (GPU " + std::to_string(gpus[r]) +
                                            ") sends across leaves without a circuit");
            }
            m_leafTables[leaf]->SetFlowRoute(gpus[r], gpus[d], s.gpusPerLeaf + ocs);
            if (m_fabric.IsLeafOcsPort(end))
            {
                continue; // a leaf-leaf circuit: its far end is the destination leaf
            }
            const uint32_t spine = m_fabric.GetOcsPortOwner(end);
            auto it = down.find(std::pair{dstLeaf, spine});
            if (it == down.end())
            {
                throw std::invalid_argument("OcsFabricHelper: no circuit of the job from spine " +
                                            std::to_string(spine) + " to leaf " +
                                            std::to_string(dstLeaf));
            }
            m_spineTables[spine]->SetFlowRoute(gpus[r], gpus[d], it->second);
            spineRoutes.emplace_back(spine, gpus[r], gpus[d]);
        }
    }
    if (!gpus.empty())
    {
        m_jobRoutes[gpus.front()] = std::move(spineRoutes);
    }
}

void
OcsFabricHelper::RemoveJobRoutes(const std::vector<uint32_t>& gpus)
{
    const uint32_t perLeaf = m_config.shape.gpusPerLeaf;
    for (uint32_t src : gpus)
    {
        for (uint32_t dst : gpus)
        {
            m_leafTables[src / perLeaf]->RemoveFlowRoute(src, dst);
        }
    }
    if (gpus.empty())
    {
        return;
    }
    auto it = m_jobRoutes.find(gpus.front());
    if (it == m_jobRoutes.end())
    {
        return;
    }
    for (const auto& [spine, src, dst] : it->second)
    {
        m_spineTables[spine]->RemoveFlowRoute(src, dst);
    }
    m_jobRoutes.erase(it);
}

const std::vector<OcsFabricHelper::Link>&
OcsFabricHelper::GetLinks() const
{
    return m_links;
}

std::vector<uint32_t>
OcsFabricHelper::GetPath(uint32_t srcGpu, uint32_t dstGpu, uint16_t srcPort) const
{
    const vclos::OcsFabricShape& s = m_config.shape;
    const uint32_t k = s.spinePortsPerOcs;
    const uint32_t leaf = srcGpu / s.gpusPerLeaf;
    const uint32_t dstLeaf = dstGpu / s.gpusPerLeaf;
    const uint32_t perServer = m_config.gpusPerServer;
    if (perServer > 1 && srcGpu / perServer == dstGpu / perServer)
    {
        // The NICs' intra-server port: through the server switch.
        return {m_intraLink0 + 2 * srcGpu, m_intraLink0 + 2 * dstGpu + 1};
    }
    std::vector<uint32_t> path{2 * srcGpu};
    const vclos::FlowKey key = vclos::Routing::MakeKey(srcGpu, dstGpu, srcPort);
    uint32_t at = leaf; // the leaf the packet is at
    const uint32_t maxHops = 3;
    for (uint32_t hop = 0; hop < maxHops && at != dstLeaf; ++hop)
    {
        const uint32_t port = m_leafTables[at]->SelectPort(key, false);
        if (port == vclos::ForwardingTable::NO_PORT || port < s.gpusPerLeaf)
        {
            return {};
        }
        const uint32_t ocs = port - s.gpusPerLeaf;
        path.push_back(m_leafUplinkLink0 + at * s.uplinksPerLeaf + ocs);
        const uint32_t end = m_fabric.GetCircuits(ocs).GetPeer(m_fabric.GetLeafOcsPort(at));
        if (end == vclos::OcsFabric::NONE)
        {
            return {};
        }
        if (m_fabric.IsLeafOcsPort(end))
        {
            at = m_fabric.GetOcsPortOwner(end);
            continue;
        }
        const uint32_t spine = m_fabric.GetOcsPortOwner(end);
        const uint32_t sport = m_spineTables[spine]->SelectPort(key, false);
        if (sport == vclos::ForwardingTable::NO_PORT)
        {
            return {};
        }
        path.push_back(m_spinePortLink0 + spine * s.uplinksPerLeaf * k + sport);
        const uint32_t down =
            m_fabric.GetCircuits(sport / k).GetPeer(m_fabric.GetSpineOcsPort(spine, sport % k));
        if (down == vclos::OcsFabric::NONE || !m_fabric.IsLeafOcsPort(down))
        {
            return {};
        }
        at = m_fabric.GetOcsPortOwner(down);
    }
    if (at != dstLeaf)
    {
        return {};
    }
    path.push_back(2 * dstGpu + 1);
    return path;
}

uint32_t
OcsFabricHelper::GetNGpus() const
{
    return static_cast<uint32_t>(m_nics.size());
}

const std::vector<Ptr<RdmaNic>>&
OcsFabricHelper::GetNics() const
{
    return m_nics;
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

const std::vector<Ptr<VclosSwitch>>&
OcsFabricHelper::GetServerSwitches() const
{
    return m_servers;
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
