/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "sweep-merge.h"

#include "ns3/results-db.h"

#include <algorithm>
#include <filesystem>
#include <sqlite3.h>
#include <stdexcept>

namespace ns3
{
namespace vclos
{

namespace
{

/// Busy timeout of the merge's connection (as ResultsDb's), milliseconds.
constexpr int kBusyTimeoutMs = 60000;

/// A SQLite connection closed on scope exit, with small query helpers.
class Connection
{
  public:
    /// \param path file \param flags sqlite3_open_v2 flags
    Connection(const std::string& path, int flags)
        : m_path(path)
    {
        if (sqlite3_open_v2(path.c_str(), &m_db, flags, nullptr) != SQLITE_OK)
        {
            const std::string msg = m_db ? sqlite3_errmsg(m_db) : "out of memory";
            sqlite3_close(m_db);
            m_db = nullptr;
            throw std::runtime_error(path + ": opening: " + msg);
        }
        sqlite3_busy_timeout(m_db, kBusyTimeoutMs);
    }

    ~Connection()
    {
        sqlite3_close(m_db);
    }

    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Run \p sql with text parameters; \return the rows as text (NULL as "")
    std::vector<std::vector<std::string>> Query(const std::string& sql,
                                                const std::vector<std::string>& params = {})
    {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
        {
            throw std::runtime_error(m_path + ": " + sql + ": " + sqlite3_errmsg(m_db));
        }
        for (std::size_t i = 0; i < params.size(); ++i)
        {
            sqlite3_bind_text(st, static_cast<int>(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT);
        }
        std::vector<std::vector<std::string>> rows;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        {
            std::vector<std::string> row;
            for (int c = 0; c < sqlite3_column_count(st); ++c)
            {
                const unsigned char* t = sqlite3_column_text(st, c);
                row.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
            }
            rows.push_back(std::move(row));
        }
        const std::string msg = rc == SQLITE_DONE ? "" : sqlite3_errmsg(m_db);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
        {
            throw std::runtime_error(m_path + ": " + sql + ": " + msg);
        }
        return rows;
    }

    /// \return the last inserted rowid
    int64_t LastRowId() const
    {
        return sqlite3_last_insert_rowid(m_db);
    }

  private:
    std::string m_path;     //!< file
    sqlite3* m_db{nullptr}; //!< connection
};

/// \return \p name quoted as an SQL identifier
std::string
Ident(const std::string& name)
{
    std::string q = "\"";
    for (char c : name)
    {
        q += c == '"' ? std::string("\"\"") : std::string(1, c);
    }
    return q + "\"";
}

/// \return the columns of table \p table in schema \p schema
std::vector<std::string>
Columns(Connection& db, const std::string& schema, const std::string& table)
{
    std::vector<std::string> cols;
    for (const auto& row : db.Query("SELECT name FROM pragma_table_info(?1, ?2)", {table, schema}))
    {
        cols.push_back(row[0]);
    }
    return cols;
}

} // namespace

std::string
RunDbStatus(const std::string& path, const std::string* scenarioJson)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
    {
        return "missing";
    }
    try
    {
        Connection db(path, SQLITE_OPEN_READONLY);
        const auto has = db.Query("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                  "name = 'runs'");
        if (has.empty() || has[0][0] == "0")
        {
            return "empty";
        }
        const auto runs = db.Query("SELECT status, scenario_json FROM runs");
        if (runs.empty())
        {
            return "empty";
        }
        if (runs.size() > 1)
        {
            return std::to_string(runs.size()) + " runs";
        }
        if (scenarioJson && runs[0][1] != *scenarioJson)
        {
            return "another scenario";
        }
        return runs[0][0];
    }
    catch (const std::runtime_error& e)
    {
        return std::string("unreadable: ") + e.what();
    }
}

SweepMergeReport
MergeSweepDatabases(const std::vector<SweepMergeInput>& inputs, const std::string& mergedPath)
{
    {
        ResultsDb create(mergedPath); // creates or upgrades the schema
    }
    Connection db(mergedPath, SQLITE_OPEN_READWRITE);
    db.Query("PRAGMA foreign_keys = ON");
    // The tables holding rows of a run: every table with a run_id column but runs and
    // sweep_runs (whatever tables the schema has, so a new table is merged too).
    std::vector<std::string> tables;
    for (const auto& row : db.Query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY "
                                    "name"))
    {
        const std::vector<std::string> cols = Columns(db, "main", row[0]);
        if (row[0] != "runs" && row[0] != "sweep_runs" &&
            std::find(cols.begin(), cols.end(), "run_id") != cols.end())
        {
            tables.push_back(row[0]);
        }
    }

    SweepMergeReport report;
    for (const SweepMergeInput& in : inputs)
    {
        if (!db.Query("SELECT 1 FROM sweep_runs WHERE run_key = ?1", {in.key}).empty())
        {
            report.already.push_back(in.key);
            continue;
        }
        const std::string status = RunDbStatus(in.dbPath, &in.scenarioJson);
        if (status != "done")
        {
            report.skipped.emplace_back(in.key, status);
            continue;
        }
        db.Query("ATTACH DATABASE ?1 AS src", {in.dbPath});
        try
        {
            const std::string oldId = db.Query("SELECT run_id FROM src.runs").at(0).at(0);
            db.Query("BEGIN IMMEDIATE");
            try
            {
                std::string cols;
                for (const std::string& c : Columns(db, "main", "runs"))
                {
                    if (c != "run_id")
                    {
                        cols += (cols.empty() ? "" : ", ") + Ident(c);
                    }
                }
                db.Query("INSERT INTO main.runs (" + cols + ") SELECT " + cols +
                             " FROM src.runs WHERE run_id = ?1",
                         {oldId});
                const std::string newId = std::to_string(db.LastRowId());
                for (const std::string& t : tables)
                {
                    const std::vector<std::string> srcCols = Columns(db, "src", t);
                    if (srcCols.empty())
                    {
                        continue; // an older file without this table
                    }
                    std::string list;
                    for (const std::string& c : Columns(db, "main", t))
                    {
                        if (c != "run_id" &&
                            std::find(srcCols.begin(), srcCols.end(), c) != srcCols.end())
                        {
                            list += ", " + Ident(c);
                        }
                    }
                    db.Query("INSERT INTO main." + Ident(t) + " (run_id" + list + ") SELECT ?1" +
                                 list + " FROM src." + Ident(t) +
                                 " WHERE run_id = ?2 ORDER BY rowid",
                             {newId, oldId});
                }
                db.Query("INSERT INTO sweep_runs (run_key, run_id, axes, source_db) VALUES "
                         "(?1, ?2, ?3, ?4)",
                         {in.key, newId, in.axesJson, in.dbPath});
                db.Query("COMMIT");
            }
            catch (...)
            {
                db.Query("ROLLBACK");
                throw;
            }
            db.Query("DETACH DATABASE src");
            report.merged.push_back(in.key);
        }
        catch (...)
        {
            try
            {
                db.Query("DETACH DATABASE src");
            }
            catch (const std::runtime_error&)
            {
                // already detached
            }
            throw;
        }
    }
    return report;
}

} // namespace vclos
} // namespace ns3
