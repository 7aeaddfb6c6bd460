/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Flow level against packet level: the error summary and the validation tables.

#include "ns3/level-validation.h"
#include "ns3/results-db.h"

#include <cmath>
#include <cstdio>
#include <gtest/gtest.h>
#include <limits>
#include <sqlite3.h>
#include <string>

using namespace ns3::vclos;

namespace
{

/// \return the rows of \p sql, "a|b" per line
std::string
Rows(const std::string& path, const std::string& sql)
{
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    std::string out;
    while (sqlite3_step(st) == SQLITE_ROW)
    {
        for (int c = 0; c < sqlite3_column_count(st); ++c)
        {
            const auto* t = sqlite3_column_text(st, c);
            out += (c > 0 ? "|" : "") + std::string(t ? reinterpret_cast<const char*>(t) : "NULL");
        }
        out += "\n";
    }
    sqlite3_finalize(st);
    sqlite3_close_v2(db);
    return out;
}

} // namespace

TEST(LevelValidation, SummaryOfErrors)
{
    // |errors| 0.1, 0.2, ..., 1.0 (signs mixed, a NaN skipped): mean 0.55, nearest-rank
    // p50 = 5th = 0.5, p90 = 9th = 0.9, max 1.0.
    std::vector<double> e;
    for (int i = 1; i <= 10; ++i)
    {
        e.push_back((i % 2 ? -0.1 : 0.1) * i);
    }
    e.push_back(std::numeric_limits<double>::quiet_NaN());
    const LevelErrorSummary s = SummarizeLevelErrors("jct", e);
    EXPECT_EQ(s.metric, "jct");
    EXPECT_EQ(s.n, 10u);
    EXPECT_NEAR(s.meanAbs, 0.55, 1e-15);
    EXPECT_DOUBLE_EQ(s.p50Abs, 0.5);
    EXPECT_DOUBLE_EQ(s.p90Abs, 0.9);
    EXPECT_DOUBLE_EQ(s.maxAbs, 1.0);
    // One value: every statistic is it; none: zeros.
    const LevelErrorSummary one = SummarizeLevelErrors("jrt", {-0.25});
    EXPECT_EQ(one.n, 1u);
    EXPECT_DOUBLE_EQ(one.p50Abs, 0.25);
    EXPECT_DOUBLE_EQ(one.p90Abs, 0.25);
    EXPECT_DOUBLE_EQ(one.maxAbs, 0.25);
    EXPECT_EQ(SummarizeLevelErrors("x", {}).n, 0u);
    EXPECT_DOUBLE_EQ(LevelRelativeError(2.0, 2.5), 0.25);
    EXPECT_TRUE(std::isnan(LevelRelativeError(0.0, 1.0)));
    EXPECT_TRUE(std::isnan(LevelRelativeError(std::nan(""), 1.0)));
}

TEST(LevelValidation, TablesCompareTwoRunsJobByJobAndIterationByIteration)
{
    const std::string path = ::testing::TempDir() + "vclos-level-validation.db";
    std::remove(path.c_str());
    ResultsDb db(path);
    RunInfo info;
    info.scenarioName = "v";
    info.level = "packet";
    const int64_t packet = db.BeginRun(info);
    info.level = "flow";
    const int64_t flow = db.BeginRun(info);
    // Job 0: JCT 1.0 / 1.1 s (+10%); job 1: 2.0 / 1.5 s (-25%); job 2 only at packet level.
    auto job = [](uint32_t id, double arrival, double start, double finish) {
        JobRow r;
        r.jobId = id;
        r.name = "j" + std::to_string(id);
        r.gpus = {0, 1};
        r.collective = "ring";
        r.bytes = 1;
        r.iterations = 1;
        r.arrivalS = arrival;
        r.startS = start;
        r.finishS = finish;
        return r;
    };
    db.AddJob(packet, job(0, 0, 0, 1.0));
    db.AddJob(flow, job(0, 0, 0, 1.1));
    db.AddJob(packet, job(1, 0, 1.0, 2.0));
    db.AddJob(flow, job(1, 0, 0.5, 1.5));
    db.AddJob(packet, job(2, 0, 0, 4.0));
    db.AddIteration(packet, IterationRow{0, 0, 0.0, 0.5, 1.0, 0.5});
    db.AddIteration(flow, IterationRow{0, 0, 0.0, 0.5, 0.8, 0.3});
    const std::vector<LevelErrorSummary> s = db.AddValidation(packet, flow);
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[0].metric, "jct");
    EXPECT_EQ(s[0].n, 2u);
    EXPECT_NEAR(s[0].meanAbs, 0.175, 1e-12);
    EXPECT_NEAR(s[0].maxAbs, 0.25, 1e-12);
    EXPECT_EQ(s[1].metric, "jrt"); // JRT 1.0 / 1.1 and 1.0 / 1.0
    EXPECT_NEAR(s[1].maxAbs, 0.1, 1e-12);
    EXPECT_EQ(s[2].metric, "iteration");
    EXPECT_EQ(s[2].n, 1u);
    EXPECT_NEAR(s[2].meanAbs, 0.2, 1e-12);
    EXPECT_EQ(Rows(path,
                   "SELECT metric, job_id, iteration, packet_s, flow_s, ROUND(rel_error, 6) "
                   "FROM validation ORDER BY metric, job_id"),
              "iteration|0|0|1.0|0.8|-0.2\njct|0|-1|1.0|1.1|0.1\njct|1|-1|2.0|1.5|-0.25\n"
              "jrt|0|-1|1.0|1.1|0.1\njrt|1|-1|1.0|1.0|0.0\n");
    EXPECT_EQ(Rows(path,
                   "SELECT packet_run_id, flow_run_id, metric, n, ROUND(p90_abs, 6) FROM "
                   "validation_summary ORDER BY metric"),
              std::to_string(packet) + "|" + std::to_string(flow) + "|iteration|1|0.2\n" +
                  std::to_string(packet) + "|" + std::to_string(flow) + "|jct|2|0.25\n" +
                  std::to_string(packet) + "|" + std::to_string(flow) + "|jrt|2|0.1\n");
    EXPECT_EQ(Rows(path, "PRAGMA user_version"), "9\n");
    std::remove(path.c_str());
}
