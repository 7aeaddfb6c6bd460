/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_RESULTS_DB_H
#define VCLOS_RESULTS_DB_H

// Pure code: no ns-3 in this file or its .cc (it is tested without a simulator).

#include "level-validation.h"
#include "run-invariants.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace ns3
{
namespace vclos
{

/// "Not known" marker for the time fields of the row structs (stored as SQL NULL).
constexpr double kUnknownTime = std::numeric_limits<double>::quiet_NaN();

/**
 * \ingroup vclos
 * The row of table "runs" written by ResultsDb::BeginRun().
 */
struct RunInfo
{
    std::string scenarioName;    //!< Scenario::name
    std::string scenarioJson;    //!< Scenario::text (the original file)
    uint32_t seed{1};            //!< run seed
    std::string level{"packet"}; //!< simulation level
    std::string vclosVersion;    //!< vclos version string
    std::string ns3Version;      //!< ns-3 version string
    std::string startedUtc;      //!< ISO 8601 UTC start time; empty: ResultsDb::UtcNow()
    std::string policy;          //!< scheduler policy ("": no scheduler, stored as NULL)
    bool backfill{false};        //!< scheduler backfill (NULL without a scheduler)
    std::string traceFile;       //!< replayed trace file ("": none, NULL)
    uint64_t traceFirst{0};      //!< trace selection: first job (NULL without a trace)
    uint64_t traceCount{0};      //!< trace selection: jobs replayed (NULL without a trace)
    double scale{kUnknownTime};  //!< trace compression factor (NaN: no trace, NULL)
};

/**
 * \ingroup vclos
 * A row of table "jobs" (one per job and run).
 */
struct JobRow
{
    uint32_t jobId{0};              //!< index of the job in the scenario
    std::string name;               //!< job name
    std::vector<uint32_t> gpus;     //!< GPU of each rank (stored as "0,1,2"; n_gpus = size)
    std::string collective;         //!< algorithm name
    uint64_t bytes{0};              //!< collective size in bytes
    uint32_t iterations{0};         //!< iterations configured
    double startS{0};               //!< start time (placement under a scheduler), seconds;
                                    //!< NaN: never placed
    double finishS{kUnknownTime};   //!< end of the last iteration, seconds; NaN: did not finish
    double arrivalS{kUnknownTime};  //!< arrival, seconds (NaN: startS, a job without scheduler)
    std::vector<uint32_t> leaves;   //!< leaves of its GPUs, ascending (n_leaves = size)
    bool hasSpines{false};          //!< spines is known (a placement gave it)
    std::vector<uint32_t> spines;   //!< spines its placement uses or may use (ECMP)
    double releasedS{kUnknownTime}; //!< its GPUs and links released (scheduler), seconds
    double isolatedS{kUnknownTime}; //!< time alone (compute + fluid collective); NaN: unknown
    // Derived when written: jwt_s = start - arrival, jrt_s = finish - start,
    // jct_s = finish - arrival, slowdown = jrt_s / isolated_s (NULL if a term is unknown).
};

/**
 * \ingroup vclos
 * A row of table "placements": one job placed by the cluster scheduler.
 */
struct PlacementRow
{
    uint32_t jobId{0};           //!< job index
    double timeS{0};             //!< placement time, seconds
    std::string policy;          //!< policy name
    std::string branch;          //!< "whole-leaves", "one-leaf", "mini-clos", "random", ...
    std::vector<uint32_t> gpus;  //!< GPUs in rank order
    std::vector<uint32_t> links; //!< reserved fabric link ids (empty: none reserved)
    double searchS{0};           //!< wall time of the placement attempt (observed), seconds
    uint64_t searchNodes{0};     //!< exact search nodes explored
    bool capHit{false};          //!< the search cap stopped the search
};

/**
 * \ingroup vclos
 * A row of table "cluster_samples": the cluster's state after a change (event-driven).
 */
struct ClusterSampleRow
{
    double timeS{0};      //!< time of the change, seconds
    uint32_t queued{0};   //!< jobs waiting
    uint32_t running{0};  //!< jobs placed and not released
    uint32_t busyGpus{0}; //!< GPUs owned by placed jobs
};

/**
 * \ingroup vclos
 * A row of table "link_job_bytes": what one link direction transmitted for one job.
 */
struct LinkJobRow
{
    uint32_t linkId{0};         //!< link id (as in "links")
    uint32_t jobId{0};          //!< job index
    uint64_t dataBytes{0};      //!< IPv4 bytes of data packets
    uint64_t dataPackets{0};    //!< data packets
    uint64_t controlBytes{0};   //!< IPv4 bytes of ACK, NAK and CNP packets
    uint64_t controlPackets{0}; //!< ACK, NAK and CNP packets
    double firstS{0};           //!< start of the first packet's transmission, seconds
    double lastS{0};            //!< start of the last packet's transmission, seconds
};

/**
 * \ingroup vclos
 * A row of table "iterations" (one per job iteration).
 */
struct IterationRow
{
    uint32_t jobId{0};          //!< job index
    uint32_t iteration{0};      //!< iteration index, from 0
    double startS{0};           //!< iteration start (compute starts), seconds
    double computeEndS{0};      //!< compute end = collective start, seconds
    double endS{kUnknownTime};  //!< collective end, seconds
    double commS{kUnknownTime}; //!< communication time; NaN: endS - computeEndS
};

/**
 * \ingroup vclos
 * A row of table "links": one direction of one link.
 */
struct LinkRow
{
    uint32_t linkId{0};        //!< unique per run
    std::string src;           //!< transmitting node, e.g. "leaf0"
    std::string dst;           //!< receiving node, e.g. "spine2"
    std::string kind;          //!< "host", "fabric" or "intra"
    double rateBps{0};         //!< line rate, bits/s
    double delayS{0};          //!< propagation delay, seconds
    uint64_t txBytes{0};       //!< bytes transmitted (wire bytes, headers included)
    uint64_t txPackets{0};     //!< packets transmitted
    uint64_t maxQueueBytes{0}; //!< peak egress queue occupancy, bytes
    uint64_t drops{0};         //!< packets lost on this link, every cause (sum of the below)
    uint64_t dropsQueue{0};    //!< tail drops at this egress (per-port QueueBytes full)
    uint64_t dropsBuffer{0};   //!< refused by the switch's shared buffer (lossy priority)
    uint64_t dropsHeadroom{0}; //!< lossless priority, PFC headroom exhausted
    uint64_t dropsNoRoute{0};  //!< arrived over this link at a switch without a route
    uint64_t dropsHopLimit{0}; //!< arrived over this link with its TTL run out
    uint64_t dropsRxError{0};  //!< lost to the receiving port's error model
};

/**
 * \ingroup vclos
 * A row of table "steps": one step of one collective run of a job's iteration (the run is
 * the gradient bucket or all-to-all within the iteration, in the order they ran).
 */
struct StepRow
{
    uint32_t jobId{0};      //!< job index
    uint32_t iteration{0};  //!< iteration index
    uint32_t run{0};        //!< collective run within the iteration
    std::string collective; //!< algorithm
    uint32_t step{0};       //!< step of the schedule
    double startS{0};       //!< first transfer of the step posted, seconds
    double endS{0};         //!< last transfer of the step received, seconds
    uint64_t bytes{0};      //!< payload bytes of the step
};

/**
 * \ingroup vclos
 * A row of table "congestion": ECN and PFC counters of one link direction (its sender port).
 */
struct CongestionRow
{
    uint32_t linkId{0};      //!< link id (as in "links")
    uint64_t ecnMarks{0};    //!< packets marked CE at this egress
    uint64_t pfcSent{0};     //!< PFC frames sent by the port
    uint64_t pfcReceived{0}; //!< PFC frames received by the port
    double pausedS{0};       //!< time the port was paused by the other end, seconds
};

/**
 * \ingroup vclos
 * A row of table "queue_samples": a port's egress queue at one sampling instant.
 */
struct QueueSampleRow
{
    uint32_t linkId{0}; //!< link id of the port
    double timeS{0};    //!< sampling time, seconds
    uint64_t bytes{0};  //!< bytes queued
};

/**
 * \ingroup vclos
 * A row of table "rate_samples": a queue pair's congestion-control rate at one instant.
 */
struct RateSampleRow
{
    uint32_t gpu{0};     //!< sending GPU
    uint32_t qpn{0};     //!< its queue pair
    uint32_t peerGpu{0}; //!< receiving GPU
    double timeS{0};     //!< sampling time, seconds
    double rateBps{0};   //!< rate, bits/s
};

/**
 * \ingroup vclos
 * A row of table "flows": the path a (job, src, dst, port) flow took.
 */
struct FlowRow
{
    uint32_t jobId{0};          //!< job index
    uint32_t srcGpu{0};         //!< sending GPU
    uint32_t dstGpu{0};         //!< receiving GPU
    uint32_t srcPort{0};        //!< source port / QP id hashed by ECMP
    std::vector<uint32_t> path; //!< link ids in order (stored as "3,17,42")
};

/**
 * \ingroup vclos
 * A row of table "ocs_reconfigurations": one change of one OCS's circuit map (OCS-vClos),
 * made for one job's placement or release.
 */
struct OcsReconfigurationRow
{
    double timeS{0};     //!< when the map changed (removed circuits dark from then on)
    uint32_t ocs{0};     //!< OCS index (= leaf uplink index)
    uint32_t jobId{0};   //!< the job placed or released
    uint32_t added{0};   //!< circuits added (dark until litS)
    uint32_t removed{0}; //!< circuits removed
    double litS{0};      //!< when the added circuits are lit (timeS if none added)
};

/**
 * \ingroup vclos
 * A row of table "ocs_switches": one OCS's counters over a run (OcsChannel).
 */
struct OcsSwitchRow
{
    uint32_t ocs{0};              //!< OCS index
    uint32_t ports{0};            //!< ports
    uint64_t reconfigurations{0}; //!< map changes that changed a circuit
    uint64_t circuitsChanged{0};  //!< circuits added plus removed by them
    double darkS{0};              //!< summed dark time of the added circuits, seconds
    uint64_t lostPackets{0};      //!< packets sent into a dark port (light lost)
    uint64_t lostBytes{0};        //!< their bytes
};

/**
 * \ingroup vclos
 * SQLite results store holding any number of runs.
 *
 * Schema (PRAGMA user_version = 9, WAL journal, foreign keys on):
 *  - runs(run_id, scenario_name, scenario_json, seed, level, vclos_version, ns3_version,
 *    started_utc, wall_time_s, sim_time_s, events, status, policy, backfill, scale,
 *    trace_file, trace_first, trace_count)
 *  - jobs(run_id, job_id, name, n_gpus, gpus, collective, bytes, iterations, start_s, finish_s,
 *    arrival_s, jwt_s, jrt_s, jct_s, n_leaves, leaves, n_spines, spines, released_s,
 *    isolated_s, slowdown)
 *  - placements(run_id, job_id, time_s, policy, branch, gpus, links, n_links, search_s,
 *    search_nodes, cap_hit)
 *  - cluster_samples(run_id, time_s, queued, running, busy_gpus)
 *  - link_job_bytes(run_id, link_id, job_id, data_bytes, data_packets, control_bytes,
 *    control_packets, first_s, last_s)
 *  - iterations(run_id, job_id, iteration, start_s, compute_end_s, end_s, comm_s)
 *  - links(run_id, link_id, src, dst, kind, rate_bps, delay_s, tx_bytes, tx_packets,
 *    max_queue_bytes, drops)
 *  - flows(run_id, job_id, src_gpu, dst_gpu, src_port, path)
 *  - steps(run_id, job_id, iteration, run, collective, step, start_s, end_s, bytes)
 *  - congestion(run_id, link_id, ecn_marks, pfc_sent, pfc_received, paused_s)
 *  - queue_samples(run_id, link_id, time_s, bytes)
 *  - rate_samples(run_id, gpu, qpn, peer_gpu, time_s, rate_bps)
 *  - invariants(run_id, name, ok, detail): the end-of-run checks (RunInvariants)
 *  - ocs_reconfigurations(run_id, time_s, ocs, job_id, added, removed, lit_s): OCS-vClos
 *    circuit changes (the dark windows: added circuits dark from time_s to lit_s)
 *  - ocs_switches(run_id, ocs, ports, reconfigurations, circuits_changed, dark_s,
 *    lost_packets, lost_bytes): per OCS of the run
 *  - sweep_runs(run_key, run_id, axes, source_db): in a database merged from a sweep
 *    (MergeSweepDatabases()), the run key of each run (one row per key; empty otherwise)
 *
 * Older files are upgraded in place when opened: version 1-3 get the links' drop causes
 * (version 4), version 1-4 the scheduler columns of runs and jobs (NULL in older rows) and
 * the tables placements, cluster_samples and link_job_bytes (version 5), version 1-5 the
 * table invariants (version 6), version 1-7 the tables validation, validation_summary and
 * sweep_runs (version 8), version 1-8 the tables ocs_reconfigurations and ocs_switches
 * (version 9).
 *
 * BeginRun() commits the run row at once (status "running", so a crashed run stays
 * visible as such). AddJob(), AddIteration(), AddLink() and AddFlow() only buffer rows;
 * Flush() writes the buffered batch in one transaction, and happens automatically every
 * \c batchRows rows, in FinishRun() (same transaction as the status update) and in the
 * destructor. Other connections see no buffered row until its batch is committed.
 * A streaming writer (ScenarioRunner) calls Flush() once per finished job, so a run killed
 * later keeps every finished job's rows.
 * Several processes may write to one file (SQLite locking, 60 s busy timeout).
 *
 * Errors throw std::runtime_error with the file path and the SQLite message; a batch that
 * fails is rolled back and discarded.
 */
class ResultsDb
{
  public:
    /// Schema version stored in PRAGMA user_version.
    static constexpr int kSchemaVersion = 9;

    /**
     * Open or create the database and create missing tables.
     * \param path the SQLite file
     * \param batchRows buffered rows that trigger an automatic Flush() (>= 1)
     * \throws std::runtime_error if the file cannot be opened, is not a database, or has a
     *         newer schema version
     */
    explicit ResultsDb(const std::string& path, std::size_t batchRows = 10000);
    /// Flushes (errors are printed to stderr, not thrown) and closes.
    ~ResultsDb();

    ResultsDb(const ResultsDb&) = delete;
    ResultsDb& operator=(const ResultsDb&) = delete;

    /**
     * Insert a run with status "running" and commit it (flushes pending rows first).
     * \param info the run description
     * \return the new run_id
     */
    int64_t BeginRun(const RunInfo& info);
    /// Buffer a jobs row. \param runId from BeginRun() \param row the row
    void AddJob(int64_t runId, const JobRow& row);
    /// Buffer an iterations row. \param runId from BeginRun() \param row the row
    void AddIteration(int64_t runId, const IterationRow& row);
    /**
     * Buffer a links row.
     * \param runId from BeginRun()
     * \param row the row
     * \throws std::invalid_argument if row.kind is not "host", "fabric" or "intra"
     */
    void AddLink(int64_t runId, const LinkRow& row);
    /// Buffer a flows row. \param runId from BeginRun() \param row the row
    void AddFlow(int64_t runId, const FlowRow& row);
    /// Buffer a steps row. \param runId from BeginRun() \param row the row
    void AddStep(int64_t runId, const StepRow& row);
    /// Buffer a congestion row. \param runId from BeginRun() \param row the row
    void AddCongestion(int64_t runId, const CongestionRow& row);
    /// Buffer a queue_samples row. \param runId from BeginRun() \param row the row
    void AddQueueSample(int64_t runId, const QueueSampleRow& row);
    /// Buffer a rate_samples row. \param runId from BeginRun() \param row the row
    void AddRateSample(int64_t runId, const RateSampleRow& row);
    /// Buffer a placements row. \param runId from BeginRun() \param row the row
    void AddPlacement(int64_t runId, const PlacementRow& row);
    /// Buffer a cluster_samples row. \param runId from BeginRun() \param row the row
    void AddClusterSample(int64_t runId, const ClusterSampleRow& row);
    /// Buffer a link_job_bytes row. \param runId from BeginRun() \param row the row
    void AddLinkJob(int64_t runId, const LinkJobRow& row);
    /// Write all buffered rows in one transaction (no-op when nothing is buffered).
    void Flush();
    /**
     * Flush and set the run's final figures and status, in one transaction.
     * \param runId from BeginRun()
     * \param wallTimeS wall-clock run time, seconds
     * \param simTimeS simulated time reached, seconds
     * \param events simulator events executed
     * \param status "done", "incomplete", "interrupted" or "failed"
     * \throws std::runtime_error if the run does not exist
     */
    void FinishRun(int64_t runId,
                   double wallTimeS,
                   double simTimeS,
                   uint64_t events,
                   const std::string& status);

    /**
     * Flush, then insert the run's invariants rows and commit them.
     * \param runId from BeginRun()
     * \param results one per invariant (unique names)
     */
    void AddInvariants(int64_t runId, const std::vector<InvariantResult>& results);

    /**
     * Flush, then insert a run's OCS rows (OCS-vClos) and commit them.
     * \param runId from BeginRun()
     * \param switches one per OCS
     * \param changes the circuit-map changes, in time order
     */
    void AddOcs(int64_t runId,
                const std::vector<OcsSwitchRow>& switches,
                const std::vector<OcsReconfigurationRow>& changes);

    /**
     * Flush, then compare a packet-level run with a flow-level run of the same scenario:
     * one validation row per job (metrics "jct" and "jrt", iteration -1) and per iteration
     * (metric "iteration": end - start) present in both runs, with both values and the
     * relative error (flow - packet) / packet (NULL where undefined), and one
     * validation_summary row per metric (mean, p50, p90 and max of |error|); committed.
     * \param packetRunId the packet-level run
     * \param flowRunId the flow-level run
     * \return the summaries ("jct", "jrt", "iteration"; a metric without rows is left out)
     */
    std::vector<LevelErrorSummary> AddValidation(int64_t packetRunId, int64_t flowRunId);

    /// \return the number of buffered (uncommitted) rows
    std::size_t PendingRows() const;
    /// \return the database file path
    const std::string& Path() const;
    /// \return the current UTC time as "YYYY-MM-DDTHH:MM:SSZ"
    static std::string UtcNow();

  private:
    /// Execute SQL without results; throws with \p what on error.
    void Exec(const char* sql, const std::string& what);
    /**
     * Run \p body in one transaction (BEGIN IMMEDIATE ... COMMIT); roll back and rethrow
     * if it throws.
     * \param what what the transaction does, for error messages
     * \param body the statements
     */
    void InTransaction(const std::string& what, const std::function<void()>& body);
    /// Prepare a statement; throws on error.
    sqlite3_stmt* Prepare(const char* sql);
    /// Throw std::runtime_error "<path>: <what>: <sqlite message>".
    [[noreturn]] void Fail(const std::string& what) const;
    /**
     * \param table a table \param column a column
     * \return true if the table exists without the column (a missing table is created
     *         whole by the schema)
     */
    bool NeedsColumn(const char* table, const char* column);
    /// Create the schema if missing and check the version.
    void InitSchema();
    /// Flush if the buffer reached m_batchRows.
    void MaybeFlush();
    /// Insert all buffered rows (inside a transaction the caller manages).
    void WritePending();
    /// Insert the buffered placements, cluster_samples and link_job_bytes rows.
    void WritePendingScheduler();
    /// Drop the buffered rows.
    void ClearPending();
    /// Finalize the statements and close the connection.
    void Close() noexcept;

    /// A buffered row: which table, for which run.
    template <typename Row>
    struct Pending
    {
        int64_t runId; //!< run
        Row row;       //!< the row
    };

    std::string m_path;                                      //!< file path
    std::size_t m_batchRows;                                 //!< auto-flush threshold
    sqlite3* m_db{nullptr};                                  //!< connection
    sqlite3_stmt* m_insRun{nullptr};                         //!< INSERT INTO runs
    sqlite3_stmt* m_insJob{nullptr};                         //!< INSERT INTO jobs
    sqlite3_stmt* m_insIteration{nullptr};                   //!< INSERT INTO iterations
    sqlite3_stmt* m_insLink{nullptr};                        //!< INSERT INTO links
    sqlite3_stmt* m_insFlow{nullptr};                        //!< INSERT INTO flows
    sqlite3_stmt* m_insStep{nullptr};                        //!< INSERT INTO steps
    sqlite3_stmt* m_insCongestion{nullptr};                  //!< INSERT INTO congestion
    sqlite3_stmt* m_insQueue{nullptr};                       //!< INSERT INTO queue_samples
    sqlite3_stmt* m_insRate{nullptr};                        //!< INSERT INTO rate_samples
    sqlite3_stmt* m_insPlacement{nullptr};                   //!< INSERT INTO placements
    sqlite3_stmt* m_insCluster{nullptr};                     //!< INSERT INTO cluster_samples
    sqlite3_stmt* m_insLinkJob{nullptr};                     //!< INSERT INTO link_job_bytes
    sqlite3_stmt* m_finishRun{nullptr};                      //!< UPDATE runs
    std::vector<Pending<JobRow>> m_jobs;                     //!< buffered jobs rows
    std::vector<Pending<IterationRow>> m_iterations;         //!< buffered iterations rows
    std::vector<Pending<LinkRow>> m_links;                   //!< buffered links rows
    std::vector<Pending<FlowRow>> m_flows;                   //!< buffered flows rows
    std::vector<Pending<StepRow>> m_steps;                   //!< buffered steps rows
    std::vector<Pending<CongestionRow>> m_congestion;        //!< buffered congestion rows
    std::vector<Pending<QueueSampleRow>> m_queueSamples;     //!< buffered queue samples
    std::vector<Pending<RateSampleRow>> m_rateSamples;       //!< buffered rate samples
    std::vector<Pending<PlacementRow>> m_placements;         //!< buffered placements rows
    std::vector<Pending<ClusterSampleRow>> m_clusterSamples; //!< buffered cluster samples
    std::vector<Pending<LinkJobRow>> m_linkJobs;             //!< buffered link_job_bytes rows
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_RESULTS_DB_H
