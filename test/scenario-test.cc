/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Tests of the scenario loader (pure C++, no simulator).

#include "ns3/scenario.h"

#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>

namespace
{

using ns3::vclos::EcmpSeedMode;
using ns3::vclos::LoadScenarioFile;
using ns3::vclos::ParseScenario;
using ns3::vclos::Scenario;
using ns3::vclos::ScenarioError;
using Json = nlohmann::json;

const char* const kSource = "scenarios/x.json";

/// A valid scenario with only the required keys: 4 leaves x 8 GPUs, two jobs.
Json
Minimal()
{
    return Json::parse(R"({
        "name": "minimal",
        "topology": {"leaves": 4, "spines": 4, "gpus_per_leaf": 8},
        "jobs": [
            {"gpus": [0, 8], "collective": "ring", "bytes": 1000},
            {"gpus": [1, 9, 17, 25], "collective": "ring", "bytes": 2000}
        ]
    })");
}

/// \return the ScenarioError message for \p text, or "" if it parses
std::string
ErrorOfText(const std::string& text, const std::vector<std::string>& collectives = {"ring"})
{
    try
    {
        ParseScenario(text, kSource, collectives);
    }
    catch (const ScenarioError& e)
    {
        return e.what();
    }
    return "";
}

/// \return the ScenarioError message for \p j
std::string
ErrorOf(const Json& j)
{
    return ErrorOfText(j.dump(2));
}

/// Expect that \p message contains every one of \p parts.
void
ExpectContains(const std::string& message, std::initializer_list<std::string> parts)
{
    ASSERT_FALSE(message.empty()) << "expected an error, but the scenario parsed";
    for (const auto& p : parts)
    {
        EXPECT_NE(message.find(p), std::string::npos) << "message: " << message << "\nlacks: " << p;
    }
}

TEST(Scenario, MinimalParsesWithDefaults)
{
    std::string text = Minimal().dump(2);
    Scenario s = ParseScenario(text, kSource);
    EXPECT_EQ(s.name, "minimal");
    EXPECT_EQ(s.description, "");
    EXPECT_EQ(s.seed, 1u);
    EXPECT_EQ(s.level, "packet");
    EXPECT_EQ(s.text, text);
    EXPECT_EQ(s.sourceName, kSource);
    EXPECT_DOUBLE_EQ(s.stopTimeS, 10.0);
    EXPECT_DOUBLE_EQ(s.output.progressIntervalS, 1e-3);

    EXPECT_EQ(s.topology.leaves, 4u);
    EXPECT_EQ(s.topology.spines, 4u);
    EXPECT_EQ(s.topology.gpusPerLeaf, 8u);
    EXPECT_EQ(s.topology.gpusPerServer, 1u);
    EXPECT_EQ(s.topology.linksPerLeafSpine, 1u);
    EXPECT_EQ(s.topology.NumGpus(), 32u);
    EXPECT_EQ(s.topology.NumServers(), 32u);
    EXPECT_DOUBLE_EQ(s.topology.hostLink.rateBps, 100e9);
    EXPECT_DOUBLE_EQ(s.topology.hostLink.delayS, 1e-6);
    EXPECT_DOUBLE_EQ(s.topology.fabricLink.rateBps, 100e9);
    EXPECT_DOUBLE_EQ(s.topology.fabricLink.delayS, 1e-6);
    EXPECT_DOUBLE_EQ(s.topology.intraServer.rateBps, 1000e9);
    EXPECT_DOUBLE_EQ(s.topology.intraServer.delayS, 0.5e-6);

    EXPECT_EQ(s.network.mtuBytes, 4096u);
    EXPECT_EQ(s.network.queueBytes, 1048576u);
    EXPECT_EQ(s.network.ackInterval, 1u);
    EXPECT_DOUBLE_EQ(s.network.retransmitTimeoutS, 1e-3);
    EXPECT_EQ(s.network.ecmpSeedMode, EcmpSeedMode::PerSwitch);

    ASSERT_EQ(s.jobs.size(), 2u);
    EXPECT_EQ(s.jobs[0].name, "job0");
    EXPECT_EQ(s.jobs[1].name, "job1");
    EXPECT_EQ(s.jobs[0].gpus, (std::vector<uint32_t>{0, 8}));
    EXPECT_EQ(s.jobs[1].gpus, (std::vector<uint32_t>{1, 9, 17, 25}));
    EXPECT_EQ(s.jobs[0].collective, "ring");
    EXPECT_EQ(s.jobs[0].bytes, 1000u);
    EXPECT_EQ(s.jobs[1].bytes, 2000u);
    EXPECT_EQ(s.jobs[0].iterations, 1u);
    EXPECT_DOUBLE_EQ(s.jobs[0].computeS, 0.0);
    EXPECT_DOUBLE_EQ(s.jobs[0].startS, 0.0);
    EXPECT_EQ(s.jobs[0].pipelineChunks, 1u);
}

TEST(Scenario, AllKeysAreReadAndConverted)
{
    const std::string text = R"({
        // comments are allowed
        "name": "full", "description": "all keys", "seed": 7, "level": "packet",
        "topology": {
            "leaves": 2, "spines": 3, "gpus_per_leaf": 8, "gpus_per_server": 4,
            "links_per_leaf_spine": 2,
            "host_link": {"rate_gbps": 400, "delay_us": 2},
            "fabric_link": {"rate_gbps": 200},
            "intra_server": {"delay_us": 0.25}
        },
        "network": {"mtu_bytes": 1024, "queue_bytes": 65536, "ack_interval": 4,
                    "retransmit_timeout_us": 500, "ecmp_seed_mode": "same"},
        "jobs": [
            {"name": "a", "gpus": {"first": 1, "count": 4, "stride": 2}, "collective": "ring",
             "bytes_mib": 0.5, "iterations": 3, "compute_us": 100, "start_us": 20,
             "pipeline_chunks": 4},
            {"name": "b", "gpus": {"count": 3}, "collective": "ring", "bytes": 1e6}
        ],
        "output": {"progress_interval_ms": 0.5},
        "stop_time_s": 2
    })";
    Scenario s = ParseScenario(text, kSource);
    EXPECT_EQ(s.description, "all keys");
    EXPECT_EQ(s.seed, 7u);
    EXPECT_EQ(s.topology.NumGpus(), 16u);
    EXPECT_EQ(s.topology.NumServers(), 4u);
    EXPECT_EQ(s.topology.LeafOf(9), 1u);
    EXPECT_EQ(s.topology.ServerOf(9), 2u);
    EXPECT_EQ(s.topology.linksPerLeafSpine, 2u);
    EXPECT_DOUBLE_EQ(s.topology.hostLink.rateBps, 400e9);
    EXPECT_DOUBLE_EQ(s.topology.hostLink.delayS, 2e-6);
    EXPECT_DOUBLE_EQ(s.topology.fabricLink.rateBps, 200e9);
    EXPECT_DOUBLE_EQ(s.topology.fabricLink.delayS, 1e-6);
    EXPECT_DOUBLE_EQ(s.topology.intraServer.rateBps, 1000e9);
    EXPECT_DOUBLE_EQ(s.topology.intraServer.delayS, 0.25e-6);
    EXPECT_EQ(s.network.mtuBytes, 1024u);
    EXPECT_EQ(s.network.queueBytes, 65536u);
    EXPECT_EQ(s.network.ackInterval, 4u);
    EXPECT_DOUBLE_EQ(s.network.retransmitTimeoutS, 500e-6);
    EXPECT_EQ(s.network.ecmpSeedMode, EcmpSeedMode::Same);
    EXPECT_EQ(ns3::vclos::ToString(s.network.ecmpSeedMode), "same");
    ASSERT_EQ(s.jobs.size(), 2u);
    EXPECT_EQ(s.jobs[0].gpus, (std::vector<uint32_t>{1, 3, 5, 7}));
    EXPECT_EQ(s.jobs[0].bytes, 524288u);
    EXPECT_EQ(s.jobs[0].iterations, 3u);
    EXPECT_DOUBLE_EQ(s.jobs[0].computeS, 100e-6);
    EXPECT_DOUBLE_EQ(s.jobs[0].startS, 20e-6);
    EXPECT_EQ(s.jobs[0].pipelineChunks, 4u);
    EXPECT_EQ(s.jobs[1].gpus, (std::vector<uint32_t>{0, 1, 2}));
    EXPECT_EQ(s.jobs[1].bytes, 1000000u); // 1e6 is an integral float: accepted
    EXPECT_DOUBLE_EQ(s.output.progressIntervalS, 0.5e-3);
    EXPECT_DOUBLE_EQ(s.stopTimeS, 2.0);
}

TEST(Scenario, DefaultScenarioFileLoads)
{
    const std::string path = std::string(VCLOS_SOURCE_DIR) + "/scenarios/default.json";
    Scenario s = LoadScenarioFile(path);
    EXPECT_EQ(s.topology.NumGpus(), 32u);
    EXPECT_EQ(s.topology.gpusPerServer, 4u);
    ASSERT_EQ(s.jobs.size(), 2u);
    EXPECT_EQ(s.jobs[0].gpus, (std::vector<uint32_t>{0, 1, 2, 3, 8, 9, 10, 11}));
    EXPECT_EQ(s.jobs[1].gpus, (std::vector<uint32_t>{4, 5, 6, 7, 12, 13, 14, 15}));
    EXPECT_EQ(s.jobs[0].bytes, 16u * 1048576u);
    EXPECT_EQ(s.jobs[0].iterations, 3u);
    EXPECT_FALSE(s.description.empty());
}

TEST(Scenario, LoadFileErrors)
{
    try
    {
        LoadScenarioFile("/nonexistent/dir/s.json");
        FAIL() << "no error";
    }
    catch (const ScenarioError& e)
    {
        ExpectContains(e.what(), {"/nonexistent/dir/s.json", "cannot open"});
    }

    std::string path = testing::TempDir() + "vclos-scenario-test.json";
    {
        std::ofstream out(path);
        out << "{\n  \"name\": \"x\",\n  \"seed\": \"one\"\n}\n";
    }
    try
    {
        LoadScenarioFile(path);
        FAIL() << "no error";
    }
    catch (const ScenarioError& e)
    {
        ExpectContains(e.what(),
                       {path + ": seed: expected an integer in 1..4294944442, got string \"one\""});
    }
    std::remove(path.c_str());
}

TEST(Scenario, MissingKey)
{
    Json j = Minimal();
    j["topology"].erase("leaves");
    ExpectContains(ErrorOf(j),
                   {"scenarios/x.json: topology.leaves: missing required key 'leaves' in "
                    "topology (expected an integer in 1..4294967295)"});

    j = Minimal();
    j.erase("name");
    ExpectContains(ErrorOf(j), {": name: missing required key 'name'", "a string"});

    j = Minimal();
    j["jobs"][1].erase("collective");
    ExpectContains(ErrorOf(j), {"jobs[1].collective: missing required key"});

    j = Minimal();
    j["jobs"][0].erase("bytes");
    ExpectContains(ErrorOf(j), {"jobs[0].bytes: missing required key 'bytes'", "bytes_mib"});

    j = Minimal();
    j["jobs"][0]["gpus"] = Json::object({{"first", 0}});
    ExpectContains(ErrorOf(j), {"jobs[0].gpus.count: missing required key"});
}

TEST(Scenario, WrongType)
{
    Json j = Minimal();
    j["topology"]["leaves"] = "4";
    ExpectContains(ErrorOf(j),
                   {"topology.leaves: expected an integer in 1..4294967295, got string \"4\""});

    j = Minimal();
    j["topology"]["host_link"]["rate_gbps"] = true;
    ExpectContains(ErrorOf(j),
                   {"topology.host_link.rate_gbps: expected a rate in [0.000000001, 100000] Gbit/s",
                    "got boolean true"});

    j = Minimal();
    j["topology"]["spines"] = 2.5;
    ExpectContains(ErrorOf(j), {"topology.spines: expected an integer", "2.5 (not an integer)"});

    j = Minimal();
    j["name"] = 3;
    ExpectContains(ErrorOf(j), {"name: expected a string, got 3"});

    j = Minimal();
    j["topology"] = Json::array();
    ExpectContains(ErrorOf(j), {"topology: expected a JSON object, got an array"});

    j = Minimal();
    j["jobs"] = Json::object();
    ExpectContains(ErrorOf(j), {"jobs: expected a non-empty array of job objects"});

    j = Minimal();
    j["jobs"] = Json::array();
    ExpectContains(ErrorOf(j), {"jobs: expected a non-empty array of job objects, got an array"});

    j = Minimal();
    j["jobs"][0]["gpus"] = "0-7";
    ExpectContains(ErrorOf(j), {"jobs[0].gpus: expected an array of GPU ids or an object"});

    ExpectContains(ErrorOfText("[1, 2]"), {"(top level): expected a JSON object, got an array"});
}

TEST(Scenario, UnknownGpu)
{
    Json j = Minimal();
    j["jobs"][1]["gpus"] = {1, 2, 3, 40};
    EXPECT_EQ(ErrorOf(j),
              "scenarios/x.json: jobs[1].gpus[3]: GPU 40 does not exist (the topology has 32 "
              "GPUs: 0..31)");

    j = Minimal();
    j["jobs"][0]["gpus"] = {{"first", 28}, {"count", 8}};
    ExpectContains(ErrorOf(j),
                   {"jobs[0].gpus: the range first=28, count=8, stride=1 ends at "
                    "GPU 35, which does not exist (the topology has 32 GPUs: "
                    "0..31)"});
}

TEST(Scenario, NegativeOrZeroSize)
{
    Json j = Minimal();
    j["jobs"][0]["bytes"] = -5;
    ExpectContains(ErrorOf(j),
                   {"jobs[0].bytes: expected an integer in 1..9007199254740992, got -5"});

    j = Minimal();
    j["jobs"][0]["bytes"] = 0;
    ExpectContains(ErrorOf(j),
                   {"jobs[0].bytes: expected an integer in 1..9007199254740992, got 0"});

    j = Minimal();
    j["topology"]["leaves"] = 0;
    ExpectContains(ErrorOf(j), {"topology.leaves: expected an integer in 1..4294967295, got 0"});

    j = Minimal();
    j["topology"]["fabric_link"] = {{"rate_gbps", -100}};
    ExpectContains(ErrorOf(j),
                   {"topology.fabric_link.rate_gbps: expected a rate in [0.000000001, "
                    "100000] Gbit/s, got -100"});

    j = Minimal();
    j["topology"]["host_link"] = {{"delay_us", -1}};
    ExpectContains(ErrorOf(j),
                   {"topology.host_link.delay_us: expected a time in [0, 3600000000] us, got -1"});

    j = Minimal();
    j["jobs"][1]["compute_us"] = -3.5;
    ExpectContains(ErrorOf(j),
                   {"jobs[1].compute_us: expected a time in [0, 3600000000] us, got -3.5"});

    j = Minimal();
    j["jobs"][1]["bytes_mib"] = 0;
    j["jobs"][1].erase("bytes");
    ExpectContains(ErrorOf(j), {"jobs[1].bytes_mib: expected a number > 0, got 0"});

    j = Minimal();
    j["stop_time_s"] = 0;
    ExpectContains(ErrorOf(j), {"stop_time_s: expected a time in [0.000000000001, 3600] s, got 0"});

    j = Minimal();
    j["jobs"][0]["iterations"] = 0;
    ExpectContains(ErrorOf(j), {"jobs[0].iterations: expected an integer in 1..4294967295, got 0"});

    j = Minimal();
    j["seed"] = 0;
    ExpectContains(ErrorOf(j), {"seed: expected an integer in 1..4294944442, got 0"});

    j = Minimal();
    j["seed"] = 4294967296LL;
    ExpectContains(ErrorOf(j), {"seed: expected an integer in 1..4294944442, got 4294967296"});
}

TEST(Scenario, UnknownKey)
{
    Json j = Minimal();
    j["topology"]["spine"] = 4;
    ExpectContains(ErrorOf(j),
                   {"scenarios/x.json: topology.spine: unknown key 'spine' in topology; "
                    "expected one of: leaves, spines, gpus_per_leaf, gpus_per_server, "
                    "links_per_leaf_spine, host_link, fabric_link, intra_server",
                    "(did you mean 'spines'?)"});

    j = Minimal();
    j["jobs"][1]["iteration"] = 2;
    ExpectContains(
        ErrorOf(j),
        {"jobs[1].iteration: unknown key 'iteration' in jobs[1]", "did you mean 'iterations'?"});

    j = Minimal();
    j["stop_time"] = 2;
    ExpectContains(ErrorOf(j), {"stop_time: unknown key 'stop_time' in the top level"});

    j = Minimal();
    j["network"] = {{"shared_memory_mb", 100}};
    std::string msg = ErrorOf(j);
    ExpectContains(msg, {"network.shared_memory_mb: unknown key 'shared_memory_mb' in network"});
    EXPECT_EQ(msg.find("did you mean"), std::string::npos) << msg;
}

TEST(Scenario, DuplicateGpu)
{
    Json j = Minimal();
    j["jobs"][1]["gpus"] = {1, 9, 17, 9};
    ExpectContains(ErrorOf(j),
                   {"jobs[1].gpus[3]: GPU 9 appears twice in this job (also at "
                    "jobs[1].gpus[1])"});
}

TEST(Scenario, DuplicateJsonKey)
{
    std::string text = R"({"name": "a", "topology": {"leaves": 1, "spines": 1,
        "gpus_per_leaf": 2, "leaves": 2}, "jobs": [{"gpus": [0], "collective": "ring",
        "bytes": 1}]})";
    ExpectContains(ErrorOfText(text), {"topology.leaves: duplicate key 'leaves' in topology"});

    text = R"({"name": "a", "topology": {"leaves": 1, "spines": 1, "gpus_per_leaf": 2},
        "jobs": [{"gpus": [0], "collective": "ring", "bytes": 1},
                 {"gpus": [[0]], "collective": "ring", "bytes": 1, "bytes": 2}]})";
    ExpectContains(ErrorOfText(text), {"jobs[1].bytes: duplicate key 'bytes' in jobs[1]"});
}

TEST(Scenario, BadJsonSyntax)
{
    std::string text = "{\n  \"name\": \"x\",\n  \"seed\": 1,,\n}\n";
    ExpectContains(ErrorOfText(text),
                   {"scenarios/x.json: (top level): JSON syntax error at line 3, column 13"});

    text = "{\n  \"name\": \"x\"\n  \"seed\": 1\n}\n";
    ExpectContains(ErrorOfText(text), {"scenarios/x.json: name: JSON syntax error at line 3"});

    ExpectContains(ErrorOfText(""),
                   {"scenarios/x.json: (top level): JSON syntax error", "empty input"});
}

TEST(Scenario, UnknownCollective)
{
    Json j = Minimal();
    j["jobs"][1]["collective"] = "tree";
    ExpectContains(ErrorOf(j),
                   {"scenarios/x.json: jobs[1].collective: unknown collective 'tree'; "
                    "implemented: ring"});

    // The runner passes the full list.
    EXPECT_EQ(ErrorOfText(j.dump(), {"ring", "tree"}), "");
    ExpectContains(ErrorOfText(j.dump(), {"halving-doubling"}),
                   {"jobs[0].collective: unknown collective 'ring'; implemented: "
                    "halving-doubling"});
}

TEST(Scenario, GpusPerServerMustDivideGpusPerLeaf)
{
    Json j = Minimal();
    j["topology"]["gpus_per_server"] = 3;
    ExpectContains(
        ErrorOf(j),
        {"topology.gpus_per_server: 3 does not divide gpus_per_leaf (8)", "(1, 2, 4, 8)"});
}

TEST(Scenario, OtherRules)
{
    Json j = Minimal();
    j["level"] = "mixed";
    ExpectContains(ErrorOf(j), {"level: expected \"packet\", \"flow\" or \"both\", got 'mixed'"});

    j = Minimal();
    j["jobs"][0]["bytes_mib"] = 1;
    ExpectContains(ErrorOf(j), {"jobs[0]: give exactly one of 'bytes' or 'bytes_mib'"});

    j = Minimal();
    j["jobs"][0]["name"] = "same";
    j["jobs"][1]["name"] = "same";
    ExpectContains(ErrorOf(j), {"jobs[1].name: duplicate job name 'same' (also used by jobs[0])"});

    j = Minimal();
    j["network"] = {{"mtu_bytes", 100}};
    ExpectContains(ErrorOf(j), {"network.mtu_bytes: expected an integer in 256..9000, got 100"});

    j = Minimal();
    j["network"] = {{"queue_bytes", 2048}};
    ExpectContains(ErrorOf(j),
                   {"network.queue_bytes: expected an integer in 4178..4294967295, got 2048"});

    j = Minimal();
    j["network"] = {{"ecmp_seed_mode", "random"}};
    ExpectContains(ErrorOf(j),
                   {"network.ecmp_seed_mode: expected \"per_switch\" or \"same\", "
                    "got \"random\""});

    j = Minimal();
    j["jobs"][0]["start_us"] = 20e6;
    ExpectContains(ErrorOf(j), {"jobs[0].start_us: the job starts at 20 s", "stop_time_s (10 s)"});

    j = Minimal();
    j["jobs"][0]["gpus"] = Json::array();
    ExpectContains(ErrorOf(j), {"jobs[0].gpus: expected a non-empty array of GPU ids"});

    j = Minimal();
    j["output"] = {{"progress_interval_ms", 0}};
    ExpectContains(ErrorOf(j),
                   {"output.progress_interval_ms: expected a time in [0.001, 3600000] ms, got 0"});
}

} // namespace

TEST(Scenario, CongestionKeys)
{
    Json j = Minimal();
    j["network"] = {{"buffer_bytes", 12582912},
                    {"pfc", true},
                    {"ecn", {{"kmin_bytes", 50000}, {"kmax_bytes", 200000}, {"pmax", 0.1}}},
                    {"congestion_control", "dcqcn"}};
    Scenario s = ParseScenario(j.dump(), "scenarios/x.json");
    EXPECT_TRUE(s.network.pfc);
    EXPECT_TRUE(s.network.ecn);
    EXPECT_EQ(s.network.ecnKmaxBytes, 200000u);
    EXPECT_EQ(s.network.congestionControl, "dcqcn");

    j["network"] = {{"pfc", true}};
    ExpectContains(ErrorOf(j), {"network.pfc: PFC needs a shared switch buffer"});
    j["network"] = {{"congestion_control", "hpcc"}};
    ExpectContains(ErrorOf(j), {"network.congestion_control: expected \"none\" or \"dcqcn\""});
    j["network"] = {{"ecn", {{"kmin_bytes", 5000}, {"kmax_bytes", 5000}}}};
    ExpectContains(ErrorOf(j), {"network.ecn.kmax_bytes: expected more than kmin_bytes"});
    j["network"] = {{"pfc", "yes"}};
    ExpectContains(ErrorOf(j), {"network.pfc: expected true or false"});
}

namespace
{

/// A 32-GPU scenario with a scheduler, as JSON.
Json
ScheduledScenario()
{
    return Json::parse(R"({
        "name": "sched",
        "seed": 7,
        "topology": {"leaves": 4, "spines": 8, "gpus_per_leaf": 8},
        "scheduler": {"policy": "ecmp"},
        "jobs": [{"name": "fixed", "n_gpus": 4, "collective": "ring", "bytes": 4096,
                  "start_us": 3}]
    })");
}

} // namespace

TEST(ScenarioScheduler, DefaultsAndFixedJobsAskingForGpus)
{
    const Scenario s = ParseScenario(ScheduledScenario().dump(), "s.json");
    ASSERT_TRUE(s.scheduler.has_value());
    EXPECT_EQ(s.scheduler->policy, "ecmp");
    EXPECT_FALSE(s.scheduler->backfill);
    EXPECT_FALSE(s.scheduler->seed.has_value()); // the run seed (also after --seed)
    EXPECT_EQ(s.scheduler->searchNodeCap, 1000000u);
    EXPECT_EQ(s.scheduler->searchTimeCapS, 0);
    EXPECT_FALSE(s.trace.has_value());
    EXPECT_TRUE(s.output.linkJobBytes);
    ASSERT_EQ(s.jobs.size(), 1u);
    EXPECT_TRUE(s.jobs[0].gpus.empty());
    EXPECT_EQ(s.jobs[0].nGpus, 4u);
    EXPECT_EQ(s.jobs[0].NumGpus(), 4u);
    EXPECT_EQ(s.jobs[0].startS, 3e-6);
}

TEST(ScenarioScheduler, ExplicitCapsSeedAndBackfill)
{
    Json j = ScheduledScenario();
    j["scheduler"] = {{"policy", "random-ecmp"},
                      {"backfill", true},
                      {"seed", 18446744073709551615u},
                      {"search_node_cap", 0},
                      {"search_time_cap_s", 0.5}};
    j["output"] = {{"link_job_bytes", false}};
    const Scenario s = ParseScenario(j.dump(), "s.json");
    EXPECT_TRUE(s.scheduler->backfill);
    EXPECT_EQ(*s.scheduler->seed, 18446744073709551615u);
    EXPECT_EQ(s.scheduler->searchNodeCap, 0u);
    EXPECT_EQ(s.scheduler->searchTimeCapS, 0.5);
    EXPECT_FALSE(s.output.linkJobBytes);
}

TEST(ScenarioTrace, ShippedScenarioReadsItsTraceBesideIt)
{
    // scenarios/trace-small-32gpu.json names "traces/small-32gpu.csv": relative to its own
    // directory, whatever the working directory.
    const Scenario s =
        LoadScenarioFile(std::string(VCLOS_SOURCE_DIR) + "/scenarios/trace-small-32gpu.json");
    ASSERT_TRUE(s.trace.has_value());
    EXPECT_EQ(s.trace->fileKey, "traces/small-32gpu.csv");
    EXPECT_EQ(s.trace->selection.file,
              std::string(VCLOS_SOURCE_DIR) + "/scenarios/traces/small-32gpu.csv");
    EXPECT_EQ(s.trace->jobs, 20u);
    ASSERT_EQ(s.jobs.size(), 20u);
    // Row 1 of the file: 0,2,ring,2,0.0002,1048576; row 2: 0.0005,4,halving_doubling,3,...
    EXPECT_EQ(s.jobs[0].name, "trace0");
    EXPECT_EQ(s.jobs[0].nGpus, 2u);
    EXPECT_EQ(s.jobs[0].collective, "ring");
    EXPECT_EQ(s.jobs[0].iterations, 2u);
    EXPECT_EQ(s.jobs[0].computeS, 0.0002);
    EXPECT_EQ(s.jobs[0].bytes, 1048576u);
    EXPECT_EQ(s.jobs[0].startS, 0);
    EXPECT_EQ(s.jobs[0].traceLine, 3u);
    EXPECT_EQ(s.jobs[1].name, "trace1");
    EXPECT_EQ(s.jobs[1].nGpus, 4u);
    EXPECT_EQ(s.jobs[1].collective, "halving_doubling");
    EXPECT_EQ(s.jobs[1].startS, 0.0005);
    EXPECT_EQ(s.jobs[2].collective, "all2all_pairwise");
}

TEST(ScenarioTrace, ScaleSelectionAndFixedJobsFirst)
{
    Json j = ScheduledScenario();
    j["trace"] = {{"file", std::string(VCLOS_SOURCE_DIR) + "/scenarios/traces/small-32gpu.csv"},
                  {"first", 1},
                  {"count", 3},
                  {"scale", 0.5}};
    const Scenario s = ParseScenario(j.dump(), "s.json");
    ASSERT_EQ(s.jobs.size(), 4u);
    EXPECT_EQ(s.jobs[0].name, "fixed");
    // Trace rows 2..4 (ids 1..3); arrivals from the first selected job, times 0.5.
    EXPECT_EQ(s.jobs[1].name, "trace1");
    EXPECT_EQ(s.jobs[1].startS, 0);
    EXPECT_EQ(s.jobs[2].name, "trace2");
    EXPECT_EQ(s.jobs[2].startS, 0.00025);   // (0.001 - 0.0005) x 0.5
    EXPECT_EQ(s.jobs[1].computeS, 0.00015); // 0.0003 x 0.5
    EXPECT_EQ(s.jobs[1].bytes, 1048576u);   // 2097152 x 0.5
    EXPECT_EQ(s.jobs[1].nGpus, 4u);         // GPUs and iterations unchanged
    EXPECT_EQ(s.jobs[1].iterations, 3u);
    EXPECT_EQ(s.trace->jobs, 3u);
}

TEST(ScenarioTrace, JobsMayBeAbsentOrEmpty)
{
    for (bool absent : {true, false})
    {
        Json j = ScheduledScenario();
        if (absent)
        {
            j.erase("jobs");
        }
        else
        {
            j["jobs"] = Json::array();
        }
        j["trace"] = {{"file", std::string(VCLOS_SOURCE_DIR) + "/scenarios/traces/small-32gpu.csv"},
                      {"count", 2}};
        const Scenario s = ParseScenario(j.dump(), "s.json");
        EXPECT_EQ(s.jobs.size(), 2u);
    }
}
