/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/ecmp-placement-policy.h"

namespace ns3
{
namespace vclos
{

EcmpPlacementPolicy::EcmpPlacementPolicy(const MiniClosSearchCaps& caps)
    : VclosPlacementPolicy(caps)
{
}

std::string
EcmpPlacementPolicy::GetName() const
{
    return "ecmp";
}

bool
EcmpPlacementPolicy::IsIsolating() const
{
    return false;
}

std::optional<Placement>
EcmpPlacementPolicy::Place(const ClusterOccupancy& occupancy, uint32_t nGpus)
{
    std::optional<Placement> p = Choose(occupancy, nGpus, false);
    if (p)
    {
        p->policy = GetName();
        p->planes.clear();
        p->spines.clear();
        if (p->leaves.size() > 1)
        {
            for (uint32_t s = 0; s < occupancy.GetNSpines(); ++s)
            {
                p->spines.push_back(s); // ECMP may use any spine
            }
        }
    }
    return p;
}

} // namespace vclos
} // namespace ns3
