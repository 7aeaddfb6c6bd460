/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// vclos-sim: run a JSON scenario at packet or flow level and write a SQLite results database.
//
//   vclos-sim --scenario=scenarios/default.json --db=results/default.db [--seed=N]
//             [--level=packet|flow]
//
// Exit codes: 0 all jobs finished; 1 ns-3's CommandLine could not parse an argument; 2 bad
// command line or scenario; 3 results database error; 4 the scenario's stop_time_s came
// before every job finished; 5 out of memory; 6 an end-of-run invariant was violated (see
// table invariants); 130 / 143 interrupted by SIGINT / SIGTERM (finished jobs are kept; a
// second signal exits at once with the same code, leaving the run "running").

#include "ns3/core-module.h"
#include "ns3/vclos-module.h"

#include <cstdlib>
#include <iostream>
#include <new>

using namespace ns3;

namespace
{
/**
 * Run a scenario at flow level (vclos::FlowRunner).
 * \param scenario the scenario (level "flow")
 * \param dbPath results database
 * \param quiet no progress lines
 * \return the exit code (0 done, 4 a job did not finish)
 */
int
RunFlowLevel(const vclos::Scenario& scenario, const std::string& dbPath, bool quiet)
{
    vclos::ResultsDb db(dbPath);
    std::cerr << "[vclos] scenario '" << scenario.name << "' seed " << scenario.seed
              << " at flow level (sharing " << scenario.flow.sharing
              << "): " << scenario.jobs.size() << " jobs on " << scenario.topology.NumGpus()
              << " GPUs" << (scenario.scheduler ? ", scheduler " + scenario.scheduler->policy : "")
              << "\n";
    vclos::FlowRunner runner(scenario);
    const vclos::FlowRunner::Summary sum = runner.Run(&db, quiet ? nullptr : &std::cerr);
    std::cout << "run " << sum.runId << " " << sum.status << " (flow): " << sum.jobsFinished << "/"
              << sum.jobs << " jobs finished, simulated " << sum.simTimeS << " s in "
              << sum.wallTimeS << " s wall (" << sum.events << " events)\n"
              << "results: " << dbPath << "\n";
    return sum.status == "done" ? 0 : 4;
}
} // namespace

int
main(int argc, char* argv[])
{
    std::string scenarioPath;
    std::string dbPath = "vclos-results.db";
    uint32_t seed = 0;
    bool quiet = false;
    std::string scheduler = "ns3::TimeWheelScheduler";
    std::string level;
    CommandLine cmd(__FILE__);
    cmd.Usage("Run a vclos scenario (JSON) at packet or flow level; results go to a SQLite "
              "database.");
    cmd.AddValue("scenario", "path of the scenario JSON file (required)", scenarioPath);
    cmd.AddValue("db", "results database (created if missing; runs are appended)", dbPath);
    cmd.AddValue("seed", "override the scenario's seed (0: keep it)", seed);
    cmd.AddValue("quiet", "no progress lines", quiet);
    cmd.AddValue("level", "override the scenario's level: packet or flow", level);
    cmd.AddValue("scheduler",
                 "ns-3 event scheduler (any ns3::Scheduler; all give identical results)",
                 scheduler);
    cmd.Parse(argc, argv);
    if (scenarioPath.empty())
    {
        std::cerr << "error: --scenario=FILE is required (try scenarios/default.json)\n";
        return 2;
    }

    if (seed > vclos::kMaxSeed)
    {
        std::cerr << "error: --seed: expected 0 (keep the scenario's) or 1.." << vclos::kMaxSeed
                  << " (ns-3's random streams need a seed below 4294944443), got " << seed << "\n";
        return 2;
    }

    Time::SetResolution(Time::PS);
    TypeId schedulerTid;
    if (!TypeId::LookupByNameFailSafe(scheduler, &schedulerTid))
    {
        std::cerr << "error: --scheduler: no ns-3 type named '" << scheduler
                  << "' (try ns3::TimeWheelScheduler, ns3::QuadHeapScheduler, ns3::MapScheduler)\n";
        return 2;
    }
    ObjectFactory schedulerFactory(scheduler);
    Simulator::SetScheduler(schedulerFactory);
    vclos::Scenario scenario;
    try
    {
        scenario = vclos::LoadScenarioFile(scenarioPath, vclos::CollectiveAlgorithms());
        if (!level.empty())
        {
            vclos::SetScenarioLevel(scenario, level, "--level");
        }
    }
    catch (const std::bad_alloc&)
    {
        std::cerr << "error: out of memory while reading " << scenarioPath << "\n";
        return 5;
    }
    catch (const std::exception& e)
    {
        std::cerr << "error: " << e.what() << "\n";
        return 2;
    }
    if (seed != 0)
    {
        scenario.seed = seed;
    }

    try
    {
        if (scenario.level == "flow")
        {
            return RunFlowLevel(scenario, dbPath, quiet);
        }
        vclos::ResultsDb db(dbPath);
        ScenarioRunner runner(scenario);
        std::cerr << "[vclos] scenario '" << scenario.name << "' seed " << scenario.seed << ": "
                  << scenario.jobs.size() << " jobs on "
                  << scenario.topology.leaves * scenario.topology.gpusPerLeaf << " GPUs";
        if (scenario.scheduler)
        {
            std::cerr << ", scheduler " << scenario.scheduler->policy
                      << (scenario.scheduler->backfill ? " with backfill" : "");
        }
        if (scenario.trace)
        {
            const vclos::TraceSelection& t = scenario.trace->selection;
            std::cerr << ", " << scenario.trace->jobs << " from trace " << t.file << " (first "
                      << t.first << ", scale " << t.scale << ")";
        }
        std::cerr << "\n";
        RunInterrupt::Install();
        ScenarioRunner::Summary sum = runner.Run(&db, quiet ? nullptr : &std::cerr);
        Simulator::Destroy();
        std::cout << "run " << sum.runId << " " << sum.status << ": " << sum.jobsFinished << "/"
                  << sum.jobs << " jobs finished, simulated " << sum.simTimeS * 1e3 << " ms in "
                  << sum.wallTimeS << " s wall (" << sum.events << " events)\n"
                  << "results: " << dbPath << "\n";
        if (!sum.invariantsOk)
        {
            for (const vclos::InvariantResult& r : sum.invariants)
            {
                if (!r.ok)
                {
                    std::cerr << "error: invariant " << r.name << " violated: " << r.detail << "\n";
                }
            }
            std::cerr << "error: run " << sum.runId << " marked failed in " << dbPath << "\n";
            return 6;
        }
        if (sum.interruptSignal != 0)
        {
            std::cerr << "interrupted by signal " << sum.interruptSignal
                      << ": finished jobs are in " << dbPath << ", the others written unfinished\n";
            return RunInterrupt::ExitCode(sum.interruptSignal);
        }
        if (sum.status != "done")
        {
            std::cerr << "error: stop_time_s (" << scenario.stopTimeS
                      << " s) reached before every job finished";
            if (scenario.scheduler)
            {
                std::cerr << " (" << sum.jobsRunning << " running, " << sum.jobsQueued
                          << " queued, " << sum.jobs - sum.jobsFinished << " unfinished)";
            }
            std::cerr << "; raise it in " << scenarioPath << "\n";
            return 4;
        }
    }
    catch (const std::bad_alloc&)
    {
        std::cerr << "error: out of memory while building or running the simulation of "
                  << scenarioPath << " (reduce the topology, the jobs or their iterations)"
                  << std::endl;
        // No static destructors: tearing down a half-built simulation without memory left
        // could crash instead of exiting.
        std::_Exit(5);
    }
    catch (const std::exception& e)
    {
        // The loader has checked every value: what is left are results database errors.
        std::cerr << "error: " << e.what() << "\n";
        return 3;
    }
    return 0;
}
