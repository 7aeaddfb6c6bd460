/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The flow level end to end: vclos-sim --level flow against the packet level on the shipped
// 32-GPU trace scenario, and the option's errors.

#include <cmath>
#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace
{

/// Largest |flow JCT - packet JCT| / packet JCT of one job (observed 6.97%: queued jobs start
/// about 2 us earlier at flow level at every earlier release and one job runs 5.2% faster).
constexpr double kMaxJctError = 0.10;
/// Largest mean of |JCT error| over the jobs (observed 2.47%).
constexpr double kMeanJctError = 0.035;
/// Largest |JCT error| of a job that waited at neither level (observed 1.04%).
constexpr double kAloneJctError = 0.015;

/// Exit code and standard error of vclos-sim with \p args.
std::pair<int, std::string>
RunSim(const std::string& args, const std::string& name)
{
    const std::string err = ::testing::TempDir() + "vclos-flow-level-" + name + ".err";
    const std::string cmd =
        std::string(VCLOS_SIM_PROGRAM) + " --quiet " + args + " 2>" + err + " >/dev/null";
    const int status = std::system(cmd.c_str());
    std::ifstream in(err);
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_TRUE(WIFEXITED(status)) << name << ": killed by a signal";
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ss.str()};
}

/// \return the rows of \p sql on \p path, every column as a double (NaN for NULL)
std::vector<std::vector<double>>
Query(const std::string& path, const std::string& sql)
{
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    {
        throw std::runtime_error("cannot open " + path);
    }
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
    {
        const std::string msg = sqlite3_errmsg(db);
        sqlite3_close_v2(db);
        throw std::runtime_error(sql + ": " + msg);
    }
    std::vector<std::vector<double>> rows;
    while (sqlite3_step(st) == SQLITE_ROW)
    {
        std::vector<double> row;
        for (int c = 0; c < sqlite3_column_count(st); ++c)
        {
            row.push_back(sqlite3_column_type(st, c) == SQLITE_NULL ? std::nan("")
                                                                    : sqlite3_column_double(st, c));
        }
        rows.push_back(row);
    }
    sqlite3_finalize(st);
    sqlite3_close_v2(db);
    return rows;
}

TEST(FlowLevel, TraceScenarioAgreesWithThePacketLevelUnderVclos)
{
    const std::string scenario =
        std::string(VCLOS_SOURCE_DIR) + "/scenarios/trace-small-32gpu.json";
    const std::string db = ::testing::TempDir() + "vclos-flow-level.db";
    std::remove(db.c_str());
    ASSERT_EQ(RunSim("--scenario=" + scenario + " --db=" + db, "packet").first, 0);
    ASSERT_EQ(RunSim("--level=flow --scenario=" + scenario + " --db=" + db, "flow").first, 0);
    const auto runs = Query(db, "SELECT run_id, level = 'flow' FROM runs ORDER BY run_id");
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_EQ(runs[0][1], 0);
    EXPECT_EQ(runs[1][1], 1);
    const auto jobs = Query(db,
                            "SELECT p.jct_s, f.jct_s, p.jwt_s, f.jwt_s, f.finish_s FROM jobs p "
                            "JOIN jobs f ON p.job_id = f.job_id AND p.run_id = 1 AND "
                            "f.run_id = 2 ORDER BY p.job_id");
    ASSERT_EQ(jobs.size(), 20u);
    double sum = 0;
    uint32_t alone = 0;
    for (std::size_t j = 0; j < jobs.size(); ++j)
    {
        const double err = std::abs(jobs[j][1] - jobs[j][0]) / jobs[j][0];
        EXPECT_FALSE(std::isnan(jobs[j][4])) << "job " << j << " did not finish at flow level";
        EXPECT_LE(err, kMaxJctError) << "job " << j;
        sum += err;
        if (jobs[j][2] == 0 && jobs[j][3] == 0)
        {
            ++alone;
            EXPECT_LE(err, kAloneJctError) << "job " << j;
        }
    }
    EXPECT_GE(alone, 5u);
    EXPECT_LE(sum / jobs.size(), kMeanJctError);
    std::remove(db.c_str());
}

TEST(FlowLevel, BadLevelIsRejected)
{
    const std::string scenario =
        std::string(VCLOS_SOURCE_DIR) + "/scenarios/trace-small-32gpu.json";
    const std::string db = ::testing::TempDir() + "vclos-flow-level-bad.db";
    const auto [code, err] = RunSim("--level=both --scenario=" + scenario + " --db=" + db, "bad");
    EXPECT_EQ(code, 2);
    EXPECT_NE(err.find("trace-small-32gpu.json: --level: expected \"packet\" or \"flow\", got "
                       "'both'"),
              std::string::npos)
        << err;
    std::remove(db.c_str());
}

} // namespace
