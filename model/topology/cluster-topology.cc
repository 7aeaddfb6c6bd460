/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "cluster-topology.h"

#include "ns3/ecmp-hash.h"

#include <stdexcept>

namespace ns3
{
namespace vclos
{

namespace
{
constexpr uint32_t kKinds = 4;

void
Check(bool ok, const std::string& what)
{
    if (!ok)
    {
        throw std::invalid_argument("ClusterTopology: " + what);
    }
}
} // namespace

const char*
NodeKindName(NodeKind kind)
{
    switch (kind)
    {
    case NodeKind::GPU:
        return "gpu";
    case NodeKind::SERVER_SWITCH:
        return "server_switch";
    case NodeKind::LEAF:
        return "leaf";
    case NodeKind::SPINE:
        return "spine";
    }
    return "?";
}

const char*
LinkKindName(LinkKind kind)
{
    switch (kind)
    {
    case LinkKind::HOST:
        return "host";
    case LinkKind::FABRIC:
        return "fabric";
    case LinkKind::INTRA:
        return "intra";
    }
    return "?";
}

uint32_t
ClusterTopology::AddNode(NodeKind kind, const std::string& name)
{
    Check(FindNode(name) == NONE, "duplicate node name '" + name + "'");
    Check(kind != NodeKind::GPU || m_gpuNode.size() < kMaxGpus,
          "more GPUs than addresses (" + std::to_string(kMaxGpus) + ")");
    if (m_nodeOfKind.empty())
    {
        m_nodeOfKind.resize(kKinds);
    }
    const uint32_t id = m_nodes.size();
    auto& ofKind = m_nodeOfKind[static_cast<uint32_t>(kind)];
    m_nodes.push_back(TopoNode{id, kind, static_cast<uint32_t>(ofKind.size()), name, {}});
    ofKind.push_back(id);
    m_nodeOfName.emplace(name, id);
    if (kind == NodeKind::GPU)
    {
        m_gpuNode.push_back(id);
    }
    return id;
}

uint32_t
ClusterTopology::Connect(uint32_t a, uint32_t b, const LinkParams& spec, LinkKind kind)
{
    Check(a < m_nodes.size() && b < m_nodes.size(), "Connect() of a missing node");
    Check(a != b, "a cable from node " + m_nodes[a].name + " to itself");
    Check(spec.rateBps > 0, "link rate must be > 0 bit/s");
    Check(spec.delayPs >= 0, "link delay must be >= 0 ps");
    const uint32_t ab = m_links.size();
    const uint32_t pa = m_nodes[a].port.size();
    const uint32_t pb = m_nodes[b].port.size();
    m_links.push_back(TopoLink{ab, a, pa, b, pb, spec.rateBps, spec.delayPs, kind, ab + 1});
    m_links.push_back(TopoLink{ab + 1, b, pb, a, pa, spec.rateBps, spec.delayPs, kind, ab});
    m_nodes[a].port.push_back(ab);
    m_nodes[b].port.push_back(ab + 1);
    return ab;
}

ClusterTopology
ClusterTopology::LeafSpine(const LeafSpineShape& c)
{
    Check(c.leaves > 0 && c.spines > 0 && c.gpusPerLeaf > 0 && c.gpusPerServer > 0 &&
              c.linksPerLeafSpine > 0,
          "leaf-spine sizes must be >= 1");
    Check(c.gpusPerLeaf % c.gpusPerServer == 0,
          "gpusPerServer (" + std::to_string(c.gpusPerServer) + ") must divide gpusPerLeaf (" +
              std::to_string(c.gpusPerLeaf) + ")");
    const uint64_t nGpus64 = static_cast<uint64_t>(c.leaves) * c.gpusPerLeaf;
    Check(nGpus64 <= kMaxGpus,
          std::to_string(nGpus64) + " GPUs: at most " + std::to_string(kMaxGpus));
    const uint32_t nGpus = static_cast<uint32_t>(nGpus64);
    const uint32_t links = c.linksPerLeafSpine;
    ClusterTopology t;
    t.m_shape = c;
    t.m_leafSpine = true;
    for (uint32_t g = 0; g < nGpus; ++g)
    {
        t.AddNode(NodeKind::GPU, "gpu" + std::to_string(g));
    }
    for (uint32_t l = 0; l < c.leaves; ++l)
    {
        t.AddNode(NodeKind::LEAF, "leaf" + std::to_string(l));
    }
    for (uint32_t s = 0; s < c.spines; ++s)
    {
        t.AddNode(NodeKind::SPINE, "spine" + std::to_string(s));
    }
    const uint32_t nServers = c.gpusPerServer > 1 ? nGpus / c.gpusPerServer : 0;
    for (uint32_t v = 0; v < nServers; ++v)
    {
        t.AddNode(NodeKind::SERVER_SWITCH, "server" + std::to_string(v));
    }
    // Host cables: GPU g's NIC port 0 <-> leaf port g % gpusPerLeaf (GPUs in order).
    for (uint32_t g = 0; g < nGpus; ++g)
    {
        t.Connect(t.GetGpuNode(g), t.GetLeafNodeOf(g), c.host, LinkKind::HOST);
    }
    // Fabric: leaf port gpusPerLeaf + s * links + k <-> spine port l * links + k.
    for (uint32_t l = 0; l < c.leaves; ++l)
    {
        for (uint32_t s = 0; s < c.spines; ++s)
        {
            for (uint32_t k = 0; k < links; ++k)
            {
                t.Connect(t.GetNodeOfKind(NodeKind::LEAF, l),
                          t.GetNodeOfKind(NodeKind::SPINE, s),
                          c.fabric,
                          LinkKind::FABRIC);
            }
        }
    }
    // Intra-server: NIC port 1 <-> server switch port j.
    for (uint32_t v = 0; v < nServers; ++v)
    {
        for (uint32_t j = 0; j < c.gpusPerServer; ++j)
        {
            t.Connect(t.GetGpuNode(v * c.gpusPerServer + j),
                      t.GetNodeOfKind(NodeKind::SERVER_SWITCH, v),
                      c.intra,
                      LinkKind::INTRA);
        }
    }
    return t;
}

uint32_t
ClusterTopology::GetNNodes() const
{
    return m_nodes.size();
}

const TopoNode&
ClusterTopology::GetNode(uint32_t id) const
{
    return m_nodes.at(id);
}

uint32_t
ClusterTopology::GetNLinks() const
{
    return m_links.size();
}

const TopoLink&
ClusterTopology::GetLink(uint32_t id) const
{
    return m_links.at(id);
}

const std::vector<TopoLink>&
ClusterTopology::GetLinks() const
{
    return m_links;
}

uint32_t
ClusterTopology::FindNode(const std::string& name) const
{
    auto it = m_nodeOfName.find(name);
    return it == m_nodeOfName.end() ? NONE : it->second;
}

bool
ClusterTopology::IsSwitch(uint32_t id) const
{
    return GetNode(id).kind != NodeKind::GPU;
}

std::vector<uint32_t>
ClusterTopology::GetSwitches() const
{
    std::vector<uint32_t> out;
    for (const TopoNode& n : m_nodes)
    {
        if (n.kind != NodeKind::GPU)
        {
            out.push_back(n.id);
        }
    }
    return out;
}

uint32_t
ClusterTopology::GetNGpus() const
{
    return m_gpuNode.size();
}

uint32_t
ClusterTopology::GetGpuNode(uint32_t gpu) const
{
    return m_gpuNode.at(gpu);
}

uint32_t
ClusterTopology::GetNodeOfKind(NodeKind kind, uint32_t index) const
{
    const uint32_t k = static_cast<uint32_t>(kind);
    if (k >= m_nodeOfKind.size() || index >= m_nodeOfKind[k].size())
    {
        return NONE;
    }
    return m_nodeOfKind[k][index];
}

uint32_t
ClusterTopology::GetNNodesOfKind(NodeKind kind) const
{
    const uint32_t k = static_cast<uint32_t>(kind);
    return k < m_nodeOfKind.size() ? m_nodeOfKind[k].size() : 0;
}

uint32_t
ClusterTopology::GetPortLink(uint32_t node, uint32_t port) const
{
    return GetNode(node).port.at(port);
}

std::pair<uint32_t, uint32_t>
ClusterTopology::GetPeer(uint32_t node, uint32_t port) const
{
    const TopoLink& l = m_links[GetPortLink(node, port)];
    return {l.dst, l.dstPort};
}

const LeafSpineShape&
ClusterTopology::GetShape() const
{
    return m_shape;
}

bool
ClusterTopology::IsLeafSpine() const
{
    return m_leafSpine;
}

uint32_t
ClusterTopology::GetLeafOf(uint32_t gpu) const
{
    if (!m_leafSpine || gpu >= m_gpuNode.size())
    {
        throw std::out_of_range("ClusterTopology::GetLeafOf: no GPU " + std::to_string(gpu) +
                                " in a leaf-spine topology");
    }
    return gpu / m_shape.gpusPerLeaf;
}

uint32_t
ClusterTopology::GetServerOf(uint32_t gpu) const
{
    if (!m_leafSpine || gpu >= m_gpuNode.size())
    {
        throw std::out_of_range("ClusterTopology::GetServerOf: no GPU " + std::to_string(gpu) +
                                " in a leaf-spine topology");
    }
    return gpu / m_shape.gpusPerServer;
}

uint32_t
ClusterTopology::GetLeafNodeOf(uint32_t gpu) const
{
    return GetNodeOfKind(NodeKind::LEAF, GetLeafOf(gpu));
}

uint32_t
ClusterTopology::GetServerSwitchNodeOf(uint32_t gpu) const
{
    return GetNodeOfKind(NodeKind::SERVER_SWITCH, GetServerOf(gpu));
}

uint32_t
ClusterTopology::GetLeafUplinkPort(uint32_t spine, uint32_t k) const
{
    return m_shape.gpusPerLeaf + spine * m_shape.linksPerLeafSpine + k;
}

uint32_t
ClusterTopology::GetNicPort(uint32_t srcGpu, uint32_t dstGpu) const
{
    const TopoNode& src = GetNode(GetGpuNode(srcGpu));
    if (src.port.size() < 2)
    {
        return 0;
    }
    const uint32_t a = GetLink(src.port[1]).dst;
    const TopoNode& dst = GetNode(GetGpuNode(dstGpu));
    return (dst.port.size() >= 2 && GetLink(dst.port[1]).dst == a) ? 1 : 0;
}

} // namespace vclos
} // namespace ns3
