/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The sweep parser and expander (pure core): exact expansions, stable and distinct run
// keys, hostile input.

#include "ns3/scenario.h"
#include "ns3/sweep-spec.h"

#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <string>

using namespace ns3::vclos;

namespace
{

/// A small valid base scenario (inline).
const std::string kBase = R"({
  "name": "tiny", "seed": 1,
  "topology": {"leaves": 2, "spines": 2, "gpus_per_leaf": 4},
  "scheduler": {"policy": "vclos"},
  "jobs": [{"name": "a", "n_gpus": 4, "collective": "ring", "bytes": 4096, "iterations": 2},
           {"name": "b", "n_gpus": 2, "collective": "ring", "bytes": 4096}]
})";

/// \return a sweep with the inline base and \p rest (",\"axes\": ...") appended
std::string
Sweep(const std::string& rest)
{
    return "{\"base\": " + kBase + rest + "}";
}

/// \return the SweepError message of parsing (and expanding) \p text, or "" if none
std::string
ErrorOf(const std::string& text, bool expand = true)
{
    try
    {
        const SweepSpec s = ParseSweep(text, "sw.json");
        if (expand)
        {
            ExpandSweep(s, true);
        }
    }
    catch (const SweepError& e)
    {
        return e.what();
    }
    return "";
}

/// Expect parsing \p text to fail with a message holding every one of \p parts.
void
ExpectError(const std::string& text, const std::vector<std::string>& parts)
{
    const std::string msg = ErrorOf(text);
    ASSERT_FALSE(msg.empty()) << "accepted: " << text;
    for (const std::string& p : parts)
    {
        EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
    }
}

} // namespace

TEST(SweepSpecTest, CartesianProductInKeyOrderLastAxisFastest)
{
    const SweepSpec s =
        ParseSweep(Sweep(R"(, "axes": {"seed": [1, 2, 3], "scheduler.policy": ["vclos", "ecmp"]})"),
                   "sw.json");
    ASSERT_EQ(SweepRunCount(s), 6u);
    const std::vector<SweepRun> runs = ExpandSweep(s);
    ASSERT_EQ(runs.size(), 6u);
    const std::string h = s.baseHash;
    ASSERT_EQ(h.size(), 8u);
    // axes in sorted key order: scheduler.policy, then seed (fastest)
    const std::vector<std::string> expected = {h + "-scheduler.policy=vclos-seed=1",
                                               h + "-scheduler.policy=vclos-seed=2",
                                               h + "-scheduler.policy=vclos-seed=3",
                                               h + "-scheduler.policy=ecmp-seed=1",
                                               h + "-scheduler.policy=ecmp-seed=2",
                                               h + "-scheduler.policy=ecmp-seed=3"};
    for (std::size_t i = 0; i < runs.size(); ++i)
    {
        EXPECT_EQ(runs[i].key, expected[i]);
    }
    // Each run's scenario has exactly its values, the rest of the base unchanged.
    const Scenario sc = ParseScenario(runs[4].scenarioJson, "run4");
    EXPECT_EQ(sc.seed, 2u);
    ASSERT_TRUE(sc.scheduler.has_value());
    EXPECT_EQ(sc.scheduler->policy, "ecmp");
    EXPECT_EQ(sc.topology.leaves, 2u);
    EXPECT_EQ(sc.jobs.size(), 2u);
    EXPECT_EQ(sc.jobs[0].iterations, 2u);
    EXPECT_EQ(runs[4].values,
              (std::vector<std::pair<std::string, std::string>>{{"scheduler.policy", "\"ecmp\""},
                                                                {"seed", "2"}}));
}

TEST(SweepSpecTest, RunKeysAreStableAcrossFormattingAndAxisOrder)
{
    // Same sweep: other key order, whitespace and comments; the keys must not change.
    const SweepSpec a =
        ParseSweep(Sweep(R"(, "axes": {"seed": [1, 2], "scheduler.policy": ["vclos", "ecmp"]})"),
                   "a.json");
    const SweepSpec b = ParseSweep(R"({ // comment
        "axes": {"scheduler.policy": ["vclos", "ecmp"], "seed": [1, 2]},
        "base": {"seed": 1, "name": "tiny", "jobs": [
            {"n_gpus": 4, "name": "a", "collective": "ring", "bytes": 4096, "iterations": 2},
            {"collective": "ring", "name": "b", "n_gpus": 2, "bytes": 4096}],
          "scheduler": {"policy": "vclos"},
          "topology": {"spines": 2, "leaves": 2, "gpus_per_leaf": 4}}})",
                                   "b.json");
    EXPECT_EQ(a.baseHash, b.baseHash);
    const auto ra = ExpandSweep(a);
    const auto rb = ExpandSweep(b);
    ASSERT_EQ(ra.size(), rb.size());
    for (std::size_t i = 0; i < ra.size(); ++i)
    {
        EXPECT_EQ(ra[i].key, rb[i].key);
        EXPECT_EQ(ra[i].scenarioJson, rb[i].scenarioJson);
    }
    // The base hash is the short hash of the canonical base: a pinned value (FNV-1a), so a
    // change of the hash or of the canonical form (which would rename every run) fails here.
    EXPECT_EQ(ShortHash(""), "4fd0bfc1");  // 0xcbf29ce4 ^ 0x84222325 (FNV-1a offset basis)
    EXPECT_EQ(ShortHash("a"), "296230c0"); // 0xaf63dc4c ^ 0x8601ec8c
}

TEST(SweepSpecTest, ABaseChangeChangesEveryKeyAndSetIsPartOfTheBase)
{
    const SweepSpec a = ParseSweep(Sweep(R"(, "axes": {"seed": [1, 2]})"), "a.json");
    const SweepSpec b =
        ParseSweep(Sweep(R"(, "set": {"level": "flow"}, "axes": {"seed": [1, 2]})"), "b.json");
    EXPECT_NE(a.baseHash, b.baseHash);
    const auto rb = ExpandSweep(b);
    EXPECT_EQ(ParseScenario(rb[0].scenarioJson, "r").level, "flow");
    // "set" equal to writing the value in the base: the same hash
    std::string inlined = kBase;
    inlined.insert(1, "\"level\": \"flow\", ");
    const SweepSpec c =
        ParseSweep("{\"base\": " + inlined + ", \"axes\": {\"seed\": [1, 2]}}", "c.json");
    EXPECT_EQ(b.baseHash, c.baseHash);
}

TEST(SweepSpecTest, ZippedKeysVaryTogether)
{
    const SweepSpec s = ParseSweep(Sweep(R"(, "axes": {"seed": [7, 8]},
        "zip": [{"jobs.0.iterations": [1, 3, 5], "jobs.1.bytes": [1024, 2048, 4096]}])"),
                                   "sw.json");
    const auto runs = ExpandSweep(s);
    ASSERT_EQ(runs.size(), 6u); // 3 zipped steps x 2 seeds
    EXPECT_EQ(runs[0].key, s.baseHash + "-jobs.0.iterations=1-jobs.1.bytes=1024-seed=7");
    EXPECT_EQ(runs[5].key, s.baseHash + "-jobs.0.iterations=5-jobs.1.bytes=4096-seed=8");
    const Scenario sc = ParseScenario(runs[3].scenarioJson, "r");
    EXPECT_EQ(sc.jobs[0].iterations, 3u);
    EXPECT_EQ(sc.jobs[1].bytes, 2048u);
    EXPECT_EQ(sc.seed, 8u);
}

TEST(SweepSpecTest, UnreadableValuesAreHashedAndKeysStayDistinct)
{
    const SweepSpec s = ParseSweep(
        Sweep(
            R"(, "axes": {"description": ["a b", "a/b", "x", "0123456789012345678901234567890123456789X"]})"),
        "sw.json");
    const auto runs = ExpandSweep(s);
    std::set<std::string> keys;
    for (const auto& r : runs)
    {
        keys.insert(r.key);
        EXPECT_EQ(r.key.find('/'), std::string::npos) << r.key;
        EXPECT_EQ(r.key.find(' '), std::string::npos) << r.key;
    }
    EXPECT_EQ(keys.size(), 4u);
    EXPECT_EQ(runs[0].key, s.baseHash + "-description=h" + ShortHash("\"a b\""));
    EXPECT_EQ(runs[2].key, s.baseHash + "-description=x");
    EXPECT_EQ(runs[3].key.find("0123"), std::string::npos); // 41 bytes: hashed
}

TEST(SweepSpecTest, SeedsIsAnotherNameOfSeed)
{
    const SweepSpec s = ParseSweep(Sweep(R"(, "axes": {"seeds": [3, 4]})"), "sw.json");
    const auto runs = ExpandSweep(s);
    EXPECT_EQ(runs[1].key, s.baseHash + "-seed=4");
    EXPECT_EQ(ParseScenario(runs[1].scenarioJson, "r").seed, 4u);
    ExpectError(Sweep(R"(, "axes": {"seeds": [3], "seed": [4]})"), {"another name"});
}

TEST(SweepSpecTest, NoAxesIsOneRun)
{
    const SweepSpec s = ParseSweep(Sweep(""), "sw.json");
    const auto runs = ExpandSweep(s);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].key, s.baseHash);
}

TEST(SweepSpecTest, BaseFileAndRelativeTraceAreResolvedBesideTheBase)
{
    const std::string root = VCLOS_SOURCE_DIR;
    const SweepSpec s = LoadSweepFile(root + "/scenarios/sweeps/policies-seeds-32gpu.json");
    EXPECT_EQ(SweepRunCount(s), 24u);
    EXPECT_EQ(s.baseSource, root + "/scenarios/trace-small-32gpu.json");
    const auto runs = ExpandSweep(s);
    const Scenario sc = ParseScenario(runs[0].scenarioJson, "/elsewhere/run.json");
    ASSERT_TRUE(sc.trace.has_value());
    EXPECT_EQ(sc.trace->selection.file, root + "/scenarios/traces/small-32gpu.csv");
    EXPECT_EQ(sc.level, "flow");
    std::set<std::string> keys;
    for (const auto& r : runs)
    {
        keys.insert(r.key);
    }
    EXPECT_EQ(keys.size(), 24u);
}

TEST(SweepSpecTest, HostileInputIsRejectedWithFileKeyAndRange)
{
    ExpectError("", {"sw.json"});
    ExpectError("[1]", {"sw.json", "expected a JSON object"});
    ExpectError("{\"axes\": {}}", {"sw.json", "base", "missing"});
    ExpectError("{\"base\": 3}", {"base", "file path or an inline scenario object"});
    ExpectError(Sweep(", \"extra\": 1"), {"extra", "unknown key"});
    ExpectError(Sweep(", \"axes\": []"), {"axes", "expected an object"});
    ExpectError(Sweep(R"(, "axes": {"seed": 3})"),
                {"axes[\"seed\"]", "expected a list of 1..10000 values, got a number"});
    ExpectError(Sweep(R"(, "axes": {"seed": []})"), {"axes[\"seed\"]", "a list of 0"});
    ExpectError(Sweep(R"(, "axes": {"seed": [1, 2, 1]})"),
                {"axes[\"seed\"][2]", "like entry 0", "distinct"});
    ExpectError(Sweep(R"(, "axes": {"seed": [1, "1"]})"), {"axes[\"seed\"][1]", "distinct"});
    ExpectError(Sweep(R"(, "axes": {"a..b": [1]})"), {"axes[\"a..b\"]", "dotted scenario key"});
    ExpectError(Sweep(R"(, "axes": {"a b": [1]})"), {"axes[\"a b\"]", "dotted scenario key"});
    ExpectError(Sweep(R"(, "axes": {"a.b.c.d.e.f.g.h.i": [1]})"), {"at most 8 components"});
    ExpectError(Sweep(R"(, "axes": {"seed.x": [1]})"),
                {"axes[\"seed.x\"]", "\"seed\" is a number in the base scenario"});
    ExpectError(Sweep(R"(, "axes": {"jobs.2.iterations": [1]})"),
                {"axes[\"jobs.2.iterations\"]", "\"jobs\" has 2 entries", "0..2 (exclusive)"});
    ExpectError(Sweep(R"(, "axes": {"jobs.x": [1]})"), {"expected an index"});
    ExpectError(
        Sweep(
            R"(, "set": {"scheduler": {"policy": "ecmp"}}, "axes": {"scheduler.policy": ["vclos"]})"),
        {"axes[\"scheduler.policy\"]", "overlaps \"scheduler\"", "set[\"scheduler\"]"});
    ExpectError(
        Sweep(R"(, "zip": [{"seed": [1, 2], "scheduler.policy": ["vclos"]}])"),
        {"zip[0][\"seed\"]", "one length", "\"scheduler.policy\" has 1 values, this one 2"});
    ExpectError(Sweep(R"(, "zip": [{}])"), {"zip[0]", "empty object"});
    // Values the scenario parser refuses: file, run, key and the scenario's own range.
    ExpectError(
        Sweep(R"(, "axes": {"seed": [1, 0]})"),
        {"sw.json", "run ", "seed=0", "seed = 0", "invalid scenario", "seed", "4294944442"});
    ExpectError(Sweep(R"(, "axes": {"scheduler.policy": ["vclos", "best"]})"),
                {"scheduler.policy=best", "unknown policy", "random-ecmp"});
    // Duplicate keys and deep nesting are refused before anything is built.
    ExpectError(R"({"base": {}, "base": {}})", {"duplicate key"});
    ExpectError(std::string(100, '[') + std::string(100, ']'), {"nested deeper than 64"});
    ExpectError(Sweep(R"(, "axes": {"seed": [1e400]})"), {"out of the range of a double"});
    // A missing base file names the sweep's "base" and the file.
    ExpectError("{\"base\": \"no-such-file.json\"}", {"sw.json: base: ", "no-such-file.json"});
}

TEST(SweepSpecTest, LimitsAreEnforcedBeforeExpanding)
{
    // kMaxSweepRuns exactly is accepted (not expanded here), one axis more is refused.
    auto list = [](std::size_t n) {
        std::string s = "[";
        for (std::size_t i = 0; i < n; ++i)
        {
            s += (i ? "," : "") + std::to_string(i + 1);
        }
        return s + "]";
    };
    // 100 x 1000 = 100000 runs: at the limit
    const SweepSpec ok = ParseSweep(Sweep(", \"axes\": {\"seed\": " + list(1000) +
                                          ", \"jobs.0.iterations\": " + list(100) + "}"),
                                    "sw.json");
    EXPECT_EQ(SweepRunCount(ok), kMaxSweepRuns);
    ExpectError(Sweep(", \"axes\": {\"seed\": " + list(1000) +
                      ", \"jobs.0.iterations\": " + list(101) + "}"),
                {"axes", "more than 100000 runs", "split the sweep"});
    // Huge products are refused without overflow (16 axes of 10000 values each would be
    // 10^64 runs).
    std::string many = ", \"axes\": {";
    for (int i = 0; i < 16; ++i)
    {
        many +=
            std::string(i ? "," : "") + "\"description" + std::to_string(i) + "\": " + list(10000);
    }
    ExpectError(Sweep(many + "}"), {"more than 100000 runs"});
    ExpectError(Sweep(", \"axes\": {\"seed\": " + list(10001) + "}"),
                {"axes[\"seed\"]", "1..10000 values", "a list of 10001"});
    // 17 varied keys
    std::string keys = ", \"axes\": {";
    for (int i = 0; i < 17; ++i)
    {
        keys += std::string(i ? "," : "") + "\"x" + std::to_string(i) + "\": [1]";
    }
    ExpectError(Sweep(keys + "}"), {"at most 16 keys"});
    // A run key longer than 200 bytes
    std::string longKeys = ", \"axes\": {";
    for (int i = 0; i < 6; ++i)
    {
        longKeys += std::string(i ? "," : "") + "\"x" + std::string(30, 'a' + i) + "\": [1]";
    }
    ExpectError(Sweep(longKeys + "}"), {"run keys would have up to", "at most 200"});
}
