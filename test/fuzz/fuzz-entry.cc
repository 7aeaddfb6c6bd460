/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "fuzz-entry.h"

#include "ns3/cluster-topology.h"
#include "ns3/job-trace.h"
#include "ns3/scenario.h"
#include "ns3/sweep-spec.h"

#include <string>

namespace ns3
{
namespace vclos
{
namespace fuzz
{

void
ScenarioInput(const uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    Scenario s;
    try
    {
        s = ParseScenario(text, "fuzz.json");
    }
    catch (const ScenarioError&)
    {
        return; // rejected with a message: the expected outcome for most inputs
    }
    // What the runner does next with an accepted scenario: build its cluster graph. The
    // loader's limits (kMaxGpus, the link count) must keep this bounded.
    (void)ClusterTopology::LeafSpine(s.topology.Shape());
}

void
TraceInput(const uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    std::vector<TraceJob> jobs;
    try
    {
        jobs = ParseJobTrace(text, "fuzz.csv");
    }
    catch (const TraceError&)
    {
        return;
    }
    // The selections a scenario's `trace` key applies: everything as written, then a
    // compressed and clipped tail.
    TraceSelection all;
    TraceSelection tail;
    tail.first = jobs.size() / 2;
    tail.scale = 1e-3;
    tail.maxDurationS = 1.0;
    for (const TraceSelection& sel : {all, tail})
    {
        try
        {
            (void)ApplyTraceSelection(jobs, sel, "fuzz.csv");
        }
        catch (const TraceError&)
        {
            // e.g. bytes that round to 0 after compression: rejected with a message
        }
    }
}

void
SweepInput(const uint8_t* data, std::size_t size)
{
    // What a "base" path reads: a small scenario with a scheduler, so that axes such as
    // scheduler.policy, seed, jobs.0.iterations or topology.leaves reach the scenario parser.
    static const std::string kBase = R"({"name": "fuzz-base", "seed": 1,
      "topology": {"leaves": 2, "spines": 2, "gpus_per_leaf": 4},
      "scheduler": {"policy": "vclos"},
      "jobs": [{"name": "a", "n_gpus": 4, "collective": "ring", "bytes": 4096}]})";
    const std::string text(reinterpret_cast<const char*>(data), size);
    try
    {
        const SweepSpec spec =
            ParseSweep(text, "fuzz-sweep.json", [](const std::string&) { return kBase; });
        if (SweepRunCount(spec) <= kFuzzExpandRuns)
        {
            (void)ExpandSweep(spec, true);
        }
    }
    catch (const SweepError&)
    {
        // rejected with a message
    }
}

} // namespace fuzz
} // namespace vclos
} // namespace ns3
