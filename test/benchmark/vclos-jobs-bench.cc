/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// vclos-jobs-bench: N short jobs run one after another, to show that memory stays flat.
//
// A 2-leaf x 4-GPU, 2-spine fabric (100 Gbps, 1 us); each job is an 8-GPU ring all-reduce
// of 64 KiB (1 iteration, 1 us compute) created by a JobManager when the previous job is
// quiet, and torn down then (queue pairs destroyed at both ends, slots reused). A
// CongestionMonitor samples every 10 us throughout; with --db, each job's rows are
// streamed to a results database and committed when it finishes, as the runner does.
//
// Output: one line of key=value pairs:
//  jobs          jobs finished
//  peak_rss_kib  getrusage(RUSAGE_SELF).ru_maxrss at the end (peak resident set, KiB)
//  wall_s        std::chrono around build + Simulator::Run
//  sim_s         simulated seconds
//  qp_table_max  largest QP table of any NIC at the end
//
// Compare --jobs=100 with --jobs=10000: the peak RSS must be close. --teardown=false keeps
// every finished job (queue pairs, executors, application): then it grows with N.

#include "ns3/core-module.h"
#include "ns3/vclos-module.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sys/resource.h>

using namespace ns3;

namespace
{

/// Benchmark state shared with the trace sinks.
struct Bench
{
    Ptr<JobManager> manager;
    JobParams params;
    uint32_t jobs{0};
    uint32_t finished{0};
    uint64_t samples{0};
    vclos::ResultsDb* db{nullptr};
    int64_t runId{-1};
};

Bench g_bench;

void
Quiet(uint32_t id)
{
    if (id + 1 < g_bench.jobs)
    {
        g_bench.manager->AddJob(g_bench.params, Simulator::Now());
    }
}

void
Finished(uint32_t id)
{
    ++g_bench.finished;
    if (g_bench.db != nullptr)
    {
        vclos::JobRow row;
        row.jobId = id;
        row.name = "ring";
        row.gpus = g_bench.params.gpus;
        row.collective = g_bench.params.collective;
        row.bytes = g_bench.params.bytes;
        row.iterations = g_bench.params.iterations;
        row.finishS = Simulator::Now().GetSeconds();
        g_bench.db->AddJob(g_bench.runId, row);
        g_bench.db->Flush();
    }
}

void
Iteration(uint32_t id, uint32_t iteration, const TrainingJob::IterationRecord& r)
{
    if (g_bench.db != nullptr)
    {
        vclos::IterationRow it;
        it.jobId = id;
        it.iteration = iteration;
        it.startS = r.start.GetSeconds();
        it.computeEndS = r.computeEnd.GetSeconds();
        it.endS = r.end.GetSeconds();
        g_bench.db->AddIteration(g_bench.runId, it);
    }
}

void
Sample(uint32_t, Time, uint32_t)
{
    ++g_bench.samples;
}

} // namespace

int
main(int argc, char* argv[])
{
    uint32_t jobs = 100;
    std::string dbPath;
    bool teardown = true;
    CommandLine cmd(__FILE__);
    cmd.AddValue("teardown",
                 "tear each job down once quiet (false: keep them, to see memory grow)",
                 teardown);
    cmd.AddValue("jobs", "jobs to run one after another", jobs);
    cmd.AddValue("db", "stream each job's rows to this results database (empty: none)", dbPath);
    cmd.Parse(argc, argv);
    if (jobs == 0)
    {
        std::cerr << "error: --jobs must be >= 1\n";
        return 2;
    }
    Time::SetResolution(Time::PS);
    const auto t0 = std::chrono::steady_clock::now();
    std::unique_ptr<vclos::ResultsDb> db;
    if (!dbPath.empty())
    {
        std::remove(dbPath.c_str());
        db = std::make_unique<vclos::ResultsDb>(dbPath);
        vclos::RunInfo info;
        info.scenarioName = "jobs-bench";
        info.scenarioJson = "{}";
        g_bench.runId = db->BeginRun(info);
        g_bench.db = db.get();
    }
    LeafSpineConfig c;
    c.leaves = 2;
    c.spines = 2;
    c.gpusPerLeaf = 4;
    LeafSpineHelper topo(c);
    topo.Build();
    g_bench.jobs = jobs;
    g_bench.params.gpus = {0, 1, 2, 3, 4, 5, 6, 7};
    g_bench.params.collective = "ring";
    g_bench.params.bytes = 64 << 10;
    g_bench.params.computeTime = MicroSeconds(1);
    g_bench.manager = CreateObject<JobManager>();
    g_bench.manager->SetTopology(topo);
    g_bench.manager->SetAttribute("TeardownWhenQuiet", BooleanValue(teardown));
    g_bench.manager->TraceConnectWithoutContext("JobQuiet", MakeCallback(&Quiet));
    g_bench.manager->TraceConnectWithoutContext("JobFinished", MakeCallback(&Finished));
    g_bench.manager->TraceConnectWithoutContext("IterationRecorded", MakeCallback(&Iteration));
    Ptr<CongestionMonitor> monitor = CreateObject<CongestionMonitor>();
    monitor->TraceConnectWithoutContext("QueueSample", MakeCallback(&Sample));
    monitor->Start(topo);
    g_bench.manager->AddJob(g_bench.params, Seconds(0));
    // The last job's quiet schedules nothing: stop the monitor then.
    g_bench.manager->TraceConnectWithoutContext("JobQuiet",
                                                Callback<void, uint32_t>([monitor](uint32_t id) {
                                                    if (id + 1 == g_bench.jobs)
                                                    {
                                                        monitor->Stop();
                                                    }
                                                }));
    Simulator::Run();
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    uint32_t tableMax = 0;
    for (uint32_t g = 0; g < topo.GetNGpus(); ++g)
    {
        tableMax = std::max(tableMax, topo.GetNic(g)->GetQpTableSize());
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    std::cout << "jobs=" << g_bench.finished << " peak_rss_kib=" << ru.ru_maxrss
              << " wall_s=" << wall << " sim_s=" << Simulator::Now().GetSeconds()
              << " qp_table_max=" << tableMax << " queue_samples=" << g_bench.samples << std::endl;
    if (db)
    {
        db->FinishRun(g_bench.runId, wall, Simulator::Now().GetSeconds(), 0, "done");
    }
    g_bench.manager->Dispose();
    g_bench.manager = nullptr;
    monitor->Dispose();
    Simulator::Destroy();
    return g_bench.finished == jobs ? 0 : 1;
}
