/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/ocs-vclos-placement-policy.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <stdexcept>

namespace ns3
{
namespace vclos
{

namespace
{
constexpr uint32_t NONE = OcsFabric::NONE;

bool
IsFreePlane(const ClusterOccupancy& occ, uint32_t leaf, uint32_t plane)
{
    return occ.GetCableOwner(leaf, plane) == ClusterOccupancy::FREE;
}

/// One augmenting path search from left vertex u (Kuhn).
bool
Augment(uint32_t u,
        const std::vector<std::vector<uint32_t>>& adj,
        std::vector<uint32_t>& matchRight,
        std::vector<char>& seen)
{
    for (uint32_t v : adj[u])
    {
        if (seen[v])
        {
            continue;
        }
        seen[v] = 1;
        if (matchRight[v] == NONE || Augment(matchRight[v], adj, matchRight, seen))
        {
            matchRight[v] = u;
            return true;
        }
    }
    return false;
}
} // namespace

OcsVclosPlacementPolicy::OcsVclosPlacementPolicy(const OcsFabricShape& shape,
                                                 double reconfigurationSeconds,
                                                 const MiniClosSearchCaps& caps)
    : m_fabric(shape),
      m_reconfigurationSeconds(reconfigurationSeconds),
      m_caps(caps)
{
    if (!(reconfigurationSeconds >= 0))
    {
        throw std::invalid_argument("ocs-vclos: reconfiguration delay must be >= 0 s");
    }
}

std::string
OcsVclosPlacementPolicy::GetName() const
{
    return "ocs-vclos";
}

bool
OcsVclosPlacementPolicy::IsIsolating() const
{
    return true;
}

const OcsFabric&
OcsVclosPlacementPolicy::GetFabric() const
{
    return m_fabric;
}

std::vector<uint32_t>
OcsVclosPlacementPolicy::MaxMatching(const std::vector<std::vector<uint32_t>>& adj, uint32_t nRight)
{
    std::vector<uint32_t> matchRight(nRight, NONE);
    std::vector<char> seen(nRight);
    for (uint32_t u = 0; u < adj.size(); ++u)
    {
        std::fill(seen.begin(), seen.end(), 0);
        Augment(u, adj, matchRight, seen);
    }
    std::vector<uint32_t> matchLeft(adj.size(), NONE);
    for (uint32_t v = 0; v < nRight; ++v)
    {
        if (matchRight[v] != NONE)
        {
            matchLeft[matchRight[v]] = v;
        }
    }
    return matchLeft;
}

std::optional<Placement>
OcsVclosPlacementPolicy::OneLeaf(const ClusterOccupancy& occ, uint32_t nGpus) const
{
    uint32_t best = NONE;
    for (uint32_t l = 0; l < occ.GetNLeaves(); ++l)
    {
        const uint32_t free = occ.GetLeafFreeGpus(l);
        if (free >= nGpus && (best == NONE || free < occ.GetLeafFreeGpus(best)))
        {
            best = l;
        }
    }
    if (best == NONE)
    {
        return std::nullopt;
    }
    Placement p;
    p.branch = "one-leaf";
    const std::vector<uint32_t> free = occ.GetFreeGpus(best);
    p.gpus.assign(free.begin(), free.begin() + nGpus);
    p.leaves = {best};
    p.uplinks.assign(nGpus, NONE);
    p.gpusPerLeaf = nGpus;
    return p;
}

std::optional<Placement>
OcsVclosPlacementPolicy::TwoLeaves(const ClusterOccupancy& occ, uint32_t nGpus) const
{
    const uint32_t h = nGpus / 2;
    const uint32_t leaves = occ.GetNLeaves();
    const uint32_t planes = occ.GetNPlanes();
    uint32_t bestA = NONE;
    uint32_t bestB = NONE;
    uint32_t bestFree = 0;
    for (uint32_t a = 0; a < leaves; ++a)
    {
        if (occ.GetLeafFreeGpus(a) < h)
        {
            continue;
        }
        const std::vector<uint64_t>& fa = occ.GetFreePlaneBits(a);
        for (uint32_t b = a + 1; b < leaves; ++b)
        {
            const uint32_t freeSum = occ.GetLeafFreeGpus(a) + occ.GetLeafFreeGpus(b);
            if (occ.GetLeafFreeGpus(b) < h || (bestA != NONE && freeSum >= bestFree))
            {
                continue;
            }
            const std::vector<uint64_t>& fb = occ.GetFreePlaneBits(b);
            uint32_t common = 0;
            for (std::size_t w = 0; w < fa.size(); ++w)
            {
                common += __builtin_popcountll(fa[w] & fb[w]);
            }
            if (common >= h)
            {
                bestA = a;
                bestB = b;
                bestFree = freeSum;
            }
        }
    }
    if (bestA == NONE)
    {
        return std::nullopt;
    }
    Placement p;
    p.branch = "two-leaves";
    p.leaves = {bestA, bestB};
    p.gpusPerLeaf = h;
    std::vector<uint32_t> shared;
    for (uint32_t i = 0; i < planes && shared.size() < h; ++i)
    {
        if (IsFreePlane(occ, bestA, i) && IsFreePlane(occ, bestB, i))
        {
            shared.push_back(i);
        }
    }
    for (uint32_t leaf : p.leaves)
    {
        const std::vector<uint32_t> free = occ.GetFreeGpus(leaf);
        for (uint32_t t = 0; t < h; ++t)
        {
            p.gpus.push_back(free[t]);
            p.uplinks.push_back(shared[t]);
        }
    }
    for (uint32_t i : shared)
    {
        p.circuits.push_back(
            OcsCircuit{i, m_fabric.GetLeafOcsPort(bestA), m_fabric.GetLeafOcsPort(bestB)});
    }
    p.planes = shared;
    return p;
}

namespace
{

/// Exact search of a virtual Clos for fixed spines: which m leaves, and per leaf and spine
/// the OCS of the circuit (a free uplink of the leaf, distinct per leaf, within the spine's
/// free ports on that OCS). Depth first, leaves in best-fit order, with a matching check
/// that the leaf's remaining spines can still be served.
class ClosSearch
{
  public:
    ClosSearch(const ClusterOccupancy& occ,
               uint32_t nOcs,
               uint32_t m,
               uint32_t n,
               std::vector<uint32_t> cap,
               const std::vector<uint32_t>& candidates,
               SearchStats& stats,
               uint64_t maxNodes)
        : m_occ(occ),
          m_nOcs(nOcs),
          m_m(m),
          m_n(n),
          m_cap(std::move(cap)),
          m_cand(candidates),
          m_stats(stats),
          m_maxNodes(maxNodes)
    {
    }

    /// \return true if found; chosen() then holds (leaf, OCS per spine)
    bool Run()
    {
        return Leaf(0);
    }

    std::vector<std::pair<uint32_t, std::vector<uint32_t>>> chosen;

  private:
    bool Tick()
    {
        ++m_stats.nodes;
        if (m_maxNodes != 0 && m_stats.nodes > m_maxNodes)
        {
            m_stats.capHit = true;
        }
        return !m_stats.capHit;
    }

    bool Leaf(std::size_t ci)
    {
        if (chosen.size() == m_m)
        {
            return true;
        }
        if (m_cand.size() - ci < m_m - chosen.size() || !Tick())
        {
            return false;
        }
        std::vector<uint32_t> match(m_n, NONE);
        std::vector<char> used(m_nOcs, 0);
        if (Assign(ci, 0, match, used))
        {
            return true;
        }
        return !m_stats.capHit && Leaf(ci + 1); // without this leaf
    }

    bool Usable(uint32_t leaf, uint32_t i, uint32_t t, const std::vector<char>& used) const
    {
        return !used[i] && IsFreePlane(m_occ, leaf, i) && m_cap[i * m_n + t] > 0;
    }

    /// Spines t.. of the leaf can still each get a distinct usable OCS.
    bool Feasible(uint32_t leaf, uint32_t t, const std::vector<char>& used) const
    {
        std::vector<std::vector<uint32_t>> adj(m_n - t);
        for (uint32_t u = t; u < m_n; ++u)
        {
            for (uint32_t i = 0; i < m_nOcs; ++i)
            {
                if (Usable(leaf, i, u, used))
                {
                    adj[u - t].push_back(i);
                }
            }
        }
        const auto match = OcsVclosPlacementPolicy::MaxMatching(adj, m_nOcs);
        return std::count(match.begin(), match.end(), NONE) == 0;
    }

    bool Assign(std::size_t ci, uint32_t t, std::vector<uint32_t>& match, std::vector<char>& used)
    {
        const uint32_t leaf = m_cand[ci];
        if (t == m_n)
        {
            chosen.emplace_back(leaf, match);
            if (Leaf(ci + 1))
            {
                return true;
            }
            chosen.pop_back();
            return false;
        }
        if (!Feasible(leaf, t, used))
        {
            return false;
        }
        for (uint32_t i = 0; i < m_nOcs; ++i)
        {
            if (!Usable(leaf, i, t, used) || !Tick())
            {
                continue;
            }
            --m_cap[i * m_n + t];
            used[i] = 1;
            match[t] = i;
            const bool found = Assign(ci, t + 1, match, used);
            ++m_cap[i * m_n + t];
            used[i] = 0;
            if (found)
            {
                return true;
            }
            if (m_stats.capHit)
            {
                return false;
            }
        }
        match[t] = NONE;
        return false;
    }

    const ClusterOccupancy& m_occ;
    uint32_t m_nOcs;
    uint32_t m_m;
    uint32_t m_n;
    std::vector<uint32_t> m_cap; //!< per OCS * n + spine slot: free ports left
    const std::vector<uint32_t>& m_cand;
    SearchStats& m_stats;
    uint64_t m_maxNodes;
};

/// Largest number of spine sets tried beyond the one with the most free ports.
constexpr uint64_t kMaxSpineSets = 64;

} // namespace

std::optional<Placement>
OcsVclosPlacementPolicy::VirtualClos(const ClusterOccupancy& occ, uint32_t m, uint32_t s)
{
    const OcsFabricShape& shape = m_fabric.GetShape();
    const uint32_t n = s;
    const uint32_t nOcs = m_fabric.GetNOcs();
    if (n > shape.spines)
    {
        return std::nullopt;
    }
    // Leaves in best-fit order: fewest free GPUs first, then index.
    std::vector<uint32_t> order;
    for (uint32_t l = 0; l < occ.GetNLeaves(); ++l)
    {
        uint32_t freeUplinks = 0;
        for (uint32_t i = 0; i < nOcs; ++i)
        {
            freeUplinks += IsFreePlane(occ, l, i) ? 1 : 0;
        }
        if (occ.GetLeafFreeGpus(l) >= s && freeUplinks >= n)
        {
            order.push_back(l);
        }
    }
    if (order.size() < m)
    {
        return std::nullopt;
    }
    std::stable_sort(order.begin(), order.end(), [&occ](uint32_t a, uint32_t b) {
        return occ.GetLeafFreeGpus(a) < occ.GetLeafFreeGpus(b);
    });
    // Spine sets: first the n spines with the most free ports; then, on a small fabric,
    // every other set of n spines.
    std::vector<uint32_t> total(shape.spines, 0);
    for (uint32_t i = 0; i < nOcs; ++i)
    {
        for (uint32_t sp = 0; sp < shape.spines; ++sp)
        {
            total[sp] += m_fabric.GetFreeSpinePorts(i, sp);
        }
    }
    std::vector<uint32_t> best(shape.spines);
    std::iota(best.begin(), best.end(), 0);
    std::stable_sort(best.begin(), best.end(), [&total](uint32_t a, uint32_t b) {
        return total[a] > total[b];
    });
    best.resize(n);
    std::sort(best.begin(), best.end());
    std::vector<std::vector<uint32_t>> sets = {best};
    uint64_t combinations = 1;
    for (uint32_t k = 0; k < n && combinations <= kMaxSpineSets; ++k)
    {
        combinations = combinations * (shape.spines - k) / (k + 1);
    }
    if (combinations <= kMaxSpineSets)
    {
        std::vector<uint32_t> c(n);
        std::iota(c.begin(), c.end(), 0);
        while (true)
        {
            if (c != best)
            {
                sets.push_back(c);
            }
            int k = static_cast<int>(n) - 1;
            while (k >= 0 && c[k] == shape.spines - n + static_cast<uint32_t>(k))
            {
                --k;
            }
            if (k < 0)
            {
                break;
            }
            ++c[k];
            for (uint32_t j = k + 1; j < n; ++j)
            {
                c[j] = c[j - 1] + 1;
            }
        }
    }
    for (const std::vector<uint32_t>& spines : sets)
    {
        std::vector<uint32_t> cap(nOcs * n);
        for (uint32_t i = 0; i < nOcs; ++i)
        {
            for (uint32_t t = 0; t < n; ++t)
            {
                cap[i * n + t] = m_fabric.GetFreeSpinePorts(i, spines[t]);
            }
        }
        // Fast path: leaves in order, each taking a maximum matching of its spines to its
        // usable OCSes, no backtracking. If it fails, the exact search decides.
        std::vector<std::pair<uint32_t, std::vector<uint32_t>>> chosen;
        std::vector<uint32_t> left = cap;
        for (uint32_t leaf : order)
        {
            if (chosen.size() == m)
            {
                break;
            }
            std::vector<std::vector<uint32_t>> adj(n);
            for (uint32_t t = 0; t < n; ++t)
            {
                for (uint32_t i = 0; i < nOcs; ++i)
                {
                    if (IsFreePlane(occ, leaf, i) && left[i * n + t] > 0)
                    {
                        adj[t].push_back(i);
                    }
                }
            }
            const std::vector<uint32_t> match = MaxMatching(adj, nOcs);
            if (std::count(match.begin(), match.end(), NONE) != 0)
            {
                continue;
            }
            for (uint32_t t = 0; t < n; ++t)
            {
                --left[match[t] * n + t];
            }
            chosen.emplace_back(leaf, match);
        }
        if (chosen.size() < m)
        {
            ClosSearch search(occ, nOcs, m, n, std::move(cap), order, m_lastStats, m_caps.maxNodes);
            if (!search.Run())
            {
                if (m_lastStats.capHit)
                {
                    return std::nullopt;
                }
                continue;
            }
            chosen = search.chosen;
        }
        std::sort(chosen.begin(), chosen.end());
        Placement p;
        p.branch = "virtual-clos";
        p.gpusPerLeaf = s;
        p.spines = spines;
        // Spine ports: the lowest free ones, each taken once.
        std::vector<std::vector<char>> taken(nOcs, std::vector<char>(m_fabric.GetNOcsPorts(), 0));
        for (const auto& [leaf, match] : chosen)
        {
            p.leaves.push_back(leaf);
            const std::vector<uint32_t> free = occ.GetFreeGpus(leaf);
            for (uint32_t t = 0; t < n; ++t)
            {
                p.gpus.push_back(free[t]);
                p.uplinks.push_back(match[t]);
                const uint32_t i = match[t];
                uint32_t port = NONE;
                for (uint32_t j = 0; j < shape.spinePortsPerOcs && port == NONE; ++j)
                {
                    const uint32_t q = m_fabric.GetSpineOcsPort(spines[t], j);
                    if (m_fabric.GetCircuits(i).IsFree(q) && !taken[i][q])
                    {
                        port = q;
                    }
                }
                taken[i][port] = 1;
                p.circuits.push_back(OcsCircuit{i, m_fabric.GetLeafOcsPort(leaf), port});
            }
        }
        return p;
    }
    return std::nullopt;
}

void
OcsVclosPlacementPolicy::Finish(const ClusterOccupancy& occ, Placement& p) const
{
    p.policy = GetName();
    std::vector<uint32_t> planes;
    for (const OcsCircuit& c : p.circuits)
    {
        for (uint32_t port : {c.a, c.b})
        {
            if (m_fabric.IsLeafOcsPort(port))
            {
                p.links.push_back(occ.GetUpLink(port, c.ocs));
                p.links.push_back(occ.GetDownLink(port, c.ocs));
            }
        }
        planes.push_back(c.ocs);
    }
    std::sort(p.links.begin(), p.links.end());
    std::sort(planes.begin(), planes.end());
    planes.erase(std::unique(planes.begin(), planes.end()), planes.end());
    p.planes = planes;
    p.readySeconds = p.circuits.empty() ? 0.0 : m_reconfigurationSeconds;
}

std::optional<Placement>
OcsVclosPlacementPolicy::Place(const ClusterOccupancy& occ, uint32_t nGpus)
{
    const auto start = std::chrono::steady_clock::now();
    const OcsFabricShape& shape = m_fabric.GetShape();
    if (occ.GetNLeaves() != shape.leaves || occ.GetGpusPerLeaf() != shape.gpusPerLeaf ||
        occ.GetNPlanes() != shape.uplinksPerLeaf)
    {
        throw std::invalid_argument(
            "ocs-vclos: the occupancy is not the fabric's logical cluster (leaves, GPUs per "
            "leaf, one plane per uplink)");
    }
    m_lastStats = SearchStats{};
    std::optional<Placement> p;
    const uint32_t per = shape.gpusPerLeaf;
    if (nGpus > 0 && nGpus <= occ.GetNFreeGpus())
    {
        if (nGpus <= per)
        {
            p = OneLeaf(occ, nGpus);
        }
        if (!p && nGpus % 2 == 0 && nGpus / 2 <= per)
        {
            p = TwoLeaves(occ, nGpus);
        }
        uint32_t odd = nGpus;
        while (odd % 2 == 0)
        {
            odd /= 2;
        }
        for (uint32_t m = std::max(odd, (nGpus + per - 1) / per); !p && m <= shape.leaves; m *= 2)
        {
            ++m_lastStats.nodes;
            if (m >= 2 && nGpus % m == 0 && nGpus / m <= per)
            {
                p = VirtualClos(occ, m, nGpus / m);
            }
        }
    }
    if (p)
    {
        Finish(occ, *p);
    }
    m_lastStats.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (p)
    {
        p->stats = m_lastStats;
    }
    return p;
}

void
OcsVclosPlacementPolicy::Commit(uint64_t job, const Placement& placement)
{
    if (m_jobCircuits.count(job) != 0)
    {
        throw std::logic_error("ocs-vclos: job " + std::to_string(job) + " already has circuits");
    }
    std::vector<OcsCircuit> done;
    try
    {
        for (const OcsCircuit& c : placement.circuits)
        {
            m_fabric.Connect(c.ocs, c.a, c.b);
            done.push_back(c);
        }
    }
    catch (const std::invalid_argument& e)
    {
        for (const OcsCircuit& c : done)
        {
            m_fabric.Disconnect(c.ocs, c.a);
        }
        throw std::logic_error(std::string("ocs-vclos: ") + e.what());
    }
    m_jobCircuits.emplace(job, placement.circuits);
}

void
OcsVclosPlacementPolicy::Release(uint64_t job)
{
    auto it = m_jobCircuits.find(job);
    if (it == m_jobCircuits.end())
    {
        return;
    }
    for (const OcsCircuit& c : it->second)
    {
        m_fabric.Disconnect(c.ocs, c.a);
    }
    m_jobCircuits.erase(it);
}

} // namespace vclos
} // namespace ns3
