/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// ocs-vclos at packet level: ScenarioRunner on the leaf-OCS-spine fabric (OcsFabricHelper),
// circuits set at placement, jobs starting when their circuits are lit, routes over the
// circuits, ports freed at job end, and the OCS results tables.

#include "sqlite-rows.h"
#include "vclos-test-utils.h"

#include "ns3/collective-schedule.h"
#include "ns3/config.h"
#include "ns3/flow-runner.h"
#include "ns3/scenario-runner.h"
#include "ns3/string.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace ns3;
using namespace vclos_test;
using vclostest::Query;
using vclostest::Rows;

static auto* g_env = ::testing::AddGlobalTestEnvironment(new PicosecondEnvironment);

namespace
{

/// Reconfiguration delay of the small scenarios, microseconds.
constexpr double kDelayUs = 25;

/// Default shape of the small scenarios: 4 leaves x 4 GPUs (one per server), 4 spines.
const char* const kShape = R"("leaves": 4, "spines": 4, "gpus_per_leaf": 4, "gpus_per_server": 1)";

/// A packet-level scenario of \p shape: the OCS fabric (ocs-vclos, \p delayUs) or, with
/// \p ocs false, the cabled Clos (vclos).
std::string
Cluster(bool ocs,
        const std::string& jobs,
        double delayUs = kDelayUs,
        const std::string& shape = kShape)
{
    const std::string fabric = ocs ? R"(, "fabric": "ocs", "ocs": {"reconfiguration_delay_us": )" +
                                         std::to_string(delayUs) + "}"
                                   : "";
    return R"({"name": "ocs-packet", "level": "packet", "topology": {)" + shape + fabric +
           R"(}, "network": {"queue_bytes": 4194304},
        "scheduler": {"policy": ")" +
           (ocs ? "ocs-vclos" : "vclos") + R"("}, "output": {"link_job_bytes": true},
        "jobs": [)" +
           jobs + "]}";
}

/// A job of \p n GPUs arriving at \p startUs: \p iterations ring all-reduces of 256 KiB
/// after \p computeUs of compute each.
std::string
Job(uint32_t n, double startUs, double computeUs, uint32_t iterations = 1)
{
    return R"({"n_gpus": )" + std::to_string(n) +
           R"(, "collective": "ring", "bytes": 262144, "start_us": )" + std::to_string(startUs) +
           R"(, "compute_us": )" + std::to_string(computeUs) + R"(, "iterations": )" +
           std::to_string(iterations) + "}";
}

/// What a run gave.
struct Result
{
    ScenarioRunner::Summary sum; //!< the summary
    std::string db;              //!< its results database
};

/// Run a scenario at packet level into a fresh database.
Result
RunScenario(const std::string& json, const std::string& name)
{
    Result r;
    r.db = ::testing::TempDir() + "vclos-ocs-runner-" + name + ".db";
    std::remove(r.db.c_str());
    const vclos::Scenario s = vclos::ParseScenario(json, "s.json", vclos::CollectiveAlgorithms());
    {
        vclos::ResultsDb results(r.db);
        ScenarioRunner runner(s);
        r.sum = runner.Run(&results, nullptr);
    }
    Simulator::Destroy();
    EXPECT_EQ(r.sum.status, "done");
    for (const vclos::InvariantResult& inv : r.sum.invariants)
    {
        EXPECT_TRUE(inv.ok) << inv.name << ": " << inv.detail;
    }
    return r;
}

/// \return one number of a one-row, one-column query
double
Value(const std::string& db, const std::string& sql)
{
    const Rows rows = Query(db, sql);
    EXPECT_EQ(rows.size(), 1u) << sql;
    return rows.empty() || rows[0][0] == "NULL" ? -1 : std::stod(rows[0][0]);
}

} // namespace

TEST_F(SimTest, OcsPacketJobBytesAllCrossItsCircuits)
{
    // 16 GPUs: a 4 x 4 virtual Clos through the spines. The job starts when its circuits
    // are lit (JWT = the delay), nothing is sent into a dark port, everything that went up
    // a leaf uplink came down a spine port, and only the job's circuits carried it.
    const Result o = RunScenario(Cluster(true, Job(16, 0, 10, 2)), "clos16");
    EXPECT_EQ(o.sum.jobsFinished, 1u);
    EXPECT_EQ(Query(o.db, "SELECT branch FROM placements")[0][0], "virtual-clos");
    EXPECT_NEAR(Value(o.db, "SELECT jwt_s FROM jobs"), kDelayUs * 1e-6, 1e-12);
    // Circuits: 4 leaves x 4 spines, each added once and removed once.
    EXPECT_EQ(Value(o.db, "SELECT SUM(added) FROM ocs_reconfigurations"), 16);
    EXPECT_EQ(Value(o.db, "SELECT SUM(removed) FROM ocs_reconfigurations"), 16);
    EXPECT_EQ(Value(o.db, "SELECT SUM(circuits_changed) FROM ocs_switches"), 32);
    EXPECT_EQ(Value(o.db, "SELECT SUM(reconfigurations) FROM ocs_switches"),
              2 * Value(o.db, "SELECT COUNT(*) FROM ocs_reconfigurations WHERE added > 0"));
    EXPECT_NEAR(Value(o.db, "SELECT SUM(dark_s) FROM ocs_switches"), 16 * kDelayUs * 1e-6, 1e-12);
    EXPECT_EQ(Value(o.db, "SELECT SUM(lost_packets) FROM ocs_switches"), 0);
    EXPECT_NEAR(Value(o.db,
                      "SELECT MIN(lit_s - time_s) FROM ocs_reconfigurations "
                      "WHERE added > 0"),
                kDelayUs * 1e-6,
                1e-12);
    // Up = down: the bytes the leaves sent into the OCSes are the bytes the spines sent out.
    const double up = Value(o.db,
                            "SELECT SUM(b.data_bytes) FROM link_job_bytes b JOIN links l ON "
                            "l.run_id = b.run_id AND l.link_id = b.link_id WHERE l.src LIKE "
                            "'leaf%' AND l.dst LIKE 'ocs%'");
    const double down = Value(o.db,
                              "SELECT SUM(b.data_bytes) FROM link_job_bytes b JOIN links l ON "
                              "l.run_id = b.run_id AND l.link_id = b.link_id WHERE l.src LIKE "
                              "'spine%'");
    EXPECT_GT(up, 2 * 262144.0);
    EXPECT_EQ(up, down);
    // The ring crosses leaves at 4 places (ranks 3-4, 7-8, 11-12, 15-0): 4 uplinks carried
    // its data up and 4 spine ports down, each the job's own circuit.
    EXPECT_EQ(Value(o.db,
                    "SELECT COUNT(*) FROM link_job_bytes b JOIN links l ON l.run_id = b.run_id "
                    "AND l.link_id = b.link_id WHERE l.kind = 'fabric' AND b.data_bytes > 0"),
              8);
    // Every flow path: host, leaf uplink, spine port, host (a complete path over circuits).
    for (const auto& row : Query(o.db, "SELECT src_gpu / 4, dst_gpu / 4, path FROM flows"))
    {
        const size_t hops = std::count(row[2].begin(), row[2].end(), ',') + 1;
        EXPECT_EQ(hops, row[0] == row[1] ? 2u : 4u) << row[2];
    }

    // On the cabled Clos vclos takes the same leaf-spine-leaf paths with the same delays
    // (two 0.5 us fibres = one 1 us cable): the same JRT, to the picosecond.
    const Result v = RunScenario(Cluster(false, Job(16, 0, 10, 2)), "clos16-vclos");
    EXPECT_DOUBLE_EQ(Value(o.db, "SELECT jrt_s FROM jobs"), Value(v.db, "SELECT jrt_s FROM jobs"));
}

TEST_F(SimTest, OcsPacketJobsSharingLeavesNeverShareAFabricLink)
{
    // On 2 leaves x 8 GPUs, a 10-GPU job (5 + 5) and a 6-GPU job (3 + 3) both join the two
    // leaves directly, by leaf-leaf circuits on different OCSes: a leaf's destination route
    // to the other reaches it over both jobs' circuits, but each job's pairs are pinned to
    // its own: no leaf uplink carries data of both (fails if the pairs are left to ECMP
    // over the circuits).
    const Result o = RunScenario(
        Cluster(true,
                Job(10, 0, 10, 3) + "," + Job(6, 1, 10, 3),
                kDelayUs,
                R"("leaves": 2, "spines": 4, "gpus_per_leaf": 8, "gpus_per_server": 1)"),
        "shared-leaves");
    EXPECT_EQ(Value(o.db, "SELECT COUNT(*) FROM placements WHERE branch = 'two-leaves'"), 2);
    EXPECT_EQ(Value(o.db,
                    "SELECT COUNT(*) FROM (SELECT b.link_id FROM link_job_bytes b JOIN links l "
                    "ON l.run_id = b.run_id AND l.link_id = b.link_id WHERE l.kind = 'fabric' "
                    "AND b.data_bytes > 0 GROUP BY b.link_id HAVING COUNT(*) > 1)"),
              0);
    EXPECT_GT(Value(o.db,
                    "SELECT COUNT(DISTINCT b.job_id) FROM link_job_bytes b JOIN links l ON "
                    "l.run_id = b.run_id AND l.link_id = b.link_id WHERE l.kind = 'fabric'"),
              1);
    // Both jobs' leaves are the same three.
    const Rows leaves = Query(o.db, "SELECT leaves FROM jobs ORDER BY job_id");
    ASSERT_EQ(leaves.size(), 2u);
    EXPECT_EQ(leaves[0][0], leaves[1][0]);
}

TEST_F(SimTest, OcsPacketTwoLeavesJoinedDirectly)
{
    // 8 GPUs: two leaves joined by leaf-leaf circuits (no spine): paths of 3 hops.
    const Result o = RunScenario(Cluster(true, Job(8, 0, 10)), "two-leaves");
    EXPECT_EQ(Query(o.db, "SELECT branch FROM placements")[0][0], "two-leaves");
    EXPECT_EQ(Value(o.db, "SELECT SUM(added) FROM ocs_reconfigurations"), 4);
    EXPECT_EQ(Value(o.db,
                    "SELECT SUM(b.data_bytes) FROM link_job_bytes b JOIN links l ON l.run_id = "
                    "b.run_id AND l.link_id = b.link_id WHERE l.src LIKE 'spine%'"),
              -1); // no spine carried anything (no row)
    for (const auto& row : Query(o.db, "SELECT src_gpu / 4, dst_gpu / 4, path FROM flows"))
    {
        const size_t hops = std::count(row[2].begin(), row[2].end(), ',') + 1;
        EXPECT_EQ(hops, row[0] == row[1] ? 2u : 3u) << row[2];
    }
}

TEST_F(SimTest, OcsPacketFragmentedClusterOcsVclosPlacesAtOnceWhatVclosQueues)
{
    // Jobs 0-2 take 3 GPUs of leaves 0-2, job 3 the whole leaf 3. Job 4 (3 GPUs) finds one
    // free GPU on each of leaves 0-2: vclos queues it until job 0 ends (after 10 ms of
    // compute); ocs-vclos joins the three leaves through one spine at once.
    const std::string jobs = Job(3, 0, 10000) + "," + Job(3, 100, 20000) + "," +
                             Job(3, 200, 30000) + "," + Job(4, 300, 30000) + "," +
                             Job(3, 400, 30000);
    const Result v = RunScenario(Cluster(false, jobs), "frag-vclos");
    const Result o = RunScenario(Cluster(true, jobs), "frag-ocs");
    const double vWait = Value(v.db, "SELECT jwt_s FROM jobs WHERE job_id = 4");
    EXPECT_GT(vWait, 9e-3); // from 0.4 ms to job 0's end (after 10 ms)
    EXPECT_NEAR(Value(o.db, "SELECT jwt_s FROM jobs WHERE job_id = 4"), kDelayUs * 1e-6, 1e-12);
    const Rows p = Query(o.db, "SELECT branch, gpus FROM placements WHERE job_id = 4");
    EXPECT_EQ(p[0][0], "virtual-clos");
    std::set<int> leaves;
    for (const char* c = p[0][1].c_str(); *c != '\0';)
    {
        char* end = nullptr;
        leaves.insert(static_cast<int>(std::strtol(c, &end, 10)) / 4);
        c = *end == ',' ? end + 1 : end;
    }
    EXPECT_EQ(leaves, (std::set<int>{0, 1, 2}));
    EXPECT_LT(Value(o.db, "SELECT SUM(jwt_s) FROM jobs"),
              Value(v.db, "SELECT SUM(jwt_s) FROM jobs") - 8e-3);
}

TEST_F(SimTest, OcsPacketReconfigurationLeavesUntouchedCircuitsAlone)
{
    // Job A (8 GPUs, leaves 0-1 joined directly) runs 6 iterations; job B (8 GPUs) arrives
    // during A, gets circuits on the same four OCSes (leaves 2-3; 200 us dark), runs and
    // ends (its circuits removed) while A still runs. A's iterations and steps are
    // identical, to the picosecond, to a run without B.
    const std::string a = Job(8, 0, 200, 6);
    const Result alone = RunScenario(Cluster(true, a, 200), "untouched-alone");
    const Result both =
        RunScenario(Cluster(true, a + "," + Job(8, 400, 20), 200), "untouched-both");
    EXPECT_EQ(Value(both.db,
                    "SELECT COUNT(DISTINCT ocs) FROM ocs_reconfigurations WHERE "
                    "job_id = 1 AND added > 0"),
              4);
    // B's circuits were added and removed while A ran.
    const double aEnd = Value(both.db, "SELECT finish_s FROM jobs WHERE job_id = 0");
    EXPECT_LT(Value(both.db, "SELECT MAX(time_s) FROM ocs_reconfigurations WHERE job_id = 1"),
              aEnd);
    EXPECT_GT(Value(both.db, "SELECT MIN(time_s) FROM ocs_reconfigurations WHERE job_id = 1"),
              Value(both.db, "SELECT start_s FROM jobs WHERE job_id = 0"));
    const std::string q = "SELECT * FROM iterations WHERE job_id = 0 ORDER BY iteration";
    const std::string qs =
        "SELECT iteration, run, collective, step, start_s, end_s, bytes FROM steps WHERE "
        "job_id = 0 ORDER BY iteration, run, collective, step";
    const Rows itAlone = Query(alone.db, q); // both fresh databases: run id 1
    ASSERT_EQ(itAlone.size(), 6u);
    EXPECT_EQ(Query(both.db, q), itAlone);
    EXPECT_EQ(Query(both.db, qs), Query(alone.db, qs));
    EXPECT_EQ(Query(both.db, "SELECT finish_s FROM jobs WHERE job_id = 0"),
              Query(alone.db, "SELECT finish_s FROM jobs WHERE job_id = 0"));
}

TEST_F(SimTest, OcsPacketCircuitMapsValidAtEveryPlacementAndFreedAtJobEnd)
{
    // A stream of jobs of mixed sizes that queue and reuse ports: the ocs_circuits invariant
    // compares the OCS maps with the running jobs' circuits after every placement and
    // release, and every port is free at the end.
    std::string jobs;
    const uint32_t sizes[] = {6, 4, 8, 2, 12, 3, 8, 1, 16, 2, 6, 4}; // all placeable
    for (uint32_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); ++i)
    {
        jobs += (i ? "," : "") + Job(sizes[i], 50.0 * i, 30 + 10 * (i % 3));
    }
    const Result o = RunScenario(Cluster(true, jobs, 10), "maps");
    EXPECT_EQ(o.sum.jobsFinished, 12u);
    const Rows inv = Query(o.db, "SELECT ok, detail FROM invariants WHERE name = 'ocs_circuits'");
    ASSERT_EQ(inv.size(), 1u);
    EXPECT_EQ(inv[0][0], "1") << inv[0][1];
    // One check per placement and per release.
    EXPECT_NE(inv[0][1].find("24 checks"), std::string::npos) << inv[0][1];
    EXPECT_EQ(Value(o.db, "SELECT SUM(added) - SUM(removed) FROM ocs_reconfigurations"), 0);
    EXPECT_GT(Value(o.db, "SELECT SUM(added) FROM ocs_reconfigurations"), 0);
    EXPECT_EQ(Value(o.db, "SELECT SUM(lost_packets) FROM ocs_switches"), 0);
}

TEST_F(SimTest, OcsPacketServerSwitchesAsOnTheClos)
{
    // Two GPUs per server: a server switch joins them (the NICs' second port), as on the
    // cabled Clos. A 16-GPU job through the spines has vclos's JRT on the cabled Clos with
    // the same servers, to the picosecond; its same-server flows cross the server switch.
    const std::string shape =
        R"("leaves": 4, "spines": 4, "gpus_per_leaf": 4, "gpus_per_server": 2)";
    const Result o = RunScenario(Cluster(true, Job(16, 0, 10, 2), kDelayUs, shape), "servers");
    const Result v =
        RunScenario(Cluster(false, Job(16, 0, 10, 2), kDelayUs, shape), "servers-vclos");
    EXPECT_DOUBLE_EQ(Value(o.db, "SELECT jrt_s FROM jobs"), Value(v.db, "SELECT jrt_s FROM jobs"));
    EXPECT_NEAR(Value(o.db, "SELECT jwt_s FROM jobs"), kDelayUs * 1e-6, 1e-12);
    EXPECT_GT(Value(o.db,
                    "SELECT SUM(b.data_bytes) FROM link_job_bytes b JOIN links l ON l.run_id = "
                    "b.run_id AND l.link_id = b.link_id WHERE l.kind = 'intra'"),
              0);
    EXPECT_EQ(Query(o.db,
                    "SELECT src, dst FROM links WHERE kind = 'intra' ORDER BY link_id "
                    "LIMIT 2"),
              (Rows{{"gpu0", "server0"}, {"server0", "gpu0"}}));
    std::map<std::string, std::string> kind;
    for (const auto& row : Query(o.db, "SELECT link_id, kind FROM links"))
    {
        kind[row[0]] = row[1];
    }
    // Same server: 2 intra links; same leaf: 2 host links; else host, uplink, spine, host.
    for (const auto& row :
         Query(o.db,
               "SELECT src_gpu / 2 = dst_gpu / 2, src_gpu / 4 = dst_gpu / 4, path FROM flows"))
    {
        std::vector<std::string> kinds;
        std::stringstream path(row[2]);
        for (std::string id; std::getline(path, id, ',');)
        {
            kinds.push_back(kind[id]);
        }
        const std::vector<std::string> want =
            row[0] == "1"   ? std::vector<std::string>{"intra", "intra"}
            : row[1] == "1" ? std::vector<std::string>{"host", "host"}
                            : std::vector<std::string>{"host", "fabric", "fabric", "host"};
        EXPECT_EQ(kinds, want) << row[2];
    }
}

TEST_F(SimTest, OcsPacketInjectedCircuitViolationFailsTheRun)
{
    // The VclosInvariantFault hook fabricates an ocs_circuits violation: only it fails.
    Config::SetGlobal("VclosInvariantFault", StringValue("ocs_circuits"));
    const vclos::Scenario s =
        vclos::ParseScenario(Cluster(true, Job(8, 0, 10)), "s.json", vclos::CollectiveAlgorithms());
    ScenarioRunner::Summary sum;
    {
        ScenarioRunner runner(s);
        sum = runner.Run(nullptr, nullptr);
    }
    Config::SetGlobal("VclosInvariantFault", StringValue(""));
    EXPECT_EQ(sum.status, "failed");
    ASSERT_EQ(sum.invariants.size(), 5u);
    for (const vclos::InvariantResult& r : sum.invariants)
    {
        EXPECT_EQ(r.ok, r.name != "ocs_circuits") << r.name << ": " << r.detail;
    }
}

TEST_F(SimTest, OcsPacketAndFlowLevelsAgree)
{
    // The same OCS scenario at both levels (as --level both): a 16-GPU job through the
    // spines, then a 6-GPU job queued behind it. The first waits exactly the delay at both
    // levels; the flow level's JCTs are within 2% of the packet level's (observed 0.5%).
    const std::string json = Cluster(true,
                                     R"({"n_gpus": 16, "collective": "ring", "bytes": 1048576,
        "start_us": 0, "compute_us": 10, "iterations": 2}, {"n_gpus": 6, "collective": "ring",
        "bytes": 1048576, "start_us": 5, "compute_us": 10, "iterations": 2})",
                                     100);
    const std::string db = ::testing::TempDir() + "vclos-ocs-runner-levels.db";
    std::remove(db.c_str());
    const vclos::Scenario s = vclos::ParseScenario(json, "s.json", vclos::CollectiveAlgorithms());
    std::vector<vclos::LevelErrorSummary> summaries;
    {
        vclos::ResultsDb results(db);
        ScenarioRunner packet(s);
        const int64_t packetRun = packet.Run(&results, nullptr).runId;
        vclos::FlowRunner flow(s);
        const vclos::FlowRunner::Summary f = flow.Run(&results, nullptr);
        EXPECT_EQ(f.status, "done");
        summaries = results.AddValidation(packetRun, f.runId);
    }
    Simulator::Destroy();
    const Rows jwt = Query(db, "SELECT jwt_s FROM jobs WHERE job_id = 0 ORDER BY run_id");
    ASSERT_EQ(jwt.size(), 2u);
    EXPECT_NEAR(std::stod(jwt[0][0]), 100e-6, 1e-12);
    EXPECT_NEAR(std::stod(jwt[1][0]), 100e-6, 1e-12);
    ASSERT_FALSE(summaries.empty());
    EXPECT_EQ(summaries[0].metric, "jct");
    EXPECT_EQ(summaries[0].n, 2u);
    EXPECT_LT(summaries[0].maxAbs, 0.02);
    // Both levels write the OCS tables, the same changes per OCS and job: the flow level
    // from the placements (no light is lost there), the packet level from the channels.
    const std::string perChange = "SELECT ocs, job_id, added, removed, ROUND((lit_s - time_s) "
                                  "* 1e9) FROM ocs_reconfigurations WHERE run_id = ";
    const Rows packetChanges = Query(db, perChange + "1 ORDER BY ocs, job_id, added");
    const Rows flowChanges = Query(db, perChange + "2 ORDER BY ocs, job_id, added");
    EXPECT_FALSE(packetChanges.empty());
    EXPECT_EQ(packetChanges, flowChanges);
    const std::string perOcs = "SELECT ocs, ports, reconfigurations, circuits_changed, "
                               "ROUND(dark_s * 1e9) FROM ocs_switches WHERE run_id = ";
    const Rows packetSwitches = Query(db, perOcs + "1 ORDER BY ocs");
    EXPECT_EQ(packetSwitches.size(), 4u);
    EXPECT_EQ(packetSwitches, Query(db, perOcs + "2 ORDER BY ocs"));
    EXPECT_EQ(Value(db, "SELECT SUM(lost_packets) FROM ocs_switches WHERE run_id = 2"), 0);
    // Release times (and so the second job's placement) differ by the JCT error; the first
    // placement is at 0 at both levels.
    EXPECT_EQ(
        Query(
            db,
            "SELECT time_s FROM ocs_reconfigurations WHERE run_id = 1 AND job_id = 0 AND added > 0 "
            "ORDER BY ocs, added"),
        Query(
            db,
            "SELECT time_s FROM ocs_reconfigurations WHERE run_id = 2 AND job_id = 0 AND added > 0 "
            "ORDER BY ocs, added"));
}
