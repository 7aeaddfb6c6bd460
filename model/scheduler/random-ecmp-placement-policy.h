/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_RANDOM_ECMP_PLACEMENT_POLICY_H
#define VCLOS_RANDOM_ECMP_PLACEMENT_POLICY_H

// Pure code: random GPUs, ECMP.

#include "ns3/placement-policy.h"

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * Random placement: G GPUs drawn uniformly among the free ones (a partial Fisher-Yates
 * shuffle driven by Mix64 of (seed, draw counter), so the same seed and call sequence give
 * the same GPUs on every platform), in drawn order as rank order; no reservation, ECMP.
 * It waits only when fewer than G GPUs are free.
 */
class RandomEcmpPlacementPolicy : public PlacementPolicy
{
  public:
    /// \param seed the seed
    explicit RandomEcmpPlacementPolicy(uint64_t seed);
    std::string GetName() const override;
    bool IsIsolating() const override;
    std::optional<Placement> Place(const ClusterOccupancy& occupancy, uint32_t nGpus) override;

  private:
    uint64_t m_seed;
    uint64_t m_draws{0}; //!< random numbers drawn so far
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_RANDOM_ECMP_PLACEMENT_POLICY_H
