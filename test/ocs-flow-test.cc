/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// ocs-vclos from scenarios and at flow level: the topology keys "fabric" and "ocs", the
// scheduler policy "ocs-vclos", the reconfiguration delay before a job starts, and the
// circuits' paths (link_exclusive holds).

#include "scenario-test-utils.h"

#include "ns3/collective-schedule.h"
#include "ns3/flow-runner.h"
#include "ns3/ocs-vclos-placement-policy.h"
#include "ns3/scenario.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <string>
#include <vector>

using namespace ns3::vclos;

namespace
{

using vclostest::ParseError;

/// A flow-level scenario on 4 leaves x 4 GPUs with \p topology extra keys, \p policy and
/// \p jobs.
std::string
Cluster(const std::string& topology,
        const std::string& policy,
        const std::string& jobs,
        const std::string& level = "flow")
{
    return R"({"name": "ocs", "level": ")" + level +
           R"(", "topology": {"leaves": 4, "spines": 4, "gpus_per_leaf": 4)" + topology +
           R"(}, "scheduler": {"policy": ")" + policy + R"("}, "jobs": [)" + jobs + "]}";
}

const char* const kOcs = R"(, "fabric": "ocs", "ocs": {"reconfiguration_delay_us": 25000})";

/// A job of \p n GPUs arriving at \p startUs that computes \p computeUs.
std::string
Job(uint32_t n, uint64_t startUs, uint64_t computeUs)
{
    return R"({"n_gpus": )" + std::to_string(n) +
           R"(, "collective": "ring", "bytes": 1048576, "start_us": )" + std::to_string(startUs) +
           R"(, "compute_us": )" + std::to_string(computeUs) + "}";
}

/// Run a scenario at flow level; every job must finish and every invariant hold.
FlowRunResult
RunFlow(const std::string& json)
{
    FlowRunner runner(ParseScenario(json, "s.json", CollectiveAlgorithms()));
    const FlowRunner::Summary sum = runner.Run(nullptr, nullptr);
    EXPECT_EQ(sum.status, "done");
    EXPECT_TRUE(sum.invariantsOk);
    return runner.GetResult();
}

TEST(OcsFlow, ScenarioKeys)
{
    const Scenario s = ParseScenario(Cluster(R"(, "fabric": "ocs", "ocs": {"uplinks_per_leaf": 2,
                                  "spine_ports_per_ocs": 3, "reconfiguration_delay_us": 10})",
                                             "ocs-vclos",
                                             Job(2, 0, 10)),
                                     "s.json",
                                     CollectiveAlgorithms());
    EXPECT_EQ(s.topology.fabric, "ocs");
    EXPECT_EQ(s.topology.ocs.uplinksPerLeaf, 2u);
    EXPECT_EQ(s.topology.ocs.spinePortsPerOcs, 3u);
    EXPECT_DOUBLE_EQ(s.topology.ocs.reconfigurationS, 10e-6);
    // The logical cluster the policy places on: one plane per uplink.
    EXPECT_EQ(s.topology.Shape().spines, 2u);
    EXPECT_EQ(s.topology.OcsShape().spines, 4u);
    // Defaults: as many uplinks as GPUs per leaf, 2 ports per OCS, 50 ms.
    const Scenario d = ParseScenario(Cluster(R"(, "fabric": "ocs")", "ocs-vclos", Job(2, 0, 10)),
                                     "s.json",
                                     CollectiveAlgorithms());
    EXPECT_EQ(d.topology.ocs.uplinksPerLeaf, 4u);
    EXPECT_EQ(d.topology.ocs.spinePortsPerOcs, 2u);
    EXPECT_DOUBLE_EQ(d.topology.ocs.reconfigurationS, 50e-3);
    EXPECT_EQ(ParseScenario(Cluster("", "vclos", Job(2, 0, 10)), "s.json", CollectiveAlgorithms())
                  .topology.fabric,
              "clos");
}

TEST(OcsFlow, BadKeysNameFileKeyAndRange)
{
    EXPECT_EQ(ParseError(Cluster(R"(, "fabric": "optical")", "vclos", Job(2, 0, 10))),
              "s.json: topology.fabric: expected \"clos\" or \"ocs\", got 'optical'");
    EXPECT_EQ(ParseError(Cluster(R"(, "ocs": {})", "vclos", Job(2, 0, 10))),
              "s.json: topology.ocs: the key 'ocs' needs \"fabric\": \"ocs\"");
    EXPECT_EQ(ParseError(Cluster("", "ocs-vclos", Job(2, 0, 10))),
              "s.json: scheduler.policy: \"ocs-vclos\" needs an OCS fabric (topology "
              "\"fabric\": \"ocs\")");
    EXPECT_EQ(ParseError(Cluster(kOcs, "vclos", Job(2, 0, 10))),
              "s.json: scheduler.policy: the OCS fabric (topology \"fabric\": \"ocs\") needs "
              "policy \"ocs-vclos\", got \"vclos\"");
    // Packet level and "both" too (test/ocs-runner-test.cc).
    EXPECT_EQ(ParseError(Cluster(kOcs, "ocs-vclos", Job(2, 0, 10), "packet")), "");
    EXPECT_EQ(ParseError(Cluster(std::string(kOcs) + R"(, "gpus_per_server": 2)",
                                 "ocs-vclos",
                                 Job(2, 0, 10),
                                 "both")),
              "");
    EXPECT_EQ(ParseError(R"({"name": "ocs", "level": "flow", "topology": {"leaves": 2,
        "spines": 2, "gpus_per_leaf": 2, "fabric": "ocs"}, "jobs": [{"gpus": [0, 1],
        "collective": "ring", "bytes": 1024}]})"),
              "s.json: topology: the OCS fabric (\"fabric\": \"ocs\") needs a \"scheduler\" with "
              "policy \"ocs-vclos\" (it sets each job's circuits)");
    EXPECT_NE(ParseError(Cluster(R"(, "fabric": "ocs", "ocs": {"uplinks_per_leaf": 0})",
                                 "ocs-vclos",
                                 Job(2, 0, 10)))
                  .find("s.json: topology.ocs.uplinks_per_leaf"),
              std::string::npos);
    EXPECT_NE(ParseError(Cluster(R"(, "fabric": "ocs", "ocs": {"reconfiguration_delay_us": -1})",
                                 "ocs-vclos",
                                 Job(2, 0, 10)))
                  .find("s.json: topology.ocs.reconfiguration_delay_us: expected 0 (off) or a "
                        "time in"),
              std::string::npos);
    EXPECT_NE(
        ParseError(
            Cluster(R"(, "fabric": "ocs", "ocs": {"wavelength": 1})", "ocs-vclos", Job(2, 0, 10)))
            .find("wavelength"),
        std::string::npos);
    EXPECT_EQ(
        ParseError(
            Cluster(R"(, "fabric": "ocs", "links_per_leaf_spine": 2)", "ocs-vclos", Job(2, 0, 10))),
        "s.json: topology.links_per_leaf_spine: expected 1 with \"fabric\": \"ocs\" (every "
        "leaf uplink is one OCS port), got 2");
}

TEST(OcsFlow, OnAnIdleFabricAJobTakesVclosTimePlusTheReconfigurationDelay)
{
    // 8 GPUs: two leaves joined directly by circuits; 16 GPUs: a 4 x 4 virtual Clos through
    // the spines. vclos on the cabled Clos gives the same paths (leaf, spine, leaf), so the
    // only difference is the wait for the circuits.
    for (uint32_t n : {8u, 16u})
    {
        SCOPED_TRACE(n);
        const FlowRunResult v = RunFlow(Cluster("", "vclos", Job(n, 0, 10)));
        const FlowRunResult o = RunFlow(Cluster(kOcs, "ocs-vclos", Job(n, 0, 10)));
        ASSERT_EQ(o.jobs.size(), 1u);
        EXPECT_FALSE(o.jobs[0].placement.circuits.empty());
        EXPECT_EQ(o.jobs[0].placement.branch, n == 8 ? "two-leaves" : "virtual-clos");
        EXPECT_NEAR(o.jobs[0].jwtS, 25e-3, 1e-12);
        EXPECT_NEAR(o.jobs[0].jctS, v.jobs[0].jctS + 25e-3, 1e-9);
        EXPECT_NEAR(o.jobs[0].jrtS, v.jobs[0].jrtS, 1e-9);
    }
    // Within one leaf no circuit is set: no delay.
    const FlowRunResult o = RunFlow(Cluster(kOcs, "ocs-vclos", Job(4, 0, 10)));
    EXPECT_TRUE(o.jobs[0].placement.circuits.empty());
    EXPECT_EQ(o.jobs[0].jwtS, 0.0);
}

TEST(OcsFlow, FragmentedClusterOcsVclosPlacesAtOnceWhatVclosQueues)
{
    // Jobs 0-2 take 3 GPUs of leaves 0-2, job 3 the whole leaf 3 (vclos reserves its
    // uplinks). Job 4 (3 GPUs) finds one free GPU on each of leaves 0-2: vclos queues it
    // until job 0 ends at 10 s; ocs-vclos joins the three leaves through one spine at once.
    const std::string jobs = Job(3, 0, 10000000) + "," + Job(3, 1000000, 20000000) + "," +
                             Job(3, 2000000, 30000000) + "," + Job(4, 3000000, 30000000) + "," +
                             Job(3, 4000000, 30000000);
    const FlowRunResult v = RunFlow(Cluster("", "vclos", jobs));
    const FlowRunResult o = RunFlow(Cluster(kOcs, "ocs-vclos", jobs));
    ASSERT_EQ(v.jobs.size(), 5u);
    ASSERT_EQ(o.jobs.size(), 5u);
    EXPECT_GT(v.jobs[4].jwtS, 6.0); // waits from 4 s to job 0's end (10 s)
    EXPECT_NEAR(o.jobs[4].jwtS, 25e-3, 1e-12);
    EXPECT_EQ(o.jobs[4].placement.branch, "virtual-clos");
    EXPECT_EQ(o.jobs[4].placement.leaves.size(), 3u);
    double sumV = 0;
    double sumO = 0;
    for (uint32_t i = 0; i < 5; ++i)
    {
        sumV += v.jobs[i].jwtS;
        sumO += o.jobs[i].jwtS;
    }
    EXPECT_LT(sumO, sumV - 5.0);
    // Every fabric link an ocs-vclos job's phases cross is one of its reserved uplinks (the
    // circuits' links), in both directions.
    const Scenario sc =
        ParseScenario(Cluster(kOcs, "ocs-vclos", jobs), "s.json", CollectiveAlgorithms());
    const auto routing = FlowRunner::MakeRouting(sc);
    FlowEngine engine(routing, FlowRunner::MakeConfig(sc));
    std::map<uint32_t, std::vector<uint32_t>> reserved;
    uint32_t checked = 0;
    FlowObserver obs;
    obs.jobStarted = [&reserved](const FlowJobResult& r) { reserved[r.index] = r.placement.links; };
    obs.phaseStarted = [&](uint32_t job,
                           uint32_t /* qp */,
                           const CompactCollective& /* c */,
                           uint32_t /* phase */,
                           const std::vector<FlowNetwork::Use>& uses) {
        for (const FlowNetwork::Use& u : uses)
        {
            if (routing->GetTopology().GetLink(u.link).kind != LinkKind::FABRIC)
            {
                continue;
            }
            ++checked;
            const std::vector<uint32_t>& own = reserved.at(job);
            EXPECT_TRUE(std::binary_search(own.begin(), own.end(), u.link))
                << "job " << job << " crosses fabric link " << u.link;
        }
    };
    engine.Run(FlowRunner::MakeJobs(sc),
               std::make_unique<OcsVclosPlacementPolicy>(sc.topology.OcsShape(), 0.025),
               {},
               obs);
    EXPECT_GT(checked, 0u);
    // Deterministic: a second run gives the same times.
    const FlowRunResult again = RunFlow(Cluster(kOcs, "ocs-vclos", jobs));
    for (uint32_t i = 0; i < 5; ++i)
    {
        EXPECT_EQ(again.jobs[i].jctS, o.jobs[i].jctS);
    }
}

} // namespace
