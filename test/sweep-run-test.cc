/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// End to end: vclos-sweep drives GNU parallel over 24 tiny packet-level runs; a sweep killed
// halfway and resumed merges to exactly the rows of an uninterrupted one, and 1 and 2
// workers give identical rows. The generated Slurm script is run task by task.

#include "sqlite-rows.h"

#include "ns3/sweep-merge.h"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace ns3::vclos;
namespace fs = std::filesystem;

namespace
{

using vclostest::Query;
using vclostest::Rows;

/// Runs of the test sweep (6 seeds x 4 policies).
constexpr std::size_t kRuns = 24;
/// Completed runs after which the interrupted sweep is killed.
constexpr std::size_t kKillAfter = 8;
/// Longest wait for the sweep to reach kKillAfter runs (a hang guard, not a timing).
constexpr auto kMaxWait = std::chrono::seconds(300);
/// Tries at killing the sweep while a run is in its simulation.
constexpr int kKillAttempts = 5;

/// The sweep: 16 GPUs, three small ring jobs placed by the scheduler, packet level.
const char* const kSweep = R"({
  "name": "e2e-16gpu",
  "base": {
    "name": "e2e-16gpu",
    "seed": 1,
    "topology": {"leaves": 2, "spines": 2, "gpus_per_leaf": 8},
    "scheduler": {"policy": "vclos"},
    "jobs": [
      {"name": "a", "n_gpus": 8, "collective": "ring", "bytes": 1048576, "iterations": 2, "compute_us": 50},
      {"name": "b", "n_gpus": 4, "collective": "ring", "bytes": 1048576, "iterations": 2, "compute_us": 50, "start_us": 20},
      {"name": "c", "n_gpus": 8, "collective": "ring", "bytes": 1048576, "iterations": 2, "compute_us": 50, "start_us": 40}
    ],
    "stop_time_s": 1
  },
  "axes": {"seed": [1, 2, 3, 4, 5, 6], "scheduler.policy": ["vclos", "ecmp", "static", "random-ecmp"]}
})";

/// \return the path of vclos-sweep
std::string
Sweeper()
{
    return std::string(VCLOS_BINARY_DIR) + "/examples/vclos-sweep";
}

/// \return true if GNU parallel can be run
bool
HaveParallel()
{
    return std::system("command -v parallel >/dev/null 2>&1") == 0;
}

/// Run a shell command; \return its exit code
int
Shell(const std::string& cmd)
{
    const int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// \return a fresh scratch directory \p name with the sweep file in it
std::string
FreshDir(const std::string& name)
{
    const std::string dir = ::testing::TempDir() + "vclos-sweep-" + name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(dir + "/sweep.json") << kSweep;
    return dir;
}

/// \return the keys of DIR/out/keys.txt
std::vector<std::string>
Keys(const std::string& out)
{
    std::vector<std::string> keys;
    std::ifstream in(out + "/keys.txt");
    std::string line;
    while (std::getline(in, line))
    {
        keys.push_back(line);
    }
    return keys;
}

/// \return how many of the sweep's runs have status \p status (RunDbStatus())
std::size_t
RunsWithStatus(const std::string& out, const std::string& status)
{
    std::size_t n = 0;
    for (const std::string& k : Keys(out))
    {
        n += RunDbStatus(out + "/db/" + k + ".db") == status ? 1 : 0;
    }
    return n;
}

/// \return how many of the sweep's runs are done
std::size_t
DoneRuns(const std::string& out)
{
    return RunsWithStatus(out, "done");
}

/// Columns that hold wall-clock times or places, not results.
bool
WallClock(const std::string& table, const std::string& column)
{
    return column == "run_id" || column == "started_utc" || column == "wall_time_s" ||
           column == "source_db" || (table == "placements" && column == "search_s");
}

/**
 * Every result row of a merged database, run ids replaced by run keys and wall-clock
 * columns left out, as one text per table (the row order is the merge's, per key).
 */
std::vector<std::string>
ResultRows(const std::string& merged)
{
    std::vector<std::string> out;
    for (const auto& t : Query(merged,
                               "SELECT name FROM sqlite_master WHERE type = 'table' "
                               "ORDER BY name"))
    {
        std::string cols;
        bool hasRun = false;
        for (const auto& c : Query(merged, "SELECT name FROM pragma_table_info('" + t[0] + "')"))
        {
            hasRun = hasRun || c[0] == "run_id";
            if (!WallClock(t[0], c[0]))
            {
                cols += ", x.\"" + c[0] + "\"";
            }
        }
        if (!hasRun)
        {
            continue;
        }
        std::ostringstream s;
        s << t[0] << ":\n";
        for (const auto& row :
             Query(merged,
                   "SELECT k.run_key" + cols + " FROM \"" + t[0] +
                       "\" x JOIN sweep_runs k USING (run_id) ORDER BY k.run_key, x.rowid"))
        {
            for (const auto& v : row)
            {
                s << v << "|";
            }
            s << "\n";
        }
        out.push_back(s.str());
    }
    return out;
}

/// Check two merged databases hold the same result rows, table by table (ResultRows()).
void
ExpectSameResultRows(const std::string& a, const std::string& b)
{
    const auto ra = ResultRows(a);
    const auto rb = ResultRows(b);
    ASSERT_EQ(ra.size(), rb.size());
    for (std::size_t i = 0; i < ra.size(); ++i)
    {
        EXPECT_EQ(ra[i], rb[i]);
    }
}

/// Run a whole sweep with \p jobs workers into DIR/out and merge it; \return the merged db
std::string
RunAndMerge(const std::string& name, int jobs)
{
    const std::string dir = FreshDir(name);
    const std::string out = dir + "/out";
    EXPECT_EQ(Shell(Sweeper() + " run " + dir + "/sweep.json --out " + out + " --jobs " +
                    std::to_string(jobs) + " </dev/null >" + dir + "/run.log 2>&1"),
              0);
    const std::string merged = dir + "/merged.db";
    EXPECT_EQ(
        Shell(Sweeper() + " merge " + out + " --db " + merged + " >" + dir + "/merge.log 2>&1"),
        0);
    return merged;
}

/// The uninterrupted sweep with 1 worker (computed once).
const std::string&
Reference()
{
    static const std::string merged = RunAndMerge("ref1", 1);
    return merged;
}

/// Check a merged database holds exactly one complete row set per run key.
void
ExpectOneCompleteRunPerKey(const std::string& merged)
{
    EXPECT_EQ(Query(merged, "SELECT count(*), count(DISTINCT run_key) FROM sweep_runs"),
              (Rows{{std::to_string(kRuns), std::to_string(kRuns)}}));
    EXPECT_EQ(Query(merged, "SELECT count(*), sum(status = 'done') FROM runs"),
              (Rows{{std::to_string(kRuns), std::to_string(kRuns)}}));
    // every run: its 3 jobs, all finished, 2 iterations each
    EXPECT_EQ(Query(merged,
                    "SELECT count(*) FROM runs r WHERE (SELECT count(*) FROM jobs j "
                    "WHERE j.run_id = r.run_id AND j.finish_s IS NOT NULL) = 3 AND "
                    "(SELECT count(*) FROM iterations i WHERE i.run_id = r.run_id) = 6"),
              (Rows{{std::to_string(kRuns)}}));
}

/**
 * Run the sweep of DIR/sweep.json into DIR/out with 2 workers in its own process group, and
 * SIGTERM the group (parallel and its runs) once kKillAfter runs are done and another is
 * running; wait for the group to exit.
 * \return the runs done after the kill
 */
std::size_t
KillSweepHalfway(const std::string& dir)
{
    const std::string out = dir + "/out";
    const pid_t pid = fork();
    if (pid < 0)
    {
        ADD_FAILURE() << "fork failed";
        return 0;
    }
    if (pid == 0)
    {
        setpgid(0, 0);
        const std::string log = dir + "/run1.log";
        freopen(log.c_str(), "w", stdout);
        freopen(log.c_str(), "a", stderr);
        freopen("/dev/null", "r", stdin);
        const std::string sweeper = Sweeper();
        const std::string sweep = dir + "/sweep.json";
        execl(sweeper.c_str(),
              sweeper.c_str(),
              "run",
              sweep.c_str(),
              "--out",
              out.c_str(),
              "--jobs",
              "2",
              static_cast<char*>(nullptr));
        _exit(127);
    }
    setpgid(pid, pid);
    const auto deadline = std::chrono::steady_clock::now() + kMaxWait;
    while ((DoneRuns(out) < kKillAfter || RunsWithStatus(out, "running") == 0) &&
           std::chrono::steady_clock::now() < deadline)
    {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(kill(-pid, SIGTERM), 0);
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_NE(status, 0) << "the sweep was not interrupted";
    // Let the group's last processes (runs stopping at an event boundary) exit.
    for (int i = 0; i < 500 && kill(-pid, 0) == 0; ++i)
    {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return DoneRuns(out);
}

} // namespace

TEST(SweepRunTest, OneAndTwoWorkersGiveIdenticalRows)
{
    if (!HaveParallel())
    {
        GTEST_SKIP() << "GNU parallel is not installed (Debian: apt-get install parallel; "
                        "test/bootstrap.sh installs it)";
    }
    const std::string one = Reference();
    const std::string two = RunAndMerge("ref2", 2);
    ExpectOneCompleteRunPerKey(one);
    ExpectOneCompleteRunPerKey(two);
    ExpectSameResultRows(one, two);
    // The policies did place the jobs differently: the comparison is not of equal runs.
    EXPECT_GT(std::stoi(Query(one, "SELECT count(DISTINCT gpus || policy) FROM placements")[0][0]),
              4);
}

TEST(SweepRunTest, KilledHalfwayResumedAndMergedEqualsUninterrupted)
{
    if (!HaveParallel())
    {
        GTEST_SKIP() << "GNU parallel is not installed (Debian: apt-get install parallel; "
                        "test/bootstrap.sh installs it)";
    }
    const std::string ref = Reference();
    // A SIGTERM that reaches a run after its last poll (kInterruptPollS) or while it writes
    // its results lets that run end "done", as it should: then no run was cut short and the
    // sweep is killed again from scratch (each try has most of its running time to land in).
    std::string dir;
    std::size_t doneAtKill = 0;
    std::size_t cut = 0;
    for (int attempt = 0; attempt < kKillAttempts && cut == 0; ++attempt)
    {
        dir = FreshDir("killed" + std::to_string(attempt));
        doneAtKill = KillSweepHalfway(dir);
        ASSERT_GE(doneAtKill, kKillAfter);
        ASSERT_LT(doneAtKill, kRuns) << "the sweep finished before it was killed";
        // The run cut short: interrupted (vclos-sim stopped at an event boundary), or still
        // "running" if the signal came before it installed its handler. Either is redone whole.
        cut = RunsWithStatus(dir + "/out", "interrupted") + RunsWithStatus(dir + "/out", "running");
    }
    EXPECT_GE(cut, 1u) << "no run was cut short in " << kKillAttempts << " tries";
    const std::string out = dir + "/out";
    const std::string merged = dir + "/merged.db";

    // A merge now takes the complete runs only, and says which are not (exit 4).
    EXPECT_EQ(
        Shell(Sweeper() + " merge " + out + " --db " + merged + " >" + dir + "/merge1.log 2>&1"),
        4);
    EXPECT_EQ(Query(merged, "SELECT count(*) FROM sweep_runs"),
              (Rows{{std::to_string(doneAtKill)}}));

    // Resume: complete runs are skipped, the rest (interrupted, never started) redone.
    EXPECT_EQ(Shell(Sweeper() + " run " + dir + "/sweep.json --out " + out +
                    " --jobs 2 --resume-failed </dev/null >" + dir + "/run2.log 2>&1"),
              0);
    EXPECT_EQ(DoneRuns(out), kRuns);
    EXPECT_EQ(
        Shell(Sweeper() + " merge " + out + " --db " + merged + " >" + dir + "/merge2.log 2>&1"),
        0);
    // Merging once more changes nothing.
    EXPECT_EQ(
        Shell(Sweeper() + " merge " + out + " --db " + merged + " >" + dir + "/merge3.log 2>&1"),
        0);
    ExpectOneCompleteRunPerKey(merged);
    ExpectSameResultRows(ref, merged);
}

TEST(SweepRunTest, SlurmScriptRunsEveryArrayTask)
{
    // Slurm itself is tested by test/slurm/run-slurm-test.sh (label slurm); here the script
    // is checked with bash and run once per array index, as Slurm would.
    const std::string dir = FreshDir("slurm");
    const std::string out = dir + "/out";
    ASSERT_EQ(Shell(Sweeper() + " slurm " + dir + "/sweep.json --out " + out + " >" + dir +
                    "/slurm.log 2>&1"),
              0);
    const std::string script = out + "/sweep.sbatch";
    EXPECT_EQ(Shell("bash -n " + script), 0);
    EXPECT_EQ(Shell("grep -qx '#SBATCH --array=0-23' " + script), 0);
    EXPECT_NE(Shell("bash " + script + " >/dev/null 2>&1"), 0) << "runs without a task id";
    EXPECT_NE(Shell("SLURM_ARRAY_TASK_ID=24 bash " + script + " >/dev/null 2>&1"), 0)
        << "index past the end accepted";
    for (std::size_t i = 0; i < kRuns; ++i)
    {
        ASSERT_EQ(Shell("SLURM_ARRAY_TASK_ID=" + std::to_string(i) + " bash " + script + " >>" +
                        dir + "/tasks.log 2>&1"),
                  0)
            << "task " << i;
    }
    // A second pass skips every run.
    EXPECT_EQ(Shell("SLURM_ARRAY_TASK_ID=5 bash " + script + " | grep -q 'done already'"), 0);
    const std::string merged = dir + "/merged.db";
    ASSERT_EQ(Shell(Sweeper() + " merge " + out + " --db " + merged + " >/dev/null 2>&1"), 0);
    ExpectOneCompleteRunPerKey(merged);
    if (HaveParallel())
    {
        const auto a = ResultRows(Reference());
        const auto b = ResultRows(merged);
        ASSERT_EQ(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i)
        {
            EXPECT_EQ(a[i], b[i]);
        }
    }
}
