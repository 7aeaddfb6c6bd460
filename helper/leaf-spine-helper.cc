/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "leaf-spine-helper.h"

#include "ns3/abort.h"
#include "ns3/aeth-header.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/ns3-compat.h"
#include "ns3/pcap-file-wrapper.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/trace-helper.h"
#include "ns3/uinteger.h"
#include "ns3/vclos-channel.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LeafSpineHelper");

LeafSpineHelper::LeafSpineHelper(const LeafSpineConfig& config)
    : m_config(config),
      m_built(false),
      m_mtu(4096)
{
    m_nicFactory.SetTypeId(RdmaNic::GetTypeId());
    m_switchFactory.SetTypeId(VclosSwitch::GetTypeId());
}

void
LeafSpineHelper::SetNicAttribute(const std::string& name, const AttributeValue& value)
{
    m_nicFactory.Set(name, value);
}

void
LeafSpineHelper::SetSwitchAttribute(const std::string& name, const AttributeValue& value)
{
    m_switchFactory.Set(name, value);
}

void
LeafSpineHelper::SetRunSeed(uint64_t seed)
{
    NS_ABORT_MSG_IF(m_built, "call SetRunSeed() before Build()");
    m_runSeed = seed;
    m_runSeedSet = true;
}

uint64_t
LeafSpineHelper::GetRunSeed() const
{
    return m_runSeedSet ? m_runSeed : RngSeedManager::GetSeed();
}

int64_t
LeafSpineHelper::AssignStreams(int64_t stream)
{
    NS_ABORT_MSG_IF(m_built, "call AssignStreams() before Build()");
    m_streamBase = stream;
    const LeafSpineConfig& c = m_config;
    const uint64_t servers = c.gpusPerServer > 1 && c.gpusPerServer <= c.gpusPerLeaf
                                 ? static_cast<uint64_t>(c.leaves) * c.gpusPerLeaf / c.gpusPerServer
                                 : 0;
    // one ECN marking stream per switch
    return static_cast<int64_t>(c.leaves) + c.spines + static_cast<int64_t>(servers);
}

const LeafSpineConfig&
LeafSpineHelper::GetConfig() const
{
    return m_config;
}

Ptr<VclosNetDevice>
LeafSpineHelper::MakeDevice(Ptr<Node> node, DataRate rate)
{
    Ptr<VclosNetDevice> dev = CreateObject<VclosNetDevice>();
    dev->SetAttribute("DataRate", DataRateValue(rate));
    dev->SetAttribute("QueueBytes", UintegerValue(m_config.queueBytes));
    // largest IPv4 packet: a full payload with headers and the ImmDt of a message's end
    dev->SetAttribute("Mtu", UintegerValue(m_mtu + RdmaNic::HEADER_BYTES + ImmDtHeader::SIZE));
    dev->SetAddress(Mac48Address::Allocate());
    node->AddDevice(dev);
    return dev;
}

void
LeafSpineHelper::AddPort(uint32_t node, uint32_t port, Ptr<VclosNetDevice> dev)
{
    uint32_t added;
    if (m_switchOfNode[node])
    {
        added = m_switchOfNode[node]->AddPort(dev);
    }
    else
    {
        added = m_nodes[node]->GetObject<RdmaNic>()->AddPort(dev);
    }
    NS_ABORT_MSG_IF(added != port,
                    "port numbering of " << m_topology->GetNode(node).name << " differs from "
                                         << "the topology's (" << added << " vs " << port << ")");
}

void
LeafSpineHelper::Build()
{
    NS_ABORT_MSG_IF(m_built, "Build() called twice");
    const LeafSpineConfig& c = m_config;
    vclos::LeafSpineShape shape;
    shape.leaves = c.leaves;
    shape.spines = c.spines;
    shape.gpusPerLeaf = c.gpusPerLeaf;
    shape.gpusPerServer = c.gpusPerServer;
    shape.linksPerLeafSpine = c.linksPerLeafSpine;
    shape.host = {c.hostRate.GetBitRate(), c.hostDelay.GetPicoSeconds()};
    shape.fabric = {c.fabricRate.GetBitRate(), c.fabricDelay.GetPicoSeconds()};
    shape.intra = {c.intraRate.GetBitRate(), c.intraDelay.GetPicoSeconds()};
    try
    {
        m_topology =
            std::make_shared<vclos::ClusterTopology>(vclos::ClusterTopology::LeafSpine(shape));
    }
    catch (const std::invalid_argument& e)
    {
        NS_FATAL_ERROR("LeafSpineHelper: " << e.what());
    }
    m_built = true;
    m_runSeed = GetRunSeed();
    m_runSeedSet = true;
    m_routing = std::make_unique<vclos::Routing>(m_topology, m_runSeed, c.sameHashSeed);
    UintegerValue mtu;
    m_nicFactory.Create<RdmaNic>()->GetAttribute("Mtu", mtu);
    m_mtu = mtu.Get();

    // Nodes, in topology node order (GPUs, leaves, spines, server switches).
    const vclos::ClusterTopology& t = *m_topology;
    m_switchOfNode.assign(t.GetNNodes(), nullptr);
    int64_t stream = m_streamBase;
    for (uint32_t id = 0; id < t.GetNNodes(); ++id)
    {
        const vclos::TopoNode& tn = t.GetNode(id);
        Ptr<Node> node = CreateObject<Node>();
        m_nodes.push_back(node);
        if (tn.kind == vclos::NodeKind::GPU)
        {
            Ptr<RdmaNic> nic = m_nicFactory.Create<RdmaNic>();
            nic->SetGpu(tn.index, t.GetServerOf(tn.index));
            nic->SetAttribute("RunSeed", UintegerValue(m_runSeed));
            node->AggregateObject(nic);
            m_gpus.Add(node);
            m_nics.push_back(nic);
            continue;
        }
        Ptr<VclosSwitch> sw = m_switchFactory.Create<VclosSwitch>();
        sw->SetForwardingTable(m_routing->GetTable(id));
        sw->AssignStreams(stream++);
        node->AggregateObject(sw);
        m_switchOfNode[id] = sw;
        switch (tn.kind)
        {
        case vclos::NodeKind::LEAF:
            m_leaves.push_back(sw);
            break;
        case vclos::NodeKind::SPINE:
            m_spines.push_back(sw);
            break;
        default:
            m_serverSwitches.push_back(sw);
            break;
        }
    }
    // Cables, in link id order: devices join their nodes in port order.
    for (uint32_t id = 0; id < t.GetNLinks(); id += 2)
    {
        const vclos::TopoLink& l = t.GetLink(id);
        const DataRate rate(l.rateBps);
        Ptr<VclosNetDevice> a = MakeDevice(m_nodes[l.src], rate);
        Ptr<VclosNetDevice> b = MakeDevice(m_nodes[l.dst], rate);
        Ptr<VclosChannel> ch = CreateObject<VclosChannel>();
        ch->SetAttribute("Delay", TimeValue(PicoSeconds(l.delayPs)));
        a->Attach(ch);
        b->Attach(ch);
        AddPort(l.src, l.srcPort, a);
        AddPort(l.dst, l.dstPort, b);
        const std::string& srcName = t.GetNode(l.src).name;
        const std::string& dstName = t.GetNode(l.dst).name;
        m_links.push_back(Link{id, srcName, dstName, l.kind, a});
        m_links.push_back(Link{id + 1, dstName, srcName, l.kind, b});
    }
    NS_LOG_INFO("built " << t.GetNGpus() << " GPUs, " << c.leaves << " leaves, " << c.spines
                         << " spines, " << m_links.size() << " link directions, run seed "
                         << m_runSeed);
}

const vclos::ClusterTopology&
LeafSpineHelper::GetTopology() const
{
    NS_ABORT_MSG_IF(!m_topology, "GetTopology() before Build()");
    return *m_topology;
}

std::shared_ptr<const vclos::ClusterTopology>
LeafSpineHelper::GetTopologyPtr() const
{
    NS_ABORT_MSG_IF(!m_topology, "GetTopologyPtr() before Build()");
    return m_topology;
}

vclos::Routing&
LeafSpineHelper::GetRouting()
{
    NS_ABORT_MSG_IF(!m_routing, "GetRouting() before Build()");
    return *m_routing;
}

const vclos::Routing&
LeafSpineHelper::GetRouting() const
{
    NS_ABORT_MSG_IF(!m_routing, "GetRouting() before Build()");
    return *m_routing;
}

Ptr<VclosSwitch>
LeafSpineHelper::GetSwitch(uint32_t node) const
{
    NS_ABORT_MSG_IF(node >= m_switchOfNode.size(), "no node " << node);
    return m_switchOfNode[node];
}

uint32_t
LeafSpineHelper::GetNGpus() const
{
    return m_nics.size();
}

Ptr<Node>
LeafSpineHelper::GetGpuNode(uint32_t gpu) const
{
    NS_ABORT_MSG_IF(gpu >= m_nics.size(), "no GPU " << gpu);
    return m_gpus.Get(gpu);
}

Ptr<RdmaNic>
LeafSpineHelper::GetNic(uint32_t gpu) const
{
    NS_ABORT_MSG_IF(gpu >= m_nics.size(), "no GPU " << gpu);
    return m_nics[gpu];
}

Ptr<VclosSwitch>
LeafSpineHelper::GetLeaf(uint32_t leaf) const
{
    NS_ABORT_MSG_IF(leaf >= m_leaves.size(), "no leaf " << leaf);
    return m_leaves[leaf];
}

Ptr<VclosSwitch>
LeafSpineHelper::GetSpine(uint32_t spine) const
{
    NS_ABORT_MSG_IF(spine >= m_spines.size(), "no spine " << spine);
    return m_spines[spine];
}

Ptr<VclosSwitch>
LeafSpineHelper::GetServerSwitch(uint32_t server) const
{
    return server < m_serverSwitches.size() ? m_serverSwitches[server] : nullptr;
}

uint32_t
LeafSpineHelper::GetLeafOf(uint32_t gpu) const
{
    return gpu / m_config.gpusPerLeaf;
}

uint32_t
LeafSpineHelper::GetServerOf(uint32_t gpu) const
{
    return gpu / m_config.gpusPerServer;
}

const std::vector<LeafSpineHelper::Link>&
LeafSpineHelper::GetLinks() const
{
    return m_links;
}

uint32_t
LeafSpineHelper::GetLeafUplinkPort(uint32_t spine, uint32_t k) const
{
    return m_config.gpusPerLeaf + spine * m_config.linksPerLeafSpine + k;
}

std::vector<uint32_t>
LeafSpineHelper::GetPath(uint32_t srcGpu, uint32_t dstGpu, uint16_t srcPort, bool control) const
{
    NS_ABORT_MSG_IF(srcGpu >= m_nics.size() || dstGpu >= m_nics.size(), "no such GPU");
    return m_routing->Path(srcGpu, dstGpu, srcPort, control);
}

void
LeafSpineHelper::EnablePcap(const std::string& filename, uint32_t gpu)
{
    PcapHelper pcap;
    Ptr<PcapFileWrapper> file =
        pcap.CreateFile(filename, std::ios::out, vclos::compat::PcapLinkTypeRaw());
    pcap.HookDefaultSink<VclosNetDevice>(GetNic(gpu)->GetPort(0), "Sniffer", file);
}

} // namespace ns3
