/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ecmp-collision-census.h"

#include "ns3/collective-schedule.h"
#include "ns3/route-seeds.h"
#include "ns3/routing.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

namespace ns3
{
namespace vclos
{

namespace
{

/// Largest connected group of cross-leaf flows ExactProbability() enumerates.
constexpr uint32_t kMaxComponentFlows = 16;

/// A cross-leaf flow as the ideal-hashing model sees it.
struct LeafFlow
{
    uint32_t job;
    uint32_t srcLeaf;
    uint32_t dstLeaf;
};

/// \return true if the two flows would share a link when hashed to the same spine
bool
Conflict(const LeafFlow& a, const LeafFlow& b, bool interJob, bool uplinksOnly)
{
    if (interJob && a.job == b.job)
    {
        return false;
    }
    return a.srcLeaf == b.srcLeaf || (!uplinksOnly && a.dstLeaf == b.dstLeaf);
}

/**
 * Count the spine choices of flows[order[depth...]] with no conflict, given the choices
 * of the first \p depth flows. Spines are exchangeable: they are labelled in order of
 * first use (0..used-1), and the spines nobody uses yet are counted together, so the
 * search visits set partitions rather than all spines^k assignments.
 */
double
CountFree(const std::vector<LeafFlow>& flows,
          const std::vector<uint32_t>& order,
          std::vector<uint32_t>& spine,
          uint32_t depth,
          uint32_t used,
          uint32_t spines,
          bool interJob,
          bool uplinksOnly)
{
    if (depth == order.size())
    {
        return 1.0;
    }
    double count = 0;
    const LeafFlow& f = flows[order[depth]];
    for (uint32_t s = 0; s < used; ++s)
    {
        bool ok = true;
        for (uint32_t d = 0; d < depth && ok; ++d)
        {
            ok = spine[d] != s || !Conflict(f, flows[order[d]], interJob, uplinksOnly);
        }
        if (ok)
        {
            spine[depth] = s;
            count += CountFree(flows, order, spine, depth + 1, used, spines, interJob, uplinksOnly);
        }
    }
    if (used < spines)
    {
        spine[depth] = used;
        count += (spines - used) *
                 CountFree(flows, order, spine, depth + 1, used + 1, spines, interJob, uplinksOnly);
    }
    return count;
}

} // namespace

EcmpCollisionCensus::EcmpCollisionCensus(std::shared_ptr<const ClusterTopology> topology,
                                         std::vector<std::vector<uint32_t>> jobs,
                                         const std::string& collective)
    : m_topology(std::move(topology)),
      m_jobs(std::move(jobs))
{
    if (!m_topology || !m_topology->IsLeafSpine() || m_topology->GetShape().linksPerLeafSpine != 1)
    {
        throw std::invalid_argument(
            "EcmpCollisionCensus: needs a leaf-spine topology with one link per leaf-spine pair");
    }
    const ClusterTopology& t = *m_topology;
    std::set<uint32_t> used;
    for (uint32_t j = 0; j < m_jobs.size(); ++j)
    {
        const std::vector<uint32_t>& gpus = m_jobs[j];
        if (gpus.empty())
        {
            throw std::invalid_argument("EcmpCollisionCensus: job " + std::to_string(j) +
                                        " has no GPUs");
        }
        for (uint32_t g : gpus)
        {
            if (g >= t.GetNGpus())
            {
                throw std::invalid_argument("EcmpCollisionCensus: job " + std::to_string(j) +
                                            ": GPU " + std::to_string(g) + " not in 0.." +
                                            std::to_string(t.GetNGpus() - 1));
            }
            if (!used.insert(g).second)
            {
                throw std::invalid_argument("EcmpCollisionCensus: GPU " + std::to_string(g) +
                                            " given twice");
            }
        }
        const CollectiveSchedule s =
            MakeCollective(collective, gpus.size(), gpus.size(), t.GetShape().gpusPerServer);
        std::set<std::pair<uint32_t, uint32_t>> seen;
        for (const Transfer& x : s.transfers)
        {
            if (seen.insert({x.src, x.dst}).second)
            {
                m_flows.push_back(CensusFlow{j, x.src, x.dst, gpus[x.src], gpus[x.dst]});
            }
        }
    }
}

const std::vector<CensusFlow>&
EcmpCollisionCensus::GetFlows() const
{
    return m_flows;
}

std::vector<CensusFlow>
EcmpCollisionCensus::GetCrossLeafFlows() const
{
    std::vector<CensusFlow> out;
    for (const CensusFlow& f : m_flows)
    {
        if (m_topology->GetLeafOf(f.srcGpu) != m_topology->GetLeafOf(f.dstGpu))
        {
            out.push_back(f);
        }
    }
    return out;
}

CensusOutcome
EcmpCollisionCensus::Evaluate(uint64_t runSeed) const
{
    const ClusterTopology& t = *m_topology;
    const Routing routing(m_topology, runSeed, false);
    // per fabric link: the jobs of its data flows (with multiplicity) and of its ACKs
    std::map<uint32_t, std::vector<uint32_t>> data;
    std::map<uint32_t, std::set<uint32_t>> any;
    for (const CensusFlow& f : m_flows)
    {
        const uint16_t port = QpSourcePort(runSeed, f.job, f.srcRank, f.dstRank, 0);
        const std::vector<uint32_t> path = routing.Path(f.srcGpu, f.dstGpu, port);
        const std::vector<uint32_t> back = routing.ReversePath(f.srcGpu, f.dstGpu, port);
        if (path.empty() || back.empty())
        {
            throw std::logic_error("EcmpCollisionCensus: no route for a flow");
        }
        for (uint32_t l : path)
        {
            if (t.GetLink(l).kind == LinkKind::FABRIC)
            {
                data[l].push_back(f.job);
                any[l].insert(f.job);
            }
        }
        for (uint32_t l : back)
        {
            if (t.GetLink(l).kind == LinkKind::FABRIC)
            {
                any[l].insert(f.job);
            }
        }
    }
    CensusOutcome out;
    std::set<uint32_t> colliding;
    for (const auto& [link, jobs] : data)
    {
        const bool up = t.GetNode(t.GetLink(link).src).kind == NodeKind::LEAF;
        const std::set<uint32_t> distinct(jobs.begin(), jobs.end());
        out.maxFlowsPerLink = std::max<uint32_t>(out.maxFlowsPerLink, jobs.size());
        if (jobs.size() > 1)
        {
            out.anyTwo = true;
            out.anyTwoUplink = out.anyTwoUplink || up;
        }
        if (distinct.size() > 1)
        {
            out.interJob = true;
            out.interJobUplink = out.interJobUplink || up;
            out.sharedLinks.push_back(link);
            colliding.insert(distinct.begin(), distinct.end());
        }
    }
    for (const auto& [link, jobs] : any)
    {
        out.interJobControl = out.interJobControl || jobs.size() > 1;
    }
    out.collidingJobs.assign(colliding.begin(), colliding.end());
    return out;
}

double
EcmpCollisionCensus::ExactProbability(bool interJob, bool uplinksOnly) const
{
    const ClusterTopology& t = *m_topology;
    const uint32_t spines = t.GetShape().spines;
    std::vector<LeafFlow> flows;
    for (const CensusFlow& f : GetCrossLeafFlows())
    {
        flows.push_back(LeafFlow{f.job, t.GetLeafOf(f.srcGpu), t.GetLeafOf(f.dstGpu)});
    }
    // Connected groups of the conflict graph hash independently: multiply their
    // probabilities of being collision-free.
    const uint32_t n = flows.size();
    std::vector<uint32_t> group(n, n);
    double free = 1;
    for (uint32_t root = 0; root < n; ++root)
    {
        if (group[root] != n)
        {
            continue;
        }
        std::vector<uint32_t> members{root};
        group[root] = root;
        for (uint32_t i = 0; i < members.size(); ++i)
        {
            for (uint32_t k = 0; k < n; ++k)
            {
                if (group[k] == n && Conflict(flows[members[i]], flows[k], interJob, uplinksOnly))
                {
                    group[k] = root;
                    members.push_back(k);
                }
            }
        }
        if (members.size() > kMaxComponentFlows)
        {
            throw std::invalid_argument(
                "EcmpCollisionCensus::ExactProbability: " + std::to_string(members.size()) +
                " interacting flows (at most " + std::to_string(kMaxComponentFlows) + ")");
        }
        std::vector<uint32_t> spine(members.size(), 0);
        double total = 1;
        for (uint32_t i = 0; i < members.size(); ++i)
        {
            total *= spines;
        }
        free *= CountFree(flows, members, spine, 0, 0, spines, interJob, uplinksOnly) / total;
    }
    return 1 - free;
}

double
EcmpCollisionCensus::UplinkBallsIntoBins(bool interJob) const
{
    const ClusterTopology& t = *m_topology;
    const uint32_t u = t.GetShape().spines;
    // flows going up, per leaf and job
    std::map<uint32_t, std::map<uint32_t, uint32_t>> up;
    for (const CensusFlow& f : GetCrossLeafFlows())
    {
        ++up[t.GetLeafOf(f.srcGpu)][f.job];
    }
    // Stirling numbers of the second kind, S[n][k]
    uint32_t maxBalls = 0;
    for (const auto& [leaf, jobs] : up)
    {
        for (const auto& [job, c] : jobs)
        {
            maxBalls = std::max(maxBalls, c);
        }
    }
    std::vector<std::vector<double>> stirling(maxBalls + 1, std::vector<double>(maxBalls + 1, 0));
    stirling[0][0] = 1;
    for (uint32_t m = 1; m <= maxBalls; ++m)
    {
        for (uint32_t k = 1; k <= m; ++k)
        {
            stirling[m][k] = k * stirling[m - 1][k] + stirling[m - 1][k - 1];
        }
    }
    // u! / (u - b)!, 0 when b > u
    auto falling = [u](uint32_t b) {
        double r = 1;
        for (uint32_t i = 0; i < b; ++i)
        {
            r *= (i < u) ? double(u - i) : 0.0;
        }
        return r;
    };
    double free = 1;
    for (const auto& [leaf, jobs] : up)
    {
        std::vector<uint32_t> counts;
        uint32_t balls = 0;
        for (const auto& [job, c] : jobs)
        {
            counts.push_back(c);
            balls += c;
        }
        double total = 1;
        for (uint32_t i = 0; i < balls; ++i)
        {
            total *= u;
        }
        double good = 0;
        if (!interJob)
        {
            good = falling(balls);
        }
        else
        {
            // sum over the number of bins b_j each job occupies
            std::function<void(uint32_t, uint32_t, double)> walk =
                [&](uint32_t j, uint32_t bins, double ways) {
                    if (j == counts.size())
                    {
                        good += ways * falling(bins);
                        return;
                    }
                    for (uint32_t b = 1; b <= counts[j]; ++b)
                    {
                        walk(j + 1, bins + b, ways * stirling[counts[j]][b]);
                    }
                };
            walk(0, 0, 1.0);
        }
        free *= good / total;
    }
    return 1 - free;
}

} // namespace vclos
} // namespace ns3
