/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// GoogleTest tests for the standalone check of test/ns3-gtest-suites.cc (test/CMakeLists.txt):
// one that always passes, one that fails when VCLOS_WRAPPER_FAIL is set, so that the check sees
// a GoogleTest failure become an ns-3 test failure with its message.

#include <cstdio>
#include <cstdlib>
#include <gtest/gtest.h>

TEST(WrapperSample, Passes)
{
    EXPECT_EQ(2 + 2, 4);
}

TEST(WrapperSample, FailsWhenAsked)
{
    EXPECT_EQ(std::getenv("VCLOS_WRAPPER_FAIL"), nullptr)
        << "failure asked for by VCLOS_WRAPPER_FAIL";
}

TEST(WrapperSampleDeathTest, ThreadsafeStyleReExecutesTheTestRunner)
{
    ::testing::FLAGS_gtest_death_test_style = "threadsafe";
    EXPECT_DEATH(
        {
            std::fputs("the child ran the death test\n", stderr);
            std::abort();
        },
        "the child ran the death test");
}
