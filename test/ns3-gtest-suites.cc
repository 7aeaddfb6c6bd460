/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/**
 * @file
 * vclos's GoogleTest suites as ns-3 test suites, for the contrib build (test.py, test-runner).
 *
 * Every GoogleTest source test/<name>-test.cc becomes one ns-3 TestSuite "vclos-<name>" (a
 * leading "vclos-" of <name> is not repeated). Its one test case runs, in the test-runner's
 * process, exactly the GoogleTest tests defined in that file (selected by TestInfo::file()) and
 * reports every failed GoogleTest assertion as an ns-3 test failure with the assertion's file,
 * line and message. GoogleTest's TempDir() points into the test's ns-3 temporary directory.
 * Death tests work in both styles ("threadsafe" re-executes the test-runner: see
 * RunDeathTestChildIfAsked()).
 *
 * CMakeLists.txt compiles this file only in an ns-3 tree, together with all test/<name>-test.cc
 * files, and passes their names as VCLOS_GTEST_FILES (comma-separated): the standalone build
 * runs the same tests with ctest instead.
 */

#include "ns3/test.h"

#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#ifndef VCLOS_GTEST_FILES
#error "VCLOS_GTEST_FILES (the GoogleTest sources, comma-separated) must come from CMakeLists.txt"
#endif

namespace
{

/// One failed GoogleTest assertion.
struct GTestFailure
{
    std::string test;    //!< full GoogleTest name, Suite.Test
    std::string file;    //!< file of the assertion
    int line;            //!< line of the assertion
    std::string message; //!< GoogleTest's message
};

/// Records the failed assertions of the GoogleTest tests that run.
class FailureCollector : public ::testing::EmptyTestEventListener
{
  public:
    /**
     * Records @p result if it is a failure.
     * @param result an assertion's result
     */
    /**
     * Remembers the name of the test that starts (GoogleTest's current_test_info() cannot be
     * called from OnTestPartResult(): it takes a lock that is held there).
     * @param info the test
     */
    void OnTestStart(const ::testing::TestInfo& info) override
    {
        m_current = std::string(info.test_suite_name()) + "." + info.name();
    }

    /// Forgets the test that ended (failures outside a test belong to the environment).
    void OnTestEnd(const ::testing::TestInfo&) override
    {
        m_current = "(environment)";
    }

    /**
     * Records @p result if it is a failure.
     * @param result an assertion's result
     */
    void OnTestPartResult(const ::testing::TestPartResult& result) override
    {
        if (result.failed())
        {
            failures.push_back({m_current,
                                result.file_name() ? result.file_name() : "",
                                result.line_number(),
                                result.message()});
        }
    }

    std::vector<GTestFailure> failures; //!< failures since the last clear()

  private:
    std::string m_current{"(environment)"}; //!< the test that runs
};

/// The file name part of @p path.
std::string
BaseName(const std::string& path)
{
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// The path of the running program (the test-runner).
std::string
SelfPath()
{
    std::error_code error;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
    return error ? std::string("/proc/self/exe") : self.string();
}

/**
 * Initialises GoogleTest once per process and installs the failure collector.
 * @return the collector
 */
FailureCollector&
GTestOnce()
{
    static FailureCollector* collector = [] {
        // argv[0] is what a "threadsafe" death test re-executes: this very program.
        static std::string self = SelfPath();
        int argc = 1;
        char* argv[] = {self.data(), nullptr};
        ::testing::InitGoogleTest(&argc, argv);
        auto* c = new FailureCollector;
        ::testing::UnitTest::GetInstance()->listeners().Append(c); // owned by GoogleTest
        return c;
    }();
    return *collector;
}

/// Runs the GoogleTest tests of one source file and reports their failures to ns-3.
class GTestFileCase : public ns3::TestCase
{
  public:
    /**
     * @param file the GoogleTest source's file name (for instance "topology-test.cc")
     */
    explicit GTestFileCase(const std::string& file)
        : ns3::TestCase("GoogleTest tests in " + file),
          m_file(file)
    {
    }

  private:
    void DoRun() override
    {
        FailureCollector& collector = GTestOnce();

        // ::testing::TempDir() reads TEST_TMPDIR at each call; the directory must end in '/'.
        const std::string tmp = CreateTempDirFilename("");
        setenv("TEST_TMPDIR", (tmp.empty() || tmp.back() == '/' ? tmp : tmp + "/").c_str(), 1);

        std::string filter;
        int selected = 0;
        const ::testing::UnitTest* unit = ::testing::UnitTest::GetInstance();
        for (int s = 0; s < unit->total_test_suite_count(); ++s)
        {
            const ::testing::TestSuite* suite = unit->GetTestSuite(s);
            for (int t = 0; t < suite->total_test_count(); ++t)
            {
                const ::testing::TestInfo* info = suite->GetTestInfo(t);
                if (BaseName(info->file()) == m_file)
                {
                    filter +=
                        std::string(filter.empty() ? "" : ":") + suite->name() + "." + info->name();
                    ++selected;
                }
            }
        }
        NS_TEST_EXPECT_MSG_GT(selected, 0, "no GoogleTest test is defined in test/" + m_file);
        if (selected == 0)
        {
            return; // an empty filter would run nothing anyway
        }

        GTEST_FLAG_SET(filter, filter);
        collector.failures.clear();
        const int status = RUN_ALL_TESTS();

        for (const GTestFailure& f : collector.failures)
        {
            ReportTestFailure("GoogleTest " + f.test,
                              "failed",
                              "passes",
                              f.message,
                              f.file,
                              f.line);
        }
        NS_TEST_EXPECT_MSG_EQ(unit->test_to_run_count(),
                              selected,
                              "GoogleTest ran other tests than those of test/" + m_file);
        NS_TEST_EXPECT_MSG_EQ((status == 0),
                              collector.failures.empty(),
                              "RUN_ALL_TESTS() and the recorded failures disagree");
    }

    std::string m_file; //!< the GoogleTest source's file name
};

/**
 * The ns-3 suite name of a GoogleTest source: "vclos-" and the file name without "-test.cc"
 * (and without a leading "vclos-").
 * @param file a file name ending in "-test.cc"
 * @return the suite name
 */
std::string
SuiteName(std::string file)
{
    const std::string suffix = "-test.cc";
    const std::string prefix = "vclos-";
    file = file.substr(0, file.size() - suffix.size());
    if (file.compare(0, prefix.size(), prefix) == 0)
    {
        file = file.substr(prefix.size());
    }
    return prefix + file;
}

/// One ns-3 test suite per GoogleTest source.
class GTestFileSuite : public ns3::TestSuite
{
  public:
    /**
     * @param file the GoogleTest source's file name
     */
    explicit GTestFileSuite(const std::string& file)
        : ns3::TestSuite(SuiteName(file))
    {
        AddTestCase(new GTestFileCase(file));
    }
};

/**
 * Creates the suites of the files in VCLOS_GTEST_FILES.
 * @return the suites (registered with ns-3's test runner by their constructors)
 */
std::vector<std::unique_ptr<GTestFileSuite>>
MakeSuites()
{
    std::vector<std::unique_ptr<GTestFileSuite>> suites;
    std::istringstream files(VCLOS_GTEST_FILES);
    std::string file;
    while (std::getline(files, file, ','))
    {
        if (!file.empty())
        {
            suites.push_back(std::make_unique<GTestFileSuite>(file));
        }
    }
    return suites;
}

/// The suites, created when the test library is loaded.
const std::vector<std::unique_ptr<GTestFileSuite>> g_suites = MakeSuites();

/**
 * The child process of a GoogleTest "threadsafe" death test: GoogleTest re-executes the program
 * with --gtest_filter=<the test> and --gtest_internal_run_death_test=..., options that ns-3's
 * TestRunner does not know (it would print its help and exit). Such a child is recognised when
 * the test library is loaded and runs the death test through GoogleTest, never reaching
 * TestRunner::Run(). This file is the last of the test library's sources, so every GoogleTest
 * test of the library is registered by then (static initialisers run in link order).
 * @return false (in a parent process)
 */
bool
RunDeathTestChildIfAsked()
{
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::vector<std::string> args;
    for (std::string arg; std::getline(in, arg, '\0');)
    {
        args.push_back(arg);
    }
    bool child = false;
    for (const std::string& arg : args)
    {
        child = child || arg.rfind("--gtest_internal_run_death_test=", 0) == 0;
    }
    if (!child)
    {
        return false;
    }
    std::vector<char*> argv;
    for (std::string& arg : args)
    {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    int argc = static_cast<int>(args.size());
    ::testing::InitGoogleTest(&argc, argv.data());
    std::_Exit(RUN_ALL_TESTS()); // the death test exits by itself; this is the fallback
}

/// Whether this process is a death test's child (which never gets here: it exits).
const bool g_deathTestChild = RunDeathTestChildIfAsked();

} // namespace
