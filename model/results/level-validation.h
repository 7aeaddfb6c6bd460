/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_LEVEL_VALIDATION_H
#define VCLOS_LEVEL_VALIDATION_H

// Pure code: no ns-3 in this file or its .cc.

#include <cstdint>
#include <string>
#include <vector>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * How far the flow level is from the packet level on one metric (a validation_summary row):
 * statistics of the absolute relative errors |flow - packet| / packet.
 */
struct LevelErrorSummary
{
    std::string metric; //!< "jct", "jrt" (per job) or "iteration" (per iteration)
    uint64_t n{0};      //!< values compared (rows with a defined error)
    double meanAbs{0};  //!< mean |error|
    double p50Abs{0};   //!< median |error| (nearest rank)
    double p90Abs{0};   //!< 90th percentile of |error| (nearest rank)
    double maxAbs{0};   //!< largest |error|
};

/**
 * \ingroup vclos
 * \param metric the metric's name (copied into the result)
 * \param errors relative errors (signed; NaN values are skipped)
 * \return mean, nearest-rank p50 and p90 (the value at rank ceil(q n)) and max of the absolute
 *         errors; all 0 with n = 0 for no values
 */
LevelErrorSummary SummarizeLevelErrors(const std::string& metric, std::vector<double> errors);

/**
 * \ingroup vclos
 * \param packetS the packet level's value, seconds
 * \param flowS the flow level's value, seconds
 * \return (flow - packet) / packet; NaN if either is NaN or the packet value is not > 0
 */
double LevelRelativeError(double packetS, double flowS);

} // namespace vclos
} // namespace ns3

#endif // VCLOS_LEVEL_VALIDATION_H
