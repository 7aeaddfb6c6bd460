/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/mini-clos-search.h"

#include <algorithm>
#include <chrono>
#include <limits>

namespace ns3
{
namespace vclos
{

namespace
{

constexpr uint32_t kBitsPerWord = 64;
/// Nodes between two looks at the clock (time cap).
constexpr uint64_t kClockEvery = 256;

using Bits = std::vector<uint64_t>;

uint32_t
PopAnd(const Bits& a, const Bits& b)
{
    uint32_t count = 0;
    for (size_t w = 0; w < a.size(); ++w)
    {
        count += static_cast<uint32_t>(__builtin_popcountll(a[w] & b[w]));
    }
    return count;
}

/// The branch and bound state.
class Searcher
{
  public:
    Searcher(const MiniClosRequest& request, const MiniClosSearchCaps& caps)
        : m_req(request),
          m_caps(caps),
          m_start(std::chrono::steady_clock::now())
    {
    }

    std::vector<uint32_t> free;   //!< per candidate: free GPUs
    std::vector<Bits> bits;       //!< per candidate: free planes
    std::vector<uint32_t> chosen; //!< current path (candidate indices)
    std::vector<uint32_t> best;   //!< best set (candidate indices)
    uint64_t bestCost{std::numeric_limits<uint64_t>::max()};
    uint64_t nodes{0};
    bool capHit{false};

    void Dfs(const Bits& andBits, uint64_t cost, const std::vector<uint32_t>& cands)
    {
        ++nodes;
        if (m_caps.maxNodes != 0 && nodes > m_caps.maxNodes)
        {
            capHit = true;
            return;
        }
        if (m_caps.maxSeconds > 0.0 && nodes % kClockEvery == 0 &&
            std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count() >
                m_caps.maxSeconds)
        {
            capHit = true;
            return;
        }
        const size_t need = m_req.m - chosen.size();
        if (need == 0)
        {
            if (cost < bestCost)
            {
                bestCost = cost;
                best = chosen;
            }
            return;
        }
        if (cands.size() < need)
        {
            return;
        }
        std::vector<uint32_t> next;
        for (size_t i = 0; i + need <= cands.size(); ++i)
        {
            const uint32_t c = cands[i];
            if (i > 0 && free[c] == free[cands[i - 1]] && bits[c] == bits[cands[i - 1]])
            {
                continue; // symmetric to the candidate just tried
            }
            uint64_t bound = cost;
            for (size_t j = i; j < i + need; ++j)
            {
                bound += free[cands[j]];
            }
            if (bound >= bestCost)
            {
                break; // candidates are sorted by free GPUs: later windows cost more
            }
            Bits andNew = andBits;
            for (size_t w = 0; w < andNew.size(); ++w)
            {
                andNew[w] &= bits[c][w];
            }
            next.clear();
            for (size_t j = i + 1; j < cands.size(); ++j)
            {
                if (PopAnd(andNew, bits[cands[j]]) >= m_req.n)
                {
                    next.push_back(cands[j]);
                }
            }
            if (next.size() + 1 < need)
            {
                continue;
            }
            chosen.push_back(c);
            Dfs(andNew, cost + free[c], next);
            chosen.pop_back();
            if (capHit)
            {
                return;
            }
        }
    }

  private:
    const MiniClosRequest& m_req;
    const MiniClosSearchCaps& m_caps;
    std::chrono::steady_clock::time_point m_start;
};

} // namespace

MiniClosResult
MiniClosSearch::Find(const ClusterOccupancy& occupancy,
                     const MiniClosRequest& request,
                     const MiniClosSearchCaps& caps)
{
    const auto start = std::chrono::steady_clock::now();
    MiniClosResult result;
    const uint32_t planes = occupancy.GetNPlanes();
    if (request.m == 0 || request.n > planes || request.demand > occupancy.GetGpusPerLeaf())
    {
        return result;
    }
    const uint32_t words = (planes + kBitsPerWord - 1) / kBitsPerWord;
    Bits all(words, 0);
    for (uint32_t p = 0; p < planes; ++p)
    {
        all[p / kBitsPerWord] |= uint64_t{1} << (p % kBitsPerWord);
    }

    Searcher searcher(request, caps);
    std::vector<uint32_t> leafOf;
    for (uint32_t leaf = 0; leaf < occupancy.GetNLeaves(); ++leaf)
    {
        const uint32_t free = occupancy.GetLeafFreeGpus(leaf);
        if (free < request.demand)
        {
            continue;
        }
        const Bits& bits = request.respectLinks ? occupancy.GetFreePlaneBits(leaf) : all;
        if (PopAnd(bits, bits) < request.n)
        {
            continue;
        }
        leafOf.push_back(leaf);
        searcher.free.push_back(free);
        searcher.bits.push_back(bits);
    }
    std::vector<uint32_t> order(leafOf.size());
    for (uint32_t i = 0; i < order.size(); ++i)
    {
        order[i] = i;
    }
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        if (searcher.free[a] != searcher.free[b])
        {
            return searcher.free[a] < searcher.free[b];
        }
        if (searcher.bits[a] != searcher.bits[b])
        {
            return searcher.bits[a] < searcher.bits[b];
        }
        return leafOf[a] < leafOf[b];
    });
    if (order.size() >= request.m)
    {
        searcher.Dfs(all, 0, order);
    }

    result.stats.nodes = searcher.nodes;
    result.stats.capHit = searcher.capHit;
    if (!searcher.best.empty())
    {
        result.found = true;
        result.cost = searcher.bestCost;
        Bits common = all;
        for (uint32_t c : searcher.best)
        {
            result.leaves.push_back(leafOf[c]);
            for (size_t w = 0; w < common.size(); ++w)
            {
                common[w] &= searcher.bits[c][w];
            }
        }
        std::sort(result.leaves.begin(), result.leaves.end());
        for (uint32_t p = 0; p < planes && result.planes.size() < request.n; ++p)
        {
            if (common[p / kBitsPerWord] >> (p % kBitsPerWord) & 1)
            {
                result.planes.push_back(p);
            }
        }
    }
    result.stats.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace vclos
} // namespace ns3
