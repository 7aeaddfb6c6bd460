/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Every event scheduler gives identical results (doc/validation.rst): the shipped scenarios
// scenarios/default.json and scenarios/lossless-dcqcn.json run at picosecond resolution with
// ns-3's MapScheduler, vclos's QuadHeapScheduler and TimeWheelScheduler (1 ns buckets, the
// default, and 1 us buckets), and every results table must be identical row for row (in
// insertion order), except the wall-clock columns of the runs table.
//
// At picosecond resolution a 1 ns bucket spans 1000 time steps, so one bucket holds events
// of several timestamps and the wheel must order them inside the bucket; the test asserts
// through the wheel's counter of inserts that went ahead of a later timestamp in their
// bucket that this happened (many times), so the equivalence is not
// the trivial one of one timestamp per bucket (as at nanosecond resolution).
//
// Also: an event inserted in the past of the wheel aborts in every build type.

#include "vclos-test-utils.h"

#include "ns3/quad-heap-scheduler.h"
#include "ns3/scenario-runner.h"
#include "ns3/time-wheel-scheduler.h"

#include <cstdio>
#include <map>
#include <sqlite3.h>
#include <string>
#include <vector>

using namespace ns3;
using namespace vclos_test;

static auto* g_env = ::testing::AddGlobalTestEnvironment(new PicosecondEnvironment);

namespace
{

/// A TimeWheelScheduler that hands its counters to the test when the simulator destroys it.
class ProbedTimeWheel : public TimeWheelScheduler
{
  public:
    static TypeId GetTypeId()
    {
        static TypeId tid = TypeId("ns3::VclosTestProbedTimeWheel")
                                .SetParent<TimeWheelScheduler>()
                                .SetGroupName("Vclos")
                                .AddConstructor<ProbedTimeWheel>();
        return tid;
    }

    ~ProbedTimeWheel() override
    {
        s_earlier = GetEarlierInserts();
    }

    static int64_t s_earlier; //!< last destroyed instance's earlier inserts (-1: none)
};

int64_t ProbedTimeWheel::s_earlier = -1;

/// Rows of every table of a results database, wall-clock columns left out.
using Tables = std::map<std::string, std::vector<std::string>>;

Tables
DumpTables(const std::string& path)
{
    sqlite3* h = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &h, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    auto rows = [h](const std::string& sql) {
        std::vector<std::vector<std::string>> out;
        sqlite3_stmt* st = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
        while (st && sqlite3_step(st) == SQLITE_ROW)
        {
            std::vector<std::string> row;
            for (int i = 0; i < sqlite3_column_count(st); ++i)
            {
                const auto* text = sqlite3_column_text(st, i);
                row.emplace_back(text ? reinterpret_cast<const char*>(text) : "NULL");
            }
            out.push_back(row);
        }
        sqlite3_finalize(st);
        return out;
    };
    Tables tables;
    for (const auto& t :
         rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%';"))
    {
        std::string columns;
        for (const auto& c : rows("PRAGMA table_info(" + t[0] + ");"))
        {
            const std::string& name = c[1];
            if (name == "wall_time_s" || name == "started_utc")
            {
                continue; // wall clock: differs between any two runs
            }
            columns += (columns.empty() ? "" : ", ") + name;
        }
        auto& out = tables[t[0]];
        for (const auto& r : rows("SELECT " + columns + " FROM " + t[0] + " ORDER BY rowid;"))
        {
            std::string line;
            for (const auto& v : r)
            {
                line += v + "|";
            }
            out.push_back(line);
        }
    }
    sqlite3_close(h);
    return tables;
}

/// Run a scenario file with the scheduler \p factory makes into a fresh database.
Tables
RunWith(const std::string& scenarioFile, const ObjectFactory& factory, const std::string& tag)
{
    // One file per scenario and scheduler: ctest runs the two scenario tests in parallel.
    std::string stem = scenarioFile.substr(scenarioFile.rfind('/') + 1);
    stem = stem.substr(0, stem.rfind('.'));
    const std::string db = ::testing::TempDir() + "vclos-sched-" + stem + "-" + tag + ".db";
    std::remove(db.c_str());
    Simulator::Destroy();
    Simulator::SetScheduler(factory);
    const vclos::Scenario s =
        vclos::LoadScenarioFile(std::string(VCLOS_SOURCE_DIR) + "/" + scenarioFile,
                                vclos::CollectiveAlgorithms());
    {
        vclos::ResultsDb results(db);
        ScenarioRunner runner(s);
        const auto sum = runner.Run(&results, nullptr);
        EXPECT_EQ(sum.status, "done") << tag;
        EXPECT_EQ(sum.jobsFinished, s.jobs.size()) << tag;
    }
    Simulator::Destroy();
    Tables t = DumpTables(db);
    for (const char* suffix : {"", "-wal", "-shm"})
    {
        std::remove((db + suffix).c_str());
    }
    return t;
}

/// Expect \p got to equal \p want table by table, row by row; names the first difference.
void
ExpectSameTables(const Tables& want, const Tables& got, const std::string& what)
{
    ASSERT_EQ(want.size(), got.size()) << what;
    for (const auto& [name, rows] : want)
    {
        SCOPED_TRACE(what + ", table " + name);
        ASSERT_EQ(got.count(name), 1u);
        const auto& other = got.at(name);
        EXPECT_EQ(rows.size(), other.size());
        for (std::size_t i = 0; i < std::min(rows.size(), other.size()); ++i)
        {
            if (rows[i] != other[i])
            {
                ADD_FAILURE() << "row " << i << ": " << rows[i] << " vs " << other[i];
                break;
            }
        }
    }
}

void
CheckEquivalence(const std::string& scenarioFile)
{
    ASSERT_EQ(Time::GetResolution(), Time::PS);
    const Tables map = RunWith(scenarioFile, ObjectFactory("ns3::MapScheduler"), "map");
    // The runs are not empty: jobs, iterations, links and flows have rows.
    for (const char* t : {"runs", "jobs", "iterations", "links", "flows", "steps"})
    {
        EXPECT_FALSE(map.count(t) == 0 || map.at(t).empty()) << t;
    }

    ExpectSameTables(map,
                     RunWith(scenarioFile, ObjectFactory("ns3::QuadHeapScheduler"), "quad"),
                     "QuadHeapScheduler");

    for (double widthNs : {1.0, 1000.0})
    {
        ObjectFactory wheel;
        wheel.SetTypeId(ProbedTimeWheel::GetTypeId());
        wheel.Set("BucketWidthNs", DoubleValue(widthNs));
        ProbedTimeWheel::s_earlier = -1;
        const std::string tag = "wheel-" + std::to_string(static_cast<int>(widthNs)) + "ns";
        ExpectSameTables(map, RunWith(scenarioFile, wheel, tag), "TimeWheelScheduler " + tag);
        // The wheel ran (its destructor reported) and sorted events of distinct picosecond
        // timestamps inside one bucket: more than 100,000 inserts went ahead of a later
        // timestamp already in their bucket.
        ::testing::Test::RecordProperty(tag + "_earlier_inserts",
                                        std::to_string(ProbedTimeWheel::s_earlier));
        EXPECT_GT(ProbedTimeWheel::s_earlier, 100000) << tag;
    }
}

} // namespace

TEST_F(SimTest, EverySchedulerGivesIdenticalTablesDefaultScenario)
{
    CheckEquivalence("scenarios/default.json");
}

TEST_F(SimTest, EverySchedulerGivesIdenticalTablesLosslessDcqcnScenario)
{
    CheckEquivalence("scenarios/lossless-dcqcn.json");
}

TEST(TimeWheelSchedulerDeathTest, InsertInThePastAbortsInEveryBuild)
{
    ::testing::FLAGS_gtest_death_test_style = "threadsafe";
    auto pastInsert = []() {
        Ptr<TimeWheelScheduler> w = CreateObject<TimeWheelScheduler>();
        Scheduler::Event ev;
        ev.impl = nullptr;
        ev.key.m_context = 0;
        ev.key.m_uid = 1;
        ev.key.m_ts = 5000000; // 5 us at ps resolution: several buckets in
        w->Insert(ev);
        w->RemoveNext(); // the wheel turns to the event's bucket
        ev.key.m_uid = 2;
        ev.key.m_ts = 1000; // in a bucket the wheel has passed
        w->Insert(ev);
    };
    EXPECT_DEATH(pastInsert(), "before the wheel's current bucket");
}
