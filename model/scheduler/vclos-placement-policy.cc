/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/vclos-placement-policy.h"

#include <algorithm>
#include <chrono>
#include <set>

namespace ns3
{
namespace vclos
{

namespace
{

uint32_t
LargestPowerOfTwoAtMost(uint32_t g)
{
    uint32_t b = 1;
    while (b <= g / 2)
    {
        b *= 2;
    }
    return b;
}

/// Placement of a mini-Clos from the search's leaves and planes.
Placement
BuildMiniClos(const ClusterOccupancy& occ,
              const MiniClosResult& found,
              uint32_t s,
              uint32_t leftover,
              const char* branch)
{
    Placement p;
    p.branch = branch;
    p.leaves = found.leaves;
    p.planes = found.planes;
    p.gpusPerLeaf = s;
    const uint32_t m = static_cast<uint32_t>(found.leaves.size());
    std::vector<std::vector<uint32_t>> freeOf;
    for (uint32_t leaf : found.leaves)
    {
        freeOf.push_back(occ.GetFreeGpus(leaf));
    }
    // the power-of-two part first (s per leaf), then the leftovers: a leaf's GPUs keep
    // their local order (main 0..s-1, leftovers s..), which AddIsolation relies on
    for (uint32_t j = 0; j < m; ++j)
    {
        p.gpus.insert(p.gpus.end(), freeOf[j].begin(), freeOf[j].begin() + s);
    }
    for (uint32_t j = 0; j < m; ++j)
    {
        const uint32_t extra = leftover / m + (j < leftover % m ? 1 : 0);
        p.gpus.insert(p.gpus.end(), freeOf[j].begin() + s, freeOf[j].begin() + s + extra);
    }
    std::set<uint32_t> spines;
    for (uint32_t plane : p.planes)
    {
        spines.insert(occ.GetPlaneSpine(plane));
    }
    p.spines.assign(spines.begin(), spines.end());
    return p;
}

} // namespace

VclosPlacementPolicy::VclosPlacementPolicy(const MiniClosSearchCaps& caps)
    : m_caps(caps)
{
}

std::string
VclosPlacementPolicy::GetName() const
{
    return "vclos";
}

bool
VclosPlacementPolicy::IsIsolating() const
{
    return true;
}

std::optional<Placement>
VclosPlacementPolicy::Place(const ClusterOccupancy& occupancy, uint32_t nGpus)
{
    std::optional<Placement> p = Choose(occupancy, nGpus, true);
    if (p)
    {
        AddIsolation(occupancy, *p);
        p->policy = GetName();
    }
    return p;
}

std::optional<Placement>
VclosPlacementPolicy::Choose(const ClusterOccupancy& occ, uint32_t nGpus, bool respectLinks)
{
    const auto start = std::chrono::steady_clock::now();
    m_lastStats = SearchStats{};
    auto finish = [&](std::optional<Placement> p) {
        m_lastStats.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (p)
        {
            p->stats = m_lastStats;
        }
        return p;
    };
    auto search = [&](const MiniClosRequest& req) {
        MiniClosResult r = MiniClosSearch::Find(occ, req, m_caps);
        m_lastStats.nodes += r.stats.nodes;
        m_lastStats.capHit = m_lastStats.capHit || r.stats.capHit;
        return r;
    };

    const uint32_t perLeaf = occ.GetGpusPerLeaf();
    const uint32_t planes = occ.GetNPlanes();
    if (nGpus == 0 || nGpus > occ.GetNFreeGpus())
    {
        return finish(std::nullopt);
    }

    // 1. whole leaves
    const bool wholeLeaves = nGpus % perLeaf == 0;
    const uint32_t wholeN = std::min(perLeaf, planes);
    if (wholeLeaves)
    {
        const uint32_t m = nGpus / perLeaf;
        if (m == 1)
        {
            for (uint32_t leaf = 0; leaf < occ.GetNLeaves(); ++leaf)
            {
                if (occ.GetLeafFreeGpus(leaf) == perLeaf)
                {
                    Placement p;
                    p.branch = "whole-leaves";
                    p.leaves = {leaf};
                    p.gpus = occ.GetFreeGpus(leaf);
                    p.gpusPerLeaf = perLeaf;
                    return finish(p);
                }
            }
        }
        else
        {
            MiniClosResult r = search({m, wholeN, perLeaf, respectLinks});
            if (r.found)
            {
                return finish(BuildMiniClos(occ, r, perLeaf, 0, "whole-leaves"));
            }
        }
    }

    // 2. one leaf, best fit
    if (nGpus <= perLeaf)
    {
        uint32_t bestLeaf = ClusterTopology::NONE;
        for (uint32_t leaf = 0; leaf < occ.GetNLeaves(); ++leaf)
        {
            const uint32_t free = occ.GetLeafFreeGpus(leaf);
            if (free >= nGpus &&
                (bestLeaf == ClusterTopology::NONE || free < occ.GetLeafFreeGpus(bestLeaf)))
            {
                bestLeaf = leaf;
            }
        }
        if (bestLeaf != ClusterTopology::NONE)
        {
            Placement p;
            p.branch = "one-leaf";
            p.leaves = {bestLeaf};
            std::vector<uint32_t> free = occ.GetFreeGpus(bestLeaf);
            p.gpus.assign(free.begin(), free.begin() + nGpus);
            p.gpusPerLeaf = nGpus;
            return finish(p);
        }
    }

    // 3. cross-leaf m x n mini-Clos
    const uint32_t b = LargestPowerOfTwoAtMost(nGpus);
    const uint32_t leftover = nGpus - b;
    for (uint32_t s = perLeaf; s >= 1; s /= 2)
    {
        if (s > planes || b % s != 0 || b / s < 2)
        {
            continue;
        }
        const uint32_t m = b / s;
        const uint32_t demand = s + (leftover + m - 1) / m;
        if (demand > perLeaf || (wholeLeaves && leftover == 0 && s == perLeaf && s == wholeN))
        {
            continue; // does not fit a leaf / the same request as step 1
        }
        MiniClosResult r = search({m, s, demand, respectLinks});
        if (r.found)
        {
            return finish(BuildMiniClos(occ, r, s, leftover, "mini-clos"));
        }
    }
    // 4. wait
    return finish(std::nullopt);
}

void
VclosPlacementPolicy::AddIsolation(const ClusterOccupancy& occ, Placement& p)
{
    if (p.planes.empty())
    {
        return; // one leaf: traffic never leaves it
    }
    const ClusterTopology& topo = occ.GetTopology();
    const uint32_t n = static_cast<uint32_t>(p.planes.size());
    for (uint32_t leaf : p.leaves)
    {
        for (uint32_t plane : p.planes)
        {
            p.links.push_back(occ.GetUpLink(leaf, plane));
            p.links.push_back(occ.GetDownLink(leaf, plane));
        }
    }
    std::sort(p.links.begin(), p.links.end());
    std::vector<uint32_t> localCount(occ.GetNLeaves(), 0);
    std::vector<uint32_t> leafNodes;
    for (uint32_t leaf : p.leaves)
    {
        leafNodes.push_back(topo.GetNodeOfKind(NodeKind::LEAF, leaf));
    }
    for (uint32_t g : p.gpus)
    {
        const uint32_t local = localCount[topo.GetLeafOf(g)]++;
        const uint32_t plane = p.planes[local % n];
        for (uint32_t node : leafNodes)
        {
            p.routes.push_back({node, g, plane});
        }
        p.routes.push_back({topo.GetNodeOfKind(NodeKind::SPINE, occ.GetPlaneSpine(plane)),
                            g,
                            occ.GetPlaneLink(plane)});
    }
}

} // namespace vclos
} // namespace ns3
