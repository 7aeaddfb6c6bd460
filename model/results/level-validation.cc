/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/level-validation.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ns3
{
namespace vclos
{

namespace
{
/// Percentiles of the summary.
constexpr double kMedian = 0.5;
constexpr double kP90 = 0.9;

/// Nearest-rank percentile of sorted values: the value at rank ceil(q n) (1-based).
double
NearestRank(const std::vector<double>& sorted, double q)
{
    const auto n = static_cast<double>(sorted.size());
    const auto rank = static_cast<std::size_t>(std::max(1.0, std::ceil(q * n)));
    return sorted[std::min(rank, sorted.size()) - 1];
}
} // namespace

LevelErrorSummary
SummarizeLevelErrors(const std::string& metric, std::vector<double> errors)
{
    LevelErrorSummary s;
    s.metric = metric;
    std::vector<double> a;
    a.reserve(errors.size());
    for (double e : errors)
    {
        if (!std::isnan(e))
        {
            a.push_back(std::abs(e));
        }
    }
    if (a.empty())
    {
        return s;
    }
    std::sort(a.begin(), a.end());
    double sum = 0;
    for (double x : a)
    {
        sum += x;
    }
    s.n = a.size();
    s.meanAbs = sum / static_cast<double>(a.size());
    s.p50Abs = NearestRank(a, kMedian);
    s.p90Abs = NearestRank(a, kP90);
    s.maxAbs = a.back();
    return s;
}

double
LevelRelativeError(double packetS, double flowS)
{
    if (std::isnan(packetS) || std::isnan(flowS) || !(packetS > 0))
    {
        return std::numeric_limits<double>::quiet_NaN();
    }
    return (flowS - packetS) / packetS;
}

} // namespace vclos
} // namespace ns3
