/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_CLUSTER_OCCUPANCY_H
#define VCLOS_CLUSTER_OCCUPANCY_H

// Pure code: which GPUs and fabric cables of a leaf-spine cluster belong to which job.

#include "ns3/cluster-topology.h"
#include "ns3/placement.h"

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * GPU and link occupancy of a leaf-spine ClusterTopology.
 *
 * A leaf's uplinks are numbered by **plane** p = k * spines + s (spine s, parallel link k),
 * the member numbering of the leaves' default uplink group (Routing): plane p of leaf l is
 * one cable, i.e. two link ids (leaf -> spine and spine -> leaf), owned by at most one job.
 * Parallel links are distinct planes. GPUs are owned by at most one job.
 */
class ClusterOccupancy
{
  public:
    /// Owner value of a free GPU or cable.
    static constexpr uint64_t FREE = UINT64_MAX;

    /**
     * \param topology a leaf-spine topology (ClusterTopology::LeafSpine)
     * \throws std::invalid_argument if it was not built by LeafSpine()
     */
    explicit ClusterOccupancy(std::shared_ptr<const ClusterTopology> topology);

    /// \return the topology
    const ClusterTopology& GetTopology() const;
    /// \return shared pointer to the topology
    std::shared_ptr<const ClusterTopology> GetTopologyPtr() const;
    /// \return number of leaves
    uint32_t GetNLeaves() const;
    /// \return number of spines
    uint32_t GetNSpines() const;
    /// \return GPUs below each leaf
    uint32_t GetGpusPerLeaf() const;
    /// \return uplink planes per leaf (spines x parallel links)
    uint32_t GetNPlanes() const;
    /// \param plane a plane \return its spine index
    uint32_t GetPlaneSpine(uint32_t plane) const;
    /// \param plane a plane \return its parallel link index
    uint32_t GetPlaneLink(uint32_t plane) const;

    /// \param gpu GPU id \return owning job or FREE
    uint64_t GetGpuOwner(uint32_t gpu) const;
    /// \param leaf leaf index \return its free GPUs
    uint32_t GetLeafFreeGpus(uint32_t leaf) const;
    /// \param leaf leaf index \return its free GPU ids, ascending
    std::vector<uint32_t> GetFreeGpus(uint32_t leaf) const;
    /// \return free GPUs in the cluster
    uint32_t GetNFreeGpus() const;
    /// \return GPUs owned by a job
    uint32_t GetNBusyGpus() const;

    /// \param leaf leaf index \param plane plane \return owning job or FREE
    uint64_t GetCableOwner(uint32_t leaf, uint32_t plane) const;
    /// \param leaf leaf index \param plane plane \return the leaf -> spine link id
    uint32_t GetUpLink(uint32_t leaf, uint32_t plane) const;
    /// \param leaf leaf index \param plane plane \return the spine -> leaf link id
    uint32_t GetDownLink(uint32_t leaf, uint32_t plane) const;
    /// \param link any link id \return owning job of its cable (FREE for free or non-fabric)
    uint64_t GetLinkOwner(uint32_t link) const;
    /**
     * \param leaf leaf index
     * \return bitset (64 planes per word, plane p = bit p % 64 of word p / 64) of its free planes
     */
    const std::vector<uint64_t>& GetFreePlaneBits(uint32_t leaf) const;

    /**
     * Give a GPU to a job.
     * \param gpu GPU id \param job job id (!= FREE)
     * \throws std::logic_error if the GPU is owned, std::out_of_range for a bad id
     */
    void AssignGpu(uint32_t gpu, uint64_t job);
    /**
     * Reserve a cable for a job.
     * \param leaf leaf index \param plane plane \param job job id (!= FREE)
     * \throws std::logic_error if the cable is owned, std::out_of_range for bad indices
     */
    void AssignCable(uint32_t leaf, uint32_t plane, uint64_t job);
    /**
     * Take a placement's GPUs and reserved links for \p job, all or nothing.
     * \param job job id
     * \param placement the placement (links: fabric link ids, either direction)
     * \throws std::logic_error if a GPU or cable is owned or the job already holds resources
     */
    void Reserve(uint64_t job, const Placement& placement);
    /**
     * Free everything \p job holds.
     * \param job job id
     * \return number of GPUs freed
     */
    uint32_t Release(uint64_t job);
    /// \param job job id \return true if it holds a GPU or cable
    bool HasJob(uint64_t job) const;

  private:
    uint32_t CableIndex(uint32_t leaf, uint32_t plane) const;

    std::shared_ptr<const ClusterTopology> m_topology;
    uint32_t m_leaves;
    uint32_t m_spines;
    uint32_t m_gpusPerLeaf;
    uint32_t m_planes;
    uint32_t m_busyGpus{0};
    std::vector<uint64_t> m_gpuOwner;                //!< per GPU
    std::vector<uint32_t> m_leafFree;                //!< per leaf
    std::vector<uint64_t> m_cableOwner;              //!< per leaf * planes + plane
    std::vector<uint32_t> m_upLink;                  //!< per cable index
    std::vector<uint32_t> m_linkCable;               //!< per link id: cable index or NONE
    std::vector<std::vector<uint64_t>> m_freePlanes; //!< per leaf: bitset of free planes
    std::unordered_map<uint64_t, std::vector<uint32_t>> m_jobGpus;   //!< job -> GPUs
    std::unordered_map<uint64_t, std::vector<uint32_t>> m_jobCables; //!< job -> cables
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_CLUSTER_OCCUPANCY_H
