/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_ECMP_PLACEMENT_POLICY_H
#define VCLOS_ECMP_PLACEMENT_POLICY_H

// Pure code: a baseline placement policy.

#include "ns3/vclos-placement-policy.h"

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * ECMP baseline: the GPUs vClos would choose if no link were reserved (every cable counts
 * as free), no reservation and no source routes: the switches hash every flow.
 */
class EcmpPlacementPolicy : public VclosPlacementPolicy
{
  public:
    /// \param caps caps of the m x n search (it always succeeds on free cables)
    explicit EcmpPlacementPolicy(const MiniClosSearchCaps& caps = {});
    std::string GetName() const override;
    bool IsIsolating() const override;
    std::optional<Placement> Place(const ClusterOccupancy& occupancy, uint32_t nGpus) override;
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_ECMP_PLACEMENT_POLICY_H
