/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "leaf-spine-helper.h"

#include "ns3/abort.h"
#include "ns3/aeth-header.h"
#include "ns3/ecmp-hash.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/pcap-file-wrapper.h"
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
    m_seedRng = CreateObject<UniformRandomVariable>();
    m_seedRng->SetStream(0);
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

int64_t
LeafSpineHelper::AssignStreams(int64_t stream)
{
    NS_ABORT_MSG_IF(m_built, "call AssignStreams() before Build()");
    m_seedRng->SetStream(stream);
    m_streamBase = stream;
    // seeds, one per NIC, one per switch (at most one server switch per GPU)
    return 1 + 2 * m_config.leaves * m_config.gpusPerLeaf + m_config.leaves + m_config.spines;
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
LeafSpineHelper::Connect(Ptr<VclosNetDevice> a,
                         const std::string& aName,
                         Ptr<VclosNetDevice> b,
                         const std::string& bName,
                         Time delay,
                         LinkKind kind)
{
    Ptr<VclosChannel> ch = CreateObject<VclosChannel>();
    ch->SetAttribute("Delay", TimeValue(delay));
    a->Attach(ch);
    b->Attach(ch);
    const uint32_t ab = m_links.size();
    m_links.push_back(Link{ab, aName, bName, kind, a});
    m_links.push_back(Link{ab + 1, bName, aName, kind, b});
    m_linkOfDevice[PeekPointer(a)] = ab;
    m_linkOfDevice[PeekPointer(b)] = ab + 1;
}

void
LeafSpineHelper::Build()
{
    NS_ABORT_MSG_IF(m_built, "Build() called twice");
    const LeafSpineConfig& c = m_config;
    NS_ABORT_MSG_IF(c.leaves == 0 || c.spines == 0 || c.gpusPerLeaf == 0 || c.gpusPerServer == 0 ||
                        c.linksPerLeafSpine == 0,
                    "leaf-spine sizes must be >= 1");
    NS_ABORT_MSG_IF(c.gpusPerLeaf % c.gpusPerServer != 0,
                    "gpusPerServer (" << c.gpusPerServer << ") must divide gpusPerLeaf ("
                                      << c.gpusPerLeaf << ")");
    m_built = true;
    UintegerValue mtu;
    m_nicFactory.Create<RdmaNic>()->GetAttribute("Mtu", mtu);
    m_mtu = mtu.Get();

    const uint32_t nGpus = c.leaves * c.gpusPerLeaf;
    const uint32_t nServers = nGpus / c.gpusPerServer;
    const uint32_t links = c.linksPerLeafSpine;
    m_gpus.Create(nGpus);

    int64_t switchStream = m_streamBase + 1 + nGpus;
    auto makeSwitch = [this, &switchStream](uint32_t seed) {
        Ptr<Node> node = CreateObject<Node>();
        Ptr<VclosSwitch> sw = m_switchFactory.Create<VclosSwitch>();
        sw->SetHashSeed(seed);
        sw->AssignStreams(switchStream++);
        node->AggregateObject(sw);
        return sw;
    };
    const uint32_t sharedSeed = m_seedRng->GetInteger(0, 0xFFFFFFFE);
    auto nextSeed = [&]() {
        return c.sameHashSeed ? sharedSeed : m_seedRng->GetInteger(0, 0xFFFFFFFE);
    };
    for (uint32_t l = 0; l < c.leaves; ++l)
    {
        m_leaves.push_back(makeSwitch(nextSeed()));
    }
    for (uint32_t s = 0; s < c.spines; ++s)
    {
        m_spines.push_back(makeSwitch(nextSeed()));
    }
    if (c.gpusPerServer > 1)
    {
        for (uint32_t v = 0; v < nServers; ++v)
        {
            m_serverSwitches.push_back(makeSwitch(nextSeed()));
        }
    }

    // GPUs: NIC network port to the leaf (leaf port = local index), intra-server port.
    for (uint32_t g = 0; g < nGpus; ++g)
    {
        Ptr<Node> node = m_gpus.Get(g);
        Ptr<RdmaNic> nic = m_nicFactory.Create<RdmaNic>();
        nic->SetGpu(g, GetServerOf(g));
        nic->AssignStreams(m_streamBase + 1 + g);
        node->AggregateObject(nic);
        m_nics.push_back(nic);
        const uint32_t l = GetLeafOf(g);
        Ptr<VclosNetDevice> nicDev = MakeDevice(node, c.hostRate);
        Ptr<VclosNetDevice> leafDev = MakeDevice(m_leaves[l]->GetObject<Node>(), c.hostRate);
        Connect(nicDev,
                "gpu" + std::to_string(g),
                leafDev,
                "leaf" + std::to_string(l),
                c.hostDelay,
                LinkKind::HOST);
        nic->AddPort(nicDev);
        m_leaves[l]->AddPort(leafDev);
    }
    // Leaf uplinks: leaf port gpusPerLeaf + s * links + k; spine port l * links + k.
    for (uint32_t l = 0; l < c.leaves; ++l)
    {
        for (uint32_t s = 0; s < c.spines; ++s)
        {
            for (uint32_t k = 0; k < links; ++k)
            {
                Ptr<VclosNetDevice> up = MakeDevice(m_leaves[l]->GetObject<Node>(), c.fabricRate);
                Ptr<VclosNetDevice> down = MakeDevice(m_spines[s]->GetObject<Node>(), c.fabricRate);
                Connect(up,
                        "leaf" + std::to_string(l),
                        down,
                        "spine" + std::to_string(s),
                        c.fabricDelay,
                        LinkKind::FABRIC);
                m_leaves[l]->AddPort(up);
                m_spines[s]->AddPort(down);
            }
        }
    }
    // Server switches: port j = local GPU j; the NIC's port 1.
    for (uint32_t v = 0; v < m_serverSwitches.size(); ++v)
    {
        for (uint32_t j = 0; j < c.gpusPerServer; ++j)
        {
            const uint32_t g = v * c.gpusPerServer + j;
            Ptr<VclosNetDevice> gpuDev = MakeDevice(m_gpus.Get(g), c.intraRate);
            Ptr<VclosNetDevice> swDev =
                MakeDevice(m_serverSwitches[v]->GetObject<Node>(), c.intraRate);
            Connect(gpuDev,
                    "gpu" + std::to_string(g),
                    swDev,
                    "server" + std::to_string(v),
                    c.intraDelay,
                    LinkKind::INTRA);
            m_nics[g]->AddPort(gpuDev);
            m_serverSwitches[v]->AddPort(swDev);
        }
    }

    // Routes.
    // The uplink group lists parallel link 0 of every spine first, then link 1, ...: a
    // flow's uplink is group[h % size], so its spine is (h % size) % spines and its
    // parallel link (h % size) / spines. With one hash seed everywhere, a spine then
    // sees only flows of one residue class and uses one of its parallel links
    // toward each leaf (polarization); distinct seeds decorrelate the stages.
    std::vector<uint32_t> uplinks;
    for (uint32_t k = 0; k < links; ++k)
    {
        for (uint32_t s = 0; s < c.spines; ++s)
        {
            uplinks.push_back(GetLeafUplinkPort(s, k));
        }
    }
    for (uint32_t g = 0; g < nGpus; ++g)
    {
        const uint32_t lg = GetLeafOf(g);
        for (uint32_t l = 0; l < c.leaves; ++l)
        {
            if (l == lg)
            {
                m_leaves[l]->SetRoute(g, {g - l * c.gpusPerLeaf});
            }
            else
            {
                m_leaves[l]->SetRoute(g, uplinks);
            }
        }
        std::vector<uint32_t> down;
        for (uint32_t k = 0; k < links; ++k)
        {
            down.push_back(lg * links + k);
        }
        for (auto& spine : m_spines)
        {
            spine->SetRoute(g, down);
        }
        if (!m_serverSwitches.empty())
        {
            const uint32_t v = GetServerOf(g);
            m_serverSwitches[v]->SetRoute(g, {g - v * c.gpusPerServer});
        }
    }
    NS_LOG_INFO("built " << nGpus << " GPUs, " << c.leaves << " leaves, " << c.spines << " spines, "
                         << m_links.size() << " link directions");
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
LeafSpineHelper::GetPath(uint32_t srcGpu, uint32_t dstGpu, uint16_t srcPort) const
{
    NS_ABORT_MSG_IF(srcGpu >= m_nics.size() || dstGpu >= m_nics.size(), "no such GPU");
    vclos::FlowKey key;
    key.srcIp = vclos::GpuIp(srcGpu);
    key.dstIp = vclos::GpuIp(dstGpu);
    key.srcPort = srcPort;
    key.dstPort = 4791;
    key.protocol = 17;
    const bool intra = !m_serverSwitches.empty() && GetServerOf(srcGpu) == GetServerOf(dstGpu);
    Ptr<VclosNetDevice> dev = m_nics[srcGpu]->GetPort(intra ? 1 : 0);
    std::vector<uint32_t> path;
    for (int hop = 0; hop < 16; ++hop)
    {
        path.push_back(m_linkOfDevice.at(PeekPointer(dev)));
        Ptr<VclosNetDevice> peer = dev->GetPeer();
        Ptr<VclosSwitch> sw = peer->GetNode()->GetObject<VclosSwitch>();
        if (!sw)
        {
            Ptr<RdmaNic> nic = peer->GetNode()->GetObject<RdmaNic>();
            return (nic && nic->GetGpuId() == dstGpu) ? path : std::vector<uint32_t>{};
        }
        const uint32_t port = sw->SelectPort(key);
        if (port == VclosSwitch::NO_PORT)
        {
            return {};
        }
        dev = sw->GetPort(port);
    }
    return {};
}

void
LeafSpineHelper::EnablePcap(const std::string& filename, uint32_t gpu)
{
    PcapHelper pcap;
    Ptr<PcapFileWrapper> file = pcap.CreateFile(filename, std::ios::out, PcapHelper::DLT_RAW);
    pcap.HookDefaultSink<VclosNetDevice>(GetNic(gpu)->GetPort(0), "Sniffer", file);
}

} // namespace ns3
