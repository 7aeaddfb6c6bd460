/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "forwarding-table.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ns3
{
namespace vclos
{

ForwardingTable::ForwardingTable(uint32_t nPorts)
    : m_nPorts(nPorts),
      m_nSourceRoutes(0),
      m_seed(0)
{
}

void
ForwardingTable::SetNPorts(uint32_t nPorts)
{
    m_nPorts = std::max(m_nPorts, nPorts);
}

uint32_t
ForwardingTable::GetNPorts() const
{
    return m_nPorts;
}

void
ForwardingTable::CheckPort(uint32_t port, const char* what) const
{
    if (port >= m_nPorts)
    {
        throw std::invalid_argument(std::string("ForwardingTable: ") + what + " via port " +
                                    std::to_string(port) + ", but the switch has ports 0.." +
                                    std::to_string(static_cast<int64_t>(m_nPorts) - 1));
    }
}

std::size_t
ForwardingTable::CompactGroups()
{
    std::vector<uint32_t> newIndex(m_groups.size(), NO_PORT);
    std::vector<std::vector<uint32_t>> kept;
    for (uint32_t& g : m_routeGroup)
    {
        if (g == NO_PORT)
        {
            continue;
        }
        if (newIndex[g] == NO_PORT)
        {
            newIndex[g] = kept.size();
            kept.push_back(std::move(m_groups[g]));
        }
        g = newIndex[g];
    }
    const std::size_t freed = m_groups.size() - kept.size();
    m_groups = std::move(kept);
    return freed;
}

void
ForwardingTable::SetRoute(uint32_t dstGpu, const std::vector<uint32_t>& ports)
{
    if (dstGpu >= kMaxGpus)
    {
        throw std::invalid_argument("ForwardingTable: GPU id " + std::to_string(dstGpu) +
                                    " out of range (< " + std::to_string(kMaxGpus) + ")");
    }
    for (uint32_t p : ports)
    {
        CheckPort(p, "route");
    }
    if (m_routeGroup.size() <= dstGpu)
    {
        m_routeGroup.resize(dstGpu + 1, NO_PORT);
    }
    if (ports.empty())
    {
        m_routeGroup[dstGpu] = NO_PORT;
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
ForwardingTable::GetRoute(uint32_t dstGpu) const
{
    if (dstGpu >= m_routeGroup.size() || m_routeGroup[dstGpu] == NO_PORT)
    {
        return {};
    }
    return m_groups[m_routeGroup[dstGpu]];
}

std::size_t
ForwardingTable::GetNGroups() const
{
    return m_groups.size();
}

void
ForwardingTable::SetFlowRoute(uint32_t srcGpu, uint32_t dstGpu, uint32_t port)
{
    CheckPort(port, "flow route");
    m_flowRoutes[FlowRouteKey(srcGpu, dstGpu)] = port;
}

void
ForwardingTable::RemoveFlowRoute(uint32_t srcGpu, uint32_t dstGpu)
{
    m_flowRoutes.erase(FlowRouteKey(srcGpu, dstGpu));
}

void
ForwardingTable::ClearFlowRoutes()
{
    m_flowRoutes.clear();
}

std::size_t
ForwardingTable::GetNFlowRoutes() const
{
    return m_flowRoutes.size();
}

void
ForwardingTable::SetControlRoute(ControlRoute rule)
{
    m_controlBySender = rule == ControlRoute::SENDER;
}

ForwardingTable::ControlRoute
ForwardingTable::GetControlRoute() const
{
    return m_controlBySender ? ControlRoute::SENDER : ControlRoute::REVERSE_PATH;
}

void
ForwardingTable::SetSourceRoute(uint32_t gpu, uint32_t member)
{
    if (gpu >= kMaxGpus)
    {
        throw std::invalid_argument("ForwardingTable: source route of GPU " + std::to_string(gpu) +
                                    " out of range (< " + std::to_string(kMaxGpus) + ")");
    }
    if (member == NO_MEMBER)
    {
        throw std::invalid_argument("ForwardingTable: source route member NO_MEMBER; use "
                                    "RemoveSourceRoute()");
    }
    if (m_sourceMember.size() <= gpu)
    {
        m_sourceMember.resize(gpu + 1, NO_MEMBER);
    }
    if (m_sourceMember[gpu] == NO_MEMBER)
    {
        ++m_nSourceRoutes;
    }
    m_sourceMember[gpu] = member;
}

void
ForwardingTable::RemoveSourceRoute(uint32_t gpu)
{
    if (gpu < m_sourceMember.size() && m_sourceMember[gpu] != NO_MEMBER)
    {
        m_sourceMember[gpu] = NO_MEMBER;
        --m_nSourceRoutes;
    }
}

void
ForwardingTable::ClearSourceRoutes()
{
    m_sourceMember.clear();
    m_nSourceRoutes = 0;
}

uint32_t
ForwardingTable::GetSourceRoute(uint32_t gpu) const
{
    return gpu < m_sourceMember.size() ? m_sourceMember[gpu] : NO_MEMBER;
}

std::size_t
ForwardingTable::GetNSourceRoutes() const
{
    return m_nSourceRoutes;
}

void
ForwardingTable::SetSeed(uint32_t seed)
{
    m_seed = seed;
}

uint32_t
ForwardingTable::GetSeed() const
{
    return m_seed;
}

} // namespace vclos
} // namespace ns3
