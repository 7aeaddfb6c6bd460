/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Results streamed per finished job: a run stopped (or killed) after a job finished keeps
// that job's rows, complete.

#include "vclos-test-utils.h"

#include "ns3/run-interrupt.h"
#include "ns3/scenario-runner.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
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
/// \p bIterations iterations of 1 ms compute each (\p bBuckets gradient buckets).
std::string
TwoJobs(uint32_t bIterations, double stopS, uint32_t bBuckets = 1)
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
      << bIterations << R"(, "buckets": )" << bBuckets << R"(, "compute_us": 1000}
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

/// A vclos-sim process running TwoJobs(1000000, 3600) (job b would run for 10^6
/// iterations) once job a's row is committed.
struct LongRun
{
    std::string file;   //!< its scenario
    std::string db;     //!< its database
    pid_t pid{-1};      //!< its process
    bool seen{false};   //!< job a's row appeared while it ran
    bool exited{false}; //!< it ended by itself (it must not)
    int exitStatus{0};  //!< waitpid status if it ended
};

/// Start vclos-sim on a long scenario and poll its database until job a's row appears
/// (a safety bound of 5 minutes, not a timing expectation). At flow level (\p level "flow")
/// job b has 100 buckets per iteration: 10^8 collectives, hours of wall time.
LongRun
StartLongRun(const std::string& name, const std::string& level = "packet")
{
    LongRun r;
    const std::string dir = ::testing::TempDir();
    const std::string tag = std::to_string(getpid());
    r.file = dir + "vclos-stream-" + name + "-" + tag + ".json";
    r.db = dir + "vclos-stream-" + name + "-" + tag + ".db";
    std::remove(r.db.c_str());
    std::remove((r.db + "-wal").c_str());
    std::remove((r.db + "-shm").c_str());
    std::ofstream(r.file) << TwoJobs(1000000, 3600, level == "flow" ? 100 : 1);
    const std::string sim = std::string(VCLOS_SIM_PROGRAM);
    r.pid = fork();
    if (r.pid == 0)
    {
        const std::string a1 = "--scenario=" + r.file;
        const std::string a2 = "--db=" + r.db;
        const std::string a3 = "--level=" + level;
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execl(sim.c_str(),
              sim.c_str(),
              "--quiet",
              a1.c_str(),
              a2.c_str(),
              a3.c_str(),
              (char*)nullptr);
        _exit(127);
    }
    std::string out;
    for (int i = 0; i < 3000 && r.pid > 0 && !r.seen && !r.exited; ++i)
    {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        r.seen = TryQuery(r.db, "SELECT COUNT(*) FROM jobs WHERE job_id = 0;", out) && out == "1\n";
        r.exited = waitpid(r.pid, &r.exitStatus, WNOHANG) == r.pid;
    }
    return r;
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
    LongRun r = StartLongRun("kill");
    ASSERT_GT(r.pid, 0);
    if (!r.exited)
    {
        kill(r.pid, SIGKILL);
        int status = 0;
        ASSERT_EQ(waitpid(r.pid, &status, 0), r.pid);
        EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    }
    ASSERT_FALSE(r.exited) << "vclos-sim ended by itself (exit code "
                           << (WIFEXITED(r.exitStatus) ? WEXITSTATUS(r.exitStatus) : -1)
                           << "): it was meant to be killed; run it on " << r.file;
    ASSERT_TRUE(r.seen) << "job a's row never appeared while the run went on";
    // The killed run: still "running", job a complete, job b not finished.
    EXPECT_EQ(Query(r.db, "SELECT status FROM runs;"), "running\n");
    ExpectJobAComplete(r.db);
    EXPECT_EQ(Query(r.db, "SELECT COUNT(*) FROM jobs WHERE job_id = 1;"), "0\n");
}

/**
 * Send \p sig to a running vclos-sim and wait until it stops by itself (a safety bound of
 * 5 minutes; then it is killed).
 * \param pid the process
 * \param sig the signal
 * \param status set to its wait status
 * \return false if it had to be killed
 */
static bool
SignalAndWait(pid_t pid, int sig, int& status)
{
    if (kill(pid, sig) != 0)
    {
        return false;
    }
    for (int i = 0; i < 3000; ++i)
    {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (waitpid(pid, &status, WNOHANG) == pid)
        {
            return true;
        }
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return false;
}

/**
 * Send \p sig to a long run once job a's row is in, and expect vclos-sim to exit 128 + sig.
 * \param r the run (StartLongRun)
 * \param sig the signal
 */
static void
InterruptAndExpectExit(const LongRun& r, int sig)
{
    ASSERT_GT(r.pid, 0);
    ASSERT_FALSE(r.exited) << "vclos-sim ended by itself; run it on " << r.file;
    ASSERT_TRUE(r.seen) << "job a's row never appeared while the run went on";
    int status = 0;
    ASSERT_TRUE(SignalAndWait(r.pid, sig, status)) << "vclos-sim did not stop after signal " << sig;
    ASSERT_TRUE(WIFEXITED(status))
        << "vclos-sim died of signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    EXPECT_EQ(WEXITSTATUS(status), 128 + sig);
}

/// SIGINT or SIGTERM once job a finished: the run stops at the next event boundary, exits
/// 128 + the signal, is marked "interrupted" with job a complete and job b written
/// unfinished (with why, in table invariants).
class InterruptedRun : public ::testing::TestWithParam<int>
{
};

TEST_P(InterruptedRun, KeepsEveryFinishedJobAndSaysSo)
{
    const int sig = GetParam();
    LongRun r = StartLongRun("signal" + std::to_string(sig));
    ASSERT_NO_FATAL_FAILURE(InterruptAndExpectExit(r, sig));
    EXPECT_EQ(RunInterrupt::ExitCode(sig), 128 + sig);
    EXPECT_EQ(Query(r.db, "SELECT status, sim_time_s > 0, events > 0 FROM runs;"),
              "interrupted|1|1\n");
    ExpectJobAComplete(r.db);
    // Job b: its row written unfinished, as at a stop time, with its flows.
    EXPECT_EQ(Query(r.db, "SELECT name, finish_s FROM jobs WHERE job_id = 1;"), "b|NULL\n");
    EXPECT_EQ(Query(r.db, "SELECT COUNT(*) FROM flows WHERE job_id = 1;"), "4\n");
    // Every invariant holds; the unfinished job is reported with why.
    EXPECT_EQ(Query(r.db, "SELECT name, ok FROM invariants ORDER BY name;"),
              "collective_bytes|1\njobs_accounted|1\nlink_exclusive|1\nlossless_drops|1\n");
    const std::string accounted =
        Query(r.db, "SELECT detail FROM invariants WHERE name = 'jobs_accounted';");
    EXPECT_EQ(accounted.rfind("1/2 finished; job 1: running (", 0), 0u) << accounted;
    EXPECT_NE(accounted.find(" iterations) when the run was interrupted"), std::string::npos)
        << accounted;
}

INSTANTIATE_TEST_SUITE_P(StreamingResults,
                         InterruptedRun,
                         ::testing::Values(SIGINT, SIGTERM),
                         [](const ::testing::TestParamInfo<int>& info) {
                             return std::string(info.param == SIGINT ? "Sigint" : "Sigterm");
                         });

/// The same at flow level: vclos-sim installs its handlers before either level runs.
TEST_P(InterruptedRun, AtFlowLevelToo)
{
    const int sig = GetParam();
    LongRun r = StartLongRun("flow-signal" + std::to_string(sig), "flow");
    ASSERT_NO_FATAL_FAILURE(InterruptAndExpectExit(r, sig));
    EXPECT_EQ(Query(r.db, "SELECT level, status, sim_time_s > 0, events > 0 FROM runs;"),
              "flow|interrupted|1|1\n");
    EXPECT_EQ(Query(r.db, "SELECT name, finish_s IS NOT NULL FROM jobs ORDER BY job_id;"),
              "a|1\nb|0\n");
    EXPECT_EQ(Query(r.db, "SELECT name, ok FROM invariants ORDER BY name;"),
              "collective_bytes|1\njobs_accounted|1\nlink_exclusive|1\n");
    const std::string accounted =
        Query(r.db, "SELECT detail FROM invariants WHERE name = 'jobs_accounted';");
    EXPECT_EQ(accounted.rfind("1/2 finished; job 1: running (", 0), 0u) << accounted;
}

TEST(StreamingResults, AViolatedInvariantFailsTheRunLoudly)
{
    const std::string dir = ::testing::TempDir();
    const std::string tag = std::to_string(getpid());
    const std::string file = dir + "vclos-invariant-fault-" + tag + ".json";
    const std::string db = dir + "vclos-invariant-fault-" + tag + ".db";
    const std::string err = dir + "vclos-invariant-fault-" + tag + ".err";
    std::remove(db.c_str());
    std::ofstream(file) << TwoJobs(2, 1);
    const std::string sim = std::string(VCLOS_SIM_PROGRAM);
    const int status = std::system((sim + " --quiet --scenario=" + file + " --db=" + db +
                                    " --VclosInvariantFault=collective_bytes >/dev/null 2>" + err)
                                       .c_str());
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 6);
    std::ifstream in(err);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("error: invariant collective_bytes violated: 1 violation(s): job 0 "
                        "collective 0: sent 1 B, received 0 B"),
              std::string::npos)
        << text;
    EXPECT_EQ(Query(db, "SELECT status FROM runs;"), "failed\n");
    EXPECT_EQ(Query(db, "SELECT name, ok FROM invariants ORDER BY name;"),
              "collective_bytes|0\njobs_accounted|1\nlink_exclusive|1\nlossless_drops|1\n");
    // The results are all there (both jobs finished).
    ExpectJobAComplete(db);
    EXPECT_EQ(Query(db, "SELECT COUNT(*) FROM jobs WHERE finish_s IS NOT NULL;"), "2\n");
}

TEST(StreamingResults, ASecondSignalExitsAtOnce)
{
    // In a child: the first signal only sets the flag, the second exits with its code.
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0)
    {
        RunInterrupt::Install();
        raise(SIGINT);
        if (RunInterrupt::Requested() != SIGINT)
        {
            _exit(1);
        }
        raise(SIGTERM);
        _exit(2); // not reached
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), RunInterrupt::ExitCode(SIGTERM));
    EXPECT_EQ(RunInterrupt::ExitCode(SIGTERM), 143);
}
