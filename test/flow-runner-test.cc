/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Tests of the flow-level scenario runner and the scenario's level keys (pure C++).

#include "scenario-test-utils.h"

#include "ns3/flow-runner.h"
#include "ns3/job-trace.h"
#include "ns3/placement-policy.h"
#include "ns3/routing.h"
#include "ns3/scenario.h"

#include <cstdio>
#include <gtest/gtest.h>
#include <set>
#include <sqlite3.h>
#include <stdexcept>
#include <string>

namespace
{

using namespace ns3::vclos;

const std::string kTraceScenario =
    std::string(VCLOS_SOURCE_DIR) + "/scenarios/trace-small-32gpu.json";

/// \return the first column of the first row of \p sql on \p path, as text
std::string
Scalar(const std::string& path, const std::string& sql)
{
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    {
        throw std::runtime_error("cannot open " + path);
    }
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
    {
        const std::string msg = sqlite3_errmsg(db);
        sqlite3_close_v2(db);
        throw std::runtime_error(sql + ": " + msg);
    }
    std::string out = "NONE";
    if (sqlite3_step(st) == SQLITE_ROW)
    {
        const auto* t = sqlite3_column_text(st, 0);
        out = t ? reinterpret_cast<const char*>(t) : "NULL";
    }
    sqlite3_finalize(st);
    sqlite3_close_v2(db);
    return out;
}

using vclostest::ParseError;

/// A small valid scenario with \p extra top-level keys (each followed by a comma).
std::string
Small(const std::string& extra)
{
    return R"({"name": "small", )" + extra + R"(
      "topology": {"leaves": 2, "spines": 2, "gpus_per_leaf": 4},
      "jobs": [{"gpus": [0, 1, 4, 5], "collective": "ring", "bytes": 65536}]})";
}

TEST(FlowRunner, LevelKeys)
{
    EXPECT_EQ(
        ParseScenario(Small(R"("level": "flow",)"), "s.json", CollectiveAlgorithms()).flow.sharing,
        "maxmin");
    EXPECT_EQ(ParseScenario(Small(R"("level": "flow", "flow": {"sharing": "step"},)"),
                            "s.json",
                            CollectiveAlgorithms())
                  .flow.sharing,
              "step");
    std::string e = ParseError(Small(R"("level": "fluid",)"));
    EXPECT_NE(e.find("s.json: level: expected \"packet\", \"flow\" or \"both\", got 'fluid'"),
              std::string::npos)
        << e;
    e = ParseError(Small(R"("level": "flow", "flow": {"sharing": "fair"},)"));
    EXPECT_NE(e.find("s.json: flow.sharing: expected \"maxmin\", \"step\" or \"none\", got 'fair'"),
              std::string::npos)
        << e;
    e = ParseError(Small(R"("level": "flow", "flow": {"sharing": "step", "mode": 1},)"));
    EXPECT_NE(e.find("flow.mode: unknown key"), std::string::npos) << e;
    e = ParseError(Small(R"("flow": {"sharing": "step"},)"));
    EXPECT_NE(
        e.find("s.json: flow: the key 'flow' (flow-level settings) needs \"level\": \"flow\" or "
               "\"both\""),
        std::string::npos)
        << e;
    // Packet-only settings are ignored at flow level (the shipped lossless scenario samples).
    Scenario s = ParseScenario(Small(R"("output": {"sample_interval_us": 10},)"),
                               "s.json",
                               CollectiveAlgorithms());
    SetScenarioLevel(s, "both", "--level");
    EXPECT_EQ(s.level, "both");
    SetScenarioLevel(s, "flow", "--level");
    EXPECT_EQ(s.level, "flow");
    EXPECT_EQ(ParseScenario(Small(R"("level": "both", "flow": {"sharing": "none"},)"),
                            "s.json",
                            CollectiveAlgorithms())
                  .level,
              "both");
    try
    {
        SetScenarioLevel(s, "fluid", "--level");
        ADD_FAILURE() << "no error";
    }
    catch (const ScenarioError& err)
    {
        EXPECT_NE(std::string(err.what())
                      .find("s.json: --level: expected \"packet\", \"flow\" or \"both\", got "
                            "'fluid'"),
                  std::string::npos)
            << err.what();
    }
    EXPECT_EQ(s.level, "flow"); // unchanged by the failed override
}

TEST(FlowRunner, TraceScenarioFinishesEveryJobAndWritesFlowRows)
{
    Scenario s = LoadScenarioFile(kTraceScenario, CollectiveAlgorithms());
    SetScenarioLevel(s, "flow", "--level");
    const std::string path = ::testing::TempDir() + "vclos-flow-runner.db";
    std::remove(path.c_str());
    FlowRunner::Summary sum;
    {
        ResultsDb db(path);
        FlowRunner runner(s);
        sum = runner.Run(&db, nullptr);
        // Job ids are given in placement order, as the packet level's JobManager does.
        const FlowRunResult& r = runner.GetResult();
        ASSERT_EQ(r.jobs.size(), s.jobs.size());
        std::set<uint32_t> ids;
        for (const FlowJobResult& j : r.jobs)
        {
            ids.insert(j.id);
            for (const FlowJobResult& k : r.jobs)
            {
                if (j.startS < k.startS)
                {
                    EXPECT_LT(j.id, k.id) << j.index << " started before " << k.index;
                }
            }
        }
        EXPECT_EQ(ids.size(), s.jobs.size());
        EXPECT_EQ(*ids.rbegin(), s.jobs.size() - 1);
    }
    EXPECT_EQ(sum.status, "done");
    EXPECT_EQ(sum.jobsFinished, s.jobs.size());
    EXPECT_EQ(sum.jobs, 20u);
    const std::string run = std::to_string(sum.runId);
    EXPECT_EQ(
        Scalar(path,
               "SELECT level || ' ' || status || ' ' || policy FROM runs WHERE run_id=" + run),
        "flow done vclos");
    EXPECT_EQ(
        Scalar(path, "SELECT COUNT(*) FROM jobs WHERE finish_s IS NOT NULL AND run_id=" + run),
        "20");
    // Every job's JCT is its JWT plus its JRT; jobs ran at least as long as alone.
    EXPECT_EQ(Scalar(path,
                     "SELECT COUNT(*) FROM jobs WHERE ABS(jct_s - jwt_s - jrt_s) < 1e-12 AND "
                     "jrt_s > 0 AND jwt_s >= 0 AND run_id=" +
                         run),
              "20");
    uint64_t iterations = 0;
    for (const JobSpec& j : s.jobs)
    {
        iterations += j.iterations;
    }
    EXPECT_EQ(Scalar(path, "SELECT COUNT(*) FROM iterations WHERE run_id=" + run),
              std::to_string(iterations));
    EXPECT_EQ(Scalar(path, "SELECT COUNT(*) FROM placements WHERE run_id=" + run), "20");
    EXPECT_EQ(Scalar(path,
                     "SELECT queued || ' ' || running || ' ' || busy_gpus FROM cluster_samples "
                     "WHERE run_id=" +
                         run + " ORDER BY time_s DESC, rowid DESC LIMIT 1"),
              "0 0 0");
    std::remove(path.c_str());
}

TEST(FlowRunner, PayloadModelRunsAsTheBenchmarksEngine)
{
    // flow.model "payload" (scenarios/paper-scale): the runner gives the JCTs of the engine run
    // as vclos-flow-bench runs it (trace jobs, payload bytes only, no latencies or ACKs, trace
    // ids), exactly, and its invariants hold (a job may start on links at the instant the job
    // before releases them).
    for (const char* policy : {"vclos", "ecmp", "random-ecmp"})
    {
        Scenario s = LoadScenarioFile(kTraceScenario, CollectiveAlgorithms(), "flow");
        s.flow.model = "payload";
        s.scheduler->policy = policy;
        FlowRunner runner(s);
        const FlowRunner::Summary sum = runner.Run(nullptr, nullptr);
        EXPECT_EQ(sum.status, "done") << policy;
        EXPECT_TRUE(sum.invariantsOk) << policy;
        const std::vector<TraceJob> trace =
            ApplyTraceSelection(ReadJobTrace(s.trace->selection.file),
                                s.trace->selection,
                                s.trace->selection.file);
        std::vector<FlowJob> jobs;
        for (const TraceJob& t : trace)
        {
            jobs.push_back(MakeFlowJob(t));
        }
        auto topo =
            std::make_shared<const ClusterTopology>(ClusterTopology::LeafSpine(s.topology.Shape()));
        FlowEngineConfig cfg;
        cfg.sharing = SharingModel::MAXMIN;
        FlowEngine engine(std::make_shared<Routing>(topo, s.seed, false), cfg);
        const FlowRunResult bench = engine.Run(jobs, MakePlacementPolicy(policy, s.seed), {}, {});
        const FlowRunResult& r = runner.GetResult();
        ASSERT_EQ(r.jobs.size(), bench.jobs.size());
        for (std::size_t j = 0; j < r.jobs.size(); ++j)
        {
            EXPECT_EQ(r.jobs[j].jctS, bench.jobs[j].jctS) << policy << " job " << j;
        }
    }
}

TEST(FlowRunner, FixedJobsKeepTheirIndexAsId)
{
    Scenario s = ParseScenario(Small(R"("level": "flow",)"), "s.json", CollectiveAlgorithms());
    s.jobs.push_back(s.jobs[0]);
    s.jobs[1].name = "second";
    s.jobs[1].gpus = {2, 3, 6, 7};
    FlowRunner runner(s);
    const FlowRunner::Summary sum = runner.Run(nullptr, nullptr);
    EXPECT_EQ(sum.status, "done");
    ASSERT_EQ(runner.GetResult().jobs.size(), 2u);
    EXPECT_EQ(runner.GetResult().jobs[1].id, 1u);
    EXPECT_EQ(runner.GetResult().jobs[1].placement.gpus, s.jobs[1].gpus);
}

TEST(FlowRunner, ScheduledJobsAreNumberedInPlacementOrder)
{
    // Job 1 arrives first: the packet level's JobManager creates it first, as job id 0.
    const Scenario s = ParseScenario(R"({"name": "order", "level": "flow",
      "topology": {"leaves": 2, "spines": 2, "gpus_per_leaf": 4},
      "scheduler": {"policy": "ecmp"},
      "jobs": [{"n_gpus": 4, "collective": "ring", "bytes": 65536, "start_us": 100},
               {"n_gpus": 4, "collective": "ring", "bytes": 65536, "start_us": 0}]})",
                                     "s.json",
                                     CollectiveAlgorithms());
    FlowRunner runner(s);
    EXPECT_EQ(runner.Run(nullptr, nullptr).status, "done");
    ASSERT_EQ(runner.GetResult().jobs.size(), 2u);
    EXPECT_EQ(runner.GetResult().jobs[0].id, 1u);
    EXPECT_EQ(runner.GetResult().jobs[1].id, 0u);
}

} // namespace

namespace
{

/// The flow-level invariants of a run, "name|ok" per line, by name.
std::string
InvariantRows(const std::string& path, int64_t run)
{
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    const std::string sql =
        "SELECT name, ok FROM invariants WHERE run_id = " + std::to_string(run) + " ORDER BY name";
    sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
    std::string out;
    while (sqlite3_step(st) == SQLITE_ROW)
    {
        out += std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) + "|" +
               std::to_string(sqlite3_column_int(st, 1)) + "\n";
    }
    sqlite3_finalize(st);
    sqlite3_close_v2(db);
    return out;
}

} // namespace

TEST(FlowRunner, InvariantsHoldAndEachInjectedViolationFailsTheRun)
{
    Scenario s = LoadScenarioFile(kTraceScenario, CollectiveAlgorithms());
    SetScenarioLevel(s, "flow", "--level");
    const std::string path = ::testing::TempDir() + "vclos-flow-invariants.db";
    std::remove(path.c_str());
    ResultsDb db(path);
    {
        FlowRunner runner(s);
        const FlowRunner::Summary sum = runner.Run(&db, nullptr);
        EXPECT_TRUE(sum.invariantsOk);
        EXPECT_EQ(sum.status, "done");
        ASSERT_EQ(sum.invariants.size(), 3u);
        EXPECT_EQ(InvariantRows(path, sum.runId),
                  "collective_bytes|1\njobs_accounted|1\nlink_exclusive|1\n");
        // Every finished job delivered what it started: the scenario's collective bytes.
        EXPECT_EQ(sum.invariants[0].detail.rfind("20 collectives of finished jobs, ", 0), 0u)
            << sum.invariants[0].detail;
        // vclos: fabric links were used, none by two jobs at once.
        EXPECT_NE(sum.invariants[2].detail.find("fabric links used, none by two jobs at once"),
                  std::string::npos)
            << sum.invariants[2].detail;
    }
    for (const std::string fault : {"collective_bytes", "jobs_accounted", "link_exclusive"})
    {
        FlowRunner runner(s);
        runner.SetInvariantFault(fault);
        const FlowRunner::Summary sum = runner.Run(&db, nullptr);
        EXPECT_FALSE(sum.invariantsOk) << fault;
        EXPECT_EQ(sum.status, "failed") << fault;
        EXPECT_EQ(
            Scalar(path, "SELECT status FROM runs WHERE run_id = " + std::to_string(sum.runId)),
            "failed");
        EXPECT_EQ(Scalar(path,
                         "SELECT GROUP_CONCAT(name) FROM invariants WHERE ok = 0 AND run_id = " +
                             std::to_string(sum.runId)),
                  fault);
    }
    FlowRunner runner(s);
    EXPECT_THROW(runner.SetInvariantFault("lossless_drop"), std::invalid_argument);
    std::remove(path.c_str());
}

TEST(FlowRunner, AnInterruptStopsTheRunAndAccountsForEveryJob)
{
    Scenario s = LoadScenarioFile(kTraceScenario, CollectiveAlgorithms());
    SetScenarioLevel(s, "flow", "--level");
    const std::string path = ::testing::TempDir() + "vclos-flow-interrupt.db";
    std::remove(path.c_str());
    ResultsDb db(path);
    FlowRunner runner(s);
    // SIGTERM (15) at the 6th poll: after 5 x kStopPollEvents events, before the end.
    int polls = 0;
    const FlowRunner::Summary sum =
        runner.Run(&db, nullptr, [&polls]() { return ++polls > 5 ? 15 : 0; });
    EXPECT_EQ(polls, 6);
    EXPECT_EQ(sum.interruptSignal, 15);
    EXPECT_EQ(sum.status, "interrupted");
    EXPECT_EQ(sum.events, 5 * kStopPollEvents);
    EXPECT_GT(sum.jobsFinished, 0u);
    EXPECT_LT(sum.jobsFinished, sum.jobs);
    EXPECT_TRUE(sum.invariantsOk);
    const std::string run = std::to_string(sum.runId);
    EXPECT_EQ(Scalar(path, "SELECT status FROM runs WHERE run_id = " + run), "interrupted");
    // Every job has its row; the unfinished ones without a finish time.
    EXPECT_EQ(Scalar(path, "SELECT COUNT(*) FROM jobs WHERE run_id = " + run), "20");
    EXPECT_EQ(Scalar(path, "SELECT COUNT(*) FROM jobs WHERE finish_s IS NULL AND run_id = " + run),
              std::to_string(sum.jobs - sum.jobsFinished));
    const std::string accounted =
        Scalar(path,
               "SELECT detail FROM invariants WHERE name = 'jobs_accounted' AND run_id = " + run);
    EXPECT_NE(accounted.find("when the run was interrupted"), std::string::npos) << accounted;
    std::remove(path.c_str());
}
