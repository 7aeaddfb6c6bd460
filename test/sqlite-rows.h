/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_TEST_SQLITE_ROWS_H
#define VCLOS_TEST_SQLITE_ROWS_H

// A read-only SQLite query for tests: every row of a statement as text.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <string>
#include <vector>

namespace vclostest
{

/// Rows of a query, each a vector of column texts (NULL as "NULL").
using Rows = std::vector<std::vector<std::string>>;

/**
 * \param path the database file (opened read-only)
 * \param sql one statement
 * \return its rows as text (NULL as "NULL"); a failure to open or prepare fails the test
 */
inline Rows
Query(const std::string& path, const std::string& sql)
{
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    Rows rows;
    while (st && sqlite3_step(st) == SQLITE_ROW)
    {
        std::vector<std::string> row;
        for (int c = 0; c < sqlite3_column_count(st); ++c)
        {
            const unsigned char* t = sqlite3_column_text(st, c);
            row.emplace_back(t ? reinterpret_cast<const char*>(t) : "NULL");
        }
        rows.push_back(row);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rows;
}

} // namespace vclostest

#endif // VCLOS_TEST_SQLITE_ROWS_H
