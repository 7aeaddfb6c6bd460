/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// vclos-sim: run a JSON scenario at packet or flow level and write a SQLite results database.
//
//   vclos-sim --scenario=scenarios/default.json --db=results/default.db [--seed=N]
//             [--level=packet|flow|both]
//
// Exit codes: 0 all jobs finished; 1 ns-3's CommandLine could not parse an argument; 2 bad
// command line or scenario; 3 results database error; 4 the scenario's stop_time_s came
// before every job finished; 5 out of memory; 6 an end-of-run invariant was violated (see
// table invariants); 130 / 143 interrupted by SIGINT / SIGTERM (finished jobs are kept; a
// second signal exits at once with the same code, leaving the run "running"). The same at
// flow level. --level=both runs the packet level, then the flow level, into one database
// and compares them (tables validation and validation_summary); the first non-zero exit
// code wins (a flow run follows only a packet run that finished).

#include "ns3/core-module.h"
#include "ns3/vclos-module.h"

#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <new>

using namespace ns3;

namespace
{
/**
 * Report the invariants and the interruption of a finished run.
 * \param ok every invariant held
 * \param invariants the checks
 * \param runId the run
 * \param signal the signal that interrupted it (0: none)
 * \param dbPath results database
 * \return 6 for a violated invariant, 130 / 143 for an interruption, else 0
 */
int
ReportEnd(bool ok,
          const std::vector<vclos::InvariantResult>& invariants,
          int64_t runId,
          int signal,
          const std::string& dbPath)
{
    if (!ok)
    {
        for (const vclos::InvariantResult& r : invariants)
        {
            if (!r.ok)
            {
                std::cerr << "error: invariant " << r.name << " violated: " << r.detail << "\n";
            }
        }
        std::cerr << "error: run " << runId << " marked failed in " << dbPath << "\n";
        return 6;
    }
    if (signal != 0)
    {
        std::cerr << "interrupted by signal " << signal << ": finished jobs are in " << dbPath
                  << ", the others written unfinished\n";
        return RunInterrupt::ExitCode(signal);
    }
    return 0;
}

/**
 * Run a scenario at flow level (vclos::FlowRunner).
 * \param scenario the scenario (level "flow" or "both")
 * \param db results database
 * \param quiet no progress lines
 * \param[out] runId the run written
 * \return the exit code (0 done, 4 a job did not finish, 6 an invariant, 130 / 143 a signal)
 */
int
RunFlowLevel(const vclos::Scenario& scenario, vclos::ResultsDb& db, bool quiet, int64_t& runId)
{
    std::cerr << "[vclos] scenario '" << scenario.name << "' seed " << scenario.seed
              << " at flow level (sharing " << scenario.flow.sharing
              << "): " << scenario.jobs.size() << " jobs on " << scenario.topology.NumGpus()
              << " GPUs" << (scenario.scheduler ? ", scheduler " + scenario.scheduler->policy : "")
              << "\n";
    vclos::FlowRunner runner(scenario);
    std::string fault;
    {
        StringValue v;
        GlobalValue::GetValueByName("VclosInvariantFault", v);
        fault = v.Get();
    }
    if (fault != "lossless_drops")
    {
        runner.SetInvariantFault(fault); // lossless_drops does not apply at flow level
    }
    const vclos::FlowRunner::Summary sum =
        runner.Run(&db, quiet ? nullptr : &std::cerr, [] { return RunInterrupt::Requested(); });
    runId = sum.runId;
    std::cout << "run " << sum.runId << " " << sum.status << " (flow): " << sum.jobsFinished << "/"
              << sum.jobs << " jobs finished, simulated " << sum.simTimeS << " s in "
              << sum.wallTimeS << " s wall (" << sum.events << " events)\n"
              << "results: " << db.Path() << "\n";
    const int end =
        ReportEnd(sum.invariantsOk, sum.invariants, sum.runId, sum.interruptSignal, db.Path());
    if (end != 0)
    {
        return end;
    }
    return sum.status == "done" ? 0 : 4;
}

/**
 * Compare a packet-level run with a flow-level run of one scenario (table validation) and
 * print the summary.
 * \param db results database
 * \param packetRun the packet-level run
 * \param flowRun the flow-level run
 */
void
Validate(vclos::ResultsDb& db, int64_t packetRun, int64_t flowRun)
{
    const std::vector<vclos::LevelErrorSummary> sums = db.AddValidation(packetRun, flowRun);
    std::cout << "validation (flow run " << flowRun << " against packet run " << packetRun
              << ", |relative error| in %):\n";
    std::cout << std::fixed << std::setprecision(2);
    for (const vclos::LevelErrorSummary& s : sums)
    {
        std::cout << "  " << std::left << std::setw(10) << s.metric << std::right << " n "
                  << std::setw(5) << s.n << "  mean " << std::setw(6) << 100 * s.meanAbs << "  p50 "
                  << std::setw(6) << 100 * s.p50Abs << "  p90 " << std::setw(6) << 100 * s.p90Abs
                  << "  max " << std::setw(6) << 100 * s.maxAbs << "\n";
    }
    std::cout.unsetf(std::ios::floatfield);
    std::cout << std::setprecision(6);
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
    cmd.AddValue("level", "override the scenario's level: packet, flow or both", level);
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
        // the level sets the time limits (flow level: up to 4e6 s), so it is known while parsing
        scenario = vclos::LoadScenarioFile(scenarioPath, vclos::CollectiveAlgorithms(), level);
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

    RunInterrupt::Install();
    try
    {
        vclos::ResultsDb db(dbPath);
        if (scenario.level == "flow")
        {
            int64_t flowRun = -1;
            return RunFlowLevel(scenario, db, quiet, flowRun);
        }
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
        ScenarioRunner::Summary sum = runner.Run(&db, quiet ? nullptr : &std::cerr);
        Simulator::Destroy();
        std::cout << "run " << sum.runId << " " << sum.status << ": " << sum.jobsFinished << "/"
                  << sum.jobs << " jobs finished, simulated " << sum.simTimeS * 1e3 << " ms in "
                  << sum.wallTimeS << " s wall (" << sum.events << " events)\n"
                  << "results: " << dbPath << "\n";
        const int end =
            ReportEnd(sum.invariantsOk, sum.invariants, sum.runId, sum.interruptSignal, dbPath);
        if (end != 0)
        {
            return end;
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
        if (scenario.level == "both")
        {
            int64_t flowRun = -1;
            const int code = RunFlowLevel(scenario, db, quiet, flowRun);
            if (flowRun >= 0)
            {
                Validate(db, sum.runId, flowRun);
            }
            return code;
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
