/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Merging per-run results databases by run key (pure core, fabricated runs).

#include "sqlite-rows.h"

#include "ns3/results-db.h"
#include "ns3/sweep-merge.h"

#include <cstdio>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <string>
#include <vector>

using namespace ns3::vclos;

namespace
{

using vclostest::Query;
using vclostest::Rows;

/// Remove a database and its WAL files.
void
RemoveDb(const std::string& path)
{
    for (const char* s : {"", "-wal", "-shm"})
    {
        std::remove((path + s).c_str());
    }
}

/**
 * Write a one-run database as vclos-sim would: \p jobs jobs rows, one iterations row per
 * job, an invariants row, and status \p status (or "running": never finished).
 */
void
WriteRun(const std::string& path,
         const std::string& scenario,
         uint32_t seed,
         uint32_t jobs,
         const std::string& status)
{
    RemoveDb(path);
    ResultsDb db(path);
    RunInfo info;
    info.scenarioName = "fab";
    info.scenarioJson = scenario;
    info.seed = seed;
    const int64_t run = db.BeginRun(info);
    for (uint32_t j = 0; j < jobs; ++j)
    {
        JobRow row;
        row.jobId = j;
        row.name = "job" + std::to_string(j);
        row.gpus = {0, 1};
        row.collective = "ring";
        row.bytes = 1000 * seed + j;
        row.iterations = 1;
        row.finishS = 0.5 * seed + j;
        db.AddJob(run, row);
        IterationRow it;
        it.jobId = j;
        it.endS = 0.25 * seed + j;
        db.AddIteration(run, it);
    }
    db.AddInvariants(run, {{"jobs_accounted", true, "ok"}});
    if (status != "running")
    {
        db.FinishRun(run, 0.1, 1.0, 42, status);
    }
}

class SweepMergeTest : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        // One prefix per test: ctest runs the tests of this fixture in parallel processes.
        m_dir = ::testing::TempDir() + "vclos-sweep-merge-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name() + "-";
        m_merged = m_dir + "merged.db";
        RemoveDb(m_merged);
        for (int i = 0; i < 3; ++i)
        {
            SweepMergeInput in;
            in.key = "k" + std::to_string(i);
            in.dbPath = m_dir + in.key + ".db";
            in.scenarioJson = "{\"seed\": " + std::to_string(i + 1) + "}";
            in.axesJson = "{\"seed\":" + std::to_string(i + 1) + "}";
            m_inputs.push_back(in);
        }
    }

    std::string m_dir;                     //!< scratch prefix
    std::string m_merged;                  //!< merged database
    std::vector<SweepMergeInput> m_inputs; //!< k0, k1, k2
};

} // namespace

TEST_F(SweepMergeTest, StatusOfRunDatabases)
{
    EXPECT_EQ(RunDbStatus(m_dir + "nothing.db"), "missing");
    WriteRun(m_inputs[0].dbPath, m_inputs[0].scenarioJson, 1, 2, "done");
    EXPECT_EQ(RunDbStatus(m_inputs[0].dbPath), "done");
    EXPECT_EQ(RunDbStatus(m_inputs[0].dbPath, &m_inputs[0].scenarioJson), "done");
    EXPECT_EQ(RunDbStatus(m_inputs[0].dbPath, &m_inputs[1].scenarioJson), "another scenario");
    WriteRun(m_inputs[1].dbPath, m_inputs[1].scenarioJson, 2, 2, "interrupted");
    EXPECT_EQ(RunDbStatus(m_inputs[1].dbPath), "interrupted");
    WriteRun(m_inputs[2].dbPath, m_inputs[2].scenarioJson, 3, 2, "running");
    EXPECT_EQ(RunDbStatus(m_inputs[2].dbPath), "running");
    {
        ResultsDb db(m_inputs[2].dbPath); // a second run in one file
        RunInfo info;
        info.scenarioName = "x";
        info.scenarioJson = "{}";
        db.BeginRun(info);
    }
    EXPECT_EQ(RunDbStatus(m_inputs[2].dbPath), "2 runs");
    std::FILE* f = std::fopen((m_dir + "junk.db").c_str(), "w");
    std::fputs("not a database at all, not at all, not at all, not at all, not at all", f);
    std::fclose(f);
    EXPECT_EQ(RunDbStatus(m_dir + "junk.db").rfind("unreadable: ", 0), 0u);
}

TEST_F(SweepMergeTest, MergesCompleteRunsOnceAndTheRestAfterAResume)
{
    WriteRun(m_inputs[0].dbPath, m_inputs[0].scenarioJson, 1, 2, "done");
    WriteRun(m_inputs[1].dbPath, m_inputs[1].scenarioJson, 2, 3, "interrupted");
    RemoveDb(m_inputs[2].dbPath); // never started

    SweepMergeReport r = MergeSweepDatabases(m_inputs, m_merged);
    EXPECT_EQ(r.merged, (std::vector<std::string>{"k0"}));
    EXPECT_TRUE(r.already.empty());
    ASSERT_EQ(r.skipped.size(), 2u);
    EXPECT_EQ(r.skipped[0], std::make_pair(std::string("k1"), std::string("interrupted")));
    EXPECT_EQ(r.skipped[1], std::make_pair(std::string("k2"), std::string("missing")));
    EXPECT_EQ(Query(m_merged, "SELECT count(*) FROM runs"), (Rows{{"1"}}));

    // Merging again adds nothing.
    r = MergeSweepDatabases(m_inputs, m_merged);
    EXPECT_TRUE(r.merged.empty());
    EXPECT_EQ(r.already, (std::vector<std::string>{"k0"}));
    EXPECT_EQ(Query(m_merged, "SELECT count(*) FROM jobs"), (Rows{{"2"}}));

    // "Resume": k1 and k2 redone (from scratch) and complete; k1's old rows never counted.
    WriteRun(m_inputs[1].dbPath, m_inputs[1].scenarioJson, 2, 3, "done");
    WriteRun(m_inputs[2].dbPath, m_inputs[2].scenarioJson, 3, 1, "done");
    r = MergeSweepDatabases(m_inputs, m_merged);
    EXPECT_EQ(r.merged, (std::vector<std::string>{"k1", "k2"}));
    EXPECT_TRUE(r.skipped.empty());
    r = MergeSweepDatabases(m_inputs, m_merged);
    EXPECT_EQ(r.already.size(), 3u);

    // One complete row set per key: the run, its jobs, iterations and invariants, under a
    // new run_id; the key and the axes in sweep_runs.
    EXPECT_EQ(Query(m_merged,
                    "SELECT s.run_key, s.axes, r.seed, r.status, r.events, "
                    "(SELECT count(*) FROM jobs j WHERE j.run_id = r.run_id), "
                    "(SELECT count(*) FROM iterations i WHERE i.run_id = r.run_id), "
                    "(SELECT count(*) FROM invariants v WHERE v.run_id = r.run_id) "
                    "FROM sweep_runs s JOIN runs r USING (run_id) ORDER BY s.run_key"),
              (Rows{{"k0", "{\"seed\":1}", "1", "done", "42", "2", "2", "1"},
                    {"k1", "{\"seed\":2}", "2", "done", "42", "3", "3", "1"},
                    {"k2", "{\"seed\":3}", "3", "done", "42", "1", "1", "1"}}));
    EXPECT_EQ(
        Query(m_merged,
              "SELECT s.run_key, j.job_id, j.bytes, j.finish_s FROM jobs j JOIN "
              "sweep_runs s USING (run_id) WHERE s.run_key = 'k1' ORDER BY "
              "j.job_id"),
        (Rows{{"k1", "0", "2000", "1.0"}, {"k1", "1", "2001", "2.0"}, {"k1", "2", "2002", "3.0"}}));
    EXPECT_EQ(Query(m_merged, "SELECT count(*) FROM runs"), (Rows{{"3"}}));
    EXPECT_EQ(Query(m_merged, "PRAGMA user_version"),
              (Rows{{std::to_string(ResultsDb::kSchemaVersion)}}));
}

TEST_F(SweepMergeTest, ADatabaseOfAnotherScenarioIsNotMerged)
{
    WriteRun(m_inputs[0].dbPath, "{\"seed\": 99}", 1, 2, "done");
    const SweepMergeReport r = MergeSweepDatabases({m_inputs[0]}, m_merged);
    EXPECT_TRUE(r.merged.empty());
    ASSERT_EQ(r.skipped.size(), 1u);
    EXPECT_EQ(r.skipped[0].second, "another scenario");
    EXPECT_EQ(Query(m_merged, "SELECT count(*) FROM runs"), (Rows{{"0"}}));
}
