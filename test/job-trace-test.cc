/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Tests of the job trace reader, the selection (first/count/scale/clip) and the generator
// (pure code, no ns-3 needed).

#include "ns3/job-trace.h"
#include "ns3/trace-generator.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <string>
#include <vector>

using namespace ns3::vclos;

namespace
{

const std::string kShipped =
    std::string(VCLOS_SOURCE_DIR) + "/scenarios/traces/paper-8192gpu-5000jobs.csv";

/// Expect a TraceError whose message starts with "src:line:column: " and contains fragment.
::testing::AssertionResult
FailsAt(const std::string& text, uint64_t line, uint64_t column, const std::string& fragment)
{
    try
    {
        ParseJobTrace(text, "t.csv");
    }
    catch (const TraceError& e)
    {
        const std::string what = e.what();
        const std::string prefix =
            "t.csv:" + std::to_string(line) + ":" + std::to_string(column) + ": ";
        if (what.rfind(prefix, 0) != 0 || what.find(fragment) == std::string::npos)
        {
            return ::testing::AssertionFailure()
                   << "message '" << what << "' lacks '" << prefix << "' or '" << fragment << "'";
        }
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "no TraceError";
}

TEST(JobTrace, ShippedTraceParsesExactly)
{
    const std::vector<TraceJob> jobs = ReadJobTrace(kShipped);
    ASSERT_EQ(jobs.size(), 5000U);
    // Row 0, by hand: 85.59505790652615 Gbit x 1.25e8 = 10699382238.31... bytes.
    const TraceJob& j0 = jobs[0];
    EXPECT_EQ(j0.id, 0U);
    EXPECT_EQ(j0.line, 2U);
    EXPECT_EQ(j0.arrivalS, 163.8635888565072);
    EXPECT_EQ(j0.gpus, 512U);
    EXPECT_EQ(j0.computeTotalS, 652.3000000000001);
    EXPECT_EQ(j0.computePerIterationS, 652.3000000000001);
    EXPECT_EQ(j0.iterations, 1U);
    EXPECT_EQ(j0.bytes, 10699382238U);
    EXPECT_EQ(j0.collective, "all2all_pairwise");
    EXPECT_EQ(j0.model, "Pangu");
    EXPECT_EQ(j0.uncontendedS, 1000.0);
    EXPECT_EQ(j0.commRatio, 0.34769999999999995);
    // Rows 1, 2 and the last: 33368.12930166206 Gbit = 4171016162707.7575 bytes;
    // 295.54380660501494 Gbit = 36942975825.626... bytes; 6840.14462778988 Gbit =
    // 855018078473.735 bytes.
    EXPECT_EQ(jobs[1].bytes, 4171016162708U);
    EXPECT_EQ(jobs[1].collective, "halving_doubling");
    EXPECT_EQ(jobs[1].model, "VGG16_16");
    EXPECT_EQ(jobs[2].bytes, 36942975826U);
    EXPECT_EQ(jobs[4999].id, 4999U);
    EXPECT_EQ(jobs[4999].line, 5001U);
    EXPECT_EQ(jobs[4999].arrivalS, 1222867.370009057);
    EXPECT_EQ(jobs[4999].bytes, 855018078474U);
    EXPECT_EQ(jobs[4999].gpus, 64U);
    EXPECT_EQ(jobs[4999].collective, "ring");
    // Totals computed independently (exact decimal arithmetic in Python) from the CSV.
    uint64_t gpus = 0;
    uint64_t bytes = 0;
    std::map<std::string, uint32_t> collectives;
    for (const auto& j : jobs)
    {
        gpus += j.gpus;
        bytes += j.bytes;
        ++collectives[j.collective];
        EXPECT_EQ(j.iterations, 1U);
    }
    EXPECT_EQ(gpus, 1255536U);
    EXPECT_EQ(bytes, 41110098210519747U);
    EXPECT_EQ(collectives["halving_doubling"], 2504U);
    EXPECT_EQ(collectives["all2all_pairwise"], 1434U);
    EXPECT_EQ(collectives["ring"], 1062U);
}

TEST(JobTrace, ShippedSmallTraces)
{
    // paper-first80-512gpu.csv: the first 80 jobs with n_gpus / 16 (at least 1), all else equal
    const auto full = ReadJobTrace(kShipped);
    const auto small =
        ReadJobTrace(std::string(VCLOS_SOURCE_DIR) + "/scenarios/traces/paper-first80-512gpu.csv");
    ASSERT_EQ(small.size(), 80U);
    uint32_t maxGpus = 0;
    for (size_t i = 0; i < small.size(); ++i)
    {
        EXPECT_EQ(small[i].gpus, std::max(1U, full[i].gpus / 16)) << i;
        EXPECT_EQ(small[i].arrivalS, full[i].arrivalS) << i;
        EXPECT_EQ(small[i].bytes, full[i].bytes) << i;
        EXPECT_EQ(small[i].computeTotalS, full[i].computeTotalS) << i;
        EXPECT_EQ(small[i].collective, full[i].collective) << i;
        EXPECT_EQ(small[i].model, full[i].model) << i;
        EXPECT_EQ(small[i].uncontendedS, full[i].uncontendedS) << i;
        maxGpus = std::max(maxGpus, small[i].gpus);
    }
    EXPECT_EQ(maxGpus, 32U);
    const auto s32 =
        ReadJobTrace(std::string(VCLOS_SOURCE_DIR) + "/scenarios/traces/small-32gpu.csv");
    ASSERT_EQ(s32.size(), 20U);
    uint64_t bytes = 0;
    for (const auto& j : s32)
    {
        EXPECT_LE(j.gpus, 16U);
        bytes += j.bytes;
    }
    EXPECT_EQ(s32[19].arrivalS, 0.0095);
    EXPECT_EQ(s32[2].bytes, 393216U); // 3 MiB / 8 GPUs (all2all_pairwise)
    EXPECT_EQ(bytes, 39321600U);      // 37.5 MiB, by hand from the 20 rows
}

TEST(JobTrace, ExactGbitRounding)
{
    const std::string h = std::string(kPaperTraceHeader) + "\n";
    auto bytesOf = [&h](const std::string& gbit) {
        return ParseJobTrace(h + "0,0,8,1,1,1," + gbit + ",ring,m,1,0", "t").at(0).bytes;
    };
    EXPECT_EQ(bytesOf("1e-8"), 1U);           // 1.25 bytes
    EXPECT_EQ(bytesOf("1.2e-8"), 2U);         // 1.5 bytes: halves up
    EXPECT_EQ(bytesOf("0.000000011999"), 1U); // 1.499875 bytes
    EXPECT_EQ(bytesOf("72057594.037927936"), 1ULL << 53);
    EXPECT_EQ(bytesOf("8E0"), 1000000000U);
    EXPECT_EQ(bytesOf("0.0000000200"), 3U); // 2.5 bytes: halves up
    EXPECT_TRUE(FailsAt(h + "0,0,8,1,1,1,72057594.037927945,ring,m,1,0",
                        2,
                        13,
                        "effective_model_size_gbit"));
}

struct Hostile
{
    const char* name;
    std::string text;
    uint64_t line;
    uint64_t column;
    std::string fragment;
};

/// Header, one good job (line 2), then a job (line 3) with field k replaced.
std::string
PaperWith(int k, const std::string& value)
{
    // field columns of this line: 1 3 7 9 13 15 18 23 28 36 40
    std::vector<std::string>
        f{"1", "2.5", "8", "100", "1", "10", "12.5", "ring", "VGG16_4", "120", "0.1"};
    f[k] = value;
    std::string line;
    for (const auto& x : f)
    {
        line += (line.empty() ? "" : ",") + x;
    }
    return std::string(kPaperTraceHeader) + "\r\n0,1.5,8,100,1,10,12.5,ring,VGG16_4,120,0.1\r\n" +
           line + "\r\n";
}

TEST(JobTrace, HostileLines)
{
    const std::string own = std::string(kOwnTraceHeaderBytes) + "\n";
    const std::vector<Hostile> cases{
        {"gpus0", PaperWith(2, "0"), 3, 7, "n_gpus: expected an integer in 1..16777214"},
        {"gpusHuge", PaperWith(2, "16777215"), 3, 7, "n_gpus: expected an integer in 1..16777214"},
        {"gpusNeg", PaperWith(2, "-8"), 3, 7, "n_gpus: expected an integer"},
        {"gpusReal", PaperWith(2, "8.0"), 3, 7, "got '8.0'"},
        {"gpusOverflow", PaperWith(2, "99999999999999999999999"), 3, 7, "n_gpus"},
        {"compText", PaperWith(3, "abc"), 3, 9, "comp_time_s: expected a decimal number"},
        {"compNeg", PaperWith(3, "-1"), 3, 9, "comp_time_s: must not be negative"},
        {"compNaN", PaperWith(3, "nan"), 3, 9, "NaN and infinity are not allowed"},
        {"compInf", PaperWith(3, "-Infinity"), 3, 9, "NaN and infinity are not allowed"},
        {"compOverflow", PaperWith(3, "1e999"), 3, 9, "out of the range of a double"},
        {"compUnderflow", PaperWith(3, "1e-999"), 3, 9, "out of the range of a double"},
        {"compHex", PaperWith(3, "0x10"), 3, 9, "expected a decimal number"},
        {"compSpace", PaperWith(3, " 100"), 3, 9, "expected a decimal number"},
        {"compEmpty", PaperWith(3, ""), 3, 9, "expected a decimal number"},
        {"compDot", PaperWith(3, "."), 3, 9, "expected a decimal number"},
        {"compExp", PaperWith(3, "1e"), 3, 9, "expected a decimal number"},
        {"compTooLong", PaperWith(3, "2e9"), 3, 9, "<= 1000000000"},
        {"iter0", PaperWith(4, "0"), 3, 13, "iterations: expected an integer in 1..4294967295"},
        {"iterHuge", PaperWith(4, "4294967296"), 3, 13, "iterations"},
        {"sizeNeg", PaperWith(5, "-3"), 3, 15, "model_size_gbit: must not be negative"},
        {"eff0", PaperWith(6, "0"), 3, 18, "effective_model_size_gbit: expected a number > 0"},
        {"effTiny", PaperWith(6, "1e-9"), 3, 18, "below 1 bytes"},
        {"effHuge", PaperWith(6, "72057594.04"), 3, 18, "effective_model_size_gbit"},
        {"effDigits",
         PaperWith(6, "1.0000000000000000000000000000000000001"),
         3,
         18,
         "more than 36 significant digits"},
        {"collective", PaperWith(7, "allreduce"), 3, 23, "unknown algorithm 'allreduce'"},
        {"modelEmpty", PaperWith(8, ""), 3, 28, "model_name: expected 1..256"},
        {"modelSpace", PaperWith(8, "a b"), 3, 28, "model_name"},
        {"modelCtl", PaperWith(8, "a\tb"), 3, 28, "'a\\x09b'"},
        {"ratio", PaperWith(10, "1.5"), 3, 40, "comm_ratio: expected a number >= 0 and <= 1"},
        {"taskidRepeat", PaperWith(0, "0"), 3, 1, "taskids must increase"},
        {"arrivalBack", PaperWith(1, "1.4"), 3, 3, "before the previous job's 1.5 s (line 2)"},
        {"extraField", PaperWith(10, "0.1,x"), 3, 44, "expected 11 fields, found 12"},
        {"missingFields",
         std::string(kPaperTraceHeader) + "\n1,2.5,8\n",
         2,
         8,
         "expected 11 fields, found 3"},
        {"quoted", PaperWith(1, "\"2.5\""), 3, 3, "quoted fields are not supported"},
        {"headerTypo",
         "taskid,arrival,n_gpus\n",
         1,
         8,
         "unknown header: expected column 'arrival_s' here"},
        {"headerUnknown", "foo,bar\n", 1, 1, "unknown header"},
        {"headerShort",
         "arrival_s,gpus,collective,iterations,compute_s\n",
         1,
         47,
         "expected column 'bytes'"},
        {"headerLong", own.substr(0, own.size() - 1) + ",extra\n", 1, 54, "extra column"},
        {"empty", "", 1, 1, "empty trace: expected a header line"},
        {"onlyComment", "# nothing\n\n", 3, 1, "empty trace"},
        {"headerOnly", own + "# no jobs\n", 3, 1, "no jobs"},
        {"ownBytes0", own + "0,8,ring,1,0.5,0\n", 2, 16, "bytes: expected an integer in 1.."},
        {"ownBytesHuge", own + "0,8,ring,1,0.5,9007199254740993\n", 2, 16, "bytes"},
        {"ownComputeTimesIterations",
         own + "0,8,ring,4294967295,1\n",
         2,
         22,
         "expected 6 fields, found 5"},
        {"ownTotalCompute", own + "0,8,ring,4294967295,1,10\n", 2, 21, "compute time x iterations"},
        {"ownModel",
         std::string(kOwnTraceHeaderModel) + "\n# c\n0,8,ring,1,nosuchmodel\n",
         3,
         12,
         "model: unknown model 'nosuchmodel'; expected one of"},
        {"ownCollective", own + "0,8,all-to-all,1,0.5,10\n", 2, 5, "unknown algorithm"},
    };
    for (const auto& c : cases)
    {
        EXPECT_TRUE(FailsAt(c.text, c.line, c.column, c.fragment)) << c.name;
    }
}

TEST(JobTrace, Boundaries)
{
    // the largest GPU count, a zero compute time, comm ratio 0 and 1, equal arrivals
    const auto jobs = ParseJobTrace(PaperWith(2, "16777214") + "2,2.5,8,0,1,1,1,ring,m,1,1\n" +
                                        "3,2.5,8,0,1,1,1,ring,m,1,0\n",
                                    "t");
    ASSERT_EQ(jobs.size(), 4U);
    EXPECT_EQ(jobs[1].gpus, 16777214U);
    EXPECT_EQ(jobs[2].computeTotalS, 0.0);
    EXPECT_EQ(jobs[2].commRatio, 1.0);
    EXPECT_EQ(jobs[3].arrivalS, 2.5);
    EXPECT_EQ(jobs[3].line, 5U);
}

TEST(JobTrace, OwnFormats)
{
    const std::string bytesText = "# my trace\r\n" + std::string(kOwnTraceHeaderBytes) +
                                  "\r\n\r\n0,4,all2all_pairwise,3,0.25,1048576\r\n"
                                  "# comment\r\n1.5,32,halving_doubling,10,2e-3,9007199254740992";
    const auto a = ParseJobTrace(bytesText, "own");
    ASSERT_EQ(a.size(), 2U);
    EXPECT_EQ(a[0].id, 0U);
    EXPECT_EQ(a[0].line, 4U);
    EXPECT_EQ(a[0].gpus, 4U);
    EXPECT_EQ(a[0].collective, "all2all_pairwise");
    EXPECT_EQ(a[0].iterations, 3U);
    EXPECT_EQ(a[0].computePerIterationS, 0.25);
    EXPECT_EQ(a[0].computeTotalS, 0.75);
    EXPECT_EQ(a[0].bytes, 1048576U);
    EXPECT_FALSE(a[0].uncontendedS.has_value());
    EXPECT_FALSE(a[0].commRatio.has_value());
    EXPECT_EQ(a[0].model, "");
    EXPECT_EQ(a[1].id, 1U);
    EXPECT_EQ(a[1].line, 6U);
    EXPECT_EQ(a[1].arrivalS, 1.5);
    EXPECT_EQ(a[1].bytes, 9007199254740992U);
    EXPECT_EQ(a[1].computePerIterationS, 0.002);

    const auto b =
        ParseJobTrace(std::string(kOwnTraceHeaderModel) + "\n7,16,ring,2,resnet50\n", "own");
    ASSERT_EQ(b.size(), 1U);
    EXPECT_EQ(b[0].model, "resnet50");
    EXPECT_EQ(b[0].bytes, 4U * 25557032U); // fp32 gradients of 25,557,032 parameters
    EXPECT_EQ(b[0].computePerIterationS, 256.0 / 1200.0);
    EXPECT_EQ(b[0].computeTotalS, 2 * (256.0 / 1200.0));
    EXPECT_EQ(b[0].arrivalS, 7.0);
}

TEST(JobTrace, FileErrors)
{
    try
    {
        ReadJobTrace("/nonexistent/trace.csv");
        FAIL();
    }
    catch (const TraceError& e)
    {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/trace.csv: cannot open"),
                  std::string::npos);
    }
    const std::string big(kMaxTraceFileBytes + 1, '#');
    try
    {
        ParseJobTrace(big, "big.csv");
        FAIL();
    }
    catch (const TraceError& e)
    {
        EXPECT_NE(std::string(e.what()).find("big.csv: 67108865 bytes; a trace has at most"),
                  std::string::npos);
    }
}

/// Three jobs: arrivals 10, 20, 40 s; 3 iterations of 2 s; bytes 1000, 3, 1001.
std::vector<TraceJob>
Three()
{
    return ParseJobTrace(std::string(kOwnTraceHeaderBytes) +
                             "\n10,8,ring,3,2,1000\n20,8,ring,3,2,3\n40,8,ring,3,2,1001\n",
                         "three");
}

TEST(TraceSelection, FirstCountScaleClip)
{
    TraceSelection sel;
    sel.first = 1;
    sel.count = 2;
    sel.scale = 0.5;
    auto s = ApplyTraceSelection(Three(), sel, "three");
    ASSERT_EQ(s.size(), 2U);
    EXPECT_EQ(s[0].id, 1U);
    EXPECT_EQ(s[0].arrivalS, 0.0);
    EXPECT_EQ(s[1].arrivalS, 10.0); // (40 - 20) x 0.5
    EXPECT_EQ(s[0].computeTotalS, 3.0);
    EXPECT_EQ(s[0].computePerIterationS, 1.0);
    EXPECT_EQ(s[0].bytes, 2U);   // 1.5 rounds half away from zero
    EXPECT_EQ(s[1].bytes, 501U); // 500.5
    EXPECT_EQ(s[0].clipFactor, 1.0);

    sel.maxDurationS = 2; // D = compute total 3 s > 2 s: f = 2/3
    s = ApplyTraceSelection(Three(), sel, "three");
    EXPECT_DOUBLE_EQ(s[0].computeTotalS, 2.0);
    EXPECT_DOUBLE_EQ(s[0].computePerIterationS, 2.0 / 3.0);
    EXPECT_EQ(s[0].bytes, 1U);   // 2 x 2/3 = 1.33
    EXPECT_EQ(s[1].bytes, 334U); // 501 x 2/3 = 334
    EXPECT_DOUBLE_EQ(s[1].clipFactor, 2.0 / 3.0);
    EXPECT_EQ(s[1].arrivalS, 10.0);
    EXPECT_EQ(s[1].iterations, 3U);

    sel.maxDurationS = 3; // not above: unchanged
    s = ApplyTraceSelection(Three(), sel, "three");
    EXPECT_EQ(s[1].bytes, 501U);
    EXPECT_EQ(s[1].clipFactor, 1.0);

    // all jobs by default, unchanged
    s = ApplyTraceSelection(Three(), TraceSelection{}, "three");
    ASSERT_EQ(s.size(), 3U);
    EXPECT_EQ(s[2].arrivalS, 30.0);
    EXPECT_EQ(s[2].bytes, 1001U);
}

TEST(TraceSelection, ClipUsesUncontendedTime)
{
    // compute 100 s of an uncontended 120 s; clip to 60 s: f = 0.5
    TraceSelection sel;
    sel.maxDurationS = 60;
    const auto s = ApplyTraceSelection(
        ParseJobTrace(std::string(kPaperTraceHeader) + "\n5,3,8,100,4,1,8e-6,ring,m,120,0.2\n",
                      "p"),
        sel,
        "p");
    ASSERT_EQ(s.size(), 1U);
    EXPECT_EQ(s[0].bytes, 500U); // 8e-6 Gbit = 1000 bytes
    EXPECT_EQ(s[0].computeTotalS, 50.0);
    EXPECT_EQ(s[0].computePerIterationS, 12.5);
    EXPECT_EQ(s[0].uncontendedS, 60.0);
    EXPECT_EQ(s[0].commRatio, 0.2);
    EXPECT_EQ(s[0].clipFactor, 0.5);
    EXPECT_EQ(s[0].id, 5U);
}

TEST(TraceSelection, Errors)
{
    auto fails = [](TraceSelection sel, const std::string& fragment) {
        try
        {
            ApplyTraceSelection(Three(), sel, "three");
        }
        catch (const TraceError& e)
        {
            return std::string(e.what()).find(fragment) != std::string::npos;
        }
        return false;
    };
    TraceSelection s;
    s.first = 3;
    EXPECT_TRUE(fails(s, "three: trace.first: 3 is past the last job"));
    s = {};
    s.count = 0;
    EXPECT_TRUE(fails(s, "trace.count: expected 1..3"));
    s = {};
    s.first = 1;
    s.count = 3;
    EXPECT_TRUE(fails(s, "trace.count: expected 1..2 (jobs from 1 on), got 3"));
    for (double bad : {0.0, -1.0, std::nan(""), HUGE_VAL})
    {
        s = {};
        s.scale = bad;
        EXPECT_TRUE(fails(s, "trace.scale: expected a finite number > 0")) << bad;
    }
    for (double bad : {-1.0, std::nan(""), HUGE_VAL})
    {
        s = {};
        s.maxDurationS = bad;
        EXPECT_TRUE(fails(s, "trace.max_duration_s")) << bad;
    }
    s = {};
    s.scale = 0.1; // job 1 has 3 bytes: 0.3 rounds to 0
    EXPECT_TRUE(fails(s, "trace.scale: job 1 (line 3) would carry 3 x 0.10000000000000001"));
    s = {};
    s.maxDurationS = 1e-3; // job 1: 3 x 1/6000 bytes
    EXPECT_TRUE(fails(s, "trace.max_duration_s: job 0"));
}

/// A recipe like the paper's: the shipped trace's size histogram and model mix.
TraceRecipe
PaperLike(uint64_t jobs)
{
    TraceRecipe r;
    r.jobs = jobs;
    r.meanGapS = 241;
    r.sizes = {8, 64, 128, 192, 256, 384, 512};
    r.sizeWeights = {446, 1501, 699, 31, 501, 5, 1817};
    r.durationMeanS = 6000;
    r.durationMinS = 1000;
    r.durationMaxS = 100000;
    r.models = {{"Pangu", 1434, 0.3477, "all2all_pairwise"},
                {"VGG16_4", 1800, 0.25, "halving_doubling"},
                {"ResNet50_32", 1766, 0.05, "ring"}};
    return r;
}

TEST(TraceGenerator, StatisticsFollowTheRecipe)
{
    const uint64_t n = 10000;
    for (uint64_t seed : {1ULL, 2ULL, 12345ULL})
    {
        const TraceRecipe r = PaperLike(n);
        const auto jobs = GenerateJobTrace(r, seed);
        ASSERT_EQ(jobs.size(), n);
        // mean gap: arrivals are cumulative gaps, so the mean gap is the last arrival / n;
        // its standard deviation is 241 / sqrt(n) = 2.41 s: bound at 5 sigma
        const double meanGap = jobs.back().arrivalS / n;
        EXPECT_NEAR(meanGap, r.meanGapS, 5 * r.meanGapS / std::sqrt(n)) << "seed " << seed;
        // sizes: chi-square against the weights, 6 degrees of freedom, p = 0.001 -> 22.458
        std::map<uint32_t, double> observed;
        for (const auto& j : jobs)
        {
            ++observed[j.gpus];
            EXPECT_GE(*j.uncontendedS, r.durationMinS);
            EXPECT_LE(*j.uncontendedS, r.durationMaxS);
            EXPECT_DOUBLE_EQ(j.computeTotalS, *j.uncontendedS * (1 - *j.commRatio));
            EXPECT_GE(j.bytes, 1U);
        }
        double total = 0;
        for (double w : r.sizeWeights)
        {
            total += w;
        }
        double chi2 = 0;
        for (size_t i = 0; i < r.sizes.size(); ++i)
        {
            const double expected = n * r.sizeWeights[i] / total;
            const double d = observed[r.sizes[i]] - expected;
            chi2 += d * d / expected;
        }
        EXPECT_LT(chi2, 22.458) << "seed " << seed;
        EXPECT_EQ(observed.size(), r.sizes.size());
        // the minimum clip holds P(D < 1000) = 1 - exp(-1/6) = 15.35% of the jobs (sd 0.36%)
        uint64_t atMin = 0;
        for (const auto& j : jobs)
        {
            atMin += *j.uncontendedS == r.durationMinS ? 1 : 0;
        }
        EXPECT_NEAR(static_cast<double>(atMin) / n, 1 - std::exp(-1.0 / 6), 5 * 0.0036);
    }
}

TEST(TraceGenerator, BytesFromCommunicationTime)
{
    TraceRecipe r = PaperLike(50);
    r.iterations = 2;
    for (const auto& j : GenerateJobTrace(r, 7))
    {
        const double n = j.gpus;
        const double f = j.collective == "all2all_pairwise" ? n - 1 : 2 * (n - 1) / n;
        const double comm = *j.uncontendedS * *j.commRatio / 2;
        EXPECT_NEAR(static_cast<double>(j.bytes), comm * 100e9 / 8 / f, 0.5001);
        EXPECT_EQ(j.iterations, 2U);
        EXPECT_DOUBLE_EQ(j.computePerIterationS * 2, j.computeTotalS);
    }
}

TEST(TraceGenerator, DeterministicPerSeed)
{
    const TraceRecipe r = PaperLike(500);
    const auto a = GenerateJobTrace(r, 42);
    const auto b = GenerateJobTrace(r, 42);
    const auto c = GenerateJobTrace(r, 43);
    ASSERT_EQ(a.size(), b.size());
    size_t differ = 0;
    for (size_t i = 0; i < a.size(); ++i)
    {
        EXPECT_EQ(a[i].arrivalS, b[i].arrivalS);
        EXPECT_EQ(a[i].gpus, b[i].gpus);
        EXPECT_EQ(a[i].bytes, b[i].bytes);
        EXPECT_EQ(a[i].model, b[i].model);
        EXPECT_EQ(a[i].uncontendedS, b[i].uncontendedS);
        differ += a[i].arrivalS != c[i].arrivalS ? 1 : 0;
    }
    EXPECT_EQ(differ, a.size()); // continuous arrivals: every one differs
}

TEST(TraceGenerator, BadRecipes)
{
    auto bad = [](TraceRecipe r, const std::string& fragment) {
        try
        {
            GenerateJobTrace(r, 1);
        }
        catch (const std::invalid_argument& e)
        {
            return std::string(e.what()).find(fragment) != std::string::npos;
        }
        return false;
    };
    TraceRecipe r = PaperLike(10);
    r.meanGapS = 0;
    EXPECT_TRUE(bad(r, "meanGapS"));
    r = PaperLike(10);
    r.sizeWeights.pop_back();
    EXPECT_TRUE(bad(r, "sizes"));
    r = PaperLike(10);
    r.sizeWeights[2] = -1;
    EXPECT_TRUE(bad(r, "sizeWeights[2]"));
    r = PaperLike(10);
    r.sizes[0] = 0;
    EXPECT_TRUE(bad(r, "sizes"));
    r = PaperLike(10);
    r.durationMinS = 2e5;
    EXPECT_TRUE(bad(r, "durationMinS"));
    r = PaperLike(10);
    r.models[1].collective = "butterfly";
    EXPECT_TRUE(bad(r, "unknown collective 'butterfly'"));
    r = PaperLike(10);
    r.models[0].commRatio = 1;
    EXPECT_TRUE(bad(r, "commRatio"));
    r = PaperLike(10);
    r.models.clear();
    EXPECT_TRUE(bad(r, "models"));
    r = PaperLike(0);
    EXPECT_TRUE(bad(r, "jobs"));
}

} // namespace
