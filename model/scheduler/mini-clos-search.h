/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_MINI_CLOS_SEARCH_H
#define VCLOS_MINI_CLOS_SEARCH_H

// Pure code: the exact m x n mini-Clos search (replaces the authors' Gurobi ILP).

#include "ns3/cluster-occupancy.h"
#include "ns3/placement.h"

#include <cstdint>
#include <vector>

namespace ns3
{
namespace vclos
{

/// Caps of the exact search.
struct MiniClosSearchCaps
{
    uint64_t maxNodes{1000000}; //!< search nodes before giving up (0: no cap)
    double maxSeconds{0.0};     //!< wall time before giving up (0: no cap; not deterministic)
};

/// What the search is asked for.
struct MiniClosRequest
{
    uint32_t m{0};           //!< leaves
    uint32_t n{0};           //!< planes (uplinks per leaf)
    uint32_t demand{0};      //!< free GPUs each chosen leaf must have
    bool respectLinks{true}; //!< false: every cable counts as free (ECMP baselines)
};

/// What the search found.
struct MiniClosResult
{
    bool found{false};            //!< a placement exists (and was found before a cap)
    std::vector<uint32_t> leaves; //!< chosen leaves, ascending
    std::vector<uint32_t> planes; //!< chosen planes, ascending (the n lowest common ones)
    uint64_t cost{0};             //!< sum of the chosen leaves' free GPUs (best fit: minimal)
    SearchStats stats;            //!< nodes, time, cap hit
};

/**
 * \ingroup vclos
 * Exact search for an m x n mini-Clos: m leaves with at least `demand` free GPUs each and
 * n planes whose cables to all m leaves are free (a biclique of the leaf-plane graph of
 * free cables), minimising the sum of the chosen leaves' free GPUs (best fit: fuller leaves
 * first).
 *
 * Branch and bound over leaf subsets. Candidates are sorted by (free GPUs, free-plane
 * bitset, leaf index). A node holds the chosen leaves and the AND of their free-plane
 * bitsets; it is cut when (a) fewer than n planes remain common, (b) fewer remaining
 * candidates are still compatible (>= n common planes with the current AND) than leaves
 * are missing, (c) the current cost plus the cheapest completion (the next candidates in
 * sorted order) is not below the best cost found. At one level, a candidate identical in
 * free GPUs and bitset to the one tried just before is skipped (symmetry: any set using it
 * maps to an explored set of equal cost). Exactness: none of the cuts removes an optimal
 * solution, so without a cap the result is feasible iff a placement exists and its cost is
 * the minimum. With a cap the best solution so far (or none) is returned with capHit set.
 */
class MiniClosSearch
{
  public:
    /**
     * \param occupancy the cluster's occupancy
     * \param request m, n, demand
     * \param caps node and time caps
     * \return the result
     */
    static MiniClosResult Find(const ClusterOccupancy& occupancy,
                               const MiniClosRequest& request,
                               const MiniClosSearchCaps& caps);
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_MINI_CLOS_SEARCH_H
