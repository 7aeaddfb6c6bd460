/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_TRACE_GENERATOR_H
#define VCLOS_TRACE_GENERATOR_H

// Pure code: no ns-3 in this file or its .cc.

#include "ns3/job-trace.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * One entry of a generated trace's model mix.
 */
struct TraceModelMix
{
    std::string name;       //!< model label (kept in TraceJob::model)
    double weight{1};       //!< relative frequency, finite and > 0
    double commRatio{0.1};  //!< communication share of the job's duration, in [0, 1)
    std::string collective; //!< collective algorithm (CollectiveAlgorithms())
};

/**
 * \ingroup vclos
 * The paper's recipe for a synthetic job trace (doc/traces.rst, "Generator").
 */
struct TraceRecipe
{
    uint64_t jobs{1000};               //!< number of jobs, 1..kMaxTraceJobs
    double meanGapS{241};              //!< mean of the exponential inter-arrival gaps, > 0
    std::vector<uint32_t> sizes;       //!< GPU counts, each 1..kMaxTraceGpus
    std::vector<double> sizeWeights;   //!< relative frequency of each size, > 0
    double durationMeanS{6000};        //!< mean of the exponential duration draw, > 0
    double durationMinS{1000};         //!< durations are clipped to [min, max]
    double durationMaxS{100000};       //!< (0 < min <= max <= kMaxTraceSeconds)
    std::vector<TraceModelMix> models; //!< the model mix (non-empty)
    uint32_t iterations{1};            //!< iterations of every job, >= 1
    double linkRateBps{100e9};         //!< link rate used to turn comm time into bytes
};

/**
 * \ingroup vclos
 * Generate a trace from \p recipe. Randomness: one std::mt19937_64 seeded with \p seed (its
 * output is fixed by the C++ standard); every draw is hand-written from it, so traces do not
 * depend on the standard library: u = (x >> 11) * 2^-53 in [0, 1); exponential draws are
 * -mean * log1p(-u); weighted draws pick the first index whose cumulative weight exceeds
 * u * (sum of weights). Per job, in this order: gap, size, duration, model.
 *
 * Job i: arrival = sum of the first i+1 gaps; gpus = the drawn size; D = the exponential
 * duration clipped to [durationMinS, durationMaxS] = uncontendedS; compute total =
 * D (1 - commRatio); the communication time D commRatio becomes bytes = max(1, llround(
 * D commRatio linkRateBps / 8 / F)), where F is the bytes each rank sends per byte of S on its
 * link: 2(N-1)/N for the all-reduces, (N-1)/N for all_to_all, reduce_scatter and all_gather,
 * N-1 for all2all_pairwise, 1 for N = 1. collective and commRatio from the model.
 *
 * \param recipe the recipe
 * \param seed the seed
 * \return the jobs (ids 0..jobs-1, line 0)
 * \throws std::invalid_argument for an invalid recipe (the message names the field)
 */
std::vector<TraceJob> GenerateJobTrace(const TraceRecipe& recipe, uint64_t seed);

} // namespace vclos
} // namespace ns3

#endif // VCLOS_TRACE_GENERATOR_H
