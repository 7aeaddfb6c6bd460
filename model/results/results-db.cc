/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "results-db.h"

#include <cmath>
#include <ctime>
#include <iostream>
#include <sqlite3.h>
#include <stdexcept>

namespace ns3
{
namespace vclos
{

namespace
{

/// The schema (version 1). Every statement is idempotent.
const char* const kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS runs (
    run_id        INTEGER PRIMARY KEY,
    scenario_name TEXT NOT NULL,
    scenario_json TEXT NOT NULL,
    seed          INTEGER NOT NULL,
    level         TEXT NOT NULL,
    vclos_version TEXT,
    ns3_version   TEXT,
    started_utc   TEXT NOT NULL,
    wall_time_s   REAL,
    sim_time_s    REAL,
    events        INTEGER,
    status        TEXT NOT NULL DEFAULT 'running',
    policy        TEXT,
    backfill      INTEGER,
    scale         REAL,
    trace_file    TEXT,
    trace_first   INTEGER,
    trace_count   INTEGER
);
CREATE TABLE IF NOT EXISTS jobs (
    run_id     INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    job_id     INTEGER NOT NULL,
    name       TEXT NOT NULL,
    n_gpus     INTEGER NOT NULL,
    gpus       TEXT NOT NULL,
    collective TEXT NOT NULL,
    bytes      INTEGER NOT NULL,
    iterations INTEGER NOT NULL,
    start_s    REAL,
    finish_s   REAL,
    arrival_s  REAL,
    jwt_s      REAL,
    jrt_s      REAL,
    jct_s      REAL,
    n_leaves   INTEGER,
    leaves     TEXT,
    n_spines   INTEGER,
    spines     TEXT,
    released_s REAL,
    isolated_s REAL,
    slowdown   REAL,
    PRIMARY KEY (run_id, job_id)
);
CREATE TABLE IF NOT EXISTS iterations (
    run_id        INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    job_id        INTEGER NOT NULL,
    iteration     INTEGER NOT NULL,
    start_s       REAL,
    compute_end_s REAL,
    end_s         REAL,
    comm_s        REAL,
    PRIMARY KEY (run_id, job_id, iteration)
);
CREATE TABLE IF NOT EXISTS links (
    run_id          INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    link_id         INTEGER NOT NULL,
    src             TEXT NOT NULL,
    dst             TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('host', 'fabric', 'intra')),
    rate_bps        REAL NOT NULL,
    delay_s         REAL NOT NULL,
    tx_bytes        INTEGER NOT NULL,
    tx_packets      INTEGER NOT NULL,
    max_queue_bytes INTEGER NOT NULL,
    drops           INTEGER NOT NULL,
    drops_queue     INTEGER NOT NULL,
    drops_buffer    INTEGER NOT NULL,
    drops_headroom  INTEGER NOT NULL,
    drops_no_route  INTEGER NOT NULL,
    drops_hop_limit INTEGER NOT NULL,
    drops_rx_error  INTEGER NOT NULL,
    PRIMARY KEY (run_id, link_id)
);
CREATE TABLE IF NOT EXISTS flows (
    run_id   INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    job_id   INTEGER NOT NULL,
    src_gpu  INTEGER NOT NULL,
    dst_gpu  INTEGER NOT NULL,
    src_port INTEGER NOT NULL,
    path     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS flows_by_run ON flows (run_id, job_id);
CREATE TABLE IF NOT EXISTS steps (
    run_id     INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    job_id     INTEGER NOT NULL,
    iteration  INTEGER NOT NULL,
    run        INTEGER NOT NULL,
    collective TEXT NOT NULL,
    step       INTEGER NOT NULL,
    start_s    REAL NOT NULL,
    end_s      REAL NOT NULL,
    bytes      INTEGER NOT NULL,
    PRIMARY KEY (run_id, job_id, iteration, run, step)
);
CREATE TABLE IF NOT EXISTS congestion (
    run_id       INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    link_id      INTEGER NOT NULL,
    ecn_marks    INTEGER NOT NULL,
    pfc_sent     INTEGER NOT NULL,
    pfc_received INTEGER NOT NULL,
    paused_s     REAL NOT NULL,
    PRIMARY KEY (run_id, link_id)
);
CREATE TABLE IF NOT EXISTS queue_samples (
    run_id  INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    link_id INTEGER NOT NULL,
    time_s  REAL NOT NULL,
    bytes   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS queue_samples_by_run ON queue_samples (run_id, link_id);
CREATE TABLE IF NOT EXISTS rate_samples (
    run_id   INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    gpu      INTEGER NOT NULL,
    qpn      INTEGER NOT NULL,
    peer_gpu INTEGER NOT NULL,
    time_s   REAL NOT NULL,
    rate_bps REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS rate_samples_by_run ON rate_samples (run_id, gpu, qpn);
CREATE TABLE IF NOT EXISTS placements (
    run_id       INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    job_id       INTEGER NOT NULL,
    time_s       REAL NOT NULL,
    policy       TEXT NOT NULL,
    branch       TEXT NOT NULL,
    gpus         TEXT NOT NULL,
    links        TEXT NOT NULL,
    n_links      INTEGER NOT NULL,
    search_s     REAL NOT NULL,
    search_nodes INTEGER NOT NULL,
    cap_hit      INTEGER NOT NULL,
    PRIMARY KEY (run_id, job_id)
);
CREATE TABLE IF NOT EXISTS cluster_samples (
    run_id    INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    time_s    REAL NOT NULL,
    queued    INTEGER NOT NULL,
    running   INTEGER NOT NULL,
    busy_gpus INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS cluster_samples_by_run ON cluster_samples (run_id, time_s);
CREATE TABLE IF NOT EXISTS link_job_bytes (
    run_id          INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    link_id         INTEGER NOT NULL,
    job_id          INTEGER NOT NULL,
    data_bytes      INTEGER NOT NULL,
    data_packets    INTEGER NOT NULL,
    control_bytes   INTEGER NOT NULL,
    control_packets INTEGER NOT NULL,
    first_s         REAL NOT NULL,
    last_s          REAL NOT NULL,
    PRIMARY KEY (run_id, link_id, job_id)
);
CREATE TABLE IF NOT EXISTS invariants (
    run_id INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    name   TEXT NOT NULL,
    ok     INTEGER NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (run_id, name)
);
CREATE TABLE IF NOT EXISTS validation (
    packet_run_id INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    flow_run_id   INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    metric        TEXT NOT NULL,
    job_id        INTEGER NOT NULL,
    iteration     INTEGER NOT NULL,
    packet_s      REAL,
    flow_s        REAL,
    rel_error     REAL,
    PRIMARY KEY (flow_run_id, metric, job_id, iteration)
);
CREATE TABLE IF NOT EXISTS validation_summary (
    packet_run_id INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    flow_run_id   INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    metric        TEXT NOT NULL,
    n             INTEGER NOT NULL,
    mean_abs      REAL NOT NULL,
    p50_abs       REAL NOT NULL,
    p90_abs       REAL NOT NULL,
    max_abs       REAL NOT NULL,
    PRIMARY KEY (flow_run_id, metric)
);
CREATE TABLE IF NOT EXISTS sweep_runs (
    run_key   TEXT PRIMARY KEY,
    run_id    INTEGER NOT NULL UNIQUE REFERENCES runs (run_id) ON DELETE CASCADE,
    axes      TEXT NOT NULL,
    source_db TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ocs_reconfigurations (
    run_id  INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    time_s  REAL NOT NULL,
    ocs     INTEGER NOT NULL,
    job_id  INTEGER NOT NULL,
    added   INTEGER NOT NULL,
    removed INTEGER NOT NULL,
    lit_s   REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS ocs_reconfigurations_by_run ON ocs_reconfigurations (run_id, time_s);
CREATE TABLE IF NOT EXISTS ocs_switches (
    run_id           INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    ocs              INTEGER NOT NULL,
    ports            INTEGER NOT NULL,
    reconfigurations INTEGER NOT NULL,
    circuits_changed INTEGER NOT NULL,
    dark_s           REAL NOT NULL,
    lost_packets     INTEGER NOT NULL,
    lost_bytes       INTEGER NOT NULL,
    PRIMARY KEY (run_id, ocs)
);
PRAGMA user_version = 9;
)sql";

/// A column added by a schema version.
struct AddedColumn
{
    const char* table; //!< table
    const char* name;  //!< column
    const char* type;  //!< its SQL type
};

/// Version 5 added the scheduler's columns to runs and jobs (NULL in the rows of older
/// runs); its new tables come from kSchemaSql.
const AddedColumn kColumnsOf5[] = {
    {"runs", "policy", "TEXT"},
    {"runs", "backfill", "INTEGER"},
    {"runs", "scale", "REAL"},
    {"runs", "trace_file", "TEXT"},
    {"runs", "trace_first", "INTEGER"},
    {"runs", "trace_count", "INTEGER"},
    {"jobs", "arrival_s", "REAL"},
    {"jobs", "jwt_s", "REAL"},
    {"jobs", "jrt_s", "REAL"},
    {"jobs", "jct_s", "REAL"},
    {"jobs", "n_leaves", "INTEGER"},
    {"jobs", "leaves", "TEXT"},
    {"jobs", "n_spines", "INTEGER"},
    {"jobs", "spines", "TEXT"},
    {"jobs", "released_s", "REAL"},
    {"jobs", "isolated_s", "REAL"},
    {"jobs", "slowdown", "REAL"},
};

/// Version 4 added the drop causes to table links (NULL in the rows of older runs).
const char* const kMigrateLinksTo4 = R"sql(
ALTER TABLE links ADD COLUMN drops_queue INTEGER;
ALTER TABLE links ADD COLUMN drops_buffer INTEGER;
ALTER TABLE links ADD COLUMN drops_headroom INTEGER;
ALTER TABLE links ADD COLUMN drops_no_route INTEGER;
ALTER TABLE links ADD COLUMN drops_hop_limit INTEGER;
ALTER TABLE links ADD COLUMN drops_rx_error INTEGER;
)sql";

/// \return ids joined by commas ("0,1,2")
std::string
JoinIds(const std::vector<uint32_t>& ids)
{
    std::string out;
    for (std::size_t i = 0; i < ids.size(); ++i)
    {
        if (i > 0)
        {
            out += ',';
        }
        out += std::to_string(ids[i]);
    }
    return out;
}

/// Bind a text parameter (copied).
void
BindText(sqlite3_stmt* st, int idx, const std::string& v)
{
    sqlite3_bind_text(st, idx, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

/// Bind a real parameter; NaN and infinities become NULL.
void
BindReal(sqlite3_stmt* st, int idx, double v)
{
    if (std::isfinite(v))
    {
        sqlite3_bind_double(st, idx, v);
    }
    else
    {
        sqlite3_bind_null(st, idx);
    }
}

/// Bind an integer parameter.
void
BindInt(sqlite3_stmt* st, int idx, uint64_t v)
{
    sqlite3_bind_int64(st, idx, static_cast<sqlite3_int64>(v));
}

} // namespace

ResultsDb::ResultsDb(const std::string& path, std::size_t batchRows)
    : m_path(path),
      m_batchRows(batchRows == 0 ? 1 : batchRows)
{
    int rc =
        sqlite3_open_v2(path.c_str(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK)
    {
        std::string msg = m_db != nullptr ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc);
        Close();
        throw std::runtime_error(path + ": cannot open results database: " + msg);
    }
    try
    {
        sqlite3_extended_result_codes(m_db, 1);
        sqlite3_busy_timeout(m_db, 60000);
        InitSchema();
        m_insRun = Prepare("INSERT INTO runs (scenario_name, scenario_json, seed, level, "
                           "vclos_version, ns3_version, started_utc, status, policy, backfill, "
                           "scale, trace_file, trace_first, trace_count) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'running', ?8, ?9, ?10, ?11, "
                           "?12, ?13)");
        m_insJob = Prepare("INSERT INTO jobs (run_id, job_id, name, n_gpus, gpus, collective, "
                           "bytes, iterations, start_s, finish_s, arrival_s, jwt_s, jrt_s, "
                           "jct_s, n_leaves, leaves, n_spines, spines, isolated_s, slowdown, "
                           "released_s) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                           "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)");
        m_insPlacement = Prepare("INSERT INTO placements (run_id, job_id, time_s, policy, "
                                 "branch, gpus, links, n_links, search_s, search_nodes, "
                                 "cap_hit) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
        m_insCluster = Prepare("INSERT INTO cluster_samples (run_id, time_s, queued, running, "
                               "busy_gpus) VALUES (?1, ?2, ?3, ?4, ?5)");
        m_insLinkJob = Prepare("INSERT INTO link_job_bytes (run_id, link_id, job_id, data_bytes, "
                               "data_packets, control_bytes, control_packets, first_s, last_s) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
        m_insIteration = Prepare("INSERT INTO iterations (run_id, job_id, iteration, start_s, "
                                 "compute_end_s, end_s, comm_s) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        m_insLink = Prepare("INSERT INTO links (run_id, link_id, src, dst, kind, rate_bps, "
                            "delay_s, tx_bytes, tx_packets, max_queue_bytes, drops, "
                            "drops_queue, drops_buffer, drops_headroom, drops_no_route, "
                            "drops_hop_limit, drops_rx_error) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                            "?14, ?15, ?16, ?17)");
        m_insFlow = Prepare("INSERT INTO flows (run_id, job_id, src_gpu, dst_gpu, src_port, "
                            "path) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        m_insStep = Prepare("INSERT INTO steps (run_id, job_id, iteration, run, collective, "
                            "step, start_s, end_s, bytes) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
        m_insCongestion = Prepare("INSERT INTO congestion (run_id, link_id, ecn_marks, "
                                  "pfc_sent, pfc_received, paused_s) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        m_insQueue = Prepare("INSERT INTO queue_samples (run_id, link_id, time_s, bytes) "
                             "VALUES (?1, ?2, ?3, ?4)");
        m_insRate = Prepare("INSERT INTO rate_samples (run_id, gpu, qpn, peer_gpu, time_s, "
                            "rate_bps) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        m_finishRun = Prepare("UPDATE runs SET wall_time_s = ?2, sim_time_s = ?3, events = ?4, "
                              "status = ?5 WHERE run_id = ?1");
    }
    catch (...)
    {
        Close();
        throw;
    }
}

ResultsDb::~ResultsDb()
{
    try
    {
        Flush();
    }
    catch (const std::exception& e)
    {
        std::cerr << "vclos: ResultsDb: rows lost at close: " << e.what() << std::endl;
    }
    Close();
}

void
ResultsDb::Close() noexcept
{
    for (sqlite3_stmt** st : {&m_insRun,
                              &m_insJob,
                              &m_insIteration,
                              &m_insLink,
                              &m_insFlow,
                              &m_insStep,
                              &m_insCongestion,
                              &m_insQueue,
                              &m_insRate,
                              &m_insPlacement,
                              &m_insCluster,
                              &m_insLinkJob,
                              &m_finishRun})
    {
        sqlite3_finalize(*st);
        *st = nullptr;
    }
    if (m_db != nullptr)
    {
        sqlite3_close_v2(m_db);
        m_db = nullptr;
    }
}

void
ResultsDb::Fail(const std::string& what) const
{
    throw std::runtime_error(m_path + ": " + what + ": " + sqlite3_errmsg(m_db));
}

void
ResultsDb::Exec(const char* sql, const std::string& what)
{
    char* err = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &err) != SQLITE_OK)
    {
        std::string msg = err != nullptr ? err : sqlite3_errmsg(m_db);
        sqlite3_free(err);
        throw std::runtime_error(m_path + ": " + what + ": " + msg);
    }
}

sqlite3_stmt*
ResultsDb::Prepare(const char* sql)
{
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(m_db, sql, -1, &st, nullptr) != SQLITE_OK)
    {
        Fail(std::string("preparing \"") + sql + "\"");
    }
    return st;
}

namespace
{

/// Run a bound statement to completion and reset it; throws "<path>: <what>: <message>".
void
Step(sqlite3* db, sqlite3_stmt* st, const std::string& path, const std::string& what)
{
    int rc = sqlite3_step(st);
    std::string msg = rc == SQLITE_DONE ? "" : sqlite3_errmsg(db);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
    {
        throw std::runtime_error(path + ": " + what + ": " + msg);
    }
}

} // namespace

void
ResultsDb::InitSchema()
{
    Exec("PRAGMA foreign_keys = ON", "enabling foreign keys");
    sqlite3_stmt* st = Prepare("PRAGMA user_version");
    int rc = sqlite3_step(st);
    int version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    std::string msg = rc == SQLITE_ROW ? "" : sqlite3_errmsg(m_db);
    sqlite3_finalize(st);
    if (version < 0)
    {
        throw std::runtime_error(m_path + ": reading the schema version: " + msg);
    }
    if (version > kSchemaVersion)
    {
        throw std::runtime_error(m_path + ": results database has schema version " +
                                 std::to_string(version) + ", newer than this vclos build (" +
                                 std::to_string(kSchemaVersion) + "); use a newer vclos");
    }
    Exec("PRAGMA journal_mode = WAL", "setting the journal mode");
    bool upgrade = version < kSchemaVersion;
    // A version-5 file of a development build may lack a later version-5 column.
    for (const AddedColumn& c : kColumnsOf5)
    {
        upgrade = upgrade || (version == kSchemaVersion && NeedsColumn(c.table, c.name));
    }
    if (upgrade)
    {
        InTransaction("creating the schema", [&] {
            if (version >= 1 && version < 4)
            {
                Exec(kMigrateLinksTo4, "adding the drop causes to table links");
            }
            for (const AddedColumn& c : kColumnsOf5)
            {
                if (version >= 1 && NeedsColumn(c.table, c.name))
                {
                    const std::string sql = std::string("ALTER TABLE ") + c.table + " ADD COLUMN " +
                                            c.name + " " + c.type;
                    Exec(sql.c_str(), std::string("adding column ") + c.name + " to " + c.table);
                }
            }
            Exec(kSchemaSql, "creating the schema");
        });
    }
}

void
ResultsDb::InTransaction(const std::string& what, const std::function<void()>& body)
{
    Exec("BEGIN IMMEDIATE", what + ": starting a transaction");
    try
    {
        body();
        Exec("COMMIT", what + ": committing");
    }
    catch (...)
    {
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

bool
ResultsDb::NeedsColumn(const char* table, const char* column)
{
    const std::string what = std::string("looking for column ") + column + " of table " + table;
    sqlite3_stmt* st = Prepare("SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                               "AND name = ?1), (SELECT count(*) FROM pragma_table_info(?1) "
                               "WHERE name = ?2)");
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
    const int rc = sqlite3_step(st);
    const bool tableExists = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    const bool columnExists = rc == SQLITE_ROW && sqlite3_column_int(st, 1) > 0;
    std::string msg = rc == SQLITE_ROW ? "" : sqlite3_errmsg(m_db);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
    {
        throw std::runtime_error(m_path + ": " + what + ": " + msg);
    }
    // A missing table is created whole by the schema.
    return tableExists && !columnExists;
}

int64_t
ResultsDb::BeginRun(const RunInfo& info)
{
    Flush();
    BindText(m_insRun, 1, info.scenarioName);
    BindText(m_insRun, 2, info.scenarioJson);
    BindInt(m_insRun, 3, info.seed);
    BindText(m_insRun, 4, info.level);
    BindText(m_insRun, 5, info.vclosVersion);
    BindText(m_insRun, 6, info.ns3Version);
    BindText(m_insRun, 7, info.startedUtc.empty() ? UtcNow() : info.startedUtc);
    if (!info.policy.empty())
    {
        BindText(m_insRun, 8, info.policy);
        BindInt(m_insRun, 9, info.backfill ? 1 : 0);
    }
    BindReal(m_insRun, 10, info.scale);
    if (!info.traceFile.empty())
    {
        BindText(m_insRun, 11, info.traceFile);
        BindInt(m_insRun, 12, info.traceFirst);
        BindInt(m_insRun, 13, info.traceCount);
    }
    Step(m_db, m_insRun, m_path, "inserting run '" + info.scenarioName + "'");
    return sqlite3_last_insert_rowid(m_db);
}

void
ResultsDb::AddJob(int64_t runId, const JobRow& row)
{
    m_jobs.push_back({runId, row});
    MaybeFlush();
}

void
ResultsDb::AddIteration(int64_t runId, const IterationRow& row)
{
    m_iterations.push_back({runId, row});
    MaybeFlush();
}

void
ResultsDb::AddLink(int64_t runId, const LinkRow& row)
{
    if (row.kind != "host" && row.kind != "fabric" && row.kind != "intra")
    {
        throw std::invalid_argument(m_path + ": link " + std::to_string(row.linkId) + ": kind '" +
                                    row.kind + "' is not one of 'host', 'fabric', 'intra'");
    }
    m_links.push_back({runId, row});
    MaybeFlush();
}

void
ResultsDb::AddFlow(int64_t runId, const FlowRow& row)
{
    m_flows.push_back({runId, row});
    MaybeFlush();
}

void
ResultsDb::AddStep(int64_t runId, const StepRow& row)
{
    m_steps.push_back({runId, row});
    MaybeFlush();
}

void
ResultsDb::AddCongestion(int64_t runId, const CongestionRow& row)
{
    m_congestion.push_back({runId, row});
    MaybeFlush();
}

void
ResultsDb::AddQueueSample(int64_t runId, const QueueSampleRow& row)
{
    m_queueSamples.push_back({runId, row});
    MaybeFlush();
}

void
ResultsDb::AddRateSample(int64_t runId, const RateSampleRow& row)
{
    m_rateSamples.push_back({runId, row});
    MaybeFlush();
}

void
ResultsDb::AddPlacement(int64_t runId, const PlacementRow& row)
{
    m_placements.push_back({runId, row});
    MaybeFlush();
}

void
ResultsDb::AddClusterSample(int64_t runId, const ClusterSampleRow& row)
{
    m_clusterSamples.push_back({runId, row});
    MaybeFlush();
}

void
ResultsDb::AddLinkJob(int64_t runId, const LinkJobRow& row)
{
    m_linkJobs.push_back({runId, row});
    MaybeFlush();
}

std::size_t
ResultsDb::PendingRows() const
{
    return m_jobs.size() + m_iterations.size() + m_links.size() + m_flows.size() + m_steps.size() +
           m_congestion.size() + m_queueSamples.size() + m_rateSamples.size() +
           m_placements.size() + m_clusterSamples.size() + m_linkJobs.size();
}

const std::string&
ResultsDb::Path() const
{
    return m_path;
}

void
ResultsDb::MaybeFlush()
{
    if (PendingRows() >= m_batchRows)
    {
        Flush();
    }
}

void
ResultsDb::ClearPending()
{
    m_jobs.clear();
    m_iterations.clear();
    m_links.clear();
    m_flows.clear();
    m_steps.clear();
    m_congestion.clear();
    m_queueSamples.clear();
    m_rateSamples.clear();
    m_placements.clear();
    m_clusterSamples.clear();
    m_linkJobs.clear();
}

void
ResultsDb::WritePending()
{
    const std::string run = "(run ";
    for (const auto& p : m_jobs)
    {
        const JobRow& r = p.row;
        BindInt(m_insJob, 1, p.runId);
        BindInt(m_insJob, 2, r.jobId);
        BindText(m_insJob, 3, r.name);
        BindInt(m_insJob, 4, r.gpus.size());
        BindText(m_insJob, 5, JoinIds(r.gpus));
        BindText(m_insJob, 6, r.collective);
        BindInt(m_insJob, 7, r.bytes);
        BindInt(m_insJob, 8, r.iterations);
        BindReal(m_insJob, 9, r.startS);
        BindReal(m_insJob, 10, r.finishS);
        const double arrival = std::isnan(r.arrivalS) ? r.startS : r.arrivalS;
        const double jrt = r.finishS - r.startS;
        BindReal(m_insJob, 11, arrival);
        BindReal(m_insJob, 12, r.startS - arrival);
        BindReal(m_insJob, 13, jrt);
        BindReal(m_insJob, 14, r.finishS - arrival);
        BindInt(m_insJob, 15, r.leaves.size());
        BindText(m_insJob, 16, JoinIds(r.leaves));
        if (r.hasSpines)
        {
            BindInt(m_insJob, 17, r.spines.size());
            BindText(m_insJob, 18, JoinIds(r.spines));
        }
        BindReal(m_insJob, 19, r.isolatedS);
        BindReal(m_insJob, 20, r.isolatedS > 0 ? jrt / r.isolatedS : kUnknownTime);
        BindReal(m_insJob, 21, r.releasedS);
        Step(m_db,
             m_insJob,
             m_path,
             "inserting jobs row " + run + std::to_string(p.runId) + ", job " +
                 std::to_string(r.jobId) + ")");
    }
    for (const auto& p : m_iterations)
    {
        const IterationRow& r = p.row;
        double comm = std::isnan(r.commS) ? r.endS - r.computeEndS : r.commS;
        BindInt(m_insIteration, 1, p.runId);
        BindInt(m_insIteration, 2, r.jobId);
        BindInt(m_insIteration, 3, r.iteration);
        BindReal(m_insIteration, 4, r.startS);
        BindReal(m_insIteration, 5, r.computeEndS);
        BindReal(m_insIteration, 6, r.endS);
        BindReal(m_insIteration, 7, comm);
        Step(m_db,
             m_insIteration,
             m_path,
             "inserting iterations row " + run + std::to_string(p.runId) + ", job " +
                 std::to_string(r.jobId) + ", iteration " + std::to_string(r.iteration) + ")");
    }
    for (const auto& p : m_links)
    {
        const LinkRow& r = p.row;
        BindInt(m_insLink, 1, p.runId);
        BindInt(m_insLink, 2, r.linkId);
        BindText(m_insLink, 3, r.src);
        BindText(m_insLink, 4, r.dst);
        BindText(m_insLink, 5, r.kind);
        BindReal(m_insLink, 6, r.rateBps);
        BindReal(m_insLink, 7, r.delayS);
        BindInt(m_insLink, 8, r.txBytes);
        BindInt(m_insLink, 9, r.txPackets);
        BindInt(m_insLink, 10, r.maxQueueBytes);
        BindInt(m_insLink, 11, r.drops);
        BindInt(m_insLink, 12, r.dropsQueue);
        BindInt(m_insLink, 13, r.dropsBuffer);
        BindInt(m_insLink, 14, r.dropsHeadroom);
        BindInt(m_insLink, 15, r.dropsNoRoute);
        BindInt(m_insLink, 16, r.dropsHopLimit);
        BindInt(m_insLink, 17, r.dropsRxError);
        Step(m_db,
             m_insLink,
             m_path,
             "inserting links row " + run + std::to_string(p.runId) + ", link " +
                 std::to_string(r.linkId) + ")");
    }
    for (const auto& p : m_flows)
    {
        const FlowRow& r = p.row;
        BindInt(m_insFlow, 1, p.runId);
        BindInt(m_insFlow, 2, r.jobId);
        BindInt(m_insFlow, 3, r.srcGpu);
        BindInt(m_insFlow, 4, r.dstGpu);
        BindInt(m_insFlow, 5, r.srcPort);
        BindText(m_insFlow, 6, JoinIds(r.path));
        Step(m_db,
             m_insFlow,
             m_path,
             "inserting flows row " + run + std::to_string(p.runId) + ", job " +
                 std::to_string(r.jobId) + ", " + std::to_string(r.srcGpu) + "->" +
                 std::to_string(r.dstGpu) + ")");
    }
    for (const auto& p : m_steps)
    {
        const StepRow& r = p.row;
        BindInt(m_insStep, 1, p.runId);
        BindInt(m_insStep, 2, r.jobId);
        BindInt(m_insStep, 3, r.iteration);
        BindInt(m_insStep, 4, r.run);
        BindText(m_insStep, 5, r.collective);
        BindInt(m_insStep, 6, r.step);
        BindReal(m_insStep, 7, r.startS);
        BindReal(m_insStep, 8, r.endS);
        BindInt(m_insStep, 9, r.bytes);
        Step(m_db,
             m_insStep,
             m_path,
             "inserting steps row " + run + std::to_string(p.runId) + ", job " +
                 std::to_string(r.jobId) + ", iteration " + std::to_string(r.iteration) +
                 ", step " + std::to_string(r.step) + ")");
    }
    for (const auto& p : m_congestion)
    {
        const CongestionRow& r = p.row;
        BindInt(m_insCongestion, 1, p.runId);
        BindInt(m_insCongestion, 2, r.linkId);
        BindInt(m_insCongestion, 3, r.ecnMarks);
        BindInt(m_insCongestion, 4, r.pfcSent);
        BindInt(m_insCongestion, 5, r.pfcReceived);
        BindReal(m_insCongestion, 6, r.pausedS);
        Step(m_db,
             m_insCongestion,
             m_path,
             "inserting congestion row " + run + std::to_string(p.runId) + ", link " +
                 std::to_string(r.linkId) + ")");
    }
    for (const auto& p : m_queueSamples)
    {
        const QueueSampleRow& r = p.row;
        BindInt(m_insQueue, 1, p.runId);
        BindInt(m_insQueue, 2, r.linkId);
        BindReal(m_insQueue, 3, r.timeS);
        BindInt(m_insQueue, 4, r.bytes);
        Step(m_db,
             m_insQueue,
             m_path,
             "inserting queue_samples row " + run + std::to_string(p.runId) + ", link " +
                 std::to_string(r.linkId) + ")");
    }
    for (const auto& p : m_rateSamples)
    {
        const RateSampleRow& r = p.row;
        BindInt(m_insRate, 1, p.runId);
        BindInt(m_insRate, 2, r.gpu);
        BindInt(m_insRate, 3, r.qpn);
        BindInt(m_insRate, 4, r.peerGpu);
        BindReal(m_insRate, 5, r.timeS);
        BindReal(m_insRate, 6, r.rateBps);
        Step(m_db,
             m_insRate,
             m_path,
             "inserting rate_samples row " + run + std::to_string(p.runId) + ", gpu " +
                 std::to_string(r.gpu) + ")");
    }
    WritePendingScheduler();
}

void
ResultsDb::WritePendingScheduler()
{
    const std::string run = "(run ";
    for (const auto& p : m_placements)
    {
        const PlacementRow& r = p.row;
        BindInt(m_insPlacement, 1, p.runId);
        BindInt(m_insPlacement, 2, r.jobId);
        BindReal(m_insPlacement, 3, r.timeS);
        BindText(m_insPlacement, 4, r.policy);
        BindText(m_insPlacement, 5, r.branch);
        BindText(m_insPlacement, 6, JoinIds(r.gpus));
        BindText(m_insPlacement, 7, JoinIds(r.links));
        BindInt(m_insPlacement, 8, r.links.size());
        BindReal(m_insPlacement, 9, r.searchS);
        BindInt(m_insPlacement, 10, r.searchNodes);
        BindInt(m_insPlacement, 11, r.capHit ? 1 : 0);
        Step(m_db,
             m_insPlacement,
             m_path,
             "inserting placements row " + run + std::to_string(p.runId) + ", job " +
                 std::to_string(r.jobId) + ")");
    }
    for (const auto& p : m_clusterSamples)
    {
        const ClusterSampleRow& r = p.row;
        BindInt(m_insCluster, 1, p.runId);
        BindReal(m_insCluster, 2, r.timeS);
        BindInt(m_insCluster, 3, r.queued);
        BindInt(m_insCluster, 4, r.running);
        BindInt(m_insCluster, 5, r.busyGpus);
        Step(m_db,
             m_insCluster,
             m_path,
             "inserting cluster_samples row " + run + std::to_string(p.runId) + ")");
    }
    for (const auto& p : m_linkJobs)
    {
        const LinkJobRow& r = p.row;
        BindInt(m_insLinkJob, 1, p.runId);
        BindInt(m_insLinkJob, 2, r.linkId);
        BindInt(m_insLinkJob, 3, r.jobId);
        BindInt(m_insLinkJob, 4, r.dataBytes);
        BindInt(m_insLinkJob, 5, r.dataPackets);
        BindInt(m_insLinkJob, 6, r.controlBytes);
        BindInt(m_insLinkJob, 7, r.controlPackets);
        BindReal(m_insLinkJob, 8, r.firstS);
        BindReal(m_insLinkJob, 9, r.lastS);
        Step(m_db,
             m_insLinkJob,
             m_path,
             "inserting link_job_bytes row " + run + std::to_string(p.runId) + ", link " +
                 std::to_string(r.linkId) + ", job " + std::to_string(r.jobId) + ")");
    }
}

void
ResultsDb::Flush()
{
    if (PendingRows() == 0)
    {
        return;
    }
    try
    {
        InTransaction("writing results", [&] { WritePending(); });
    }
    catch (...)
    {
        ClearPending();
        throw;
    }
    ClearPending();
}

void
ResultsDb::FinishRun(int64_t runId,
                     double wallTimeS,
                     double simTimeS,
                     uint64_t events,
                     const std::string& status)
{
    try
    {
        InTransaction("writing results", [&] {
            WritePending();
            BindInt(m_finishRun, 1, runId);
            BindReal(m_finishRun, 2, wallTimeS);
            BindReal(m_finishRun, 3, simTimeS);
            BindInt(m_finishRun, 4, events);
            BindText(m_finishRun, 5, status);
            Step(m_db, m_finishRun, m_path, "finishing run " + std::to_string(runId));
            if (sqlite3_changes(m_db) != 1)
            {
                throw std::runtime_error(m_path + ": finishing run " + std::to_string(runId) +
                                         ": no such run");
            }
        });
    }
    catch (...)
    {
        ClearPending();
        throw;
    }
    ClearPending();
}

void
ResultsDb::AddInvariants(int64_t runId, const std::vector<InvariantResult>& results)
{
    Flush();
    sqlite3_stmt* st = Prepare("INSERT INTO invariants (run_id, name, ok, detail) "
                               "VALUES (?1, ?2, ?3, ?4)");
    try
    {
        InTransaction("writing results", [&] {
            for (const InvariantResult& r : results)
            {
                BindInt(st, 1, runId);
                BindText(st, 2, r.name);
                BindInt(st, 3, r.ok ? 1 : 0);
                BindText(st, 4, r.detail);
                Step(m_db,
                     st,
                     m_path,
                     "inserting invariants row (run " + std::to_string(runId) + ", " + r.name +
                         ")");
            }
        });
    }
    catch (...)
    {
        sqlite3_finalize(st);
        throw;
    }
    sqlite3_finalize(st);
}

void
ResultsDb::AddOcs(int64_t runId,
                  const std::vector<OcsSwitchRow>& switches,
                  const std::vector<OcsReconfigurationRow>& changes)
{
    Flush();
    sqlite3_stmt* sw = Prepare("INSERT INTO ocs_switches (run_id, ocs, ports, reconfigurations, "
                               "circuits_changed, dark_s, lost_packets, lost_bytes) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    sqlite3_stmt* ch = Prepare("INSERT INTO ocs_reconfigurations (run_id, time_s, ocs, job_id, "
                               "added, removed, lit_s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    try
    {
        InTransaction("writing results", [&] {
            for (const OcsSwitchRow& r : switches)
            {
                BindInt(sw, 1, runId);
                BindInt(sw, 2, r.ocs);
                BindInt(sw, 3, r.ports);
                BindInt(sw, 4, r.reconfigurations);
                BindInt(sw, 5, r.circuitsChanged);
                BindReal(sw, 6, r.darkS);
                BindInt(sw, 7, r.lostPackets);
                BindInt(sw, 8, r.lostBytes);
                Step(m_db,
                     sw,
                     m_path,
                     "inserting ocs_switches row (OCS " + std::to_string(r.ocs) + ")");
            }
            for (const OcsReconfigurationRow& r : changes)
            {
                BindInt(ch, 1, runId);
                BindReal(ch, 2, r.timeS);
                BindInt(ch, 3, r.ocs);
                BindInt(ch, 4, r.jobId);
                BindInt(ch, 5, r.added);
                BindInt(ch, 6, r.removed);
                BindReal(ch, 7, r.litS);
                Step(m_db, ch, m_path, "inserting ocs_reconfigurations row");
            }
        });
    }
    catch (...)
    {
        sqlite3_finalize(sw);
        sqlite3_finalize(ch);
        throw;
    }
    sqlite3_finalize(sw);
    sqlite3_finalize(ch);
}

std::vector<LevelErrorSummary>
ResultsDb::AddValidation(int64_t packetRunId, int64_t flowRunId)
{
    Flush();
    // Per job (JCT and JRT) and per iteration (end - start), joined on job id and iteration.
    static const char* const kCompare[] = {
        "SELECT 'jct', p.job_id, -1, p.jct_s, f.jct_s FROM jobs p JOIN jobs f "
        "ON f.job_id = p.job_id WHERE p.run_id = ?1 AND f.run_id = ?2 ORDER BY p.job_id",
        "SELECT 'jrt', p.job_id, -1, p.jrt_s, f.jrt_s FROM jobs p JOIN jobs f "
        "ON f.job_id = p.job_id WHERE p.run_id = ?1 AND f.run_id = ?2 ORDER BY p.job_id",
        "SELECT 'iteration', p.job_id, p.iteration, p.end_s - p.start_s, f.end_s - f.start_s "
        "FROM iterations p JOIN iterations f ON f.job_id = p.job_id AND "
        "f.iteration = p.iteration WHERE p.run_id = ?1 AND f.run_id = ?2 "
        "ORDER BY p.job_id, p.iteration"};
    const std::string what = "comparing runs " + std::to_string(packetRunId) + " (packet) and " +
                             std::to_string(flowRunId) + " (flow)";
    sqlite3_stmt* ins =
        Prepare("INSERT INTO validation (packet_run_id, flow_run_id, metric, job_id, iteration, "
                "packet_s, flow_s, rel_error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    sqlite3_stmt* sum = nullptr;
    sqlite3_stmt* sel = nullptr;
    std::vector<LevelErrorSummary> out;
    auto column = [](sqlite3_stmt* st, int c) {
        return sqlite3_column_type(st, c) == SQLITE_NULL ? kUnknownTime
                                                         : sqlite3_column_double(st, c);
    };
    try
    {
        sum = Prepare("INSERT INTO validation_summary (packet_run_id, flow_run_id, metric, n, "
                      "mean_abs, p50_abs, p90_abs, max_abs) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        InTransaction("writing results", [&] {
            for (const char* query : kCompare)
            {
                sel = Prepare(query);
                BindInt(sel, 1, packetRunId);
                BindInt(sel, 2, flowRunId);
                std::string metric;
                std::vector<double> errors;
                int rc;
                while ((rc = sqlite3_step(sel)) == SQLITE_ROW)
                {
                    metric = reinterpret_cast<const char*>(sqlite3_column_text(sel, 0));
                    const double packet = column(sel, 3);
                    const double flow = column(sel, 4);
                    const double err = LevelRelativeError(packet, flow);
                    errors.push_back(err);
                    BindInt(ins, 1, packetRunId);
                    BindInt(ins, 2, flowRunId);
                    BindText(ins, 3, metric);
                    BindInt(ins, 4, sqlite3_column_int64(sel, 1));
                    BindInt(ins, 5, sqlite3_column_int64(sel, 2));
                    BindReal(ins, 6, packet);
                    BindReal(ins, 7, flow);
                    BindReal(ins, 8, err);
                    Step(m_db, ins, m_path, "inserting validation row (" + what + ")");
                }
                if (rc != SQLITE_DONE)
                {
                    Fail(what);
                }
                sqlite3_finalize(sel);
                sel = nullptr;
                if (metric.empty())
                {
                    continue; // nothing to compare
                }
                const LevelErrorSummary s = SummarizeLevelErrors(metric, errors);
                BindInt(sum, 1, packetRunId);
                BindInt(sum, 2, flowRunId);
                BindText(sum, 3, s.metric);
                BindInt(sum, 4, static_cast<int64_t>(s.n));
                BindReal(sum, 5, s.meanAbs);
                BindReal(sum, 6, s.p50Abs);
                BindReal(sum, 7, s.p90Abs);
                BindReal(sum, 8, s.maxAbs);
                Step(m_db, sum, m_path, "inserting validation_summary row (" + what + ")");
                out.push_back(s);
            }
        });
    }
    catch (...)
    {
        sqlite3_finalize(sel);
        sqlite3_finalize(sum);
        sqlite3_finalize(ins);
        throw;
    }
    sqlite3_finalize(sum);
    sqlite3_finalize(ins);
    return out;
}

std::string
ResultsDb::UtcNow()
{
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

} // namespace vclos
} // namespace ns3
