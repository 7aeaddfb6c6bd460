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
    m_table.resize(t.GetNNodes());
    m_portBase.assign(t.GetNNodes() + 1, 0);
    for (uint32_t id = 0; id < t.GetNNodes(); ++id)
    {
        m_table[id] = m_tables[id].get();
        m_portBase[id + 1] = m_portBase[id] + t.GetNode(id).port.size();
        for (uint32_t link : t.GetNode(id).port)
        {
            m_portLink.push_back(link);
        }
    }
    m_linkDst.resize(t.GetNLinks());
    for (uint32_t l = 0; l < t.GetNLinks(); ++l)
    {
        m_linkDst[l] = t.GetLink(l).dst;
    }
    m_gpuNode.resize(t.GetNGpus());
    m_gpuIntra.resize(t.GetNGpus());
    for (uint32_t g = 0; g < t.GetNGpus(); ++g)
    {
        m_gpuNode[g] = t.GetGpuNode(g);
        const TopoNode& n = t.GetNode(m_gpuNode[g]);
        m_gpuIntra[g] = n.port.size() >= 2 ? t.GetLink(n.port[1]).dst : ClusterTopology::NONE;
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
    std::vector<uint32_t> path;
    AppendPath(srcGpu, dstGpu, srcPort, control, path);
    return path;
}

bool
Routing::AppendPath(uint32_t srcGpu,
                    uint32_t dstGpu,
                    uint16_t srcPort,
                    bool control,
                    std::vector<uint32_t>& out) const
{
    const uint32_t nGpus = static_cast<uint32_t>(m_gpuNode.size());
    if (srcGpu >= nGpus || dstGpu >= nGpus || srcGpu == dstGpu)
    {
        return false;
    }
    const FlowKey key = MakeKey(srcGpu, dstGpu, srcPort);
    const uint32_t dstNode = m_gpuNode[dstGpu];
    const std::size_t first = out.size();
    // The NIC port RdmaNic uses (ClusterTopology::GetNicPort): 1 inside a server.
    const uint32_t nicPort =
        (m_gpuIntra[srcGpu] != ClusterTopology::NONE && m_gpuIntra[srcGpu] == m_gpuIntra[dstGpu])
            ? 1
            : 0;
    uint32_t link = m_portLink[m_portBase[m_gpuNode[srcGpu]] + nicPort];
    // A loop-free path crosses every link at most once.
    const uint32_t nLinks = static_cast<uint32_t>(m_linkDst.size());
    for (uint32_t hop = 0; hop <= nLinks; ++hop)
    {
        out.push_back(link);
        const uint32_t node = m_linkDst[link];
        const ForwardingTable* table = m_table[node];
        if (!table)
        {
            if (node == dstNode)
            {
                return true;
            }
            break;
        }
        const uint32_t port = table->SelectPort(key, control);
        if (port == ForwardingTable::NO_PORT || port >= m_portBase[node + 1] - m_portBase[node])
        {
            break;
        }
        link = m_portLink[m_portBase[node] + port];
    }
    out.resize(first);
    return false;
}

bool
Routing::AppendPaths(const std::vector<PathRequest>& flows,
                     std::vector<uint32_t>& out,
                     std::vector<std::size_t>& end) const
{
    // Hop-by-hop over the batch: hops[h * n + i] is flow i's h-th link.
    const std::size_t n = flows.size();
    const uint32_t nGpus = static_cast<uint32_t>(m_gpuNode.size());
    const std::size_t first = out.size();
    end.assign(n, 0);
    m_hopLinks.clear();
    m_hopLinks.reserve(n * 4);
    std::vector<uint32_t>& cur = m_batchLink;
    std::vector<uint32_t>& len = m_batchLen;
    cur.resize(n);
    len.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i)
    {
        const PathRequest& f = flows[i];
        if (f.srcGpu >= nGpus || f.dstGpu >= nGpus || f.srcGpu == f.dstGpu)
        {
            return false;
        }
        const uint32_t nicPort = (m_gpuIntra[f.srcGpu] != ClusterTopology::NONE &&
                                  m_gpuIntra[f.srcGpu] == m_gpuIntra[f.dstGpu])
                                     ? 1
                                     : 0;
        cur[i] = m_portLink[m_portBase[m_gpuNode[f.srcGpu]] + nicPort];
    }
    const uint32_t nLinks = static_cast<uint32_t>(m_linkDst.size());
    std::size_t active = n;
    for (uint32_t hop = 0; active > 0; ++hop)
    {
        if (hop > nLinks)
        {
            return false; // a loop
        }
        m_hopLinks.resize((hop + 1) * n, ClusterTopology::NONE);
        active = 0;
        for (std::size_t i = 0; i < n; ++i)
        {
            const uint32_t link = cur[i];
            if (link == ClusterTopology::NONE)
            {
                continue;
            }
            m_hopLinks[hop * n + i] = link;
            ++len[i];
            const uint32_t node = m_linkDst[link];
            const ForwardingTable* table = m_table[node];
            if (!table)
            {
                if (node != m_gpuNode[flows[i].dstGpu])
                {
                    return false;
                }
                cur[i] = ClusterTopology::NONE;
                continue;
            }
            const FlowKey key = MakeKey(flows[i].srcGpu, flows[i].dstGpu, flows[i].srcPort);
            const uint32_t port = table->SelectPort(key, false);
            if (port == ForwardingTable::NO_PORT || port >= m_portBase[node + 1] - m_portBase[node])
            {
                return false;
            }
            cur[i] = m_portLink[m_portBase[node] + port];
            ++active;
        }
    }
    out.resize(first);
    for (std::size_t i = 0; i < n; ++i)
    {
        for (uint32_t h = 0; h < len[i]; ++h)
        {
            out.push_back(m_hopLinks[h * n + i]);
        }
        end[i] = out.size();
    }
    return true;
}

std::vector<uint32_t>
Routing::ReversePath(uint32_t srcGpu, uint32_t dstGpu, uint16_t srcPort) const
{
    return Path(dstGpu, srcGpu, srcPort, true);
}

} // namespace vclos
} // namespace ns3
