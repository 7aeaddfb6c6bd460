/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/cluster-occupancy.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ns3
{
namespace vclos
{

namespace
{
constexpr uint32_t kBitsPerWord = 64;
} // namespace

ClusterOccupancy::ClusterOccupancy(std::shared_ptr<const ClusterTopology> topology)
    : m_topology(std::move(topology))
{
    if (!m_topology || !m_topology->IsLeafSpine())
    {
        throw std::invalid_argument("ClusterOccupancy: the topology must be built by "
                                    "ClusterTopology::LeafSpine()");
    }
    const LeafSpineShape& shape = m_topology->GetShape();
    m_leaves = shape.leaves;
    m_spines = shape.spines;
    m_gpusPerLeaf = shape.gpusPerLeaf;
    m_planes = shape.spines * shape.linksPerLeafSpine;
    m_gpuOwner.assign(m_topology->GetNGpus(), FREE);
    m_leafFree.assign(m_leaves, m_gpusPerLeaf);
    m_cableOwner.assign(static_cast<size_t>(m_leaves) * m_planes, FREE);
    m_upLink.assign(m_cableOwner.size(), ClusterTopology::NONE);
    m_linkCable.assign(m_topology->GetNLinks(), ClusterTopology::NONE);
    const uint32_t words = (m_planes + kBitsPerWord - 1) / kBitsPerWord;
    m_freePlanes.assign(m_leaves, std::vector<uint64_t>(words, 0));
    for (uint32_t leaf = 0; leaf < m_leaves; ++leaf)
    {
        const uint32_t node = m_topology->GetNodeOfKind(NodeKind::LEAF, leaf);
        for (uint32_t p = 0; p < m_planes; ++p)
        {
            const uint32_t up =
                m_topology->GetPortLink(node,
                                        m_topology->GetLeafUplinkPort(p % m_spines, p / m_spines));
            const uint32_t cable = CableIndex(leaf, p);
            m_upLink[cable] = up;
            m_linkCable[up] = cable;
            m_linkCable[m_topology->GetLink(up).reverse] = cable;
            m_freePlanes[leaf][p / kBitsPerWord] |= uint64_t{1} << (p % kBitsPerWord);
        }
    }
}

uint32_t
ClusterOccupancy::CableIndex(uint32_t leaf, uint32_t plane) const
{
    if (leaf >= m_leaves || plane >= m_planes)
    {
        throw std::out_of_range("ClusterOccupancy: leaf " + std::to_string(leaf) + " plane " +
                                std::to_string(plane) + " out of range");
    }
    return leaf * m_planes + plane;
}

const ClusterTopology&
ClusterOccupancy::GetTopology() const
{
    return *m_topology;
}

std::shared_ptr<const ClusterTopology>
ClusterOccupancy::GetTopologyPtr() const
{
    return m_topology;
}

uint32_t
ClusterOccupancy::GetNLeaves() const
{
    return m_leaves;
}

uint32_t
ClusterOccupancy::GetNSpines() const
{
    return m_spines;
}

uint32_t
ClusterOccupancy::GetGpusPerLeaf() const
{
    return m_gpusPerLeaf;
}

uint32_t
ClusterOccupancy::GetNPlanes() const
{
    return m_planes;
}

uint32_t
ClusterOccupancy::GetPlaneSpine(uint32_t plane) const
{
    return plane % m_spines;
}

uint32_t
ClusterOccupancy::GetPlaneLink(uint32_t plane) const
{
    return plane / m_spines;
}

uint64_t
ClusterOccupancy::GetGpuOwner(uint32_t gpu) const
{
    return m_gpuOwner.at(gpu);
}

uint32_t
ClusterOccupancy::GetLeafFreeGpus(uint32_t leaf) const
{
    return m_leafFree.at(leaf);
}

std::vector<uint32_t>
ClusterOccupancy::GetFreeGpus(uint32_t leaf) const
{
    std::vector<uint32_t> out;
    const uint32_t first = leaf * m_gpusPerLeaf;
    for (uint32_t g = first; g < first + m_gpusPerLeaf && g < m_gpuOwner.size(); ++g)
    {
        if (m_gpuOwner[g] == FREE)
        {
            out.push_back(g);
        }
    }
    return out;
}

uint32_t
ClusterOccupancy::GetNFreeGpus() const
{
    return static_cast<uint32_t>(m_gpuOwner.size()) - m_busyGpus;
}

uint32_t
ClusterOccupancy::GetNBusyGpus() const
{
    return m_busyGpus;
}

uint64_t
ClusterOccupancy::GetCableOwner(uint32_t leaf, uint32_t plane) const
{
    return m_cableOwner[CableIndex(leaf, plane)];
}

uint32_t
ClusterOccupancy::GetUpLink(uint32_t leaf, uint32_t plane) const
{
    return m_upLink[CableIndex(leaf, plane)];
}

uint32_t
ClusterOccupancy::GetDownLink(uint32_t leaf, uint32_t plane) const
{
    return m_topology->GetLink(GetUpLink(leaf, plane)).reverse;
}

uint64_t
ClusterOccupancy::GetLinkOwner(uint32_t link) const
{
    const uint32_t cable = m_linkCable.at(link);
    return cable == ClusterTopology::NONE ? FREE : m_cableOwner[cable];
}

const std::vector<uint64_t>&
ClusterOccupancy::GetFreePlaneBits(uint32_t leaf) const
{
    return m_freePlanes.at(leaf);
}

void
ClusterOccupancy::AssignGpu(uint32_t gpu, uint64_t job)
{
    if (job == FREE)
    {
        throw std::invalid_argument("ClusterOccupancy: job id FREE is reserved");
    }
    if (m_gpuOwner.at(gpu) != FREE)
    {
        throw std::logic_error("ClusterOccupancy: GPU " + std::to_string(gpu) +
                               " already belongs to job " + std::to_string(m_gpuOwner[gpu]));
    }
    m_gpuOwner[gpu] = job;
    --m_leafFree[gpu / m_gpusPerLeaf];
    ++m_busyGpus;
    m_jobGpus[job].push_back(gpu);
}

void
ClusterOccupancy::AssignCable(uint32_t leaf, uint32_t plane, uint64_t job)
{
    if (job == FREE)
    {
        throw std::invalid_argument("ClusterOccupancy: job id FREE is reserved");
    }
    const uint32_t cable = CableIndex(leaf, plane);
    if (m_cableOwner[cable] != FREE)
    {
        throw std::logic_error("ClusterOccupancy: cable leaf " + std::to_string(leaf) + " plane " +
                               std::to_string(plane) + " already belongs to job " +
                               std::to_string(m_cableOwner[cable]));
    }
    m_cableOwner[cable] = job;
    m_freePlanes[leaf][plane / kBitsPerWord] &= ~(uint64_t{1} << (plane % kBitsPerWord));
    m_jobCables[job].push_back(cable);
}

void
ClusterOccupancy::Reserve(uint64_t job, const Placement& placement)
{
    if (HasJob(job))
    {
        throw std::logic_error("ClusterOccupancy: job " + std::to_string(job) +
                               " already holds resources");
    }
    std::vector<uint32_t> cables;
    std::vector<uint32_t> sorted = placement.gpus;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
    {
        throw std::logic_error("ClusterOccupancy: a GPU appears twice in the placement of job " +
                               std::to_string(job));
    }
    for (uint32_t g : placement.gpus)
    {
        if (m_gpuOwner.at(g) != FREE)
        {
            throw std::logic_error("ClusterOccupancy: GPU " + std::to_string(g) + " of job " +
                                   std::to_string(job) + " is not free");
        }
    }
    for (uint32_t link : placement.links)
    {
        const uint32_t cable = m_linkCable.at(link);
        if (cable == ClusterTopology::NONE)
        {
            throw std::logic_error("ClusterOccupancy: link " + std::to_string(link) +
                                   " is not a fabric link");
        }
        if (m_cableOwner[cable] != FREE)
        {
            throw std::logic_error("ClusterOccupancy: link " + std::to_string(link) + " of job " +
                                   std::to_string(job) + " is reserved by job " +
                                   std::to_string(m_cableOwner[cable]));
        }
        cables.push_back(cable);
    }
    for (uint32_t g : placement.gpus)
    {
        AssignGpu(g, job);
    }
    for (uint32_t cable : cables)
    {
        if (m_cableOwner[cable] == FREE) // both directions of a cable name it once
        {
            AssignCable(cable / m_planes, cable % m_planes, job);
        }
    }
}

uint32_t
ClusterOccupancy::Release(uint64_t job)
{
    uint32_t freed = 0;
    auto g = m_jobGpus.find(job);
    if (g != m_jobGpus.end())
    {
        for (uint32_t gpu : g->second)
        {
            m_gpuOwner[gpu] = FREE;
            ++m_leafFree[gpu / m_gpusPerLeaf];
            --m_busyGpus;
            ++freed;
        }
        m_jobGpus.erase(g);
    }
    auto c = m_jobCables.find(job);
    if (c != m_jobCables.end())
    {
        for (uint32_t cable : c->second)
        {
            m_cableOwner[cable] = FREE;
            const uint32_t leaf = cable / m_planes;
            const uint32_t plane = cable % m_planes;
            m_freePlanes[leaf][plane / kBitsPerWord] |= uint64_t{1} << (plane % kBitsPerWord);
        }
        m_jobCables.erase(c);
    }
    return freed;
}

bool
ClusterOccupancy::HasJob(uint64_t job) const
{
    return m_jobGpus.count(job) != 0 || m_jobCables.count(job) != 0;
}

} // namespace vclos
} // namespace ns3
