/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/cluster-scheduler.h"

#include <stdexcept>
#include <string>

namespace ns3
{
namespace vclos
{

ClusterScheduler::ClusterScheduler(std::shared_ptr<const ClusterTopology> topology,
                                   std::unique_ptr<PlacementPolicy> policy,
                                   const SchedulerOptions& options)
    : m_occupancy(std::move(topology)),
      m_policy(std::move(policy)),
      m_options(options)
{
    if (!m_policy)
    {
        throw std::invalid_argument("ClusterScheduler: no placement policy");
    }
}

void
ClusterScheduler::SetPlaceCallback(PlaceCallback cb)
{
    m_placeCb = std::move(cb);
}

void
ClusterScheduler::Submit(const JobRequest& request, double now)
{
    const uint32_t total = m_occupancy.GetTopology().GetNGpus();
    if (request.nGpus == 0 || request.nGpus > total)
    {
        throw std::invalid_argument("ClusterScheduler: job " + std::to_string(request.id) +
                                    " asks for " + std::to_string(request.nGpus) +
                                    " GPUs; expected 1 to " + std::to_string(total));
    }
    if (request.id == ClusterOccupancy::FREE || m_running.count(request.id) != 0)
    {
        throw std::invalid_argument("ClusterScheduler: job id " + std::to_string(request.id) +
                                    " is reserved or already running");
    }
    for (const JobRequest& q : m_queue)
    {
        if (q.id == request.id)
        {
            throw std::invalid_argument("ClusterScheduler: job id " + std::to_string(request.id) +
                                        " is already queued");
        }
    }
    m_queue.push_back(request);
    TryPlace(now);
    for (const JobRequest& q : m_queue)
    {
        if (q.id == request.id)
        {
            ++m_waits; // not placed at its arrival
            break;
        }
    }
}

void
ClusterScheduler::Release(uint64_t job, double now)
{
    auto it = m_running.find(job);
    if (it == m_running.end())
    {
        throw std::invalid_argument("ClusterScheduler: job " + std::to_string(job) +
                                    " is not running");
    }
    m_occupancy.Release(job);
    m_policy->Release(job);
    m_running.erase(it);
    TryPlace(now);
}

bool
ClusterScheduler::PlaceOne(const JobRequest& request, double /* now */)
{
    ++m_attempts;
    std::optional<Placement> p = m_policy->Place(m_occupancy, request.nGpus);
    if (m_policy->GetLastStats().capHit)
    {
        ++m_capHits;
    }
    if (!p)
    {
        return false;
    }
    m_occupancy.Reserve(request.id, *p);
    m_policy->Commit(request.id, *p);
    ++m_placements;
    const Placement& stored = m_running.emplace(request.id, std::move(*p)).first->second;
    if (m_placeCb)
    {
        m_placeCb(request.id, stored);
    }
    return true;
}

uint32_t
ClusterScheduler::TryPlace(double now)
{
    if (m_inPass)
    {
        m_again = true; // a callback released or submitted: the running pass retries
        return 0;
    }
    m_inPass = true;
    uint32_t placed = 0;
    do
    {
        m_again = false;
        while (!m_queue.empty())
        {
            const JobRequest head = m_queue.front();
            m_queue.pop_front();
            if (!PlaceOne(head, now))
            {
                m_queue.push_front(head);
                break;
            }
            ++placed;
        }
        if (m_options.backfill && m_queue.size() > 1)
        {
            for (size_t i = 1; i < m_queue.size();)
            {
                const JobRequest job = m_queue[i];
                m_queue.erase(m_queue.begin() + static_cast<std::ptrdiff_t>(i));
                if (PlaceOne(job, now))
                {
                    ++placed;
                }
                else
                {
                    m_queue.insert(m_queue.begin() + static_cast<std::ptrdiff_t>(i), job);
                    ++i;
                }
            }
        }
    } while (m_again);
    m_inPass = false;
    return placed;
}

uint32_t
ClusterScheduler::GetQueueLength() const
{
    return static_cast<uint32_t>(m_queue.size());
}

uint32_t
ClusterScheduler::GetNBusyGpus() const
{
    return m_occupancy.GetNBusyGpus();
}

uint64_t
ClusterScheduler::GetNPlacements() const
{
    return m_placements;
}

uint64_t
ClusterScheduler::GetNWaits() const
{
    return m_waits;
}

uint64_t
ClusterScheduler::GetNAttempts() const
{
    return m_attempts;
}

uint64_t
ClusterScheduler::GetNCapHits() const
{
    return m_capHits;
}

const std::map<uint64_t, Placement>&
ClusterScheduler::GetRunning() const
{
    return m_running;
}

const ClusterOccupancy&
ClusterScheduler::GetOccupancy() const
{
    return m_occupancy;
}

const PlacementPolicy&
ClusterScheduler::GetPolicy() const
{
    return *m_policy;
}

void
ClusterScheduler::InstallPlacementRoutes(Routing& routing, const Placement& placement)
{
    for (const SourceRoute& r : placement.routes)
    {
        std::shared_ptr<ForwardingTable> table = routing.GetTable(r.node);
        if (!table)
        {
            throw std::invalid_argument("InstallPlacementRoutes: node " + std::to_string(r.node) +
                                        " is not a switch");
        }
        table->SetSourceRoute(r.gpu, r.member);
    }
}

void
ClusterScheduler::RemovePlacementRoutes(Routing& routing, const Placement& placement)
{
    for (const SourceRoute& r : placement.routes)
    {
        std::shared_ptr<ForwardingTable> table = routing.GetTable(r.node);
        if (table)
        {
            table->RemoveSourceRoute(r.gpu);
        }
    }
}

} // namespace vclos
} // namespace ns3
