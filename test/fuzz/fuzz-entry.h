/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_FUZZ_ENTRY_H
#define VCLOS_FUZZ_ENTRY_H

// The inputs the fuzzers feed to vclos's parsers (pure core, no ns-3). Shared by the
// libFuzzer targets (clang, -DVCLOS_FUZZ=ON) and by the regression runner that replays the
// saved crash inputs and seed corpora in every ordinary build.

#include <cstddef>
#include <cstdint>

namespace ns3
{
namespace vclos
{
namespace fuzz
{

/**
 * Parse \p data as a scenario (ParseScenario). An input is either accepted or rejected with
 * a ScenarioError; an accepted scenario's topology is then built (ClusterTopology), as the
 * runner does. Any other exception, a crash, a hang or unbounded memory is a bug.
 * \param data input bytes
 * \param size input length
 */
void ScenarioInput(const uint8_t* data, std::size_t size);

/**
 * Parse \p data as a job trace (ParseJobTrace), then apply selections to an accepted trace
 * (all jobs at scale 1; a compressed, clipped tail) as a scenario's `trace` key would. Any
 * exception other than TraceError is a bug.
 * \param data input bytes
 * \param size input length
 */
void TraceInput(const uint8_t* data, std::size_t size);

/**
 * Parse \p data as a sweep file (ParseSweep); a "base" file path reads a small fixed
 * scenario instead of a file. An accepted sweep of at most kFuzzExpandRuns runs is then
 * expanded with every run's scenario validated (ExpandSweep). Any exception other than
 * SweepError is a bug.
 * \param data input bytes
 * \param size input length
 */
void SweepInput(const uint8_t* data, std::size_t size);

/// Largest sweep SweepInput() expands (larger ones are only parsed and counted).
constexpr std::size_t kFuzzExpandRuns = 8;

} // namespace fuzz
} // namespace vclos
} // namespace ns3

#endif // VCLOS_FUZZ_ENTRY_H
