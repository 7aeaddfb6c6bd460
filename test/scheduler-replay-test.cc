/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Trace replays at packet level under each placement policy: every job finishes, no GPU
// is given to two jobs at once, released links are reused, no source route outlives its
// job, and (from what the devices transmitted, not from the allocator's books) under
// vclos no link carries packets of two jobs at overlapping times, while under ecmp it does.

#include "vclos-test-utils.h"

#include "ns3/scenario-runner.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sqlite3.h>
#include <sstream>
#include <unistd.h>

using namespace ns3;
using namespace vclos_test;

static auto* g_env = ::testing::AddGlobalTestEnvironment(new PicosecondEnvironment);

namespace
{

using Rows = std::vector<std::vector<std::string>>;

/// \return all rows of \p sql on database \p path, each column as text ("NULL" for NULL)
Rows
Query(const std::string& path, const std::string& sql)
{
    sqlite3* h = nullptr;
    Rows rows;
    if (sqlite3_open_v2(path.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    {
        sqlite3_close(h);
        ADD_FAILURE() << "cannot open " << path;
        return rows;
    }
    auto cb = [](void* o, int n, char** v, char**) {
        std::vector<std::string> row;
        for (int i = 0; i < n; ++i)
        {
            row.emplace_back(v[i] ? v[i] : "NULL");
        }
        static_cast<Rows*>(o)->push_back(row);
        return 0;
    };
    char* err = nullptr;
    if (sqlite3_exec(h, sql.c_str(), cb, &rows, &err) != SQLITE_OK)
    {
        ADD_FAILURE() << sql << ": " << (err ? err : "");
        sqlite3_free(err);
    }
    sqlite3_close(h);
    return rows;
}

/// \return "1,2,3" as numbers
std::vector<uint32_t>
Ids(const std::string& text)
{
    std::vector<uint32_t> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ','))
    {
        if (!item.empty())
        {
            out.push_back(static_cast<uint32_t>(std::stoul(item)));
        }
    }
    return out;
}

/// What a replay left behind.
struct Replay
{
    std::string db;                   //!< results database
    ScenarioRunner::Summary sum;      //!< the run's summary
    std::size_t maxSourceRoutes{0};   //!< most source routes installed at once (probed)
    std::size_t sourceRoutesAtEnd{0}; //!< source routes left in every switch at the end
};

/// Probe the source routes of every switch every 20 us of simulated time.
void
Probe(LeafSpineHelper* topo, std::size_t* most)
{
    std::size_t n = 0;
    for (uint32_t node : topo->GetTopology().GetSwitches())
    {
        n += topo->GetRouting().GetTable(node)->GetNSourceRoutes();
    }
    *most = std::max(*most, n);
    Simulator::Schedule(MicroSeconds(20), &Probe, topo, most);
}

/**
 * Replay a trace on 4 leaves x 8 GPUs, 8 spines (non-blocking), 100 Gbps.
 * \param policy the placement policy
 * \param trace the trace file
 * \param scale its compression factor
 * \param count jobs replayed (0: all)
 * \param tag distinguishes the database file
 * \param network the "network" object ("" for the defaults)
 */
Replay
RunReplay(const std::string& policy,
          const std::string& trace,
          double scale,
          uint32_t count,
          const std::string& tag,
          const std::string& network = "")
{
    std::ostringstream json;
    json << R"({"name": "replay-)" << policy << R"(", "seed": 3, "stop_time_s": 10,
      "topology": {"leaves": 4, "spines": 8, "gpus_per_leaf": 8},
      "scheduler": {"policy": ")"
         << policy << R"("},
      "trace": {"file": ")"
         << trace << R"(", "scale": )" << scale;
    if (count > 0)
    {
        json << R"(, "count": )" << count;
    }
    json << "}";
    if (!network.empty())
    {
        json << R"(, "network": )" << network;
    }
    json << "}";
    const vclos::Scenario s = vclos::ParseScenario(json.str(), "replay.json");
    Replay r;
    r.db = ::testing::TempDir() + "replay-" + tag + "-" + std::to_string(getpid()) + ".db";
    for (const char* suffix : {"", "-wal", "-shm"})
    {
        std::remove((r.db + suffix).c_str());
    }
    {
        vclos::ResultsDb db(r.db);
        ScenarioRunner runner(s);
        runner.Build();
        Simulator::Schedule(MicroSeconds(1), &Probe, &runner.GetTopology(), &r.maxSourceRoutes);
        r.sum = runner.Run(&db, nullptr);
        for (uint32_t node : runner.GetTopology().GetTopology().GetSwitches())
        {
            r.sourceRoutesAtEnd +=
                runner.GetTopology().GetRouting().GetTable(node)->GetNSourceRoutes();
        }
    }
    Simulator::Destroy();
    return r;
}

std::string
SmallTrace()
{
    return std::string(VCLOS_SOURCE_DIR) + "/scenarios/traces/small-32gpu.csv";
}

std::string
BusyTrace()
{
    return std::string(VCLOS_SOURCE_DIR) + "/test/data/busy-32gpu.csv";
}

/// An interval a job held something: [from, to].
struct Hold
{
    double from;  //!< start
    double to;    //!< end
    uint32_t job; //!< job
};

/// \return pairs of holds of different jobs that overlap (touching ends allowed if
///         \p touchingOk), per key
template <typename Key>
std::vector<std::pair<Hold, Hold>>
Overlaps(std::map<Key, std::vector<Hold>>& holds, bool touchingOk)
{
    std::vector<std::pair<Hold, Hold>> out;
    for (auto& [key, list] : holds)
    {
        std::sort(list.begin(), list.end(), [](const Hold& a, const Hold& b) {
            return a.from < b.from;
        });
        for (std::size_t i = 1; i < list.size(); ++i)
        {
            for (std::size_t k = 0; k < i; ++k)
            {
                const bool overlap =
                    touchingOk ? list[k].to > list[i].from : list[k].to >= list[i].from;
                if (overlap && list[k].job != list[i].job)
                {
                    out.emplace_back(list[k], list[i]);
                }
            }
        }
    }
    return out;
}

/// Per fabric-or-other link: the [first_s, last_s] of each job's packets on it.
std::map<uint32_t, std::vector<Hold>>
PacketHolds(const std::string& db, bool fabricOnly)
{
    std::map<uint32_t, std::vector<Hold>> holds;
    const std::string where = fabricOnly ? " AND l.kind = 'fabric'" : "";
    for (const auto& row :
         Query(db,
               "SELECT b.link_id, b.job_id, b.first_s, b.last_s FROM link_job_bytes b JOIN links l "
               "ON l.run_id = b.run_id AND l.link_id = b.link_id WHERE 1" +
                   where))
    {
        holds[std::stoul(row[0])].push_back(
            Hold{std::stod(row[2]), std::stod(row[3]), static_cast<uint32_t>(std::stoul(row[1]))});
    }
    return holds;
}

class ReplayPolicy : public SimTest, public ::testing::WithParamInterface<std::string>
{
};

} // namespace

TEST_P(ReplayPolicy, EveryJobFinishesGpusAndLinksHeldOnceRoutesRemoved)
{
    const std::string policy = GetParam();
    const Replay r = RunReplay(policy, SmallTrace(), 0.25, 0, "small-" + policy);
    EXPECT_EQ(r.sum.status, "done");
    EXPECT_EQ(r.sum.jobs, 20u);
    EXPECT_EQ(r.sum.jobsFinished, 20u);
    EXPECT_EQ(r.sum.jobsQueued, 0u);
    EXPECT_EQ(r.sum.jobsRunning, 0u);
    EXPECT_EQ(r.sum.unattributedPackets, 0u);
    EXPECT_EQ(Query(r.db,
                    "SELECT count(*) FROM jobs WHERE finish_s IS NULL OR released_s IS "
                    "NULL OR released_s < finish_s OR start_s < arrival_s"),
              (Rows{{"0"}}));
    EXPECT_EQ(Query(r.db, "SELECT policy, status FROM runs"), (Rows{{policy, "done"}}));

    // No GPU held by two jobs at once: each job holds its GPUs from its placement to its
    // release (a job may be placed at the instant another is released).
    std::map<uint32_t, std::vector<Hold>> gpus;
    std::map<uint32_t, std::vector<Hold>> links;
    uint32_t placements = 0;
    for (const auto& row :
         Query(r.db,
               "SELECT j.job_id, j.gpus, p.gpus, j.start_s, p.time_s, j.released_s, "
               "p.links, p.n_links FROM jobs j JOIN placements p USING (run_id, job_id)"))
    {
        ++placements;
        EXPECT_EQ(row[1], row[2]) << "job " << row[0];
        EXPECT_EQ(row[3], row[4]) << "job " << row[0];
        const Hold h{std::stod(row[3]),
                     std::stod(row[5]),
                     static_cast<uint32_t>(std::stoul(row[0]))};
        for (uint32_t g : Ids(row[1]))
        {
            gpus[g].push_back(h);
        }
        for (uint32_t l : Ids(row[6]))
        {
            links[l].push_back(h);
        }
        if (policy != "vclos")
        {
            EXPECT_EQ(row[7], "0") << policy << " reserves no link";
        }
    }
    EXPECT_EQ(placements, 20u);
    EXPECT_TRUE(Overlaps(gpus, true).empty());
    EXPECT_TRUE(Overlaps(links, true).empty());
    if (policy == "vclos")
    {
        // Released links are reused: some link was reserved by two different jobs.
        uint32_t reused = 0;
        for (const auto& [link, list] : links)
        {
            reused += list.size() > 1 ? 1 : 0;
        }
        EXPECT_GT(reused, 0u);
    }
    // Source routes were installed while jobs ran (vclos, static) and none is left.
    EXPECT_EQ(r.sourceRoutesAtEnd, 0u);
    if (policy == "vclos")
    {
        EXPECT_GT(r.maxSourceRoutes, 0u);
    }
    // The cluster is empty at the end; never more GPUs busy than it has.
    EXPECT_EQ(Query(r.db,
                    "SELECT queued, running, busy_gpus FROM cluster_samples ORDER BY "
                    "rowid DESC LIMIT 1"),
              (Rows{{"0", "0", "0"}}));
    EXPECT_EQ(Query(r.db, "SELECT count(*) FROM cluster_samples WHERE busy_gpus > 32"),
              (Rows{{"0"}}));
}

INSTANTIATE_TEST_SUITE_P(Policies,
                         ReplayPolicy,
                         ::testing::Values("vclos", "ecmp", "static", "random-ecmp"),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                             std::string n = i.param;
                             std::replace(n.begin(), n.end(), '-', '_');
                             return n;
                         });

TEST_F(SimTest, ReplayIsolationFromPacketsVclosHoldsEcmpDoesNot)
{
    const Replay v = RunReplay("vclos", BusyTrace(), 0.5, 0, "busy-vclos");
    ASSERT_EQ(v.sum.status, "done");
    EXPECT_EQ(v.sum.unattributedPackets, 0u);
    // A busy replay: jobs wait and several run at once.
    const Rows busy = Query(v.db, "SELECT max(queued), max(running) FROM cluster_samples");
    ASSERT_EQ(busy.size(), 1u);
    EXPECT_GE(std::stoi(busy[0][0]), 5);
    EXPECT_GE(std::stoi(busy[0][1]), 3);
    // The counter saw every byte the devices sent (no PFC here): per link, the jobs' data
    // and control bytes and packets add up to the link's transmit counters.
    EXPECT_EQ(Query(v.db,
                    "SELECT count(*) FROM links l LEFT JOIN (SELECT link_id, "
                    "sum(data_bytes + control_bytes) AS b, sum(data_packets + "
                    "control_packets) AS p FROM link_job_bytes GROUP BY link_id) j USING "
                    "(link_id) WHERE l.tx_bytes != coalesce(j.b, 0) OR l.tx_packets != "
                    "coalesce(j.p, 0)"),
              (Rows{{"0"}}));
    EXPECT_EQ(Query(v.db, "SELECT count(*) > 0, sum(control_packets) > 0 FROM link_job_bytes"),
              (Rows{{"1", "1"}}));
    // Under vclos no link (fabric or other) carries packets of two jobs at overlapping
    // times; some fabric link carried several jobs one after another.
    auto all = PacketHolds(v.db, false);
    EXPECT_TRUE(Overlaps(all, false).empty());
    auto fabric = PacketHolds(v.db, true);
    uint32_t shared = 0;
    for (const auto& [link, list] : fabric)
    {
        shared += list.size() > 1 ? 1 : 0;
    }
    EXPECT_GT(shared, 0u);

    // The same check fails under ecmp for the same trace.
    const Replay e = RunReplay("ecmp", BusyTrace(), 0.5, 0, "busy-ecmp");
    ASSERT_EQ(e.sum.status, "done");
    auto ecmpFabric = PacketHolds(e.db, true);
    EXPECT_FALSE(Overlaps(ecmpFabric, false).empty());
}

TEST_F(SimTest, ReplaySameSeedSameRun)
{
    const std::string sql =
        "SELECT p.job_id, p.time_s, p.gpus, j.finish_s, j.released_s FROM placements p JOIN "
        "jobs j USING (run_id, job_id) ORDER BY p.job_id";
    const std::string bytes = "SELECT * FROM link_job_bytes ORDER BY link_id, job_id";
    const Replay a = RunReplay("random-ecmp", SmallTrace(), 0.25, 8, "seed-a");
    const Replay b = RunReplay("random-ecmp", SmallTrace(), 0.25, 8, "seed-b");
    EXPECT_EQ(Query(a.db, sql), Query(b.db, sql));
    EXPECT_EQ(Query(a.db, bytes), Query(b.db, bytes));
    EXPECT_EQ(Query(a.db, sql).size(), 8u);
}

TEST_F(SimTest, ReplayOnALosslessFabricCountsEveryPacketButPfc)
{
    // PFC frames are per hop and belong to no job: every link's transmitted packets are its
    // jobs' packets plus its PFC frames.
    const Replay r =
        RunReplay("ecmp", BusyTrace(), 0.5, 0, "pfc", R"({"buffer_bytes": 2000000, "pfc": true})");
    ASSERT_EQ(r.sum.status, "done");
    EXPECT_EQ(r.sum.unattributedPackets, 0u);
    const Rows pfc = Query(r.db, "SELECT sum(pfc_sent) FROM congestion");
    ASSERT_EQ(pfc.size(), 1u);
    ASSERT_NE(pfc[0][0], "NULL");
    EXPECT_GT(std::stoi(pfc[0][0]), 0) << "the case must send PFC frames";
    EXPECT_EQ(Query(r.db,
                    "SELECT count(*) FROM links l LEFT JOIN (SELECT link_id, "
                    "sum(data_packets + control_packets) AS p FROM link_job_bytes GROUP BY "
                    "link_id) j USING (link_id) LEFT JOIN congestion c USING (run_id, "
                    "link_id) WHERE l.tx_packets != coalesce(j.p, 0) + "
                    "coalesce(c.pfc_sent, 0)"),
              (Rows{{"0"}}));
}
