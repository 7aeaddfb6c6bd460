/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_CLUSTER_SCHEDULER_H
#define VCLOS_CLUSTER_SCHEDULER_H

// Pure code: the job queue and placement of a multi-tenant cluster, driven by callbacks.

#include "ns3/cluster-occupancy.h"
#include "ns3/placement-policy.h"
#include "ns3/routing.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>

namespace ns3
{
namespace vclos
{

/// A job asking for GPUs.
struct JobRequest
{
    uint64_t id{0};      //!< job id (unique; not ClusterOccupancy::FREE)
    uint32_t nGpus{0};   //!< GPUs (1 .. GPUs of the cluster)
    double arrival{0.0}; //!< arrival time, seconds (for the caller's records)
};

/// Queue discipline.
struct SchedulerOptions
{
    bool backfill{false}; //!< false: strict FIFO, head-of-line blocking (the authors');
                          //!< true: when the head waits, later jobs that fit are placed
};

/**
 * \ingroup vclos
 * Arrival -> queue -> placement -> (engine runs the job) -> Release -> reconsider the queue.
 *
 * It has no clock: the engine passes the time to Submit() and Release(). Placement is
 * announced by the placement callback (job id, Placement), after the occupancy has been
 * reserved; the engine then creates the job and installs its routes
 * (InstallPlacementRoutes). Callbacks may call Release() or Submit(): the call is queued
 * and handled when the current pass over the queue ends.
 */
class ClusterScheduler
{
  public:
    /// Called for each placed job.
    using PlaceCallback = std::function<void(uint64_t job, const Placement& placement)>;

    /**
     * \param topology leaf-spine topology
     * \param policy the placement policy (owned)
     * \param options queue discipline
     * \throws std::invalid_argument for a null policy or a topology not from LeafSpine()
     */
    ClusterScheduler(std::shared_ptr<const ClusterTopology> topology,
                     std::unique_ptr<PlacementPolicy> policy,
                     const SchedulerOptions& options = {});

    /// \param cb the placement callback
    void SetPlaceCallback(PlaceCallback cb);

    /**
     * Queue a job and try to place the queue.
     * \param request the job
     * \param now current time, seconds
     * \throws std::invalid_argument for 0 GPUs, more GPUs than the cluster has, or a job
     *         id already queued or running
     */
    void Submit(const JobRequest& request, double now);
    /**
     * Free a running job's GPUs and links, then try to place the queue.
     * \param job the job
     * \param now current time, seconds
     * \throws std::invalid_argument if the job is not running
     */
    void Release(uint64_t job, double now);
    /**
     * Place queued jobs in FIFO order until the head cannot be placed (with backfill, try
     * every queued job once).
     * \param now current time, seconds
     * \return jobs placed
     */
    uint32_t TryPlace(double now);

    /// \return jobs waiting
    uint32_t GetQueueLength() const;
    /// \return GPUs owned by running jobs
    uint32_t GetNBusyGpus() const;
    /// \return jobs placed so far
    uint64_t GetNPlacements() const;
    /// \return jobs that could not be placed at their arrival (they waited)
    uint64_t GetNWaits() const;
    /// \return placement attempts (policy calls)
    uint64_t GetNAttempts() const;
    /// \return attempts whose exact search hit its cap
    uint64_t GetNCapHits() const;
    /// \return the running jobs' placements
    const std::map<uint64_t, Placement>& GetRunning() const;
    /// \return the occupancy
    const ClusterOccupancy& GetOccupancy() const;
    /// \return the policy
    const PlacementPolicy& GetPolicy() const;

    /**
     * Install a placement's source routes on the tables of \p routing.
     * \param routing the routing shared with the switches
     * \param placement the placement
     */
    static void InstallPlacementRoutes(Routing& routing, const Placement& placement);
    /**
     * Remove a placement's source routes from the tables of \p routing.
     * \param routing the routing
     * \param placement the placement
     */
    static void RemovePlacementRoutes(Routing& routing, const Placement& placement);

  private:
    bool PlaceOne(const JobRequest& request, double now);

    ClusterOccupancy m_occupancy;
    std::unique_ptr<PlacementPolicy> m_policy;
    SchedulerOptions m_options;
    PlaceCallback m_placeCb;
    std::deque<JobRequest> m_queue;
    std::map<uint64_t, Placement> m_running;
    uint64_t m_placements{0};
    uint64_t m_waits{0};
    uint64_t m_attempts{0};
    uint64_t m_capHits{0};
    bool m_inPass{false};
    bool m_again{false};
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_CLUSTER_SCHEDULER_H
