/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "routing.h"

#include "ns3/route-seeds.h"

#include <algorithm>
#include <stdexcept>

namespace ns3
{
namespace vclos
{

Routing::Routing(std::shared_ptr<const ClusterTopology> topology, uint64_t runSeed, bool sameSeed)
    : m_topology(std::move(topology)),
      m_runSeed(runSeed)
{
    if (!m_topology)
    {
        throw std::invalid_argument("Routing: no topology");
    }
    const ClusterTopology& t = *m_topology;
    m_tables.resize(t.GetNNodes());
    for (uint32_t id = 0; id < t.GetNNodes(); ++id)
    {
        if (t.IsSwitch(id))
        {
            auto table = std::make_shared<ForwardingTable>(t.GetNode(id).port.size());
            table->SetSeed(sameSeed ? SharedHashSeed(runSeed) : SwitchHashSeed(runSeed, id));
            m_tables[id] = std::move(table);
        }
    }
    if (t.IsLeafSpine())
    {
        InstallLeafSpineRoutes();
    }
}

void
Routing::InstallLeafSpineRoutes()
{
    const ClusterTopology& t = *m_topology;
    const LeafSpineShape& c = t.GetShape();
    const uint32_t links = c.linksPerLeafSpine;
    std::vector<uint32_t> uplinks;
    for (uint32_t k = 0; k < links; ++k)
    {
        for (uint32_t s = 0; s < c.spines; ++s)
        {
            uplinks.push_back(t.GetLeafUplinkPort(s, k));
        }
    }
    for (uint32_t g = 0; g < t.GetNGpus(); ++g)
    {
        const uint32_t lg = t.GetLeafOf(g);
        for (uint32_t l = 0; l < c.leaves; ++l)
        {
            ForwardingTable& leaf = *m_tables[t.GetNodeOfKind(NodeKind::LEAF, l)];
            if (l == lg)
            {
                leaf.SetRoute(g, {g - l * c.gpusPerLeaf});
            }
            else
            {
                leaf.SetRoute(g, uplinks);
            }
        }
        std::vector<uint32_t> down;
        for (uint32_t k = 0; k < links; ++k)
        {
            down.push_back(lg * links + k);
        }
        for (uint32_t s = 0; s < c.spines; ++s)
        {
            m_tables[t.GetNodeOfKind(NodeKind::SPINE, s)]->SetRoute(g, down);
        }
        const uint32_t server = t.GetServerSwitchNodeOf(g);
        if (server != ClusterTopology::NONE)
        {
            m_tables[server]->SetRoute(g, {g % c.gpusPerServer});
        }
    }
}

const ClusterTopology&
Routing::GetTopology() const
{
    return *m_topology;
}

uint64_t
Routing::GetRunSeed() const
{
    return m_runSeed;
}

std::shared_ptr<ForwardingTable>
Routing::GetTable(uint32_t node) const
{
    return node < m_tables.size() ? m_tables[node] : nullptr;
}

void
Routing::SetControlRoute(ForwardingTable::ControlRoute rule)
{
    for (const auto& table : m_tables)
    {
        if (table)
        {
            table->SetControlRoute(rule);
        }
    }
}

std::vector<uint32_t>
Routing::InstallUplinkSourceRoutes(const std::vector<uint32_t>& gpus)
{
    const ClusterTopology& t = *m_topology;
    if (!t.IsLeafSpine())
    {
        throw std::invalid_argument("Routing: uplink source routes need a leaf-spine topology");
    }
    const LeafSpineShape& c = t.GetShape();
    const uint32_t n = c.spines * c.linksPerLeafSpine;
    std::vector<uint32_t> leaves;
    for (uint32_t g : gpus)
    {
        if (g >= t.GetNGpus())
        {
            throw std::invalid_argument("Routing: no GPU " + std::to_string(g));
        }
        const uint32_t leaf = t.GetLeafNodeOf(g);
        if (std::find(leaves.begin(), leaves.end(), leaf) == leaves.end())
        {
            leaves.push_back(leaf);
        }
    }
    std::vector<uint32_t> members;
    for (uint32_t g : gpus)
    {
        const uint32_t member = g % n;
        members.push_back(member);
        for (uint32_t leaf : leaves)
        {
            m_tables[leaf]->SetSourceRoute(g, member);
        }
        for (uint32_t s = 0; s < c.spines; ++s)
        {
            m_tables[t.GetNodeOfKind(NodeKind::SPINE, s)]->SetSourceRoute(g, member / c.spines);
        }
    }
    return members;
}

void
Routing::RemoveSourceRoutes(const std::vector<uint32_t>& gpus)
{
    for (const auto& table : m_tables)
    {
        if (table)
        {
            for (uint32_t g : gpus)
            {
                table->RemoveSourceRoute(g);
            }
        }
    }
}

FlowKey
Routing::MakeKey(uint32_t srcGpu, uint32_t dstGpu, uint16_t srcPort)
{
    FlowKey key;
    key.srcIp = GpuIp(srcGpu);
    key.dstIp = GpuIp(dstGpu);
    key.srcPort = srcPort;
    key.dstPort = kRoceV2Port;
    key.protocol = kUdpProtocol;
    return key;
}

std::vector<uint32_t>
Routing::Path(uint32_t srcGpu, uint32_t dstGpu, uint16_t srcPort, bool control) const
{
    const ClusterTopology& t = *m_topology;
    if (srcGpu >= t.GetNGpus() || dstGpu >= t.GetNGpus() || srcGpu == dstGpu)
    {
        return {};
    }
    const FlowKey key = MakeKey(srcGpu, dstGpu, srcPort);
    const uint32_t dstNode = t.GetGpuNode(dstGpu);
    std::vector<uint32_t> path;
    uint32_t link = t.GetPortLink(t.GetGpuNode(srcGpu), t.GetNicPort(srcGpu, dstGpu));
    // A loop-free path crosses every link at most once.
    for (uint32_t hop = 0; hop <= t.GetNLinks(); ++hop)
    {
        path.push_back(link);
        const uint32_t node = t.GetLink(link).dst;
        const ForwardingTable* table = m_tables[node].get();
        if (!table)
        {
            return node == dstNode ? path : std::vector<uint32_t>{};
        }
        const uint32_t port = table->SelectPort(key, control);
        if (port == ForwardingTable::NO_PORT || port >= t.GetNode(node).port.size())
        {
            return {};
        }
        link = t.GetPortLink(node, port);
    }
    return {};
}

std::vector<uint32_t>
Routing::ReversePath(uint32_t srcGpu, uint32_t dstGpu, uint16_t srcPort) const
{
    return Path(dstGpu, srcGpu, srcPort, true);
}

} // namespace vclos
} // namespace ns3
