/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The scenario loader tried as a hostile user would (pure C++, no simulator): every case
// below once crashed, hung, aborted the simulation or was silently changed. Each must now
// be rejected with the file, the JSON path of the key and the allowed range (or, for the
// "accepted" cases, land exactly as written).

#include "ns3/collective-schedule.h"
#include "ns3/pfc-headroom.h"
#include "ns3/scenario.h"

#include <cmath>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>

namespace
{

using namespace ns3::vclos;
using Json = nlohmann::json;

const char* const kSource = "hostile.json";

/// A valid scenario: 4 leaves x 8 GPUs, one ring job of 1 MiB.
Json
Base()
{
    return Json::parse(R"({
        "name": "hostile",
        "topology": {"leaves": 4, "spines": 4, "gpus_per_leaf": 8},
        "network": {"mtu_bytes": 4096},
        "jobs": [{"gpus": [0, 1, 8, 9], "collective": "ring", "bytes": 1048576}]
    })");
}

/// \return Base() changed by \p f, as text
std::string
Mutate(const std::function<void(Json&)>& f)
{
    Json j = Base();
    f(j);
    return j.dump();
}

/// The shipped 20-job trace for 32 GPUs (absolute path).
std::string
SmallTrace()
{
    return std::string(VCLOS_SOURCE_DIR) + "/scenarios/traces/small-32gpu.csv";
}

/// \return Base() with a vclos scheduler, its job asking for 4 GPUs, changed by \p f
std::string
Scheduled(const std::function<void(Json&)>& f)
{
    return Mutate([&f](Json& j) {
        j["scheduler"] = {{"policy", "vclos"}};
        j["jobs"][0].erase("gpus");
        j["jobs"][0]["n_gpus"] = 4;
        f(j);
    });
}

/// \return Scheduled() with the small trace and no fixed job, changed by \p f
std::string
Traced(const std::function<void(Json&)>& f)
{
    return Scheduled([&f](Json& j) {
        j.erase("jobs");
        j["trace"] = {{"file", SmallTrace()}};
        f(j);
    });
}

/// Write \p text to a scratch trace file. \return its path
std::string
WriteTrace(const std::string& name, const std::string& text)
{
    const std::string path = testing::TempDir() + name;
    std::ofstream(path) << text;
    return path;
}

/// \return Base() as text with \p from replaced by \p to (for what JSON cannot hold)
std::string
Replace(const std::string& from, const std::string& to)
{
    std::string text = Base().dump();
    std::size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
}

/// \return the error message of \p text, or "" if it parses
std::string
ErrorOf(const std::string& text)
{
    try
    {
        ParseScenario(text, kSource);
    }
    catch (const ScenarioError& e)
    {
        return e.what();
    }
    return "";
}

/// One hostile input: its text, the key path the message must name and a fragment of it.
struct HostileCase
{
    std::string name;                //!< test name
    std::function<std::string()> in; //!< the scenario text
    std::string path;                //!< expected "hostile.json: <path>: " prefix
    std::string fragment;            //!< expected part of the message (allowed range etc.)
};

std::ostream&
operator<<(std::ostream& os, const HostileCase& c)
{
    return os << c.name;
}

std::string
Nested(std::size_t depth)
{
    return std::string(depth, '[') + std::string(depth, ']');
}

const HostileCase kCases[] = {
    // Structure of the file.
    {"DeepNesting100000",
     [] { return R"({"name": )" + Nested(100000) + "}"; },
     "name",
     "nested deeper than 64 levels (at line 1, column 73)"},
    {"DeepNesting65", [] { return R"({"name": )" + Nested(64) + "}"; }, "name", "64 levels"},
    {"DeepNestingMultiLine",
     [] { return "{\n\"jobs\": [\n" + Nested(200) + "]}"; },
     "jobs[0]",
     "at line 3, column 63"},
    {"NumberOverflow",
     [] { return Replace(R"("bytes":1048576)", R"("bytes":1e400)"); },
     "jobs[0].bytes",
     "number 1e400 is out of the range of a double"},
    {"NegativeNumberOverflow",
     [] { return Replace(R"("mtu_bytes":4096)", R"("mtu_bytes":-1e999)"); },
     "network.mtu_bytes",
     "out of the range of a double"},
    {"NumberUnderflow",
     [] { return Replace(R"("mtu_bytes":4096)", R"("mtu_bytes":4096,"cnp_interval_us":1e-400)"); },
     "network.cnp_interval_us",
     "is too small for a double (it would silently become 0)"},
    {"NaNLiteral",
     [] { return Replace(R"("bytes":1048576)", R"("bytes":NaN)"); },
     "jobs[0].bytes",
     "JSON syntax error at line 1"},
    {"InfinityLiteral",
     [] { return Replace(R"("bytes":1048576)", R"("bytes":Infinity)"); },
     "jobs[0].bytes",
     "JSON syntax error at line 1"},
    {"EmptyFile", [] { return std::string(); }, "(top level)", "empty input"},
    {"BinaryGarbage",
     [] {
         std::string s;
         for (int i = 0; i < 256; ++i)
         {
             s += static_cast<char>(255 - i);
         }
         return s;
     },
     "(top level)",
     "JSON syntax error"},
    {"TopLevelArray",
     [] { return std::string("[1, 2]"); },
     "(top level)",
     "expected a JSON object"},
    {"WrongCaseKey",
     [] { return Mutate([](Json& j) { j["Name"] = "x"; }); },
     "Name",
     "did you mean 'name'?"},
    {"LongName",
     [] { return Mutate([](Json& j) { j["name"] = std::string(100000, 'x'); }); },
     "name",
     "at most 256 bytes, got 100000"},
    {"LongJobName",
     [] { return Mutate([](Json& j) { j["jobs"][0]["name"] = std::string(257, 'x'); }); },
     "jobs[0].name",
     "at most 256 bytes, got 257"},
    {"LongUnknownKeyIsShortened",
     [] { return Mutate([](Json& j) { j[std::string(100000, 'k')] = 1; }); },
     "kkkkkkkk",
     "unknown key 'kkkkkkkk"},
    {"LongDuplicateKey",
     [] {
         const std::string k(100000, 'd');
         return R"({"name": "x", ")" + k + R"(": 1, ")" + k + R"(": 2})";
     },
     "ddddddddd",
     "duplicate key 'dddd"},
    {"LongCollectiveName",
     [] { return Mutate([](Json& j) { j["jobs"][0]["collective"] = std::string(100000, 'c'); }); },
     "jobs[0].collective",
     "unknown collective 'cccc"},
    {"LongModelName",
     [] { return Mutate([](Json& j) { j["jobs"][0]["model"] = std::string(100000, 'm'); }); },
     "jobs[0].model",
     "at most 256 bytes"},
    {"SeedAboveRngLimit",
     [] { return Mutate([](Json& j) { j["seed"] = 4294944443u; }); },
     "seed",
     "expected an integer in 1..4294944442, got 4294944443"},
    // Times: whole picoseconds within the range ns-3 receives exactly.
    {"RetransmitTimeoutBelowPicosecond",
     [] { return Mutate([](Json& j) { j["network"]["retransmit_timeout_us"] = 1e-7; }); },
     "network.retransmit_timeout_us",
     "not a whole number of picoseconds"},
    {"RetransmitTimeoutBelowNanosecond",
     [] { return Mutate([](Json& j) { j["network"]["retransmit_timeout_us"] = 0.0009; }); },
     "network.retransmit_timeout_us",
     "expected a time in [0.001, 3600000000] us"},
    {"RetransmitTimeoutHuge",
     [] { return Mutate([](Json& j) { j["network"]["retransmit_timeout_us"] = 1e20; }); },
     "network.retransmit_timeout_us",
     "expected a time in [0.001, 3600000000] us, got 1e+20"},
    {"RetransmitTimeoutNegativeZero",
     [] { return Replace(R"("mtu_bytes":4096)", R"("retransmit_timeout_us":-0.0)"); },
     "network.retransmit_timeout_us",
     "expected a time in [0.001, 3600000000] us, got -0"},
    {"SampleIntervalBelowPicosecond",
     [] { return Mutate([](Json& j) { j["output"]["sample_interval_us"] = 1e-9; }); },
     "output.sample_interval_us",
     "not a whole number of picoseconds"},
    {"SampleIntervalBelowNanosecond",
     [] { return Mutate([](Json& j) { j["output"]["sample_interval_us"] = 0.0001; }); },
     "output.sample_interval_us",
     "0 (off) or a time in [0.001, 3600000000] us"},
    {"ProgressIntervalTiny",
     [] { return Mutate([](Json& j) { j["output"]["progress_interval_ms"] = 1e-12; }); },
     "output.progress_interval_ms",
     "not a whole number of picoseconds"},
    {"ProgressIntervalBelowMicrosecond",
     [] { return Mutate([](Json& j) { j["output"]["progress_interval_ms"] = 0.0009; }); },
     "output.progress_interval_ms",
     "expected a time in [0.001, 3600000] ms"},
    {"CnpIntervalBelowPicosecond",
     [] { return Mutate([](Json& j) { j["network"]["cnp_interval_us"] = 1e-7; }); },
     "network.cnp_interval_us",
     "not a whole number of picoseconds"},
    {"DelayHuge",
     [] { return Mutate([](Json& j) { j["topology"]["host_link"]["delay_us"] = 1e300; }); },
     "topology.host_link.delay_us",
     "expected a time in [0, 3600000000] us"},
    {"DelayHalfPicosecond",
     [] { return Mutate([](Json& j) { j["topology"]["fabric_link"]["delay_us"] = 0.0000005; }); },
     "topology.fabric_link.delay_us",
     "not a whole number of picoseconds"},
    {"StopTimeHuge",
     [] { return Mutate([](Json& j) { j["stop_time_s"] = 1e300; }); },
     "stop_time_s",
     "expected a time in [0.000000000001, 3600] s"},
    {"StopTimeJustAboveOneHour",
     [] { return Replace(R"("name":"hostile")", R"("name":"h","stop_time_s":3600.000000000001)"); },
     "stop_time_s",
     "expected a time in [0.000000000001, 3600] s, got 3600.000000000001"},
    {"ComputeHuge",
     [] { return Mutate([](Json& j) { j["jobs"][0]["compute_us"] = 1e300; }); },
     "jobs[0].compute_us",
     "expected a time in [0, 3600000000] us"},
    {"ComputeBelowPicosecond",
     [] { return Mutate([](Json& j) { j["jobs"][0]["compute_us"] = 1e-7; }); },
     "jobs[0].compute_us",
     "not a whole number of picoseconds"},
    // Rates: whole bits per second.
    {"RateTruncatesToZero",
     [] { return Mutate([](Json& j) { j["topology"]["host_link"]["rate_gbps"] = 1e-10; }); },
     "topology.host_link.rate_gbps",
     "not a whole number of bits per second"},
    {"RateFractionalBits",
     [] { return Mutate([](Json& j) { j["topology"]["intra_server"]["rate_gbps"] = 1.5e-9; }); },
     "topology.intra_server.rate_gbps",
     "not a whole number of bits per second"},
    {"RateHuge",
     [] { return Mutate([](Json& j) { j["topology"]["fabric_link"]["rate_gbps"] = 1e10; }); },
     "topology.fabric_link.rate_gbps",
     "expected a rate in [0.000000001, 100000] Gbit/s"},
    // Integers: the range of the type they land in.
    {"QueueBytesAbove4GiB",
     [] { return Mutate([](Json& j) { j["network"]["queue_bytes"] = 4294967296ull; }); },
     "network.queue_bytes",
     "expected an integer in 4178..4294967295, got 4294967296"},
    {"QueueBytesBelowFrame",
     [] { return Mutate([](Json& j) { j["network"]["queue_bytes"] = 4177; }); },
     "network.queue_bytes",
     "expected an integer in 4178..4294967295"},
    {"BytesAbove2To53",
     [] { return Mutate([](Json& j) { j["jobs"][0]["bytes"] = 9007199254740993ull; }); },
     "jobs[0].bytes",
     "expected an integer in 1..9007199254740992"},
    {"BytesMibNotWholeBytes",
     [] {
         return Mutate([](Json& j) {
             j["jobs"][0].erase("bytes");
             j["jobs"][0]["bytes_mib"] = 0.1;
         });
     },
     "jobs[0].bytes_mib",
     "0.1 MiB is not a whole number of bytes"},
    {"AllToAllBytesHuge",
     [] { return Mutate([](Json& j) { j["jobs"][0]["all_to_all_bytes"] = 1e19; }); },
     "jobs[0].all_to_all_bytes",
     "expected an integer in 0..9007199254740992"},
    {"NegativeZeroInteger",
     [] { return Replace(R"("bytes":1048576)", R"("bytes":-0)"); },
     "jobs[0].bytes",
     "expected an integer in 1..9007199254740992, got 0"},
    // What a job expands to.
    {"PipelineChunksHuge",
     [] { return Mutate([](Json& j) { j["jobs"][0]["pipeline_chunks"] = 4000000000u; }); },
     "jobs[0].pipeline_chunks",
     "at most 16777216 transfers; expected pipeline_chunks in 1..699050"},
    {"RingOfManyGpus",
     [] {
         return Mutate([](Json& j) {
             j["topology"]["gpus_per_leaf"] = 4096;
             j["jobs"][0]["gpus"] = {{"count", 4096}};
         });
     },
     "jobs[0].gpus",
     "on 4096 ranks with 1 pipeline chunks has 33546240 transfers"},
    {"BucketsHuge",
     [] { return Mutate([](Json& j) { j["jobs"][0]["buckets"] = 4000000000u; }); },
     "jobs[0].buckets",
     "expected an integer in 1..65536"},
    {"BucketsMoreThanBytes",
     [] {
         return Mutate([](Json& j) {
             j["jobs"][0]["buckets"] = 10;
             j["jobs"][0]["bytes"] = 9;
         });
     },
     "jobs[0].buckets",
     "at most bytes (9:"},
    {"OneGpuZeroComputeLoopsAtTimeZero",
     [] {
         return Mutate([](Json& j) {
             j["jobs"][0]["gpus"] = {3};
             j["jobs"][0]["iterations"] = 4000000000u;
         });
     },
     "jobs[0].compute_us",
     "would loop at time 0"},
    // Topology sizes.
    {"GpusOverflowUint32",
     [] {
         return Mutate([](Json& j) {
             j["topology"]["leaves"] = 65536;
             j["topology"]["gpus_per_leaf"] = 65536;
         });
     },
     "topology",
     "at most 16777214 GPUs"},
    {"GpusBeyondAddressBlock",
     [] {
         return Mutate([](Json& j) {
             j["topology"]["leaves"] = 1;
             j["topology"]["gpus_per_leaf"] = 16777215;
         });
     },
     "topology",
     "leaves x gpus_per_leaf = 16777215"},
    {"FabricLinksOverflow",
     [] {
         return Mutate([](Json& j) {
             j["topology"]["spines"] = 4294967295u;
             j["topology"]["links_per_leaf_spine"] = 4294967295u;
         });
     },
     "topology",
     "links"},
    {"DuplicateGpus",
     [] { return Mutate([](Json& j) {
              j["jobs"][0]["gpus"] = {0, 1, 0};
          }); },
     "jobs[0].gpus[2]",
     "appears twice"},
    {"HugeGpuArray",
     [] {
         return Mutate([](Json& j) {
             Json g = Json::array();
             for (int i = 0; i < 100000; ++i)
             {
                 g.push_back(i % 32);
             }
             j["jobs"][0]["gpus"] = g;
         });
     },
     "jobs[0].gpus[32]",
     "appears twice"},
    // The scheduler, the trace and jobs that ask for a number of GPUs.
    {"SchedulerNotAnObject",
     [] { return Mutate([](Json& j) { j["scheduler"] = "vclos"; }); },
     "scheduler",
     "expected a JSON object"},
    {"SchedulerPolicyMissing",
     [] { return Scheduled([](Json& j) { j["scheduler"].erase("policy"); }); },
     "scheduler.policy",
     "missing required key 'policy'"},
    {"SchedulerUnknownPolicy",
     [] { return Scheduled([](Json& j) { j["scheduler"]["policy"] = "fifo"; }); },
     "scheduler.policy",
     "unknown policy \"fifo\"; expected one of vclos, ecmp, static, random-ecmp"},
    {"SchedulerPolicyNotAString",
     [] { return Scheduled([](Json& j) { j["scheduler"]["policy"] = 1; }); },
     "scheduler.policy",
     "expected a string"},
    {"SchedulerBackfillNotBool",
     [] { return Scheduled([](Json& j) { j["scheduler"]["backfill"] = "yes"; }); },
     "scheduler.backfill",
     "expected true or false"},
    {"SchedulerNegativeSeed",
     [] { return Scheduled([](Json& j) { j["scheduler"]["seed"] = -1; }); },
     "scheduler.seed",
     "expected an integer >= 0, got -1"},
    {"SchedulerNodeCapAbove2To53",
     [] {
         return Scheduled([](Json& j) { j["scheduler"]["search_node_cap"] = 9007199254740993u; });
     },
     "scheduler.search_node_cap",
     "expected an integer in 0..9007199254740992"},
    {"SchedulerNegativeTimeCap",
     [] { return Scheduled([](Json& j) { j["scheduler"]["search_time_cap_s"] = -1; }); },
     "scheduler.search_time_cap_s",
     "expected 0 (off) or a time in [0.000000000001, 3600] s"},
    {"SchedulerTimeCapAboveAnHour",
     [] { return Scheduled([](Json& j) { j["scheduler"]["search_time_cap_s"] = 3601; }); },
     "scheduler.search_time_cap_s",
     "3600] s, got 3601"},
    {"SchedulerUnknownAckRoute",
     [] { return Scheduled([](Json& j) { j["scheduler"]["ack_route"] = "forward"; }); },
     "scheduler.ack_route",
     "expected \"sender\" or \"reverse\""},
    {"SchedulerUnknownKey",
     [] { return Scheduled([](Json& j) { j["scheduler"]["backfil"] = true; }); },
     "scheduler.backfil",
     "did you mean 'backfill'?"},
    {"GpusUnderAScheduler",
     [] { return Scheduled([](Json& j) {
              j["jobs"][0]["gpus"] = {0, 1};
          }); },
     "jobs[0].gpus",
     "give \"n_gpus\" (the number of GPUs, 1..32)"},
    {"NGpusWithoutAScheduler",
     [] { return Mutate([](Json& j) { j["jobs"][0]["n_gpus"] = 4; }); },
     "jobs[0].n_gpus",
     "\"n_gpus\" needs a \"scheduler\""},
    {"NGpusMissingUnderAScheduler",
     [] { return Scheduled([](Json& j) { j["jobs"][0].erase("n_gpus"); }); },
     "jobs[0].n_gpus",
     "missing required key 'n_gpus'"},
    {"NGpusAboveTheCluster",
     [] { return Scheduled([](Json& j) { j["jobs"][0]["n_gpus"] = 33; }); },
     "jobs[0].n_gpus",
     "expected an integer in 1..32, got 33"},
    {"NGpusZero",
     [] { return Scheduled([](Json& j) { j["jobs"][0]["n_gpus"] = 0; }); },
     "jobs[0].n_gpus",
     "expected an integer in 1..32, got 0"},
    {"NGpusFraction",
     [] { return Scheduled([](Json& j) { j["jobs"][0]["n_gpus"] = 2.5; }); },
     "jobs[0].n_gpus",
     "(not an integer)"},
    {"TraceWithoutAScheduler",
     [] { return Traced([](Json& j) { j.erase("scheduler"); }); },
     "trace",
     "a trace needs a \"scheduler\""},
    {"TraceNotAnObject",
     [] { return Traced([](Json& j) { j["trace"] = "small-32gpu.csv"; }); },
     "trace",
     "expected a JSON object"},
    {"TraceFileMissingKey",
     [] { return Traced([](Json& j) { j["trace"].erase("file"); }); },
     "trace.file",
     "missing required key 'file'"},
    {"TraceFileEmpty",
     [] { return Traced([](Json& j) { j["trace"]["file"] = ""; }); },
     "trace.file",
     "expected the path of a job trace"},
    {"TraceFileDoesNotExist",
     [] { return Traced([](Json& j) { j["trace"]["file"] = "/nonexistent/t.csv"; }); },
     "trace.file",
     "/nonexistent/t.csv: cannot open the trace file"},
    {"TraceFileIsADirectory",
     [] { return Traced([](Json& j) { j["trace"]["file"] = "/"; }); },
     "trace.file",
     "/: cannot read the trace file: not a regular file"},
    {"TraceBadLine",
     [] {
         const std::string f = WriteTrace("hostile-bad-line.csv",
                                          "arrival_s,gpus,collective,iterations,compute_s,bytes\n"
                                          "0,2,ring,1,0.001,100\n"
                                          "0.5,two,ring,1,0.001,100\n");
         return Traced([&f](Json& j) { j["trace"]["file"] = f; });
     },
     "trace.file",
     "hostile-bad-line.csv:3:5: "},
    {"TraceJobLargerThanTheCluster",
     [] {
         const std::string f = WriteTrace("hostile-too-big.csv",
                                          "arrival_s,gpus,collective,iterations,compute_s,bytes\n"
                                          "0,2,ring,1,0.001,100\n"
                                          "# a comment line\n"
                                          "0.5,64,ring,1,0.001,100\n");
         return Traced([&f](Json& j) { j["trace"]["file"] = f; });
     },
     "trace.file",
     "hostile-too-big.csv:4: job 1: needs 64 GPUs; the topology has 32"},
    {"TraceScaleZero",
     [] { return Traced([](Json& j) { j["trace"]["scale"] = 0; }); },
     "trace.scale",
     "expected a number > 0, got 0"},
    {"TraceScaleString",
     [] { return Traced([](Json& j) { j["trace"]["scale"] = "1/10"; }); },
     "trace.scale",
     "expected a number > 0, got string \"1/10\""},
    {"TraceScaleMakesTimesTooLong",
     [] { return Traced([](Json& j) { j["trace"]["scale"] = 1e12; }); },
     "trace.file",
     "after scaling; expected at most 3600 s"},
    {"TraceScaleTooLongEvenAtFlowLevel",
     [] {
         return Traced([](Json& j) {
             j["level"] = "flow";
             j["trace"]["scale"] = 1e12;
         });
     },
     "trace.file",
     "expected at most 4000000 s (a smaller scale, or max_duration_s) (at level \"flow\")"},
    {"PacketStopNamesTheFlowLimit",
     [] { return Mutate([](Json& j) { j["stop_time_s"] = 3601; }); },
     "stop_time_s",
     "expected a time in [0.000000000001, 3600] s, got 3601 (at level \"packet\"; level \"flow\" "
     "allows up to 4000000 s)"},
    {"BothLevelKeepsThePacketLimit",
     [] {
         return Mutate([](Json& j) {
             j["level"] = "both";
             j["stop_time_s"] = 3601;
         });
     },
     "stop_time_s",
     "3600] s, got 3601 (at level \"both\"; level \"flow\" allows up to 4000000 s)"},
    {"FlowStopAboveFlowLimit",
     [] {
         return Replace(R"("name":"hostile")",
                        R"("name":"h","level":"flow","stop_time_s":4000000.000001)");
     },
     "stop_time_s",
     "expected a time in [0.000000000001, 4000000] s, got 4000000.000001 (at level \"flow\")"},
    {"FlowStopNegative",
     [] {
         return Mutate([](Json& j) {
             j["level"] = "flow";
             j["stop_time_s"] = -1;
         });
     },
     "stop_time_s",
     "4000000] s, got -1 (at level \"flow\")"},
    {"FlowComputeAbsurd",
     [] {
         return Mutate([](Json& j) {
             j["level"] = "flow";
             j["jobs"][0]["compute_us"] = 1e300;
         });
     },
     "jobs[0].compute_us",
     "expected a time in [0, 4000000000000] us, got 1e+300 (at level \"flow\")"},
    {"FlowStartNotWholePicoseconds",
     [] {
         return Mutate([](Json& j) {
             j["level"] = "flow";
             j["stop_time_s"] = 4e6;
             j["jobs"][0]["start_us"] = 1e-7;
         });
     },
     "jobs[0].start_us",
     "is not a whole number of picoseconds"},
    {"FlowModelUnknown",
     [] {
         return Mutate([](Json& j) {
             j["level"] = "flow";
             j["flow"] = {{"model", "bytes"}};
         });
     },
     "flow.model",
     "expected \"packet\" or \"payload\", got 'bytes'"},
    {"TraceCountZero",
     [] { return Traced([](Json& j) { j["trace"]["count"] = 0; }); },
     "trace.count",
     "expected an integer in 1..1048576, got 0"},
    {"TraceFirstNegative",
     [] { return Traced([](Json& j) { j["trace"]["first"] = -3; }); },
     "trace.first",
     "expected an integer in 0..1048575, got -3"},
    {"TraceFirstPastTheEnd",
     [] { return Traced([](Json& j) { j["trace"]["first"] = 20; }); },
     "trace",
     "trace.first: 20"},
    {"TraceCountPastTheEnd",
     [] { return Traced([](Json& j) { j["trace"]["count"] = 21; }); },
     "trace",
     "trace.count"},
    {"TraceNegativeMaxDuration",
     [] { return Traced([](Json& j) { j["trace"]["max_duration_s"] = -1; }); },
     "trace.max_duration_s",
     "expected a number >= 0, got -1"},
    {"TraceUnknownKey",
     [] { return Traced([](Json& j) { j["trace"]["files"] = "x"; }); },
     "trace.files",
     "did you mean 'file'?"},
    {"TraceNameTakenByAFixedJob",
     [] {
         return Traced([](Json& j) {
             j["jobs"] = Json::array();
             j["jobs"].push_back(
                 {{"name", "trace3"}, {"n_gpus", 2}, {"collective", "ring"}, {"bytes", 100}});
         });
     },
     "trace.file",
     "its name \"trace3\" is already used by jobs[0]"},
    {"JobsEmptyWithoutATrace",
     [] { return Scheduled([](Json& j) { j["jobs"] = Json::array(); }); },
     "jobs",
     "expected a non-empty array of job objects"},
    {"LinkJobBytesNotBool",
     [] { return Scheduled([](Json& j) {
              j["output"] = {{"link_job_bytes", 1}};
          }); },
     "output.link_job_bytes",
     "expected true or false, got 1"},
    // The shared buffer must cover the PFC headroom of every switch's ports.
    {"BufferBelowPfcHeadroom",
     [] {
         return Mutate([](Json& j) {
             j["network"]["buffer_bytes"] = 10000;
             j["network"]["pfc"] = true;
         });
     },
     "network.buffer_bytes",
     "expected more than 451416"},
};

class Hostile : public ::testing::TestWithParam<HostileCase>
{
};

TEST_P(Hostile, RejectedWithKeyAndRange)
{
    const HostileCase& c = GetParam();
    const std::string msg = ErrorOf(c.in());
    ASSERT_FALSE(msg.empty()) << "accepted";
    const std::string prefix = std::string(kSource) + ": " + c.path;
    EXPECT_EQ(msg.compare(0, prefix.size(), prefix), 0) << msg.substr(0, 400);
    EXPECT_NE(msg.find(c.fragment), std::string::npos) << msg.substr(0, 400);
    EXPECT_LT(msg.size(), 2000u) << "messages stay short";
}

INSTANTIATE_TEST_SUITE_P(Table,
                         Hostile,
                         ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<HostileCase>& i) {
                             return i.param.name;
                         });

// ---- values at the edges land exactly ----

TEST(HostileAccepted, NestingAt64LevelsIsNotADepthError)
{
    // 1 (top object) + 63 arrays = 64 levels: the only complaint is the type.
    const std::string msg = ErrorOf(R"({"name": )" + Nested(63) + "}");
    EXPECT_NE(msg.find("name: expected a string"), std::string::npos) << msg;
}

TEST(HostileAccepted, TimesLandOnWholePicoseconds)
{
    Scenario s = ParseScenario(Mutate([](Json& j) {
                                   j["topology"]["host_link"]["delay_us"] = 0.5;
                                   j["topology"]["fabric_link"]["delay_us"] = 0.000001;
                                   j["topology"]["intra_server"]["delay_us"] = 0;
                                   j["network"]["retransmit_timeout_us"] = 0.001;
                                   j["network"]["cnp_interval_us"] = 0.1;
                                   j["output"]["progress_interval_ms"] = 0.001;
                                   j["output"]["sample_interval_us"] = 0.001;
                                   j["jobs"][0]["compute_us"] = 0.3;
                                   j["jobs"][0]["start_us"] = -0.0;
                                   j["stop_time_s"] = 3600;
                               }),
                               kSource);
    EXPECT_EQ(s.topology.hostLink.delayS, 500000 / 1e12);
    EXPECT_EQ(s.topology.fabricLink.delayS, 1 / 1e12);
    EXPECT_EQ(s.topology.intraServer.delayS, 0.0);
    EXPECT_EQ(s.network.retransmitTimeoutS, 1000 / 1e12);
    EXPECT_EQ(s.network.cnpIntervalS, 100000 / 1e12);
    EXPECT_EQ(s.output.progressIntervalS, 1000000 / 1e12);
    EXPECT_EQ(s.output.sampleIntervalS, 1000 / 1e12);
    EXPECT_EQ(s.jobs[0].computeS, 300000 / 1e12);
    EXPECT_EQ(s.jobs[0].startS, 0.0);
    EXPECT_FALSE(std::signbit(s.jobs[0].startS));
    EXPECT_EQ(s.stopTimeS, 3600e12 / 1e12);
    EXPECT_EQ(ToPicoseconds(s.stopTimeS), 3600000000000000);
    EXPECT_EQ(ToPicoseconds(s.jobs[0].computeS), 300000);
}

TEST(HostileAccepted, FlowLevelTimesUpTo4e6Seconds)
{
    // At flow level times go up to kMaxFlowTimePs (4e6 s), still whole picoseconds.
    const std::string text = Mutate([](Json& j) {
        j["level"] = "flow";
        j["flow"] = {{"model", "payload"}};
        j["stop_time_s"] = 4000000;
        j["jobs"][0]["compute_us"] = 4e12;          // 4e6 s, the bound
        j["jobs"][0]["start_us"] = 3999999999999.5; // 0.5 us before the stop
        j["output"]["progress_interval_ms"] = 4e9;
    });
    const Scenario s = ParseScenario(text, kSource);
    EXPECT_EQ(s.level, "flow");
    EXPECT_EQ(s.flow.model, "payload");
    EXPECT_EQ(s.stopTimeS, 4e6);
    EXPECT_EQ(s.jobs[0].computeS, 4e6);
    EXPECT_EQ(s.jobs[0].startS, 3999999.9999995);
    EXPECT_EQ(s.output.progressIntervalS, 4e6);
    EXPECT_EQ(MaxTimePs("flow"), kMaxFlowTimePs);
    EXPECT_EQ(MaxTimePs("packet"), kMaxTimePs);
    EXPECT_EQ(MaxTimePs("both"), kMaxTimePs);
    // The search cap is wall time: one hour at every level.
    const std::string cap = Mutate([](Json& j) {
        j["level"] = "flow";
        j["scheduler"] = {{"policy", "vclos"}, {"search_time_cap_s", 3601}};
        j["jobs"][0].erase("gpus");
        j["jobs"][0]["n_gpus"] = 4;
    });
    EXPECT_NE(ErrorOf(cap).find("scheduler.search_time_cap_s: expected 0 (off) or a time in "
                                "[0.000000000001, 3600] s, got 3601"),
              std::string::npos)
        << ErrorOf(cap);
}

TEST(HostileAccepted, LevelOverrideSetsTheTimeLimit)
{
    // A packet-level file with a flow-level stop: accepted only when run at flow level.
    const std::string text = Mutate([](Json& j) { j["stop_time_s"] = 1e6; });
    EXPECT_NE(ErrorOf(text).find("stop_time_s: expected a time in [0.000000000001, 3600] s"),
              std::string::npos);
    Scenario s = ParseScenario(text, kSource, CollectiveAlgorithms(), "flow");
    EXPECT_EQ(s.level, "flow");
    EXPECT_EQ(s.stopTimeS, 1e6);
    // Back to a level with the smaller limit: the key is named.
    for (const char* level : {"packet", "both"})
    {
        try
        {
            SetScenarioLevel(s, level, "--level");
            ADD_FAILURE() << level << " accepted a stop at 1e6 s";
        }
        catch (const ScenarioError& e)
        {
            EXPECT_NE(
                std::string(e.what()).find("hostile.json: stop_time_s: expected a time in "
                                           "[0.000000000001, 3600] s, got 1000000 (at level \"" +
                                           std::string(level) + "\""),
                std::string::npos)
                << e.what();
        }
        EXPECT_EQ(s.level, "flow") << "unchanged after the error";
    }
    EXPECT_THROW(ParseScenario(text, kSource, CollectiveAlgorithms(), "fluid"), ScenarioError);
    // A packet-level scenario within the packet limit changes level freely.
    Scenario p = ParseScenario(Base().dump(), kSource);
    SetScenarioLevel(p, "flow", "--level");
    SetScenarioLevel(p, "both", "--level");
    EXPECT_EQ(p.level, "both");
}

TEST(HostileAccepted, PaperScaleScenarioNeedsTheFlowLevel)
{
    const std::string path =
        std::string(VCLOS_SOURCE_DIR) + "/scenarios/paper-scale/paper-8192gpu.json";
    const Scenario s = LoadScenarioFile(path);
    EXPECT_EQ(s.level, "flow");
    EXPECT_EQ(s.flow.model, "payload");
    ASSERT_EQ(s.jobs.size(), 5000u);
    EXPECT_EQ(s.topology.NumGpus(), 8192u);
    EXPECT_GT(s.jobs.back().startS, 1e6); // far beyond the packet level's hour
    EXPECT_LT(s.jobs.back().startS, s.stopTimeS);
    try
    {
        LoadScenarioFile(path, CollectiveAlgorithms(), "packet");
        ADD_FAILURE() << "the paper-scale scenario loaded at packet level";
    }
    catch (const ScenarioError& e)
    {
        EXPECT_NE(std::string(e.what()).find(
                      "stop_time_s: expected a time in "
                      "[0.000000000001, 3600] s, got 4000000 (at level \"packet\""),
                  std::string::npos)
            << e.what();
    }
}

TEST(HostileAccepted, RatesAndSizesAtTheirBounds)
{
    Scenario s = ParseScenario(Mutate([](Json& j) {
                                   j["topology"]["host_link"]["rate_gbps"] = 1e-9;
                                   j["topology"]["fabric_link"]["rate_gbps"] = 100000;
                                   j["network"]["queue_bytes"] = 4294967295u;
                                   j["network"]["buffer_bytes"] = 4294967295u;
                                   j["jobs"][0]["bytes"] = 9007199254740992ull;
                                   j["jobs"][0]["buckets"] = 65536;
                                   j["jobs"][0]["all_to_all_bytes"] = 9007199254740992ull;
                                   j["jobs"][0]["gpus"] = {{"first", -0}, {"count", 2}};
                               }),
                               kSource);
    EXPECT_EQ(s.topology.hostLink.rateBps, 1.0);
    EXPECT_EQ(s.topology.fabricLink.rateBps, 100e12);
    EXPECT_EQ(s.network.queueBytes, 4294967295u);
    EXPECT_EQ(s.jobs[0].bytes, 9007199254740992u);
    EXPECT_EQ(s.jobs[0].buckets, 65536u);
    EXPECT_EQ(s.jobs[0].gpus, (std::vector<uint32_t>{0, 1}));
    // 100 Tbit/s + 1 bit/s and 2^53 + 1 bytes are one too many.
    EXPECT_NE(ErrorOf(Mutate(
                  [](Json& j) { j["topology"]["host_link"]["rate_gbps"] = 100000.000000001; })),
              "");
    EXPECT_NE(ErrorOf(Mutate([](Json& j) { j["jobs"][0]["bytes"] = 9007199254740993ull; })), "");
    s = ParseScenario(Mutate([](Json& j) {
                          j["jobs"][0].erase("bytes");
                          j["jobs"][0]["bytes_mib"] = 0.5;
                          j["network"]["queue_bytes"] = 4178;
                      }),
                      kSource);
    EXPECT_EQ(s.jobs[0].bytes, 524288u);
    EXPECT_EQ(s.network.queueBytes, 4178u);
}

TEST(HostileAccepted, LargestTopologyAndUtf8Bom)
{
    // 2 x 8388607 = 16777214 GPUs: the whole 10.0.0.0/8 block.
    Scenario s = ParseScenario("\xEF\xBB\xBF" + Mutate([](Json& j) {
                                   j["topology"]["leaves"] = 2;
                                   j["topology"]["gpus_per_leaf"] = 8388607;
                               }),
                               kSource);
    EXPECT_EQ(s.topology.NumGpus(), 16777214u);
}

TEST(HostileAccepted, SmallestStopLongestNameMostBuckets)
{
    Scenario s = ParseScenario(Mutate([](Json& j) {
                                   j["stop_time_s"] = 1e-12;
                                   j["name"] = std::string(256, 'n');
                                   j["jobs"][0]["buckets"] = 65536;
                               }),
                               kSource);
    EXPECT_EQ(ToPicoseconds(s.stopTimeS), 1);
    EXPECT_EQ(s.name.size(), 256u);
    EXPECT_NE(ErrorOf(Mutate([](Json& j) { j["jobs"][0]["buckets"] = 65537; })), "");
    EXPECT_NE(ErrorOf(Mutate([](Json& j) { j["stop_time_s"] = 0.5e-12; })), "");
}

TEST(HostileAccepted, ChunksAtTheTransferLimit)
{
    // A 4-rank ring has 4 x 6 = 24 transfers per chunk: 699050 chunks = 16777200 transfers.
    Scenario s =
        ParseScenario(Mutate([](Json& j) { j["jobs"][0]["pipeline_chunks"] = 699050; }), kSource);
    EXPECT_EQ(s.jobs[0].pipelineChunks, 699050u);
    EXPECT_NE(ErrorOf(Mutate([](Json& j) { j["jobs"][0]["pipeline_chunks"] = 699051; })), "");
}

TEST(HostileAccepted, BufferJustAbovePfcHeadroom)
{
    // Leaf: 8 host + 4 fabric ports at 100 Gbps and 1 us: 25000 bytes in flight per PAUSE
    // round trip, 3 frames of 4096 + 82 bytes and 84: 37618 bytes per port, 451416 in all.
    auto withBuffer = [](uint64_t bytes) {
        return Mutate([bytes](Json& j) {
            j["network"]["buffer_bytes"] = bytes;
            j["network"]["pfc"] = true;
        });
    };
    EXPECT_NE(ErrorOf(withBuffer(451416)), "");
    EXPECT_EQ(ErrorOf(withBuffer(451417)), "");
}

// ---- the pure formulas the loader checks with ----

TEST(PfcHeadroom, Formula)
{
    // 100 Gbps x 2 x 1 us / 8 = 25000 bytes in flight, exactly (no floating-point loss).
    EXPECT_EQ(PfcHeadroomBytes(100000000000ull, 1000000, 4178), 25000u + 3 * 4178 + 84);
    // 1000 Gbps, 0.5 us: 125000 bytes.
    EXPECT_EQ(PfcHeadroomBytes(1000000000000ull, 500000, 4178), 125000u + 3 * 4178 + 84);
    // A partial byte in flight is not counted: 1 bps x 2 x 1 s = 0.25 byte.
    EXPECT_EQ(PfcHeadroomBytes(1, 1000000000000, 100), 384u);
    // The largest values do not overflow: 2^53 bps for 3600 s.
    EXPECT_EQ(PfcHeadroomBytes(9007199254740992ull, 3600000000000000, 0),
              9007199254740992ull / 8 * 2 * 3600 + 84);
    // Saturates instead of wrapping: 2^64-1 bit/s for 2^63-1 ps.
    EXPECT_EQ(PfcHeadroomBytes(UINT64_MAX, INT64_MAX, 1), UINT64_MAX);
}

TEST(CollectiveTransfers, BoundCoversEverySchedule)
{
    for (const std::string& alg : CollectiveAlgorithms())
    {
        for (uint32_t n = 1; n <= 40; ++n)
        {
            for (uint32_t g : {1u, 2u, 4u})
            {
                for (uint32_t c : {1u, 2u, 3u})
                {
                    CollectiveSchedule s;
                    try
                    {
                        s = MakeCollective(alg, n, 1 << 20, g, c);
                    }
                    catch (const std::invalid_argument&)
                    {
                        continue;
                    }
                    const double bound = CollectiveTransfers(alg, n, g, c);
                    EXPECT_GE(bound, s.transfers.size()) << alg << " n=" << n << " g=" << g;
                    // Exact except halving-doubling (its count depends on the power of 2).
                    if (alg != "halving_doubling")
                    {
                        EXPECT_EQ(bound, s.transfers.size()) << alg << " n=" << n << " g=" << g;
                    }
                    else
                    {
                        EXPECT_LE(bound, 2.5 * s.transfers.size() + 4) << alg << " n=" << n;
                    }
                }
            }
        }
    }
}

} // namespace
