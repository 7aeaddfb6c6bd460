/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_ROUTE_SEEDS_H
#define VCLOS_ROUTE_SEEDS_H

// Pure code: deterministic ECMP seeds and UDP source ports. No ns-3 dependency.

#include "ns3/ecmp-hash.h"

#include <cstdint>

namespace ns3
{
namespace vclos
{

/// First UDP source port of a queue pair (IANA dynamic range, as RoCE NICs use).
constexpr uint16_t kFirstSourcePort = 49152;
/// Number of UDP source ports QpSourcePort() draws from (49152..65535).
constexpr uint32_t kSourcePorts = 16384;
/// Job id the NIC uses for a queue pair created outside any job (RdmaNic::CreateQp
/// without a port): its "ranks" are then GPU ids and its QP index the local QP number.
constexpr uint32_t kNoJob = 0xFFFFFFFF;

/**
 * ECMP hash seed of one switch: a pure function of the run seed and the switch's
 * ClusterTopology node id (no random stream), so the same run seed gives the same
 * hash outcomes in every engine and every run.
 * \param runSeed the run seed (the scenario's "seed")
 * \param switchNodeId the switch's node id
 * \return the seed (VclosSwitch::HashSeed)
 */
uint32_t SwitchHashSeed(uint64_t runSeed, uint32_t switchNodeId);

/**
 * The one seed of every switch in the "same seed everywhere" (polarization) mode.
 * \param runSeed the run seed
 * \return the seed
 */
uint32_t SharedHashSeed(uint64_t runSeed);

/**
 * UDP source port of a queue pair: a pure function of the run seed, the job and the
 * ranks, in kFirstSourcePort .. 65535. Both ends of the queue pair use it (data and ACKs).
 * \param runSeed the run seed
 * \param jobId the job (kNoJob outside jobs)
 * \param srcRank rank (or GPU) of the sender
 * \param dstRank rank (or GPU) of the receiver
 * \param qpIndex which queue pair between the two (a job's gradient collective: 0,
 *        its all-to-all: 1)
 * \return the port
 */
uint16_t QpSourcePort(uint64_t runSeed,
                      uint32_t jobId,
                      uint32_t srcRank,
                      uint32_t dstRank,
                      uint32_t qpIndex);

} // namespace vclos
} // namespace ns3

#endif // VCLOS_ROUTE_SEEDS_H
