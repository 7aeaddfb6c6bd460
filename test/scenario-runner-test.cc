/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// End-to-end: scenarios through ScenarioRunner and the vclos-sim program.

#include "vclos-test-utils.h"

#include "ns3/model-zoo.h"
#include "ns3/scenario-runner.h"

#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <fstream>
#include <regex>
#include <sqlite3.h>
#include <sstream>

using namespace ns3;
using namespace vclos_test;

static auto* g_env = ::testing::AddGlobalTestEnvironment(new PicosecondEnvironment);

namespace
{

/// A small two-job scenario whose cross-leaf flows meet under ECMP for some seeds.
std::string
SmallScenario(uint32_t seed, const std::string& extraNetwork = "")
{
    std::ostringstream s;
    s << R"({"name": "small", "seed": )" << seed << R"(,
      "topology": {"leaves": 2, "spines": 2, "gpus_per_leaf": 4, "gpus_per_server": 2},
      "network": {"queue_bytes": 8388608 )"
      << extraNetwork << R"(},
      "jobs": [
        {"name": "a", "gpus": [0, 1, 4, 5], "collective": "ring", "bytes": 1048576,
         "iterations": 2, "compute_us": 20},
        {"name": "b", "gpus": [2, 3, 6, 7], "collective": "ring", "bytes": 1048576,
         "iterations": 2, "compute_us": 20}
      ]})";
    return s.str();
}

/// Rows of a query as text, one line per row.
std::string
Query(const std::string& db, const std::string& sql)
{
    sqlite3* h = nullptr;
    EXPECT_EQ(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    std::string out;
    auto cb = [](void* o, int n, char** v, char**) {
        auto* s = static_cast<std::string*>(o);
        for (int i = 0; i < n; ++i)
        {
            *s += (v[i] ? v[i] : "NULL");
            *s += i + 1 < n ? "|" : "\n";
        }
        return 0;
    };
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(h, sql.c_str(), cb, &out, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(h);
    return out;
}

/// Run a scenario text into a fresh database; returns the database path.
std::string
RunToDb(const std::string& text, const std::string& name)
{
    const std::string db = ::testing::TempDir() + "vclos-runner-" + name + ".db";
    std::remove(db.c_str());
    vclos::Scenario s = vclos::ParseScenario(text, name, vclos::CollectiveAlgorithms());
    {
        vclos::ResultsDb results(db);
        ScenarioRunner runner(s);
        auto sum = runner.Run(&results, nullptr);
        EXPECT_EQ(sum.status, "done");
        EXPECT_EQ(sum.jobsFinished, 2u);
    }
    Simulator::Destroy();
    return db;
}

const char* kResultTables = "SELECT * FROM jobs ORDER BY job_id;"
                            "SELECT * FROM iterations ORDER BY job_id, iteration;"
                            "SELECT * FROM links ORDER BY link_id;"
                            "SELECT * FROM flows ORDER BY job_id, src_gpu, dst_gpu;"
                            "SELECT * FROM steps ORDER BY job_id, iteration, run, step;";

} // namespace

TEST_F(SimTest, SameScenarioAndSeedGiveIdenticalResults)
{
    const std::string a = Query(RunToDb(SmallScenario(3), "det-a"), kResultTables);
    const std::string b = Query(RunToDb(SmallScenario(3), "det-b"), kResultTables);
    EXPECT_FALSE(a.empty());
    EXPECT_EQ(a, b);
}

TEST_F(SimTest, AnotherSeedChangesEcmp)
{
    // Paths of the cross-leaf flows under seeds 1..6: at least two differ.
    std::set<std::string> paths;
    for (uint32_t seed = 1; seed <= 6; ++seed)
    {
        const std::string db = RunToDb(SmallScenario(seed), "seed" + std::to_string(seed));
        paths.insert(Query(db, "SELECT path FROM flows ORDER BY job_id, src_gpu, dst_gpu;"));
    }
    EXPECT_GE(paths.size(), 2u);
}

TEST_F(SimTest, JobsTakeBytesAndComputeFromTheModelTable)
{
    std::string text = SmallScenario(1);
    const std::string from = R"("bytes": 1048576,
         "iterations": 2, "compute_us": 20},
        {"name": "b")";
    text.replace(text.find(from), from.size(), R"("model": "resnet50", "iterations": 1},
        {"name": "b")");
    vclos::Scenario s = vclos::ParseScenario(text, "model", vclos::CollectiveAlgorithms());
    const vclos::ModelSpec& m = vclos::FindModel("resnet50");
    EXPECT_EQ(s.jobs[0].bytes, m.gradientBytes);
    EXPECT_DOUBLE_EQ(s.jobs[0].computeS, m.computeS);
    EXPECT_EQ(s.jobs[0].allToAllBytes, 0u);
    EXPECT_EQ(s.jobs[1].bytes, 1048576u);
}

TEST_F(SimTest, LosslessScenarioWritesCongestionTables)
{
    // Two jobs pinned to collide by ECMP for some seed are not needed here: an 8 -> 1
    // style overload comes from a 2:1 oversubscribed fabric (1 spine, 100 Gbps) under two
    // rings, so the leaf uplink queues, marks and pauses.
    std::string text = SmallScenario(2, R"(, "buffer_bytes": 4194304, "pfc": true,
        "ecn": {"kmin_bytes": 20000, "kmax_bytes": 80000, "pmax": 0.5},
        "congestion_control": "dcqcn")");
    text.replace(text.find(R"("spines": 2)"),
                 std::string(R"("spines": 2)").size(),
                 R"("spines": 1)");
    text.replace(text.find(R"("queue_bytes": 8388608 )"),
                 std::string(R"("queue_bytes": 8388608 )").size(),
                 R"("queue_bytes": 1048576 )");
    text.replace(text.rfind("}"), 1, R"(, "output": {"sample_interval_us": 5}})");
    const std::string db = RunToDb(text, "lossless");
    EXPECT_EQ(Query(db, "SELECT SUM(drops) FROM links;"), "0\n");
    // The congestion table has rows and the switches marked packets. (SUM over no rows is
    // NULL, which once let an empty table pass: count first, COALESCE the sum.)
    EXPECT_EQ(Query(db, "SELECT COUNT(*) > 0, COALESCE(SUM(ecn_marks), 0) > 0 FROM congestion;"),
              "1|1\n");
    EXPECT_EQ(Query(db, "SELECT COUNT(*) > 0 FROM queue_samples;"), "1\n");
    EXPECT_EQ(Query(db, "SELECT COUNT(*) > 0 FROM rate_samples;"), "1\n");
}

TEST_F(SimTest, RunnerWritesEveryTable)
{
    const std::string db = RunToDb(SmallScenario(1), "tables");
    EXPECT_EQ(Query(db, "SELECT status, seed, scenario_name FROM runs;"), "done|1|small\n");
    EXPECT_EQ(Query(db, "SELECT COUNT(*) FROM iterations WHERE end_s IS NOT NULL;"), "4\n");
    // A ring of 4 ranks on 2 servers x 2 leaves: 4 flows per job, two of them cross-leaf.
    EXPECT_EQ(Query(db, "SELECT COUNT(*) FROM flows;"), "8\n");
    EXPECT_EQ(Query(db,
                    "SELECT COUNT(*) FROM flows WHERE length(path) - "
                    "length(replace(path, ',', '')) = 3;"),
              "4\n");
    // An 8 MiB buffer per port: nothing is dropped.
    EXPECT_EQ(Query(db, "SELECT SUM(drops) FROM links;"), "0\n");
    // Iteration = compute (20 us) + communication.
    EXPECT_EQ(Query(db,
                    "SELECT COUNT(*) FROM iterations WHERE "
                    "abs(compute_end_s - start_s - 20e-6) > 1e-12;"),
              "0\n");
    // Per-step timings: ring of 4 ranks = 6 steps per iteration, 2 iterations, 2 jobs.
    EXPECT_EQ(Query(db, "SELECT COUNT(*) FROM steps;"), "24\n");
    EXPECT_EQ(Query(db, "SELECT COUNT(*) FROM steps WHERE end_s <= start_s;"), "0\n");
}

/// The runs table names the ns-3 this program really runs on: the version in the file name of
/// the loaded ns-3 core library (Debian: libns3-core.so.37, Debian source:
/// libns3-core-optimized.so.37; an ns-3 tree: libns3.48-core-optimized.so), not a version written
/// into the source.
TEST_F(SimTest, RunsTableRecordsTheNs3VersionBuiltAgainst)
{
    Dl_info info{};
    ASSERT_NE(dladdr(reinterpret_cast<void*>(&Simulator::Now), &info), 0);
    const std::string lib = info.dli_fname ? info.dli_fname : "";
    std::smatch m;
    std::string loaded;
    if (std::regex_search(lib, m, std::regex(R"(libns3-core[^/]*\.so\.([0-9]+)$)")))
    {
        loaded = "3." + m[1].str();
    }
    else if (std::regex_search(lib, m, std::regex(R"(libns([0-9][^/]*)-core[^/]*$)")))
    {
        loaded = m[1].str();
    }
    ASSERT_FALSE(loaded.empty()) << "no ns-3 version in the core library's name " << lib;

    const std::string db = RunToDb(SmallScenario(1), "ns3-version");
    EXPECT_EQ(Query(db, "SELECT ns3_version FROM runs;"), loaded + "\n") << "core library " << lib;
    EXPECT_EQ(std::string(VCLOS_NS3_VERSION), loaded);
}

TEST_F(SimTest, AloneVersusForcedCollisionSlowsTheRing)
{
    // Two jobs whose cross-leaf flows are pinned to one uplink (flow routes) take about
    // twice as long per collective as one job alone.
    auto run = [](bool both, bool pin) {
        LeafSpineConfig c;
        c.leaves = 2;
        c.spines = 2;
        c.gpusPerLeaf = 2;
        c.queueBytes = 16 << 20;
        LeafSpineHelper topo(c);
        topo.Build();
        std::vector<Ptr<CollectiveExecutor>> jobs;
        for (uint32_t j = 0; j < (both ? 2u : 1u); ++j)
        {
            Ptr<CollectiveExecutor> e = CreateObject<CollectiveExecutor>();
            e->Setup(vclos::MakeRingAllReduce(2, 8 << 20), {topo.GetNic(j), topo.GetNic(2 + j)});
            if (pin)
            {
                topo.GetLeaf(0)->SetFlowRoute(j, 2 + j, topo.GetLeafUplinkPort(0));
                topo.GetLeaf(1)->SetFlowRoute(2 + j, j, topo.GetLeafUplinkPort(0));
            }
            e->Run(MakeNullCallback<void>());
            jobs.push_back(e);
        }
        Simulator::Run();
        const double t = (jobs[0]->GetFinishTime() - jobs[0]->GetStartTime()).GetSeconds();
        Simulator::Destroy();
        return t;
    };
    const double alone = run(false, true);
    const double shared = run(true, true);
    RecordProperty("alone_us", std::to_string(alone * 1e6));
    RecordProperty("shared_us", std::to_string(shared * 1e6));
    EXPECT_NEAR(shared / alone, 2.0, 0.1);
}

namespace
{

/// Run vclos-sim on a scenario text; return (exit code, stderr text).
std::pair<int, std::string>
RunCli(const std::string& text, const std::string& name)
{
    const std::string dir = ::testing::TempDir();
    const std::string file = dir + "vclos-cli-" + name + ".json";
    std::ofstream(file) << text;
    const std::string err = dir + "vclos-cli-" + name + ".err";
    const std::string cmd = std::string(VCLOS_SIM_PROGRAM) + " --quiet --scenario=" + file +
                            " --db=" + dir + "vclos-cli.db 2>" + err + " >/dev/null";
    const int status = std::system(cmd.c_str());
    std::ifstream in(err);
    std::stringstream ss;
    ss << in.rdbuf();
    return {WEXITSTATUS(status), ss.str()};
}

} // namespace

TEST(VclosSimCli, DefaultScenarioRunsAndBadScenariosFailWithTheirError)
{
    // The shipped scenarios parse (the default one is run by the README command).
    for (const char* name : {"default.json", "training-mix.json", "lossless-dcqcn.json"})
    {
        EXPECT_NO_THROW(
            vclos::LoadScenarioFile(std::string(VCLOS_SOURCE_DIR) + "/scenarios/" + name,
                                    vclos::CollectiveAlgorithms()))
            << name;
    }
    const std::string good = SmallScenario(1);
    auto [ok, okErr] = RunCli(good, "good");
    EXPECT_EQ(ok, 0) << okErr;

    struct Bad
    {
        std::string name;
        std::string from;
        std::string to;
        std::string message;
    };

    const std::vector<Bad> bad = {
        {"missing", R"("spines": 2, )", "", "spines"},
        {"type", R"("leaves": 2)", R"("leaves": "two")", "leaves"},
        {"gpu", "[0, 1, 4, 5]", "[0, 1, 4, 50]", "GPU 50 does not exist"},
        {"negative",
         R"("bytes": 1048576,
         "iterations": 2, "compute_us": 20},
        {"name": "b")",
         R"("bytes": -5,
         "iterations": 2, "compute_us": 20},
        {"name": "b")",
         "jobs[0].bytes"},
        {"collective",
         R"("collective": "ring", "bytes": 1048576,
         "iterations": 2, "compute_us": 20},
        {"name": "b")",
         R"("collective": "rign", "bytes": 1048576,
         "iterations": 2, "compute_us": 20},
        {"name": "b")",
         "rign"},
    };
    for (const Bad& b : bad)
    {
        std::string text = good;
        const auto pos = text.find(b.from);
        ASSERT_NE(pos, std::string::npos) << b.name;
        text.replace(pos, b.from.size(), b.to);
        auto [rc, err] = RunCli(text, b.name);
        EXPECT_EQ(rc, 2) << b.name << ": " << err;
        EXPECT_NE(err.find(b.message), std::string::npos) << b.name << ": " << err;
        EXPECT_NE(err.find("error: "), std::string::npos) << b.name;
    }
    {
        std::string text = good;
        text.replace(text.find(R"("collective": "ring", "bytes": 1048576,)"),
                     std::string(R"("collective": "ring", "bytes": 1048576,)").size(),
                     R"("collective": "ring", "model": "resnet5",)");
        auto [rc, err] = RunCli(text, "model");
        EXPECT_EQ(rc, 2) << err;
        EXPECT_NE(err.find("jobs[0].model"), std::string::npos) << err;
        EXPECT_NE(err.find("resnet50"), std::string::npos) << err; // lists the valid names
    }
    auto [rc, err] = RunCli("{ not json", "syntax");
    EXPECT_EQ(rc, 2);
    EXPECT_NE(err.find("line"), std::string::npos) << err;
}
