/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_ECMP_COLLISION_CENSUS_H
#define VCLOS_ECMP_COLLISION_CENSUS_H

// Pure code: which fabric links ECMP gives to the flows of concurrent jobs. No ns-3.

#include "ns3/cluster-topology.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * One queue pair of a job's gradient collective: the flow from one rank to another.
 */
struct CensusFlow
{
    uint32_t job;     //!< job id (index in the census's job list, as the scenario runner)
    uint32_t srcRank; //!< sending rank
    uint32_t dstRank; //!< receiving rank
    uint32_t srcGpu;  //!< sending GPU
    uint32_t dstGpu;  //!< receiving GPU
};

/**
 * \ingroup vclos
 * What ECMP did to the flows for one run seed (fabric = leaf <-> spine links only).
 */
struct CensusOutcome
{
    bool interJob{false};        //!< a fabric link carries data of two different jobs
    bool anyTwo{false};          //!< a fabric link carries data of two flows (any jobs)
    bool interJobUplink{false};  //!< as interJob, leaf -> spine links only
    bool anyTwoUplink{false};    //!< as anyTwo, leaf -> spine links only
    bool interJobControl{false}; //!< a fabric link carries packets (data or ACKs) of two jobs
    uint32_t maxFlowsPerLink{0}; //!< most data flows on one fabric link
    std::vector<uint32_t> collidingJobs; //!< jobs in an inter-job data collision, sorted
    std::vector<uint32_t> sharedLinks;   //!< fabric links with data of two jobs, sorted
};

/**
 * \ingroup vclos
 * The ECMP collision census of a fixed set of concurrent jobs on a leaf-spine cluster.
 *
 * Each job is a list of GPUs (rank i on GPU i) running one collective; its flows are the
 * distinct (source rank, destination rank) pairs of the collective's transfers, each one
 * queue pair with the UDP source port QpSourcePort(run seed, job, source rank,
 * destination rank, 0), as the packet simulation creates them. Evaluate() follows every
 * flow with Routing::Path (data) and Routing::ReversePath (ACKs) for one run seed and
 * reports which fabric links are shared.
 *
 * ExactProbability() and UplinkBallsIntoBins() give the probability of a collision if
 * every leaf hashed every flow to a uniformly random spine, independently: the reference
 * the census's frequency over many seeds must approach.
 */
class EcmpCollisionCensus
{
  public:
    /**
     * \param topology a leaf-spine cluster with one link per leaf-spine pair
     * \param jobs the GPUs of each job (rank order); job id = index
     * \param collective the collective's name (MakeCollective), same for every job
     * \throws std::invalid_argument if the topology is not such a leaf-spine, a job is
     *         empty, a GPU is out of range or given twice (in one job or two jobs)
     */
    EcmpCollisionCensus(std::shared_ptr<const ClusterTopology> topology,
                        std::vector<std::vector<uint32_t>> jobs,
                        const std::string& collective = "ring");

    /// \return every flow of every job (job order, then first-transfer order)
    const std::vector<CensusFlow>& GetFlows() const;

    /// \return the flows whose source and destination GPUs sit below different leaves
    std::vector<CensusFlow> GetCrossLeafFlows() const;

    /**
     * \param runSeed the run seed (switch hash seeds and source ports)
     * \return what ECMP does with every flow for that seed
     */
    CensusOutcome Evaluate(uint64_t runSeed) const;

    /**
     * Probability of a collision under ideal hashing (each cross-leaf flow on a uniformly
     * random spine, independently), counted exactly by backtracking over the spine choices
     * of the cross-leaf flows.
     * \param interJob true: two different jobs on a link; false: any two flows
     * \param uplinksOnly true: leaf -> spine links only; false: spine -> leaf links too
     * \return the probability
     */
    double ExactProbability(bool interJob, bool uplinksOnly) const;

    /**
     * The same probability on leaf -> spine links only, in closed form: on each leaf the
     * flows going up are balls thrown into `spines` bins; leaves hash independently.
     * With c_j flows of job j on a leaf the count of collision-free throws is
     * sum over (b_j) of prod_j S(c_j, b_j) * u! / (u - sum b_j)! (S: Stirling numbers of
     * the second kind), and u! / (u - k)! for any two flows.
     * \param interJob true: two different jobs; false: any two flows
     * \return the probability
     */
    double UplinkBallsIntoBins(bool interJob) const;

  private:
    std::shared_ptr<const ClusterTopology> m_topology;
    std::vector<std::vector<uint32_t>> m_jobs;
    std::vector<CensusFlow> m_flows;
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_ECMP_COLLISION_CENSUS_H
