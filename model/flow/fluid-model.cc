/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "fluid-model.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <map>
#include <queue>
#include <stdexcept>

namespace ns3
{
namespace vclos
{

namespace
{

constexpr double kInf = std::numeric_limits<double>::infinity();

} // namespace

FluidResult
EvaluateFluid(const CollectiveSchedule& schedule,
              const std::vector<uint32_t>& server,
              const FluidParams& p)
{
    const uint32_t n = schedule.transfers.size();
    if (server.size() != schedule.ranks)
    {
        throw std::invalid_argument("EvaluateFluid: need one server per rank");
    }
    if (!p.latency)
    {
        throw std::invalid_argument("EvaluateFluid: no latency function");
    }
    FluidResult res;
    res.start.assign(n, kInf);
    res.done.assign(n, kInf);

    // Port directions, 4 per rank: net egress, net ingress, intra egress, intra ingress.
    // Capacities and rates are in wire bytes per second.
    const uint32_t ports = 4 * schedule.ranks;
    std::vector<double> capacity(ports);
    for (uint32_t r = 0; r < schedule.ranks; ++r)
    {
        capacity[4 * r] = capacity[4 * r + 1] = p.netBps / 8;
        capacity[4 * r + 2] = capacity[4 * r + 3] = p.intraBps / 8;
    }
    // ACK wire bytes per data wire byte.
    const double ackCoef =
        static_cast<double>(p.ackBytes) / ((p.mtu + p.packetOverhead) * p.ackInterval);

    // Dependents and remaining dependency counts.
    std::vector<std::vector<uint32_t>> dependents(n);
    std::vector<uint32_t> missing(n);
    for (uint32_t i = 0; i < n; ++i)
    {
        missing[i] = schedule.transfers[i].deps.size();
        for (uint32_t d : schedule.transfers[i].deps)
        {
            dependents[d].push_back(i);
        }
    }
    // Transfers whose dependencies are met, by start time.
    using Pending = std::pair<double, uint32_t>;
    std::priority_queue<Pending, std::vector<Pending>, std::greater<>> pending;
    for (uint32_t i = 0; i < n; ++i)
    {
        if (missing[i] == 0)
        {
            pending.emplace(0.0, i);
            res.start[i] = 0;
        }
    }
    // Transfer i has arrived at time t (last byte through, before the path latency).
    auto arrive = [&](uint32_t i, double t) {
        const Transfer& tr = schedule.transfers[i];
        res.done[i] = t + p.latency(tr.src, tr.dst, tr.bytes);
        res.finish = std::max(res.finish, res.done[i]);
        for (uint32_t k : dependents[i])
        {
            if (--missing[k] == 0)
            {
                double s = 0;
                for (uint32_t d : schedule.transfers[k].deps)
                {
                    s = std::max(s, res.done[d]);
                }
                res.start[k] = s;
                pending.emplace(s, k);
            }
        }
    };

    struct Flow
    {
        uint32_t id;
        double remaining; //!< wire bytes not yet sent
        uint32_t egress;  //!< sender port direction
        uint32_t ingress; //!< receiver port direction
        double rate{0};   //!< wire bytes per second
    };

    std::vector<Flow> active;
    std::vector<double> backlog(ports, 0); // receiver FIFOs (the switch buffer)

    // Transfers between the same ordered pair of ranks share one queue pair: its messages
    // go one after another, in the order they were posted.
    std::map<std::pair<uint32_t, uint32_t>, std::deque<uint32_t>> pairQueue;
    std::vector<uint32_t> ready; // transfers whose turn on their queue pair has come
    // Transfer i has been sent completely at time t: the next message of its queue pair
    // may start; the transfer arrives once its last byte is through the receiver.
    auto sent = [&](uint32_t i, uint32_t ingress, double t) {
        arrive(i, t + backlog[ingress] / capacity[ingress]);
        const Transfer& tr = schedule.transfers[i];
        auto& q = pairQueue[{tr.src, tr.dst}];
        q.pop_front();
        if (!q.empty())
        {
            ready.push_back(q.front());
        }
    };

    std::vector<double> in(ports);
    double now = 0;
    while (!pending.empty() || !active.empty() || !ready.empty())
    {
        // Every transfer that starts now joins its queue pair; the head of an idle one starts.
        while (!pending.empty() && pending.top().first <= now)
        {
            const uint32_t i = pending.top().second;
            pending.pop();
            const Transfer& tr = schedule.transfers[i];
            auto& q = pairQueue[{tr.src, tr.dst}];
            q.push_back(i);
            if (q.size() == 1)
            {
                ready.push_back(i);
            }
        }
        for (uint32_t idx = 0; idx < ready.size(); ++idx)
        {
            const uint32_t i = ready[idx];
            const Transfer& tr = schedule.transfers[i];
            const bool intra = p.gpusPerServer > 1 && server[tr.src] == server[tr.dst];
            const uint32_t off = intra ? 2 : 0;
            if (tr.bytes == 0)
            {
                // One empty packet: its serialisation is part of the latency term.
                sent(i, 4 * tr.dst + off + 1, now);
                continue;
            }
            const uint64_t packets = (tr.bytes + p.mtu - 1) / p.mtu;
            Flow f;
            f.id = i;
            f.remaining = static_cast<double>(tr.bytes) +
                          static_cast<double>(packets) * p.packetOverhead + p.messageOverhead;
            f.egress = 4 * tr.src + off;
            f.ingress = 4 * tr.dst + off + 1;
            active.push_back(f);
        }
        ready.clear();
        if (active.empty())
        {
            if (!pending.empty())
            {
                // Nothing is sent until the next start: the receiver FIFOs drain meanwhile.
                const double dt = pending.top().first - now;
                for (uint32_t q = 0; q < ports; ++q)
                {
                    backlog[q] = std::max(0.0, backlog[q] - capacity[q] * dt);
                }
                now = pending.top().first;
            }
            continue;
        }

        // Each sender port: line rate minus its ACKs (which go first), split equally
        // among its flows. The ACK load depends on what the port receives: a few
        // fixed-point rounds settle it (ACKs are ~2% of the data).
        std::vector<uint32_t> flowsAt(ports, 0);
        for (const Flow& f : active)
        {
            ++flowsAt[f.egress];
        }
        std::vector<double> ackLoad(ports, 0);
        for (int round = 0; round < 4; ++round)
        {
            for (Flow& f : active)
            {
                f.rate = std::max(0.0, capacity[f.egress] - ackLoad[f.egress]) / flowsAt[f.egress];
            }
            std::fill(ackLoad.begin(), ackLoad.end(), 0.0);
            for (const Flow& f : active)
            {
                // receiver's egress (same port kind) carries the flow's ACKs
                ackLoad[f.ingress - 1] += ackCoef * f.rate;
            }
        }
        std::fill(in.begin(), in.end(), 0.0);
        for (const Flow& f : active)
        {
            in[f.ingress] += f.rate;
            in[f.egress + 1] += ackCoef * f.rate; // its ACKs come back to the sender
        }

        // Advance to the next end of sending or the next start.
        double next = pending.empty() ? kInf : pending.top().first;
        for (const Flow& f : active)
        {
            next = std::min(next, now + f.remaining / f.rate);
        }
        const double dt = next - now;
        now = next;
        for (uint32_t q = 0; q < ports; ++q)
        {
            backlog[q] = std::max(0.0, backlog[q] + (in[q] - capacity[q]) * dt);
        }
        std::vector<Flow> still;
        for (Flow& f : active)
        {
            f.remaining -= f.rate * dt;
            if (f.remaining <= 1e-9 * (1 + f.rate))
            {
                sent(f.id, f.ingress, now);
            }
            else
            {
                still.push_back(f);
            }
        }
        active.swap(still);
    }
    return res;
}

} // namespace vclos
} // namespace ns3
