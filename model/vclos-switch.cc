/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "vclos-switch.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/uinteger.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("VclosSwitch");
NS_OBJECT_ENSURE_REGISTERED(VclosSwitch);

namespace
{
constexpr uint32_t kNoGroup = 0xFFFFFFFF;
}

TypeId
VclosSwitch::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::VclosSwitch")
            .SetParent<Object>()
            .SetGroupName("Vclos")
            .AddConstructor<VclosSwitch>()
            .AddAttribute("HashSeed",
                          "Seed of this switch's ECMP hash. Switches that share a seed make "
                          "correlated choices (polarization).",
                          UintegerValue(0),
                          MakeUintegerAccessor(&VclosSwitch::m_seed),
                          MakeUintegerChecker<uint32_t>())
            .AddTraceSource("NoRouteDrop",
                            "A packet was dropped because no route matched its destination.",
                            MakeTraceSourceAccessor(&VclosSwitch::m_noRouteTrace),
                            "ns3::Packet::TracedCallback");
    return tid;
}

VclosSwitch::VclosSwitch()
    : m_seed(0),
      m_noRouteDrops(0)
{
}

void
VclosSwitch::DoDispose()
{
    m_ports.clear();
    m_portPtr.clear();
    Object::DoDispose();
}

uint32_t
VclosSwitch::AddPort(Ptr<VclosNetDevice> device)
{
    const uint32_t port = m_ports.size();
    device->SetPortIndex(port);
    device->SetPacketHandler(MakeCallback(&VclosSwitch::Receive, this));
    m_ports.push_back(device);
    m_portPtr.push_back(PeekPointer(device));
    return port;
}

uint32_t
VclosSwitch::GetNPorts() const
{
    return m_ports.size();
}

Ptr<VclosNetDevice>
VclosSwitch::GetPort(uint32_t port) const
{
    NS_ABORT_MSG_IF(port >= m_ports.size(), "no port " << port);
    return m_ports[port];
}

void
VclosSwitch::SetRoute(uint32_t dstGpu, const std::vector<uint32_t>& ports)
{
    NS_ABORT_MSG_IF(dstGpu >= vclos::kMaxGpus, "GPU id " << dstGpu << " out of range");
    for (uint32_t p : ports)
    {
        NS_ABORT_MSG_IF(p >= m_ports.size(), "route to GPU " << dstGpu << " via missing port " << p);
    }
    if (m_routeGroup.size() <= dstGpu)
    {
        m_routeGroup.resize(dstGpu + 1, kNoGroup);
    }
    if (ports.empty())
    {
        m_routeGroup[dstGpu] = kNoGroup;
        return;
    }
    auto it = std::find(m_groups.begin(), m_groups.end(), ports);
    if (it == m_groups.end())
    {
        m_groups.push_back(ports);
        it = m_groups.end() - 1;
    }
    m_routeGroup[dstGpu] = static_cast<uint32_t>(it - m_groups.begin());
}

std::vector<uint32_t>
VclosSwitch::GetRoute(uint32_t dstGpu) const
{
    if (dstGpu >= m_routeGroup.size() || m_routeGroup[dstGpu] == kNoGroup)
    {
        return {};
    }
    return m_groups[m_routeGroup[dstGpu]];
}

void
VclosSwitch::SetFlowRoute(uint32_t srcGpu, uint32_t dstGpu, uint32_t port)
{
    NS_ABORT_MSG_IF(port >= m_ports.size(), "flow route via missing port " << port);
    m_flowRoutes[(static_cast<uint64_t>(srcGpu) << 32) | dstGpu] = port;
}

void
VclosSwitch::RemoveFlowRoute(uint32_t srcGpu, uint32_t dstGpu)
{
    m_flowRoutes.erase((static_cast<uint64_t>(srcGpu) << 32) | dstGpu);
}

void
VclosSwitch::ClearFlowRoutes()
{
    m_flowRoutes.clear();
}

std::size_t
VclosSwitch::GetNFlowRoutes() const
{
    return m_flowRoutes.size();
}

uint32_t
VclosSwitch::SelectPort(const vclos::FlowKey& key) const
{
    const uint32_t dst = vclos::GpuOfIp(key.dstIp);
    if (!m_flowRoutes.empty())
    {
        const uint32_t src = vclos::GpuOfIp(key.srcIp);
        auto it = m_flowRoutes.find((static_cast<uint64_t>(src) << 32) | dst);
        if (it != m_flowRoutes.end())
        {
            return it->second;
        }
    }
    if (dst >= m_routeGroup.size() || m_routeGroup[dst] == kNoGroup)
    {
        return NO_PORT;
    }
    const std::vector<uint32_t>& group = m_groups[m_routeGroup[dst]];
    if (group.size() == 1)
    {
        return group[0];
    }
    return group[vclos::EcmpHash(key, m_seed) % group.size()];
}

void
VclosSwitch::SetHashSeed(uint32_t seed)
{
    m_seed = seed;
}

uint32_t
VclosSwitch::GetHashSeed() const
{
    return m_seed;
}

uint64_t
VclosSwitch::GetNoRouteDrops() const
{
    return m_noRouteDrops;
}

void
VclosSwitch::Receive(Ptr<VclosNetDevice> /* in */, Ptr<Packet> p)
{
    uint8_t buf[vclos::kFlowKeyBytes];
    p->CopyData(buf, vclos::kFlowKeyBytes);
    vclos::FlowKey key;
    vclos::ParseFlowKey(buf, key);
    const uint32_t port = SelectPort(key);
    if (port == NO_PORT)
    {
        NS_LOG_WARN("no route to " << key.dstIp);
        ++m_noRouteDrops;
        m_noRouteTrace(p);
        return;
    }
    m_portPtr[port]->Enqueue(p);
}

} // namespace ns3
