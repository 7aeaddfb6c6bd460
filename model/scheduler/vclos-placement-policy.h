/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_VCLOS_PLACEMENT_POLICY_H
#define VCLOS_VCLOS_PLACEMENT_POLICY_H

// Pure code: the paper's mini-Clos placement.

#include "ns3/placement-policy.h"

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * vClos: the paper's allocation order (doc/scheduler.rst), with every chosen leaf-spine
 * cable reserved for the job and static source routes (local GPU i of a leaf uses the
 * job's plane i mod n).
 *
 * 1. Whole leaves: G a multiple of GPUs-per-leaf P: m = G/P empty leaves; m = 1 needs no
 *    spine, else n = min(P, planes) planes free to all m leaves (exact search).
 * 2. One leaf: G <= P: the leaf with the fewest free GPUs that still has G (lowest index
 *    on ties); no spine.
 * 3. Mini-Clos: B = largest power of two <= G, r = G - B. For s = P, P/2, ... (integer
 *    halving) down to 1, skipping s > planes, s not dividing B, m = B/s < 2, and the
 *    request already tried by step 1: m leaves each with >= s + ceil(r/m) free GPUs and
 *    n = s planes free to all of them, best fit (exact search). Leaf j (ascending) takes s
 *    GPUs plus floor(r/m) (+1 for the first r mod m leaves) leftover GPUs; a leftover at
 *    local index s + t is paired with local GPU t: same leaf, same plane.
 * 4. Otherwise nothing: the job waits.
 */
class VclosPlacementPolicy : public PlacementPolicy
{
  public:
    /// \param caps caps of the exact search
    explicit VclosPlacementPolicy(const MiniClosSearchCaps& caps = {});
    std::string GetName() const override;
    bool IsIsolating() const override;
    std::optional<Placement> Place(const ClusterOccupancy& occupancy, uint32_t nGpus) override;

  protected:
    /**
     * The vClos GPU choice.
     * \param occupancy occupancy
     * \param nGpus GPUs
     * \param respectLinks false: every cable counts as free (baselines)
     * \return placement with gpus, leaves, planes, spines, branch, stats; no links or routes
     */
    std::optional<Placement> Choose(const ClusterOccupancy& occupancy,
                                    uint32_t nGpus,
                                    bool respectLinks);
    /**
     * Fill links and the "local GPU i uses plane i mod n" source routes of a mini-Clos.
     * \param occupancy occupancy
     * \param placement a placement from Choose() with planes
     */
    static void AddIsolation(const ClusterOccupancy& occupancy, Placement& placement);

    MiniClosSearchCaps m_caps; //!< caps of the exact search
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_VCLOS_PLACEMENT_POLICY_H
