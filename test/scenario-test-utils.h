/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_TEST_SCENARIO_TEST_UTILS_H
#define VCLOS_TEST_SCENARIO_TEST_UTILS_H

// Scenario parsing for pure-core tests.

#include "ns3/scenario.h"

#include <string>

namespace vclostest
{

/// \return the message of the ScenarioError that parsing \p json (as "s.json") throws
///         ("" if none)
inline std::string
ParseError(const std::string& json)
{
    try
    {
        ns3::vclos::ParseScenario(json, "s.json", ns3::vclos::CollectiveAlgorithms());
    }
    catch (const ns3::vclos::ScenarioError& e)
    {
        return e.what();
    }
    return "";
}

} // namespace vclostest

#endif // VCLOS_TEST_SCENARIO_TEST_UTILS_H
