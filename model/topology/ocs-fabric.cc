/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ocs-fabric.h"

#include <stdexcept>

namespace ns3
{
namespace vclos
{

namespace
{
/// Largest size of any field: keeps every port number below 2^32.
constexpr uint32_t kMaxSize = 1u << 16;
} // namespace

std::string
OcsFabric::Check(const OcsFabricShape& s)
{
    const std::pair<const char*, uint32_t> fields[] = {{"leaves", s.leaves},
                                                       {"gpus_per_leaf", s.gpusPerLeaf},
                                                       {"uplinks_per_leaf", s.uplinksPerLeaf},
                                                       {"spines", s.spines},
                                                       {"spine_ports_per_ocs", s.spinePortsPerOcs}};
    for (const auto& [name, value] : fields)
    {
        if (value < 1 || value > kMaxSize)
        {
            return std::string(name) + " = " + std::to_string(value) + ": must be in [1, " +
                   std::to_string(kMaxSize) + "]";
        }
    }
    return "";
}

OcsFabric::OcsFabric(const OcsFabricShape& shape)
    : m_shape(shape)
{
    const std::string error = Check(shape);
    if (!error.empty())
    {
        throw std::invalid_argument("OcsFabric: " + error);
    }
    m_ocs.assign(shape.uplinksPerLeaf, CircuitMap(GetNOcsPorts()));
}

OcsFabricShape
OcsFabric::PaperShape()
{
    OcsFabricShape s;
    s.leaves = 256;
    s.gpusPerLeaf = 32;
    s.uplinksPerLeaf = 32;
    s.spines = 128;
    s.spinePortsPerOcs = 2; // 64 spine ports over 32 OCSes
    return s;
}

const OcsFabricShape&
OcsFabric::GetShape() const
{
    return m_shape;
}

uint32_t
OcsFabric::GetNOcs() const
{
    return m_shape.uplinksPerLeaf;
}

uint32_t
OcsFabric::GetNOcsPorts() const
{
    return m_shape.leaves + m_shape.spines * m_shape.spinePortsPerOcs;
}

uint32_t
OcsFabric::GetLeafOcsPort(uint32_t leaf) const
{
    return leaf;
}

uint32_t
OcsFabric::GetSpineOcsPort(uint32_t spine, uint32_t j) const
{
    return m_shape.leaves + spine * m_shape.spinePortsPerOcs + j;
}

bool
OcsFabric::IsLeafOcsPort(uint32_t port) const
{
    return port < m_shape.leaves;
}

uint32_t
OcsFabric::GetOcsPortOwner(uint32_t port) const
{
    if (port >= GetNOcsPorts())
    {
        return NONE;
    }
    return IsLeafOcsPort(port) ? port : (port - m_shape.leaves) / m_shape.spinePortsPerOcs;
}

uint32_t
OcsFabric::GetFreeSpinePorts(uint32_t ocs, uint32_t spine) const
{
    uint32_t n = 0;
    for (uint32_t j = 0; j < m_shape.spinePortsPerOcs; ++j)
    {
        n += m_ocs.at(ocs).IsFree(GetSpineOcsPort(spine, j)) ? 1 : 0;
    }
    return n;
}

const CircuitMap&
OcsFabric::GetCircuits(uint32_t ocs) const
{
    return m_ocs.at(ocs);
}

void
OcsFabric::SetCircuits(uint32_t ocs, const CircuitMap& map)
{
    if (ocs >= m_ocs.size())
    {
        throw std::invalid_argument("OcsFabric: no OCS " + std::to_string(ocs));
    }
    if (map.GetNPorts() != GetNOcsPorts())
    {
        throw std::invalid_argument("OcsFabric: a map of " + std::to_string(map.GetNPorts()) +
                                    " ports for an OCS of " + std::to_string(GetNOcsPorts()));
    }
    for (const auto& [a, b] : map.GetCircuits())
    {
        if (!IsLeafOcsPort(a) && !IsLeafOcsPort(b))
        {
            throw std::invalid_argument("OcsFabric: circuit (" + std::to_string(a) + ", " +
                                        std::to_string(b) + ") joins two spines");
        }
    }
    m_ocs[ocs] = map;
}

void
OcsFabric::Connect(uint32_t ocs, uint32_t a, uint32_t b)
{
    if (ocs >= m_ocs.size())
    {
        throw std::invalid_argument("OcsFabric: no OCS " + std::to_string(ocs));
    }
    if (!IsLeafOcsPort(a) && !IsLeafOcsPort(b))
    {
        throw std::invalid_argument("OcsFabric: circuit (" + std::to_string(a) + ", " +
                                    std::to_string(b) + ") joins two spines");
    }
    m_ocs[ocs].Connect(a, b);
}

void
OcsFabric::Disconnect(uint32_t ocs, uint32_t port)
{
    m_ocs.at(ocs).Disconnect(port);
}

std::vector<uint32_t>
OcsFabric::SpineGroup(uint32_t spine, uint32_t dstLeaf) const
{
    std::vector<uint32_t> out;
    const uint32_t k = m_shape.spinePortsPerOcs;
    for (uint32_t i = 0; i < m_ocs.size(); ++i)
    {
        for (uint32_t j = 0; j < k; ++j)
        {
            if (m_ocs[i].GetPeer(GetSpineOcsPort(spine, j)) == GetLeafOcsPort(dstLeaf))
            {
                out.push_back(i * k + j);
            }
        }
    }
    return out;
}

std::vector<uint32_t>
OcsFabric::LeafGroup(uint32_t leaf, uint32_t dstLeaf) const
{
    std::vector<uint32_t> out;
    if (leaf == dstLeaf)
    {
        return out;
    }
    for (uint32_t i = 0; i < m_ocs.size(); ++i)
    {
        const uint32_t peer = m_ocs[i].GetPeer(GetLeafOcsPort(leaf));
        if (peer == NONE)
        {
            continue;
        }
        const bool reaches = IsLeafOcsPort(peer)
                                 ? peer == GetLeafOcsPort(dstLeaf)
                                 : !SpineGroup(GetOcsPortOwner(peer), dstLeaf).empty();
        if (reaches)
        {
            out.push_back(m_shape.gpusPerLeaf + i);
        }
    }
    return out;
}

} // namespace vclos
} // namespace ns3
