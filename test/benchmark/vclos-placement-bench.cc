/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Benchmark of the vclos placement (pure core, no simulation): a stream of jobs on the
// paper's cluster (128 leaves x 64 GPUs, 64 spines), released as they end in an event loop
// by arrival and duration; time per placement attempt (mean, p99, max) and cap hits.
//
// Usage: vclos-placement-bench [trace.csv] [policy] [max-nodes]
//   trace.csv: the shipped trace (columns n_gpus, arrival_s, total_val_s are read);
//              "-" or absent: 5,000 synthetic jobs with the trace's size distribution;
//              "stress": 5,000 synthetic jobs of sizes {2,12,24,48,96,160,320}
//   policy:    vclos (default), ecmp, static, random-ecmp
//   max-nodes: node cap of the exact search (default 1000000)

#include "ns3/cluster-scheduler.h"
#include "ns3/ecmp-hash.h"
#include "ns3/placement-policy.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <queue>
#include <sstream>
#include <string>
#include <vector>

using namespace ns3::vclos;

namespace
{

struct Job
{
    double arrival;
    double duration;
    uint32_t gpus;
};

/// Wraps a policy to time every attempt.
class TimedPolicy : public PlacementPolicy
{
  public:
    explicit TimedPolicy(std::unique_ptr<PlacementPolicy> inner)
        : m_inner(std::move(inner))
    {
    }

    std::string GetName() const override
    {
        return m_inner->GetName();
    }

    bool IsIsolating() const override
    {
        return m_inner->IsIsolating();
    }

    std::optional<Placement> Place(const ClusterOccupancy& occ, uint32_t nGpus) override
    {
        const auto t0 = std::chrono::steady_clock::now();
        std::optional<Placement> p = m_inner->Place(occ, nGpus);
        times.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        m_lastStats = m_inner->GetLastStats();
        nodes.push_back(m_lastStats.nodes);
        return p;
    }

    std::vector<double> times;   //!< seconds per attempt
    std::vector<uint64_t> nodes; //!< search nodes per attempt

  private:
    std::unique_ptr<PlacementPolicy> m_inner;
};

std::vector<Job>
ReadTrace(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
    {
        throw std::runtime_error(path + ": cannot open");
    }
    std::string line;
    std::getline(in, line);
    std::vector<std::string> head;
    std::stringstream hs(line);
    for (std::string c; std::getline(hs, c, ',');)
    {
        head.push_back(c);
    }
    auto col = [&](const std::string& name) {
        auto it = std::find(head.begin(), head.end(), name);
        if (it == head.end())
        {
            throw std::runtime_error(path + ":1: no column " + name);
        }
        return static_cast<size_t>(it - head.begin());
    };
    const size_t cArr = col("arrival_s");
    const size_t cGpu = col("n_gpus");
    const size_t cDur = col("total_val_s");
    std::vector<Job> jobs;
    for (uint32_t lineNo = 2; std::getline(in, line); ++lineNo)
    {
        std::vector<std::string> f;
        std::stringstream ls(line);
        for (std::string c; std::getline(ls, c, ',');)
        {
            f.push_back(c);
        }
        if (f.size() < head.size())
        {
            throw std::runtime_error(path + ":" + std::to_string(lineNo) + ": expected " +
                                     std::to_string(head.size()) + " columns");
        }
        jobs.push_back(
            {std::stod(f[cArr]), std::stod(f[cDur]), static_cast<uint32_t>(std::stoul(f[cGpu]))});
    }
    return jobs;
}

std::vector<Job>
Synthetic(uint32_t n, uint64_t seed, bool stress)
{
    // the shipped trace's sizes and counts; gaps exponential (mean 241 s), durations
    // uniform in [1000, 100000] s (the paper's clip range)
    // stress: sizes that do not fill leaves, so most jobs need the m x n search
    const uint32_t paperSizes[] = {8, 64, 128, 192, 256, 384, 512};
    const uint32_t paperCounts[] = {446, 1501, 699, 31, 501, 5, 1817};
    const uint32_t stressSizes[] = {2, 12, 24, 48, 96, 160, 320};
    const uint32_t stressCounts[] = {1, 1, 1, 1, 1, 1, 1};
    const uint32_t* sizes = stress ? stressSizes : paperSizes;
    const uint32_t* counts = stress ? stressCounts : paperCounts;
    const double meanGap = 241.0;
    const double minDur = 1000.0;
    const double maxDur = 100000.0;
    uint32_t total = 0;
    for (uint32_t k = 0; k < sizeof(paperSizes) / sizeof(paperSizes[0]); ++k)
    {
        total += counts[k];
    }
    auto uniform = [&]() {
        return static_cast<double>(Mix64(++seed) >> 11) / static_cast<double>(1ULL << 53);
    };
    std::vector<Job> jobs;
    double t = 0;
    for (uint32_t i = 0; i < n; ++i)
    {
        t += -meanGap * std::log(1.0 - uniform());
        uint32_t pick = static_cast<uint32_t>(uniform() * total);
        uint32_t k = 0;
        while (pick >= counts[k])
        {
            pick -= counts[k++];
        }
        jobs.push_back({t, minDur + uniform() * (maxDur - minDur), sizes[k]});
    }
    return jobs;
}

} // namespace

int
main(int argc, char** argv)
{
    const std::string tracePath = argc > 1 ? argv[1] : "-";
    const std::string policyName = argc > 2 ? argv[2] : "vclos";
    MiniClosSearchCaps caps;
    if (argc > 3)
    {
        caps.maxNodes = std::strtoull(argv[3], nullptr, 10);
    }
    std::vector<Job> jobs;
    try
    {
        jobs = tracePath == "-"        ? Synthetic(5000, 42, false)
               : tracePath == "stress" ? Synthetic(5000, 42, true)
                                       : ReadTrace(tracePath);
    }
    catch (const std::exception& e)
    {
        std::cerr << e.what() << "\n";
        return 1;
    }

    LeafSpineShape shape;
    shape.leaves = 128;
    shape.spines = 64;
    shape.gpusPerLeaf = 64;
    auto topo = std::make_shared<ClusterTopology>(ClusterTopology::LeafSpine(shape));
    auto timed = std::make_unique<TimedPolicy>(MakePlacementPolicy(policyName, 1, caps));
    TimedPolicy* policy = timed.get();
    ClusterScheduler sched(topo, std::move(timed));

    using Event = std::pair<double, uint64_t>; // finish time, job
    std::priority_queue<Event, std::vector<Event>, std::greater<Event>> finishes;
    double now = 0;
    double jctSum = 0;
    std::map<uint64_t, std::string> branchOf;
    std::map<std::string, uint64_t> branches;
    sched.SetPlaceCallback([&](uint64_t job, const Placement& p) {
        finishes.push({now + jobs[job].duration, job});
        jctSum += now + jobs[job].duration - jobs[job].arrival;
        ++branches[p.branch];
    });
    const auto wall0 = std::chrono::steady_clock::now();
    size_t next = 0;
    while (next < jobs.size() || !finishes.empty())
    {
        if (next < jobs.size() && (finishes.empty() || jobs[next].arrival <= finishes.top().first))
        {
            now = jobs[next].arrival;
            sched.Submit({next, jobs[next].gpus, now}, now);
            ++next;
        }
        else
        {
            now = finishes.top().first;
            const uint64_t job = finishes.top().second;
            finishes.pop();
            sched.Release(job, now);
        }
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();

    std::vector<double> t = policy->times;
    std::sort(t.begin(), t.end());
    double sum = 0;
    for (double x : t)
    {
        sum += x;
    }
    const size_t p99 = t.empty() ? 0 : std::min(t.size() - 1, (t.size() * 99) / 100);
    uint64_t maxNodes = 0;
    for (uint64_t n : policy->nodes)
    {
        maxNodes = std::max(maxNodes, n);
    }
    std::printf("trace=%s policy=%s jobs=%zu placed=%llu waits=%llu attempts=%zu\n",
                tracePath.c_str(),
                policyName.c_str(),
                jobs.size(),
                static_cast<unsigned long long>(sched.GetNPlacements()),
                static_cast<unsigned long long>(sched.GetNWaits()),
                t.size());
    std::printf("per attempt: mean %.3f ms  p99 %.3f ms  max %.3f ms  max nodes %llu  "
                "cap hits %llu (node cap %llu)\n",
                t.empty() ? 0.0 : 1e3 * sum / t.size(),
                t.empty() ? 0.0 : 1e3 * t[p99],
                t.empty() ? 0.0 : 1e3 * t.back(),
                static_cast<unsigned long long>(maxNodes),
                static_cast<unsigned long long>(sched.GetNCapHits()),
                static_cast<unsigned long long>(caps.maxNodes));
    std::printf("branches:");
    for (const auto& [b, c] : branches)
    {
        std::printf(" %s=%llu", b.c_str(), static_cast<unsigned long long>(c));
    }
    std::printf("\nmean JCT %.0f s (simulated), wall %.2f s\n",
                jobs.empty() ? 0.0 : jctSum / jobs.size(),
                wall);
    return sched.GetNPlacements() == jobs.size() ? 0 : 2;
}
