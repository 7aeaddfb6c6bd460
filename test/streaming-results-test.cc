/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Results streamed per finished job: a run stopped (or killed) after a job finished keeps
// that job's rows, complete.

#include "vclos-test-utils.h"

#include "ns3/scenario-runner.h"

#include <csignal>
#include <cstdio>
#include <fstream>
#include <sqlite3.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace ns3;
using namespace vclos_test;

static auto* g_env = ::testing::AddGlobalTestEnvironment(new PicosecondEnvironment);

namespace
{

/// Job "a" (2 iterations of a 1 MiB ring, about 0.3 ms) and job "b", which runs for
/// \p bIterations iterations of 1 ms compute each.
std::string
TwoJobs(uint32_t bIterations, double stopS)
{
    std::ostringstream s;
    s << R"({"name": "stream", "seed": 1, "stop_time_s": )" << stopS << R"(,
      "topology": {"leaves": 2, "spines": 2, "gpus_per_leaf": 4},
      "network": {"queue_bytes": 8388608},
      "jobs": [
        {"name": "a", "gpus": [0, 1, 4, 5], "collective": "ring", "bytes": 1048576,
         "iterations": 2, "compute_us": 20},
        {"name": "b", "gpus": [2, 3, 6, 7], "collective": "ring", "bytes": 65536,
         "iterations": )"
      << bIterations << R"(, "compute_us": 1000}
      ]})";
    return s.str();
}

/// Rows of a query as text ("a|b\n" per row); false if the query failed (no file/table).
bool
TryQuery(const std::string& db, const std::string& sql, std::string& out)
{
    out.clear();
    sqlite3* h = nullptr;
    if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    {
        sqlite3_close(h);
        return false;
    }
    sqlite3_busy_timeout(h, 5000);
    auto cb = [](void* o, int n, char** v, char**) {
        auto* s = static_cast<std::string*>(o);
        for (int i = 0; i < n; ++i)
        {
            *s += (v[i] ? v[i] : "NULL");
            *s += i + 1 < n ? "|" : "\n";
        }
        return 0;
    };
    const bool ok = sqlite3_exec(h, sql.c_str(), cb, &out, nullptr) == SQLITE_OK;
    sqlite3_close(h);
    return ok;
}

std::string
Query(const std::string& db, const std::string& sql)
{
    std::string out;
    EXPECT_TRUE(TryQuery(db, sql, out)) << sql;
    return out;
}

/// Job a's rows, complete: its jobs row with a finish time, 2 iterations, 2 x 6 steps,
/// 4 flows with a path.
void
ExpectJobAComplete(const std::string& db)
{
    EXPECT_EQ(Query(db, "SELECT name, finish_s IS NOT NULL FROM jobs WHERE job_id = 0;"), "a|1\n");
    EXPECT_EQ(Query(db, "SELECT COUNT(*) FROM iterations WHERE job_id = 0 AND end_s > start_s;"),
              "2\n");
    EXPECT_EQ(Query(db, "SELECT COUNT(*) FROM steps WHERE job_id = 0 AND end_s > start_s;"),
              "12\n");
    EXPECT_EQ(Query(db, "SELECT COUNT(*) FROM flows WHERE job_id = 0 AND path != '';"), "4\n");
    // Its finish time is the end of its last iteration.
    EXPECT_EQ(Query(db,
                    "SELECT COUNT(*) FROM jobs j JOIN iterations i USING (run_id, job_id) "
                    "WHERE j.job_id = 0 AND i.iteration = 1 AND i.end_s = j.finish_s;"),
              "1\n");
}

} // namespace

TEST_F(SimTest, AStopTimeBetweenTwoJobsKeepsTheFirstJobComplete)
{
    // The process id keeps parallel test runs (other build trees) apart.
    const std::string db =
        ::testing::TempDir() + "vclos-stream-stop-" + std::to_string(getpid()) + ".db";
    std::remove(db.c_str());
    // Job a ends after about 0.3 ms; job b's iterations take over 1 ms each: stop at 2.5 ms.
    vclos::Scenario s =
        vclos::ParseScenario(TwoJobs(10, 2.5e-3), "stop", vclos::CollectiveAlgorithms());
    {
        vclos::ResultsDb results(db);
        ScenarioRunner runner(s);
        auto sum = runner.Run(&results, nullptr);
        EXPECT_EQ(sum.status, "incomplete");
        EXPECT_EQ(sum.jobsFinished, 1u);
    }
    Simulator::Destroy();
    ExpectJobAComplete(db);
    // Job b ran 2 iterations (each over 1 ms) and did not finish: its row has no finish
    // time, its flows were recorded when it started.
    EXPECT_EQ(Query(db, "SELECT finish_s FROM jobs WHERE job_id = 1;"), "NULL\n");
    EXPECT_EQ(Query(db, "SELECT COUNT(*) FROM iterations WHERE job_id = 1;"), "2\n");
    EXPECT_EQ(Query(db, "SELECT COUNT(*) FROM flows WHERE job_id = 1;"), "4\n");
    EXPECT_EQ(Query(db, "SELECT status FROM runs;"), "incomplete\n");
}

TEST(StreamingResults, AKilledRunKeepsEveryFinishedJob)
{
    const std::string dir = ::testing::TempDir();
    const std::string tag = std::to_string(getpid());
    const std::string file = dir + "vclos-stream-kill-" + tag + ".json";
    const std::string db = dir + "vclos-stream-kill-" + tag + ".db";
    std::remove(db.c_str());
    std::remove((db + "-wal").c_str());
    std::remove((db + "-shm").c_str());
    // Job b would run for 10^6 iterations: the process is still running when job a's rows
    // appear, and is killed then.
    std::ofstream(file) << TwoJobs(1000000, 3600);
    const std::string sim = std::string(VCLOS_BINARY_DIR) + "/examples/vclos-sim";
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0)
    {
        const std::string a1 = "--scenario=" + file;
        const std::string a2 = "--db=" + db;
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execl(sim.c_str(), sim.c_str(), "--quiet", a1.c_str(), a2.c_str(), (char*)nullptr);
        _exit(127);
    }
    // Poll for job a's row (a safety bound of 5 minutes, not a timing expectation).
    std::string out;
    bool seen = false;
    bool exited = false;
    int exitStatus = 0;
    for (int i = 0; i < 3000 && !seen && !exited; ++i)
    {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        seen = TryQuery(db, "SELECT COUNT(*) FROM jobs WHERE job_id = 0;", out) && out == "1\n";
        exited = waitpid(pid, &exitStatus, WNOHANG) == pid;
    }
    if (!exited)
    {
        kill(pid, SIGKILL);
        int status = 0;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    }
    ASSERT_FALSE(exited) << "vclos-sim ended by itself (exit code "
                         << (WIFEXITED(exitStatus) ? WEXITSTATUS(exitStatus) : -1)
                         << "): it was meant to be killed; run it on " << file;
    ASSERT_TRUE(seen) << "job a's row never appeared while the run went on";
    // The killed run: still "running", job a complete, job b not finished.
    EXPECT_EQ(Query(db, "SELECT status FROM runs;"), "running\n");
    ExpectJobAComplete(db);
    EXPECT_EQ(Query(db, "SELECT COUNT(*) FROM jobs WHERE job_id = 1;"), "0\n");
}
