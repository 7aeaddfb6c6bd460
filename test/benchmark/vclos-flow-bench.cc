/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Benchmark of the flow-level engine (pure core, no ns-3): a job trace on the paper's
// packet-switched cluster (128 leaves x 64 GPUs, 64 spines, 4 GPUs per server, 100 Gbps
// host and fabric links, 1000 Gbps inside a server) with one placement policy and one
// sharing model. Prints wall time, peak RSS, counters and JCT/JWT/JRT mean and p99.
//
// Usage: vclos-flow-bench trace.csv [policy] [sharing] [count] [seed] [jobs.csv] [samples.csv]
//   policy:  vclos (default), ecmp, static, random-ecmp; NAME@LEAVESxGPUS on another shape
//            (one spine per uplink, e.g. vclos@256x32); ocs-vclos[:DELAY_MS] on the paper's
//            OCS setup (256 leaves x 32 GPUs, 32 uplinks, 128 spines of 64 ports);
//            environment VCLOS_OCS_NODE_CAP: its search's node cap (default 2000)
//   sharing: maxmin (default), step, none
//   count:   jobs from the start of the trace (default: all)
//   seed:    run seed (ECMP hash seeds, source ports, random-ecmp), default 1
//   jobs.csv: if given, one line per job: index, id, gpus, collective, arrival, start,
//             finish, jwt, jrt, jct, the trace's uncontended time (total_val_s)
//   samples.csv: if given, the cluster at every change: time, queued, running, busy GPUs
//
// The engine runs payload bytes only (no per-packet headers, latencies or ACKs), as the
// authors' simulator; vclos-sim's flow level adds them (doc/flow-level.rst).

#include "ns3/flow-engine.h"
#include "ns3/job-trace.h"
#include "ns3/ocs-vclos-placement-policy.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <sys/resource.h>
#include <vector>

using namespace ns3::vclos;

namespace
{

struct Summary
{
    double mean{0};
    double p99{0};
};

Summary
Summarize(std::vector<double> v)
{
    Summary s;
    if (v.empty())
    {
        return s;
    }
    std::sort(v.begin(), v.end());
    double sum = 0;
    for (double x : v)
    {
        sum += x;
    }
    s.mean = sum / v.size();
    // nearest-rank p99
    const std::size_t rank = (99 * v.size() + 99) / 100;
    s.p99 = v[std::min(v.size(), std::max<std::size_t>(rank, 1)) - 1];
    return s;
}

} // namespace

int
main(int argc, char** argv)
{
    if (argc < 2)
    {
        std::fprintf(stderr,
                     "usage: %s trace.csv [policy] [sharing] [count] [seed] [jobs.csv] "
                     "[samples.csv]\n",
                     argv[0]);
        return 2;
    }
    const std::string path = argv[1];
    const std::string policy = argc > 2 ? argv[2] : "vclos";
    const std::string sharing = argc > 3 ? argv[3] : "maxmin";
    TraceSelection sel;
    if (argc > 4 && std::string(argv[4]) != "all")
    {
        sel.count = std::strtoull(argv[4], nullptr, 10);
    }
    const uint64_t seed = argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 1;
    try
    {
        const std::vector<TraceJob> trace = ApplyTraceSelection(ReadJobTrace(path), sel, path);
        std::vector<FlowJob> jobs;
        for (const TraceJob& t : trace)
        {
            jobs.push_back(MakeFlowJob(t));
        }
        // Policy spec: NAME, NAME@LEAVESxGPUS (a cabled Clos with one spine per leaf uplink,
        // as many uplinks as GPUs per leaf), or ocs-vclos[:DELAY_MS] on the paper's OCS
        // setup (OcsFabric::PaperShape(): 256 leaves x 32 GPUs, 32 uplinks, 128 spines of
        // 64 ports; default delay 0 as in the paper's code).
        LeafSpineShape shape;
        shape.leaves = 128;
        shape.spines = 64;
        shape.gpusPerLeaf = 64;
        std::string name = policy;
        double ocsDelayS = -1; // < 0: not ocs-vclos
        const std::size_t at = policy.find('@');
        if (at != std::string::npos)
        {
            name = policy.substr(0, at);
            unsigned leaves = 0;
            unsigned gpus = 0;
            if (std::sscanf(policy.c_str() + at + 1, "%ux%u", &leaves, &gpus) != 2 || leaves == 0 ||
                gpus == 0)
            {
                throw std::invalid_argument("policy '" + policy +
                                            "': expected NAME@LEAVESxGPUS, e.g. vclos@256x32");
            }
            shape.leaves = leaves;
            shape.gpusPerLeaf = gpus;
            shape.spines = gpus;
        }
        if (name.rfind("ocs-vclos", 0) == 0)
        {
            const OcsFabricShape ocs = OcsFabric::PaperShape();
            ocsDelayS = name.size() > 10 ? std::strtod(name.c_str() + 10, nullptr) / 1000 : 0.0;
            if (ocsDelayS < 0 || (name.size() > 9 && name[9] != ':'))
            {
                throw std::invalid_argument("policy '" + policy +
                                            "': expected ocs-vclos or ocs-vclos:DELAY_MS");
            }
            shape.leaves = ocs.leaves;
            shape.gpusPerLeaf = ocs.gpusPerLeaf;
            shape.spines = ocs.uplinksPerLeaf; // the logical cluster: one plane per uplink
        }
        shape.gpusPerServer = 4;
        shape.host.rateBps = 100000000000ULL;
        shape.fabric.rateBps = 100000000000ULL;
        shape.intra.rateBps = 1000000000000ULL;
        auto topo = std::make_shared<const ClusterTopology>(ClusterTopology::LeafSpine(shape));
        auto routing = std::make_shared<Routing>(topo, seed, false);
        FlowEngineConfig cfg;
        cfg.sharing = ParseSharingModel(sharing);
        cfg.progressIntervalS = 1e5;
        FlowEngine engine(routing, cfg);
        FlowObserver obs;
        const auto wall0 = std::chrono::steady_clock::now();
        obs.progress = [&wall0](const FlowProgress& p) {
            const double w =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
            std::fprintf(stderr,
                         "  t=%.0f s  done %llu/%llu  queued %llu  running %llu  wall %.1f s\n",
                         p.timeS,
                         static_cast<unsigned long long>(p.done),
                         static_cast<unsigned long long>(p.total),
                         static_cast<unsigned long long>(p.queued),
                         static_cast<unsigned long long>(p.running),
                         w);
        };
        // VCLOS_OCS_NODE_CAP: node cap of ocs-vclos's virtual-Clos search (default 2,000).
        MiniClosSearchCaps ocsCaps{2000, 0.0};
        if (const char* cap = std::getenv("VCLOS_OCS_NODE_CAP"))
        {
            ocsCaps.maxNodes = std::strtoull(cap, nullptr, 10);
        }
        std::unique_ptr<PlacementPolicy> placement =
            ocsDelayS >= 0 ? std::make_unique<OcsVclosPlacementPolicy>(OcsFabric::PaperShape(),
                                                                       ocsDelayS,
                                                                       ocsCaps)
                           : MakePlacementPolicy(name, seed);
        const FlowRunResult r = engine.Run(jobs, std::move(placement), {}, obs);
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
        rusage ru{};
        getrusage(RUSAGE_SELF, &ru);
        std::vector<double> jct;
        std::vector<double> jwt;
        std::vector<double> jrt;
        uint64_t unfinished = 0;
        for (const FlowJobResult& j : r.jobs)
        {
            if (!j.finished)
            {
                ++unfinished;
                continue;
            }
            jct.push_back(j.jctS);
            jwt.push_back(j.jwtS);
            jrt.push_back(j.jrtS);
        }
        if (argc > 6)
        {
            std::ofstream out(argv[6]);
            out << "index,id,gpus,collective,arrival_s,start_s,finish_s,jwt_s,jrt_s,jct_s,"
                   "uncontended_s\n";
            out.precision(17);
            for (const FlowJobResult& j : r.jobs)
            {
                const TraceJob& t = trace[j.index];
                out << j.index << ',' << j.id << ',' << j.gpus << ',' << t.collective << ','
                    << j.arrivalS << ',' << j.startS << ',' << j.finishS << ',' << j.jwtS << ','
                    << j.jrtS << ',' << j.jctS << ',' << t.uncontendedS.value_or(-1) << '\n';
            }
        }
        if (argc > 7)
        {
            std::ofstream out(argv[7]);
            out << "time_s,queued,running,busy_gpus\n";
            out.precision(17);
            for (const FlowSample& f : r.samples)
            {
                out << f.timeS << ',' << f.queued << ',' << f.running << ',' << f.busyGpus << '\n';
            }
        }
        const Summary c = Summarize(jct);
        const Summary w = Summarize(jwt);
        const Summary t = Summarize(jrt);
        std::printf("policy %s sharing %s jobs %zu unfinished %llu seed %llu\n",
                    policy.c_str(),
                    sharing.c_str(),
                    jobs.size(),
                    static_cast<unsigned long long>(unfinished),
                    static_cast<unsigned long long>(seed));
        std::printf("wall %.2f s  peak RSS %.1f MiB  events %llu  phases %llu  rated %llu  "
                    "max jobs on a fabric link %u  cap hits %llu  end %.0f s\n",
                    wall,
                    ru.ru_maxrss / 1024.0,
                    static_cast<unsigned long long>(r.stats.events),
                    static_cast<unsigned long long>(r.stats.phases),
                    static_cast<unsigned long long>(r.stats.rated),
                    r.stats.maxJobsOnFabricLink,
                    static_cast<unsigned long long>(r.stats.capHits),
                    r.stats.endS);
        std::printf("JCT mean %.1f s p99 %.1f s | JWT mean %.1f s p99 %.1f s | JRT mean %.1f s "
                    "p99 %.1f s\n",
                    c.mean,
                    c.p99,
                    w.mean,
                    w.p99,
                    t.mean,
                    t.p99);
    }
    catch (const std::exception& e)
    {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
