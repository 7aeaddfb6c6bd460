/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_STATIC_PLACEMENT_POLICY_H
#define VCLOS_STATIC_PLACEMENT_POLICY_H

// Pure code: a baseline placement policy.

#include "ns3/vclos-placement-policy.h"

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * The authors' static_routing: the GPUs vClos would choose if no link were reserved, no
 * reservation, and source routes from absolute GPU ids: on every leaf of the job member
 * g mod U of the uplink group (U = spines x parallel links), on every spine member
 * (g mod U) / spines, the rule of Routing::InstallUplinkSourceRoutes. Jobs may share links.
 */
class StaticPlacementPolicy : public VclosPlacementPolicy
{
  public:
    /// \param caps caps of the m x n search (it always succeeds on free cables)
    explicit StaticPlacementPolicy(const MiniClosSearchCaps& caps = {});
    std::string GetName() const override;
    bool IsIsolating() const override;
    std::optional<Placement> Place(const ClusterOccupancy& occupancy, uint32_t nGpus) override;
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_STATIC_PLACEMENT_POLICY_H
