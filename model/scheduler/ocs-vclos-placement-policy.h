/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_OCS_VCLOS_PLACEMENT_POLICY_H
#define VCLOS_OCS_VCLOS_PLACEMENT_POLICY_H

// Pure code: the OCS-vClos placement policy. No ns-3 dependency.

#include "ns3/ocs-fabric.h"
#include "ns3/placement-policy.h"

#include <map>
#include <vector>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * OCS-vClos: vClos on a leaf-OCS-spine fabric (OcsFabric), where the scheduler sets the
 * optical circuits of each job, so a job's virtual Clos can use whatever spine ports are
 * free, or join two leaves directly.
 *
 * The ClusterOccupancy it places on is the logical leaf-spine cluster of the fabric's GPUs
 * with one "plane" per leaf uplink: ClusterTopology::LeafSpine with spines =
 * uplinksPerLeaf (plane i = leaf uplink i = OCS i), one link per pair. Leaf uplinks are
 * owned there (a job's uplinks are its reserved links); the spine ports and circuits are
 * this policy's own state (Commit(), Release()).
 *
 * Order (the paper's code):
 * 1. one-leaf: G <= P: the fullest leaf that fits (lowest index on ties); no circuit.
 * 2. two-leaves: G even, G/2 <= P: two leaves with G/2 free GPUs and G/2 uplinks free on
 *    both (the same OCSes), best fit (fewest free GPUs in the pair, then lowest indices);
 *    one leaf-leaf circuit per shared OCS; GPU t of each leaf uses the t-th.
 * 3. virtual-clos: m = max(odd part of G, ceil(G/P)), doubling while m <= leaves; when m
 *    divides G, s = G/m GPUs and s uplinks per leaf, n = s spines. Spine sets: the n spines
 *    with the most free ports first, then (if there are at most 64 sets) every other set.
 *    For a spine set, first a fast pass (leaves in best-fit order, each taking a maximum
 *    matching of the spines to its usable OCSes, no backtracking); if it fails, an exact
 *    depth-first search (node cap, default 2,000 nodes) over the leaves in best-fit
 *    order and, per leaf and spine, the OCS of its circuit (a free uplink of the leaf,
 *    distinct per leaf, within the spine's free ports on that OCS), pruned by a maximum
 *    bipartite matching (augmenting paths) of the leaf's remaining spines to its usable
 *    OCSes. Local GPU t of every leaf uses the uplink of its circuit to the t-th spine.
 *    (The paper solves this step by an ILP.) A cap hit ends the attempt (stats.capHit).
 * 4. Otherwise nothing: the job waits.
 *
 * readySeconds of a placement with circuits is the reconfiguration delay.
 */
class OcsVclosPlacementPolicy : public PlacementPolicy
{
  public:
    /**
     * \param shape the fabric
     * \param reconfigurationSeconds time before new circuits are lit (>= 0)
     * \param caps node cap of the virtual-Clos search (maxNodes; maxSeconds unused)
     * \throws std::invalid_argument for an invalid shape or a negative delay
     */
    OcsVclosPlacementPolicy(const OcsFabricShape& shape,
                            double reconfigurationSeconds,
                            const MiniClosSearchCaps& caps = {2000, 0.0});
    std::string GetName() const override;
    bool IsIsolating() const override;
    /// \throws std::invalid_argument if \p occupancy is not the fabric's logical cluster
    std::optional<Placement> Place(const ClusterOccupancy& occupancy, uint32_t nGpus) override;
    /// Set the placement's circuits. \throws std::logic_error if a port is taken
    void Commit(uint64_t job, const Placement& placement) override;
    void Release(uint64_t job) override;

    /// \return the fabric with the circuits of the running jobs
    const OcsFabric& GetFabric() const;
    /**
     * Maximum bipartite matching (augmenting paths): left vertex u may match right vertex v
     * if adj[u] lists v.
     * \param adj adjacency of the left vertices
     * \param nRight number of right vertices
     * \return per left vertex its right vertex, or OcsFabric::NONE
     */
    static std::vector<uint32_t> MaxMatching(const std::vector<std::vector<uint32_t>>& adj,
                                             uint32_t nRight);

  private:
    std::optional<Placement> OneLeaf(const ClusterOccupancy& occ, uint32_t nGpus) const;
    std::optional<Placement> TwoLeaves(const ClusterOccupancy& occ, uint32_t nGpus) const;
    std::optional<Placement> VirtualClos(const ClusterOccupancy& occ, uint32_t m, uint32_t s);
    /// Fill links (the uplinks of the circuits) and readySeconds.
    void Finish(const ClusterOccupancy& occ, Placement& p) const;

    OcsFabric m_fabric;
    double m_reconfigurationSeconds;
    MiniClosSearchCaps m_caps;                                 //!< cap of the virtual-Clos search
    std::map<uint64_t, std::vector<OcsCircuit>> m_jobCircuits; //!< job -> its circuits
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_OCS_VCLOS_PLACEMENT_POLICY_H
