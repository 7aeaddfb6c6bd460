/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The main() of ns-3's test-runner (utils/test-runner.cc), for the standalone check of
// test/ns3-gtest-suites.cc (see test/CMakeLists.txt).

#include "ns3/test.h"

int
main(int argc, char* argv[])
{
    return ns3::TestRunner::Run(argc, argv);
}
