/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_PLACEMENT_POLICY_H
#define VCLOS_PLACEMENT_POLICY_H

// Pure code: the interface of the placement policies.

#include "ns3/cluster-occupancy.h"
#include "ns3/mini-clos-search.h"
#include "ns3/placement.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * Chooses GPUs (and, for isolating policies, links and source routes) for a job of
 * nGpus GPUs on the current occupancy. It does not change the occupancy: the caller
 * (ClusterScheduler) reserves what it returns.
 */
class PlacementPolicy
{
  public:
    virtual ~PlacementPolicy() = default;
    /// \return "vclos", "ecmp", "static" or "random-ecmp"
    virtual std::string GetName() const = 0;
    /// \return true if the policy reserves links (no two jobs share a fabric link)
    virtual bool IsIsolating() const = 0;
    /**
     * \param occupancy current occupancy
     * \param nGpus GPUs asked for (> 0)
     * \return a placement, or nothing (the job waits)
     */
    virtual std::optional<Placement> Place(const ClusterOccupancy& occupancy, uint32_t nGpus) = 0;
    /**
     * The caller reserved \p placement for \p job (a policy with own state, such as the
     * circuits of ocs-vclos, takes it now). Default: nothing.
     * \param job job id
     * \param placement what Place() returned
     */
    virtual void Commit(uint64_t job, const Placement& placement);
    /**
     * \p job ended: free what Commit() took. Default: nothing.
     * \param job job id
     */
    virtual void Release(uint64_t job);
    /// \return the cost of the last Place() call (also when it found nothing)
    const SearchStats& GetLastStats() const;

  protected:
    SearchStats m_lastStats; //!< cost of the last attempt
};

/**
 * Make a policy by name.
 * \param name "vclos", "ecmp", "static" or "random-ecmp"
 * \param seed seed of random-ecmp (ignored by the others)
 * \param caps caps of the exact m x n search (vclos, ecmp, static)
 * \return the policy
 * \throws std::invalid_argument naming the expected names for any other name
 */
std::unique_ptr<PlacementPolicy> MakePlacementPolicy(const std::string& name,
                                                     uint64_t seed = 1,
                                                     const MiniClosSearchCaps& caps = {});

} // namespace vclos
} // namespace ns3

#endif // VCLOS_PLACEMENT_POLICY_H
