/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The end-of-run invariants of ScenarioRunner: they hold on the shipped scenarios, and a
// fabricated violation (the VclosInvariantFault hook) marks the run failed.

#include "vclos-test-utils.h"

#include "ns3/config.h"
#include "ns3/scenario-runner.h"
#include "ns3/string.h"

#include <cctype>
#include <cstdio>
#include <unistd.h>

using namespace ns3;
using namespace vclos_test;

static auto* g_env = ::testing::AddGlobalTestEnvironment(new PicosecondEnvironment);

namespace
{
/// A shipped scenario and which invariants it really exercises.
struct Shipped
{
    const char* file;   //!< under scenarios/
    bool pfc;           //!< lossless_drops checks switches
    bool linkExclusive; //!< link_exclusive checks fabric links (vclos + link_job_bytes)
};

/// The invariants, in the order ScenarioRunner checks them.
const std::vector<std::string> kNames = {"collective_bytes",
                                         "lossless_drops",
                                         "jobs_accounted",
                                         "link_exclusive"};

std::vector<std::string>
InvariantNames(const std::vector<vclos::InvariantResult>& results)
{
    std::vector<std::string> names;
    for (const auto& r : results)
    {
        names.push_back(r.name);
    }
    return names;
}

vclos::Scenario
LoadShipped(const std::string& file)
{
    return vclos::LoadScenarioFile(std::string(VCLOS_SOURCE_DIR) + "/scenarios/" + file,
                                   vclos::CollectiveAlgorithms());
}
} // namespace

class ShippedScenarioInvariants : public SimTest, public ::testing::WithParamInterface<Shipped>
{
};

TEST_P(ShippedScenarioInvariants, AllHold)
{
    const Shipped& p = GetParam();
    ScenarioRunner runner(LoadShipped(p.file));
    const ScenarioRunner::Summary sum = runner.Run(nullptr, nullptr);
    EXPECT_EQ(sum.status, "done");
    EXPECT_TRUE(sum.invariantsOk);
    ASSERT_EQ(InvariantNames(sum.invariants), kNames);
    for (const auto& r : sum.invariants)
    {
        EXPECT_TRUE(r.ok) << r.name << ": " << r.detail;
    }
    // What was checked, not vacuous: every job's collectives, and the switches or links
    // where the scenario makes the invariant meaningful.
    EXPECT_EQ(sum.invariants[2].detail,
              std::to_string(sum.jobs) + "/" + std::to_string(sum.jobs) + " finished");
    EXPECT_NE(sum.invariants[0].detail.find(" collectives of finished jobs, "), std::string::npos);
    EXPECT_EQ(sum.invariants[0].detail.rfind("0 collectives", 0), std::string::npos);
    EXPECT_EQ(sum.invariants[1].detail.find("no lossless packet dropped") != std::string::npos,
              p.pfc)
        << sum.invariants[1].detail;
    EXPECT_EQ(sum.invariants[3].detail.find("none by two jobs at once") != std::string::npos,
              p.linkExclusive)
        << sum.invariants[3].detail;
}

INSTANTIATE_TEST_SUITE_P(
    Scenarios,
    ShippedScenarioInvariants,
    ::testing::Values(Shipped{"default.json", false, false},
                      Shipped{"lossless-dcqcn.json", true, false},
                      Shipped{"trace-small-32gpu.json", false, true},
                      Shipped{"motivation-32gpu/identical-jobs.json", false, true}),
    [](const ::testing::TestParamInfo<Shipped>& info) {
        std::string n = info.param.file;
        std::string out;
        for (char c : n.substr(0, n.find('.')))
        {
            out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
        }
        return out;
    });

/// A fabricated violation of each invariant in turn: only it fails, the run is "failed".
class InjectedViolation : public SimTest, public ::testing::WithParamInterface<std::string>
{
  protected:
    void TearDown() override
    {
        Config::SetGlobal("VclosInvariantFault", StringValue(""));
        SimTest::TearDown();
    }
};

TEST_P(InjectedViolation, FailsTheRun)
{
    const std::string name = GetParam();
    Config::SetGlobal("VclosInvariantFault", StringValue(name));
    ScenarioRunner runner(LoadShipped("trace-small-32gpu.json"));
    const ScenarioRunner::Summary sum = runner.Run(nullptr, nullptr);
    EXPECT_EQ(sum.status, "failed");
    EXPECT_FALSE(sum.invariantsOk);
    ASSERT_EQ(InvariantNames(sum.invariants), kNames);
    for (const auto& r : sum.invariants)
    {
        EXPECT_EQ(r.ok, r.name != name) << r.name << ": " << r.detail;
    }
}

INSTANTIATE_TEST_SUITE_P(Invariants,
                         InjectedViolation,
                         ::testing::ValuesIn(kNames),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                             return info.param;
                         });
