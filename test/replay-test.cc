/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Small trace replays under the scheduler (scenarios/trace-small-32gpu.json: 20 jobs of
// 2..16 GPUs on 4 leaves x 8 GPUs, 8 spines): vclos isolates every job; the compression
// factor does not change what contention does to a job.

#include "vclos-test-utils.h"

#include "ns3/scenario-runner.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sqlite3.h>
#include <sstream>

using namespace ns3;
using namespace vclos_test;

static auto* g_env = ::testing::AddGlobalTestEnvironment(new PicosecondEnvironment);

namespace
{

/// Largest |slowdown - 1| of a job under vclos (JRT against the pure isolated time).
constexpr double kVclosSlowdownBound = 0.02;
/// Largest relative difference of a job's slowdown between compression factors 1 and 0.5.
constexpr double kScaleBound = 0.05;
/// A slowdown that shows contention (so the scale comparison is not between idle runs).
constexpr double kContended = 1.1;

const std::string kScenario = std::string(VCLOS_SOURCE_DIR) + "/scenarios/trace-small-32gpu.json";

/// The shipped small replay with another policy and trace scale.
std::string
SmallReplay(const std::string& policy, double scale)
{
    std::ifstream in(kScenario);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    auto replace = [&text](const std::string& from, const std::string& to) {
        const auto at = text.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        if (at != std::string::npos)
        {
            text.replace(at, from.size(), to);
        }
    };
    replace(R"("policy": "vclos")", "\"policy\": \"" + policy + "\"");
    std::ostringstream trace;
    trace.precision(17);
    trace << R"("file": "traces/small-32gpu.csv", "scale": )" << scale;
    replace(R"("file": "traces/small-32gpu.csv")", trace.str());
    return text;
}

/// Run the replay; return each job's slowdown (job id order).
std::vector<double>
Slowdowns(const std::string& text, const std::string& name)
{
    const std::string db = ::testing::TempDir() + "vclos-replay-" + name + ".db";
    std::remove(db.c_str());
    const vclos::Scenario s = vclos::ParseScenario(text, kScenario);
    {
        vclos::ResultsDb results(db);
        ScenarioRunner runner(s);
        const auto sum = runner.Run(&results, nullptr);
        EXPECT_EQ(sum.status, "done");
        EXPECT_EQ(sum.jobsFinished, s.jobs.size());
    }
    Simulator::Destroy();
    sqlite3* h = nullptr;
    EXPECT_EQ(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(h, "SELECT slowdown FROM jobs ORDER BY job_id", -1, &st, nullptr);
    std::vector<double> out;
    while (sqlite3_step(st) == SQLITE_ROW)
    {
        out.push_back(sqlite3_column_double(st, 0));
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return out;
}

} // namespace

/// Under vclos every job of the replay runs within kVclosSlowdownBound of its isolated
/// time (the pure fluid model of the same job alone on the same GPUs).
TEST_F(SimTest, VclosReplayRunsEveryJobAsIfAlone)
{
    const std::vector<double> s = Slowdowns(SmallReplay("vclos", 1.0), "vclos");
    ASSERT_EQ(s.size(), 20u);
    double worst = 0;
    for (uint32_t j = 0; j < s.size(); ++j)
    {
        EXPECT_NEAR(s[j], 1.0, kVclosSlowdownBound) << "job " << j;
        worst = std::max(worst, std::abs(s[j] - 1));
    }
    RecordProperty("worst_abs_slowdown_minus_1", std::to_string(worst));
}

/// The same replay under ecmp at compression factors 1 and 0.5 (arrivals, compute and
/// bytes halved; links unchanged): every job's slowdown within kScaleBound of the other.
TEST_F(SimTest, CompressionFactorKeepsPerJobSlowdowns)
{
    const std::vector<double> a = Slowdowns(SmallReplay("ecmp", 1.0), "ecmp-1");
    const std::vector<double> b = Slowdowns(SmallReplay("ecmp", 0.5), "ecmp-0.5");
    ASSERT_EQ(a.size(), 20u);
    ASSERT_EQ(b.size(), 20u);
    double worst = 0;
    double most = 0;
    for (uint32_t j = 0; j < a.size(); ++j)
    {
        EXPECT_NEAR(b[j] / a[j], 1.0, kScaleBound) << "job " << j;
        worst = std::max(worst, std::abs(b[j] / a[j] - 1));
        most = std::max(most, a[j]);
    }
    // ECMP slows some job down: the comparison is between contended runs
    EXPECT_GT(most, kContended);
    RecordProperty("worst_relative_difference", std::to_string(worst));
    RecordProperty("largest_slowdown", std::to_string(most));
}

namespace
{

/// One 16-GPU ring on two whole leaves under vclos (4 leaves x 8 GPUs in servers of 4, 8
/// spines), 32 MiB (2 MiB per ring step and flow), 16 KiB queues. The cross-leaf flows
/// 7 -> 8 and 15 -> 0 both use plane 7, one in each direction; GPU 7 receives from GPU 6
/// over its server switch, so its NIC sends data only, at line rate.
std::string
RingOnTwoLeaves(const std::string& ackRoute)
{
    return R"({"name": "ack-route-)" + ackRoute + R"(", "seed": 1,
      "topology": {"leaves": 4, "spines": 8, "gpus_per_leaf": 8, "gpus_per_server": 4},
      "network": {"queue_bytes": 16384, "retransmit_timeout_us": 1000},
      "scheduler": {"policy": "vclos", "ack_route": ")" +
           ackRoute + R"("},
      "jobs": [{"name": "ring16", "n_gpus": 16, "collective": "ring", "bytes_mib": 32,
                "iterations": 1, "compute_us": 0}],
      "stop_time_s": 1})";
}

} // namespace

/// ACK routes under vclos. With "reverse" the ACKs of 15 -> 0 leave leaf 0 on 15's plane,
/// the uplink that already carries 7 -> 8 at line rate: two NICs' output (data plus about 2%
/// of ACKs) meets on one uplink, the queue overflows within a step and go-back-N slows the
/// ring (observed 1.65x, 305 drops per uplink). With "sender" (the default) every packet
/// leaves on its own NIC's plane: an uplink carries one NIC's output, which never exceeds its
/// line rate, and the ring runs as if alone (observed 1.0000002).
TEST_F(SimTest, AckRouteSenderKeepsAVclosRingAsIfAlone)
{
    const std::vector<double> sender = Slowdowns(RingOnTwoLeaves("sender"), "ack-sender");
    const std::vector<double> reverse = Slowdowns(RingOnTwoLeaves("reverse"), "ack-reverse");
    ASSERT_EQ(sender.size(), 1u);
    ASSERT_EQ(reverse.size(), 1u);
    EXPECT_NEAR(sender[0], 1.0, kVclosSlowdownBound);
    EXPECT_GT(reverse[0], 1.0 + 5 * kVclosSlowdownBound);
    RecordProperty("slowdown_sender", std::to_string(sender[0]));
    RecordProperty("slowdown_reverse", std::to_string(reverse[0]));
}
