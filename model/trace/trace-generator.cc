/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "trace-generator.h"

#include "ns3/collective-schedule.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace ns3
{
namespace vclos
{

namespace
{

/// Bits of a 64-bit draw that make a double's 53-bit mantissa.
constexpr int kDropBits = 11;
/// 2^-53.
constexpr double kTwoPowMinus53 = 1.0 / 9007199254740992.0;
/// Bits per byte.
constexpr double kBitsPerByte = 8;

/// Uniform in [0, 1), independent of the standard library's distributions.
double
Uniform(std::mt19937_64& rng)
{
    return static_cast<double>(rng() >> kDropBits) * kTwoPowMinus53;
}

/// Exponential with the given mean by inversion.
double
Exponential(std::mt19937_64& rng, double mean)
{
    return -mean * std::log1p(-Uniform(rng));
}

/// Index drawn with probability proportional to the weights (cumulative sums given).
std::size_t
Weighted(std::mt19937_64& rng, const std::vector<double>& cumulative)
{
    const double x = Uniform(rng) * cumulative.back();
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), x);
    return std::min<std::size_t>(it - cumulative.begin(), cumulative.size() - 1);
}

/// Cumulative sums of weights, each finite and > 0; throws naming \p what.
std::vector<double>
Cumulative(const std::vector<double>& weights, const std::string& what)
{
    std::vector<double> c;
    double sum = 0;
    for (std::size_t i = 0; i < weights.size(); ++i)
    {
        if (!std::isfinite(weights[i]) || weights[i] <= 0)
        {
            throw std::invalid_argument("TraceRecipe." + what + "[" + std::to_string(i) +
                                        "]: expected a finite weight > 0");
        }
        sum += weights[i];
        c.push_back(sum);
    }
    if (c.empty() || !std::isfinite(sum))
    {
        throw std::invalid_argument("TraceRecipe." + what + ": expected finite weights");
    }
    return c;
}

/// Bytes each rank sends on its link per byte of the collective size.
double
SendFactor(const std::string& collective, uint32_t n)
{
    if (n <= 1)
    {
        return 1;
    }
    const double d = n;
    if (collective == "all2all_pairwise")
    {
        return d - 1;
    }
    if (collective == "all_to_all" || collective == "reduce_scatter" || collective == "all_gather")
    {
        return (d - 1) / d;
    }
    return 2 * (d - 1) / d;
}

void
Check(bool ok, const std::string& what)
{
    if (!ok)
    {
        throw std::invalid_argument("TraceRecipe." + what);
    }
}

} // namespace

std::vector<TraceJob>
GenerateJobTrace(const TraceRecipe& recipe, uint64_t seed)
{
    Check(recipe.jobs >= 1 && recipe.jobs <= kMaxTraceJobs, "jobs: expected 1..2^20");
    Check(std::isfinite(recipe.meanGapS) && recipe.meanGapS > 0,
          "meanGapS: expected a finite number > 0");
    Check(!recipe.sizes.empty() && recipe.sizes.size() == recipe.sizeWeights.size(),
          "sizes: expected as many sizes as sizeWeights, at least one");
    for (uint32_t s : recipe.sizes)
    {
        Check(s >= 1 && s <= kMaxTraceGpus, "sizes: expected 1..16777214 GPUs");
    }
    Check(std::isfinite(recipe.durationMeanS) && recipe.durationMeanS > 0,
          "durationMeanS: expected a finite number > 0");
    Check(std::isfinite(recipe.durationMinS) && recipe.durationMinS > 0 &&
              recipe.durationMinS <= recipe.durationMaxS && recipe.durationMaxS <= kMaxTraceSeconds,
          "durationMinS/durationMaxS: expected 0 < min <= max <= 1e9");
    Check(recipe.iterations >= 1, "iterations: expected >= 1");
    Check(std::isfinite(recipe.linkRateBps) && recipe.linkRateBps > 0,
          "linkRateBps: expected a finite number > 0");
    Check(!recipe.models.empty(), "models: expected at least one model");
    const std::vector<std::string> algorithms = CollectiveAlgorithms();
    std::vector<double> modelWeights;
    for (const auto& m : recipe.models)
    {
        Check(std::find(algorithms.begin(), algorithms.end(), m.collective) != algorithms.end(),
              "models: unknown collective '" + m.collective + "'");
        Check(m.commRatio >= 0 && m.commRatio < 1, "models: commRatio must be in [0, 1)");
        modelWeights.push_back(m.weight);
    }
    const std::vector<double> sizeCum = Cumulative(recipe.sizeWeights, "sizeWeights");
    const std::vector<double> modelCum = Cumulative(modelWeights, "models.weight");

    std::mt19937_64 rng(seed);
    std::vector<TraceJob> jobs;
    jobs.reserve(recipe.jobs);
    double t = 0;
    for (uint64_t i = 0; i < recipe.jobs; ++i)
    {
        TraceJob job;
        job.id = i;
        t += Exponential(rng, recipe.meanGapS);
        job.arrivalS = t;
        job.gpus = recipe.sizes[Weighted(rng, sizeCum)];
        const double d = std::clamp(Exponential(rng, recipe.durationMeanS),
                                    recipe.durationMinS,
                                    recipe.durationMaxS);
        const TraceModelMix& m = recipe.models[Weighted(rng, modelCum)];
        job.model = m.name;
        job.collective = m.collective;
        job.commRatio = m.commRatio;
        job.uncontendedS = d;
        job.iterations = recipe.iterations;
        job.computeTotalS = d * (1 - m.commRatio);
        job.computePerIterationS = job.computeTotalS / job.iterations;
        const double commPerIteration = d * m.commRatio / job.iterations;
        const double bytes = std::round(commPerIteration * recipe.linkRateBps / kBitsPerByte /
                                        SendFactor(m.collective, job.gpus));
        job.bytes =
            static_cast<uint64_t>(std::clamp(bytes, 1.0, static_cast<double>(kMaxTraceInteger)));
        jobs.push_back(std::move(job));
    }
    return jobs;
}

} // namespace vclos
} // namespace ns3
