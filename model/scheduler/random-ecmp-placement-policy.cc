/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/random-ecmp-placement-policy.h"

#include "ns3/ecmp-hash.h"

#include <algorithm>
#include <chrono>
#include <set>

namespace ns3
{
namespace vclos
{

RandomEcmpPlacementPolicy::RandomEcmpPlacementPolicy(uint64_t seed)
    : m_seed(seed)
{
}

std::string
RandomEcmpPlacementPolicy::GetName() const
{
    return "random-ecmp";
}

bool
RandomEcmpPlacementPolicy::IsIsolating() const
{
    return false;
}

std::optional<Placement>
RandomEcmpPlacementPolicy::Place(const ClusterOccupancy& occupancy, uint32_t nGpus)
{
    const auto start = std::chrono::steady_clock::now();
    m_lastStats = SearchStats{};
    std::optional<Placement> out;
    if (nGpus > 0 && nGpus <= occupancy.GetNFreeGpus())
    {
        std::vector<uint32_t> free;
        for (uint32_t leaf = 0; leaf < occupancy.GetNLeaves(); ++leaf)
        {
            std::vector<uint32_t> f = occupancy.GetFreeGpus(leaf);
            free.insert(free.end(), f.begin(), f.end());
        }
        Placement p;
        p.policy = GetName();
        p.branch = "random";
        for (uint32_t i = 0; i < nGpus; ++i)
        {
            const uint64_t r = Mix64(m_seed ^ Mix64(++m_draws));
            const uint32_t j = i + static_cast<uint32_t>(r % (free.size() - i));
            std::swap(free[i], free[j]);
            p.gpus.push_back(free[i]);
        }
        std::set<uint32_t> leaves;
        for (uint32_t g : p.gpus)
        {
            leaves.insert(occupancy.GetTopology().GetLeafOf(g));
        }
        p.leaves.assign(leaves.begin(), leaves.end());
        if (p.leaves.size() > 1)
        {
            for (uint32_t s = 0; s < occupancy.GetNSpines(); ++s)
            {
                p.spines.push_back(s);
            }
        }
        out = p;
    }
    m_lastStats.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (out)
    {
        out->stats = m_lastStats;
    }
    return out;
}

} // namespace vclos
} // namespace ns3
