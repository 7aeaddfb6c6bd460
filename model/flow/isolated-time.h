/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_ISOLATED_TIME_H
#define VCLOS_ISOLATED_TIME_H

// Pure code: no ns-3 in this file or its .cc.

#include "ns3/scenario.h"

#include <cstdint>
#include <vector>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * A job's running time alone on the cluster, without packets: iterations x (compute per
 * iteration + EvaluateFluid() of its collective on its GPUs).
 *
 * "Alone" means: the same GPUs, nothing else on the fabric, and the job's own flows never
 * sharing a fabric link (every rank's traffic leaves its leaf on its own uplink, as vclos's
 * source routes make it). The fluid model loads only the GPUs' host (or intra-server)
 * ports; a flow between leaves adds the store-and-forward of its last packet at the two
 * fabric hops and the far host hop, and every link's propagation delay. For an ecmp, static
 * or random-ecmp job this is the same ideal: collisions of the job's own flows on a fabric
 * link (ECMP hashing them together) count as slowdown, not as part of the isolated time.
 *
 * Defined for jobs that run one collective per iteration after their compute (buckets 1,
 * no all-to-all); NaN for others.
 *
 * \param job the job (collective, bytes, iterations, computeS, pipelineChunks, buckets,
 *        allToAllBytes)
 * \param gpus its GPUs in rank order
 * \param topology the cluster (rates, delays, GPUs per leaf and server)
 * \param network the transport (MTU, ACK interval)
 * \return seconds, or NaN
 */
double IsolatedJobSeconds(const JobSpec& job,
                          const std::vector<uint32_t>& gpus,
                          const TopologySpec& topology,
                          const NetworkSpec& network);

} // namespace vclos
} // namespace ns3

#endif // VCLOS_ISOLATED_TIME_H
