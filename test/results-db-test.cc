/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Tests of the SQLite results store (pure C++, no simulator).

#include "ns3/results-db.h"

#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

namespace
{

using ns3::vclos::FlowRow;
using ns3::vclos::IterationRow;
using ns3::vclos::JobRow;
using ns3::vclos::LinkRow;
using ns3::vclos::ResultsDb;
using ns3::vclos::RunInfo;

using Rows = std::vector<std::vector<std::string>>;

/// A read-only second connection (as another process would have).
class Reader
{
  public:
    explicit Reader(const std::string& path)
    {
        if (sqlite3_open_v2(path.c_str(), &m_db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
        {
            throw std::runtime_error("cannot open " + path);
        }
    }

    ~Reader()
    {
        sqlite3_close_v2(m_db);
    }

    /// \return all rows of \p sql, each column as text ("NULL" for NULL)
    Rows Query(const std::string& sql)
    {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
        {
            throw std::runtime_error(sql + ": " + sqlite3_errmsg(m_db));
        }
        Rows rows;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        {
            std::vector<std::string> row;
            for (int c = 0; c < sqlite3_column_count(st); ++c)
            {
                const unsigned char* t = sqlite3_column_text(st, c);
                row.emplace_back(t == nullptr ? "NULL" : reinterpret_cast<const char*>(t));
            }
            rows.push_back(row);
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
        {
            throw std::runtime_error(sql + ": " + sqlite3_errmsg(m_db));
        }
        return rows;
    }

    /// \return the single value of \p sql
    std::string Value(const std::string& sql)
    {
        Rows r = Query(sql);
        if (r.size() != 1 || r[0].size() != 1)
        {
            throw std::runtime_error(sql + ": not a single value");
        }
        return r[0][0];
    }

  private:
    sqlite3* m_db{nullptr}; //!< connection
};

/// A fresh temporary database path, removed (with WAL files) at the end of the test.
class ResultsDbTest : public testing::Test
{
  protected:
    void SetUp() override
    {
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        m_path = testing::TempDir() + "vclos-results-" + info->name() + "-" +
                 std::to_string(getpid()) + ".db";
        RemoveFiles();
    }

    void TearDown() override
    {
        RemoveFiles();
    }

    void RemoveFiles()
    {
        for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        {
            std::remove((m_path + suffix).c_str());
        }
    }

    std::string m_path; //!< database file
};

RunInfo
MakeRun(const std::string& name, uint32_t seed)
{
    RunInfo r;
    r.scenarioName = name;
    r.scenarioJson = "{\"name\": \"" + name + "\"}";
    r.seed = seed;
    r.vclosVersion = "0.1.0";
    r.ns3Version = "3.37";
    return r;
}

TEST_F(ResultsDbTest, TwoRunsAreWrittenAndReadBack)
{
    int64_t run1;
    int64_t run2;
    {
        ResultsDb db(m_path);
        run1 = db.BeginRun(MakeRun("first", 1));
        db.AddJob(run1, JobRow{0, "job-a", {0, 1, 8, 9}, "ring", 1048576, 2, 0.0, 0.004});
        db.AddJob(run1,
                  JobRow{1, "job-b", {2, 3}, "ring", 2048, 2, 0.001, ns3::vclos::kUnknownTime});
        db.AddIteration(run1, IterationRow{0, 0, 0.0, 0.0005, 0.002, ns3::vclos::kUnknownTime});
        db.AddIteration(run1, IterationRow{0, 1, 0.002, 0.0025, 0.004, 0.0012});
        db.AddLink(run1, LinkRow{0, "leaf0", "spine0", "fabric", 100e9, 1e-6, 5000, 2, 4096, 0});
        db.AddLink(run1, LinkRow{1, "spine0", "leaf0", "fabric", 100e9, 1e-6, 0, 0, 0, 0});
        LinkRow lossy{2, "gpu0", "leaf0", "host", 100e9, 1e-6, 1234567890123, 9, 0, 21};
        lossy.dropsQueue = 1;
        lossy.dropsBuffer = 2;
        lossy.dropsHeadroom = 3;
        lossy.dropsNoRoute = 4;
        lossy.dropsHopLimit = 5;
        lossy.dropsRxError = 6;
        db.AddLink(run1, lossy);
        db.AddFlow(run1, FlowRow{0, 0, 8, 49152, {2, 0, 7}});
        db.AddStep(run1, ns3::vclos::StepRow{0, 1, 2, "ring", 3, 0.25, 0.5, 4096});
        db.FinishRun(run1, 1.5, 0.004, 123456, "done");

        run2 = db.BeginRun(MakeRun("second", 2));
        db.AddJob(run2, JobRow{0, "job-a", {4}, "ring", 1, 1, 0.0, 0.0});
        db.AddLink(run2, LinkRow{0, "gpu4", "srv1", "intra", 1e12, 5e-7, 10, 1, 0, 0});
        db.FinishRun(run2, 0.25, 0.5, 7, "failed");
    }
    EXPECT_NE(run1, run2);

    Reader r(m_path);
    EXPECT_EQ(r.Value("PRAGMA user_version"), "9");
    EXPECT_EQ(r.Value("PRAGMA journal_mode"), "wal");
    EXPECT_EQ(r.Value("SELECT job_id || '/' || iteration || '/' || run || '/' || collective || "
                      "'/' || step || '/' || start_s || '/' || end_s || '/' || bytes FROM steps"),
              "0/1/2/ring/3/0.25/0.5/4096");

    Rows runs = r.Query("SELECT run_id, scenario_name, scenario_json, seed, level, "
                        "vclos_version, ns3_version, wall_time_s, sim_time_s, events, status, "
                        "length(started_utc) FROM runs ORDER BY run_id");
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_EQ(runs[0],
              (std::vector<std::string>{std::to_string(run1),
                                        "first",
                                        "{\"name\": \"first\"}",
                                        "1",
                                        "packet",
                                        "0.1.0",
                                        "3.37",
                                        "1.5",
                                        "0.004",
                                        "123456",
                                        "done",
                                        "20"}));
    EXPECT_EQ(runs[1][1], "second");
    EXPECT_EQ(runs[1][3], "2");
    EXPECT_EQ(runs[1][10], "failed");

    Rows jobs = r.Query("SELECT run_id, job_id, name, n_gpus, gpus, collective, bytes, "
                        "iterations, start_s, finish_s FROM jobs ORDER BY run_id, job_id");
    ASSERT_EQ(jobs.size(), 3u);
    EXPECT_EQ(jobs[0],
              (std::vector<std::string>{std::to_string(run1),
                                        "0",
                                        "job-a",
                                        "4",
                                        "0,1,8,9",
                                        "ring",
                                        "1048576",
                                        "2",
                                        "0.0",
                                        "0.004"}));
    EXPECT_EQ(jobs[1][9], "NULL"); // never finished
    EXPECT_EQ(jobs[2][4], "4");

    Rows its = r.Query("SELECT job_id, iteration, start_s, compute_end_s, end_s, comm_s FROM "
                       "iterations ORDER BY iteration");
    ASSERT_EQ(its.size(), 2u);
    EXPECT_EQ(its[0], (std::vector<std::string>{"0", "0", "0.0", "0.0005", "0.002", "0.0015"}));
    EXPECT_EQ(its[1][5], "0.0012"); // explicit comm_s is kept

    Rows links = r.Query("SELECT run_id, link_id, src, dst, kind, rate_bps, delay_s, tx_bytes, "
                         "tx_packets, max_queue_bytes, drops FROM links ORDER BY run_id, link_id");
    ASSERT_EQ(links.size(), 4u);
    EXPECT_EQ(links[0],
              (std::vector<std::string>{std::to_string(run1),
                                        "0",
                                        "leaf0",
                                        "spine0",
                                        "fabric",
                                        "100000000000.0",
                                        "1.0e-06",
                                        "5000",
                                        "2",
                                        "4096",
                                        "0"}));
    EXPECT_EQ(links[2][7], "1234567890123");
    EXPECT_EQ(links[2][10], "21");
    // One column per drop cause.
    EXPECT_EQ(r.Query("SELECT drops_queue, drops_buffer, drops_headroom, drops_no_route, "
                      "drops_hop_limit, drops_rx_error FROM links WHERE link_id = 2"),
              (Rows{{"1", "2", "3", "4", "5", "6"}}));
    EXPECT_EQ(links[3][4], "intra");

    Rows flows = r.Query("SELECT job_id, src_gpu, dst_gpu, src_port, path FROM flows");
    ASSERT_EQ(flows.size(), 1u);
    EXPECT_EQ(flows[0], (std::vector<std::string>{"0", "0", "8", "49152", "2,0,7"}));
}

TEST_F(ResultsDbTest, RowsBecomeVisibleOnlyAtFlush)
{
    ResultsDb db(m_path);
    int64_t run = db.BeginRun(MakeRun("visible", 3));
    Reader r(m_path);
    // The run row is committed at once, with status "running".
    EXPECT_EQ(r.Value("SELECT status FROM runs WHERE run_id = " + std::to_string(run)), "running");

    for (uint32_t i = 0; i < 10; ++i)
    {
        db.AddLink(
            run,
            LinkRow{i, "leaf0", "spine" + std::to_string(i), "fabric", 1e11, 1e-6, i, 1, 0, 0});
    }
    EXPECT_EQ(db.PendingRows(), 10u);
    EXPECT_EQ(r.Value("SELECT count(*) FROM links"), "0");
    db.Flush();
    EXPECT_EQ(db.PendingRows(), 0u);
    EXPECT_EQ(r.Value("SELECT count(*) FROM links"), "10");
    db.Flush(); // nothing pending: no-op

    db.AddJob(run, JobRow{0, "j", {0, 1}, "ring", 10, 1, 0, 1});
    EXPECT_EQ(r.Value("SELECT count(*) FROM jobs"), "0");
    db.FinishRun(run, 1, 2, 3, "done");
    EXPECT_EQ(r.Value("SELECT count(*) FROM jobs"), "1");
    EXPECT_EQ(r.Value("SELECT status FROM runs"), "done");
}

TEST_F(ResultsDbTest, AutoFlushEveryNRows)
{
    ResultsDb db(m_path, 4);
    int64_t run = db.BeginRun(MakeRun("batch", 1));
    Reader r(m_path);
    for (uint32_t i = 0; i < 3; ++i)
    {
        db.AddIteration(run, IterationRow{0, i, 0, 0, 1, ns3::vclos::kUnknownTime});
    }
    EXPECT_EQ(r.Value("SELECT count(*) FROM iterations"), "0");
    db.AddFlow(run, FlowRow{0, 0, 1, 7, {1}}); // 4th row: batch committed
    EXPECT_EQ(db.PendingRows(), 0u);
    EXPECT_EQ(r.Value("SELECT count(*) FROM iterations"), "3");
    EXPECT_EQ(r.Value("SELECT count(*) FROM flows"), "1");
}

TEST_F(ResultsDbTest, DestructorFlushes)
{
    int64_t run;
    {
        ResultsDb db(m_path);
        run = db.BeginRun(MakeRun("crashless", 1));
        db.AddJob(run, JobRow{0, "j", {0}, "ring", 1, 1, 0, 0});
    }
    Reader r(m_path);
    EXPECT_EQ(r.Value("SELECT count(*) FROM jobs"), "1");
    // Not finished: the run stays "running", which is how a crash shows.
    EXPECT_EQ(r.Value("SELECT status FROM runs"), "running");
}

TEST_F(ResultsDbTest, ReopenKeepsRunsAndAppends)
{
    {
        ResultsDb db(m_path);
        db.FinishRun(db.BeginRun(MakeRun("a", 1)), 0, 0, 0, "done");
    }
    {
        ResultsDb db(m_path);
        db.FinishRun(db.BeginRun(MakeRun("b", 1)), 0, 0, 0, "done");
    }
    Reader r(m_path);
    EXPECT_EQ(r.Value("SELECT group_concat(scenario_name, ',') FROM runs"), "a,b");
}

TEST_F(ResultsDbTest, ErrorsCarryPathAndSqliteMessage)
{
    ResultsDb db(m_path);
    int64_t run = db.BeginRun(MakeRun("errors", 1));

    // Duplicate primary key: reported at flush, batch rolled back.
    db.AddLink(run, LinkRow{5, "a", "b", "fabric", 1, 0, 0, 0, 0, 0});
    db.AddLink(run, LinkRow{5, "a", "b", "fabric", 1, 0, 0, 0, 0, 0});
    try
    {
        db.Flush();
        FAIL() << "no error";
    }
    catch (const std::runtime_error& e)
    {
        std::string msg = e.what();
        EXPECT_NE(msg.find(m_path + ": inserting links row (run " + std::to_string(run) +
                           ", link 5): UNIQUE constraint failed"),
                  std::string::npos)
            << msg;
    }
    EXPECT_EQ(db.PendingRows(), 0u);
    Reader r(m_path);
    EXPECT_EQ(r.Value("SELECT count(*) FROM links"), "0");

    // Unknown run: foreign key.
    db.AddJob(run + 100, JobRow{0, "j", {0}, "ring", 1, 1, 0, 0});
    try
    {
        db.Flush();
        FAIL() << "no error";
    }
    catch (const std::runtime_error& e)
    {
        EXPECT_NE(std::string(e.what()).find("FOREIGN KEY constraint failed"), std::string::npos)
            << e.what();
    }

    EXPECT_THROW(db.AddLink(run, LinkRow{6, "a", "b", "spine", 1, 0, 0, 0, 0, 0}),
                 std::invalid_argument);
    EXPECT_THROW(db.FinishRun(run + 100, 0, 0, 0, "done"), std::runtime_error);
    db.FinishRun(run, 0, 0, 0, "done");
}

TEST_F(ResultsDbTest, OpenErrors)
{
    try
    {
        ResultsDb db("/nonexistent-dir/sub/results.db");
        FAIL() << "no error";
    }
    catch (const std::runtime_error& e)
    {
        EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/sub/results.db: cannot open "
                                             "results database: unable to open database file"),
                  std::string::npos)
            << e.what();
    }

    {
        std::ofstream out(m_path);
        out << "this is not a database, just some text that is long enough to be a header....."
            << std::string(200, 'x');
    }
    try
    {
        ResultsDb db(m_path);
        FAIL() << "no error";
    }
    catch (const std::runtime_error& e)
    {
        EXPECT_NE(std::string(e.what()).find(m_path + ": "), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("file is not a database"), std::string::npos)
            << e.what();
    }
}

TEST_F(ResultsDbTest, NewerSchemaIsRejected)
{
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(m_path.c_str(), &db), SQLITE_OK);
        sqlite3_exec(db, "PRAGMA user_version = 10", nullptr, nullptr, nullptr);
        sqlite3_close(db);
    }
    try
    {
        ResultsDb db(m_path);
        FAIL() << "no error";
    }
    catch (const std::runtime_error& e)
    {
        EXPECT_NE(std::string(e.what()).find("schema version 10"), std::string::npos) << e.what();
    }
}

TEST_F(ResultsDbTest, VersionThreeFileGainsTheDropCauseColumns)
{
    {
        // A links table as schema version 3 wrote it, with one row.
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(m_path.c_str(), &db), SQLITE_OK);
        const char* v3 = "CREATE TABLE links (run_id INTEGER NOT NULL, link_id INTEGER NOT NULL, "
                         "src TEXT NOT NULL, dst TEXT NOT NULL, kind TEXT NOT NULL, "
                         "rate_bps REAL NOT NULL, delay_s REAL NOT NULL, tx_bytes INTEGER NOT "
                         "NULL, tx_packets INTEGER NOT NULL, max_queue_bytes INTEGER NOT NULL, "
                         "drops INTEGER NOT NULL, PRIMARY KEY (run_id, link_id));"
                         "INSERT INTO links VALUES (99, 0, 'a', 'b', 'host', 1, 0, 0, 0, 0, 7);"
                         "PRAGMA user_version = 3;";
        ASSERT_EQ(sqlite3_exec(db, v3, nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
    }
    {
        ResultsDb db(m_path);
        const int64_t run = db.BeginRun(MakeRun("new", 1));
        LinkRow row{0, "a", "b", "host", 1, 0, 0, 0, 0, 2};
        row.dropsHopLimit = 2;
        db.AddLink(run, row);
        db.FinishRun(run, 1, 1, 1, "done");
    }
    Reader r(m_path);
    EXPECT_EQ(r.Value("PRAGMA user_version"), "9");
    // The old row's causes are unknown (NULL); the new row has them.
    EXPECT_EQ(r.Query("SELECT drops, drops_queue IS NULL, drops_hop_limit FROM links "
                      "ORDER BY run_id"),
              (Rows{{"2", "0", "2"}, {"7", "1", "NULL"}}));
}

TEST_F(ResultsDbTest, VersionFourFileIsMigratedInPlace)
{
    // test/data/results-v4.db: written by vclos-sim of schema version 4 (main at da30eed)
    // for a 4-GPU ring (one run, one job, 4 flows, 6 steps).
    {
        std::ifstream in(std::string(VCLOS_SOURCE_DIR) + "/test/data/results-v4.db",
                         std::ios::binary);
        ASSERT_TRUE(in.good());
        std::ofstream out(m_path, std::ios::binary);
        out << in.rdbuf();
    }
    {
        Reader before(m_path);
        ASSERT_EQ(before.Value("PRAGMA user_version"), "4");
    }
    {
        ResultsDb db(m_path);
        RunInfo info = MakeRun("sched", 2);
        info.policy = "vclos";
        info.backfill = true;
        info.traceFile = "t.csv";
        info.traceFirst = 3;
        info.traceCount = 2;
        info.scale = 0.5;
        const int64_t run = db.BeginRun(info);
        JobRow job;
        job.jobId = 0;
        job.name = "trace7";
        job.gpus = {4, 5};
        job.collective = "ring";
        job.bytes = 10;
        job.iterations = 1;
        job.arrivalS = 1.0;
        job.startS = 1.5;
        job.finishS = 3.5;
        job.leaves = {1};
        job.hasSpines = true;
        job.spines = {0, 2};
        job.isolatedS = 1.6;
        job.releasedS = 3.75;
        db.AddJob(run, job);
        ns3::vclos::PlacementRow p;
        p.jobId = 0;
        p.timeS = 1.5;
        p.policy = "vclos";
        p.branch = "mini-clos";
        p.gpus = {4, 5};
        p.links = {7, 9};
        p.searchNodes = 3;
        db.AddPlacement(run, p);
        db.AddClusterSample(run, ns3::vclos::ClusterSampleRow{1.5, 1, 2, 6});
        db.AddLinkJob(run, ns3::vclos::LinkJobRow{7, 0, 100, 2, 82, 1, 1.5, 2.5});
        // Table invariants (version 6) exists in the upgraded file.
        db.AddInvariants(run, {{"jobs_accounted", true, "2/2 finished"}, {"x", false, "bad"}});
        db.FinishRun(run, 1, 4, 10, "done");
    }
    Reader r(m_path);
    EXPECT_EQ(r.Value("PRAGMA user_version"), "9");
    // Table sweep_runs (version 8) exists, empty, in the upgraded file.
    EXPECT_EQ(r.Value("SELECT count(*) FROM sweep_runs"), "0");
    // Tables ocs_reconfigurations and ocs_switches (version 9) too.
    EXPECT_EQ(r.Value("SELECT count(*) FROM ocs_reconfigurations"), "0");
    EXPECT_EQ(r.Value("SELECT count(*) FROM ocs_switches"), "0");
    EXPECT_EQ(r.Query("SELECT run_id, name, ok, detail FROM invariants ORDER BY name"),
              (Rows{{"2", "jobs_accounted", "1", "2/2 finished"}, {"2", "x", "0", "bad"}}));
    // The v4 run keeps its rows; its new columns are NULL.
    EXPECT_EQ(r.Query("SELECT run_id, scenario_name, policy IS NULL, scale IS NULL FROM runs "
                      "ORDER BY run_id"),
              (Rows{{"1", "tiny-v4", "1", "1"}, {"2", "sched", "0", "0"}}));
    EXPECT_EQ(r.Query("SELECT count(*) FROM steps WHERE run_id = 1"), (Rows{{"6"}}));
    EXPECT_EQ(r.Query("SELECT name, n_gpus, arrival_s IS NULL, slowdown IS NULL FROM jobs "
                      "WHERE run_id = 1"),
              (Rows{{"ring4", "4", "1", "1"}}));
    EXPECT_EQ(r.Query("SELECT policy, backfill, scale, trace_file, trace_first, trace_count "
                      "FROM runs WHERE run_id = 2"),
              (Rows{{"vclos", "1", "0.5", "t.csv", "3", "2"}}));
    // Derived job columns: jwt = start - arrival, jrt = finish - start, jct = finish - arrival,
    // slowdown = jrt / isolated.
    EXPECT_EQ(r.Query("SELECT arrival_s, start_s, finish_s, jwt_s, jrt_s, jct_s, n_leaves, "
                      "leaves, n_spines, spines, isolated_s, slowdown, released_s FROM jobs WHERE "
                      "run_id = 2"),
              (Rows{{"1.0",
                     "1.5",
                     "3.5",
                     "0.5",
                     "2.0",
                     "2.5",
                     "1",
                     "1",
                     "2",
                     "0,2",
                     "1.6",
                     "1.25",
                     "3.75"}}));
    EXPECT_EQ(r.Query("SELECT job_id, time_s, policy, branch, gpus, links, n_links, "
                      "search_nodes, cap_hit FROM placements"),
              (Rows{{"0", "1.5", "vclos", "mini-clos", "4,5", "7,9", "2", "3", "0"}}));
    EXPECT_EQ(r.Query("SELECT time_s, queued, running, busy_gpus FROM cluster_samples"),
              (Rows{{"1.5", "1", "2", "6"}}));
    EXPECT_EQ(r.Query("SELECT link_id, job_id, data_bytes, data_packets, control_bytes, "
                      "control_packets, first_s, last_s FROM link_job_bytes"),
              (Rows{{"7", "0", "100", "2", "82", "1", "1.5", "2.5"}}));
}

TEST_F(ResultsDbTest, VersionFiveFileWithoutALaterColumnGainsIt)
{
    // A version-5 file of a development build, before jobs.released_s existed.
    {
        ResultsDb db(m_path);
    }
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(m_path.c_str(), &db), SQLITE_OK);
        ASSERT_EQ(
            sqlite3_exec(db, "ALTER TABLE jobs DROP COLUMN released_s", nullptr, nullptr, nullptr),
            SQLITE_OK);
        sqlite3_close(db);
    }
    {
        ResultsDb db(m_path);
        const int64_t run = db.BeginRun(MakeRun("r", 1));
        JobRow job;
        job.name = "j";
        job.releasedS = 2;
        db.AddJob(run, job);
        db.FinishRun(run, 1, 1, 1, "done");
    }
    Reader r(m_path);
    EXPECT_EQ(r.Value("SELECT released_s FROM jobs"), "2.0");
}

TEST(ResultsDbStatic, UtcNowIsIso8601)
{
    std::string t = ResultsDb::UtcNow();
    ASSERT_EQ(t.size(), 20u);
    EXPECT_EQ(t[4], '-');
    EXPECT_EQ(t[10], 'T');
    EXPECT_EQ(t[19], 'Z');
}

} // namespace
