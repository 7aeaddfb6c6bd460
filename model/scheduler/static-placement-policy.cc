/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/static-placement-policy.h"

namespace ns3
{
namespace vclos
{

StaticPlacementPolicy::StaticPlacementPolicy(const MiniClosSearchCaps& caps)
    : VclosPlacementPolicy(caps)
{
}

std::string
StaticPlacementPolicy::GetName() const
{
    return "static";
}

bool
StaticPlacementPolicy::IsIsolating() const
{
    return false;
}

std::optional<Placement>
StaticPlacementPolicy::Place(const ClusterOccupancy& occupancy, uint32_t nGpus)
{
    std::optional<Placement> p = Choose(occupancy, nGpus, false);
    if (!p)
    {
        return p;
    }
    p->policy = GetName();
    p->planes.clear();
    p->spines.clear();
    if (p->leaves.size() < 2)
    {
        return p; // traffic stays below one leaf
    }
    const ClusterTopology& topo = occupancy.GetTopology();
    const uint32_t uplinks = occupancy.GetNPlanes();
    const uint32_t spines = occupancy.GetNSpines();
    for (uint32_t s = 0; s < spines; ++s)
    {
        p->spines.push_back(s);
    }
    for (uint32_t g : p->gpus)
    {
        const uint32_t member = g % uplinks;
        for (uint32_t leaf : p->leaves)
        {
            p->routes.push_back({topo.GetNodeOfKind(NodeKind::LEAF, leaf), g, member});
        }
        for (uint32_t s = 0; s < spines; ++s)
        {
            p->routes.push_back({topo.GetNodeOfKind(NodeKind::SPINE, s), g, member / spines});
        }
    }
    return p;
}

} // namespace vclos
} // namespace ns3
