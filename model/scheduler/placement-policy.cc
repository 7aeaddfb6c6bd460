/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/placement-policy.h"

#include "ns3/ecmp-placement-policy.h"
#include "ns3/random-ecmp-placement-policy.h"
#include "ns3/static-placement-policy.h"
#include "ns3/vclos-placement-policy.h"

#include <stdexcept>

namespace ns3
{
namespace vclos
{

const SearchStats&
PlacementPolicy::GetLastStats() const
{
    return m_lastStats;
}

void
PlacementPolicy::Commit(uint64_t /* job */, const Placement& /* placement */)
{
}

void
PlacementPolicy::Release(uint64_t /* job */)
{
}

std::unique_ptr<PlacementPolicy>
MakePlacementPolicy(const std::string& name, uint64_t seed, const MiniClosSearchCaps& caps)
{
    if (name == "vclos")
    {
        return std::make_unique<VclosPlacementPolicy>(caps);
    }
    if (name == "ecmp")
    {
        return std::make_unique<EcmpPlacementPolicy>(caps);
    }
    if (name == "static")
    {
        return std::make_unique<StaticPlacementPolicy>(caps);
    }
    if (name == "random-ecmp")
    {
        return std::make_unique<RandomEcmpPlacementPolicy>(seed);
    }
    if (name == "ocs-vclos")
    {
        throw std::invalid_argument("placement policy: 'ocs-vclos' needs its fabric: construct "
                                    "OcsVclosPlacementPolicy(shape, reconfiguration delay)");
    }
    throw std::invalid_argument("placement policy: unknown name '" + name +
                                "' (expected vclos, ecmp, static or random-ecmp)");
}

} // namespace vclos
} // namespace ns3
