/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_COMPACT_COLLECTIVE_H
#define VCLOS_COMPACT_COLLECTIVE_H

// Pure code: no ns-3 in this file or its .cc.

#include "ns3/collective-schedule.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * The ordered rank pairs (sender, receiver) that communicate in one phase of a collective.
 * A shift pattern is stored as one number (rank r sends to (r + shift) mod N), so a
 * pairwise all-to-all of N - 1 rounds costs O(N) memory; any other pattern lists its pairs.
 */
struct RankPattern
{
    /// How the pairs are stored.
    enum class Kind : uint8_t
    {
        SHIFT, //!< every rank r sends to (r + shift) mod ranks
        LIST   //!< the pairs are listed
    };

    Kind kind{Kind::LIST};                            //!< storage
    uint32_t shift{0};                                //!< SHIFT: the shift (1..ranks-1)
    std::vector<std::pair<uint32_t, uint32_t>> pairs; //!< LIST: distinct pairs, sorted

    /**
     * \param ranks ranks of the collective
     * \return number of pairs
     */
    uint32_t Size(uint32_t ranks) const;
    /**
     * \param ranks ranks of the collective
     * \param i pair index, < Size(ranks)
     * \return the i-th pair (sender rank, receiver rank)
     */
    std::pair<uint32_t, uint32_t> Pair(uint32_t ranks, uint32_t i) const;
    /// \return true if both describe the same pairs in the same order
    bool operator==(const RankPattern& other) const;
};

/**
 * \ingroup vclos
 * One phase of a compact collective: every pair of pattern \c pattern carries \c bytes,
 * all pairs at once; the phase ends when the last pair is done, and the next phase starts.
 */
struct CollectivePhase
{
    uint32_t pattern{0};   //!< index in CompactCollective::patterns
    uint64_t bytes{0};     //!< payload bytes per pair (the largest pair's, see MakeCompact)
    uint32_t firstStep{0}; //!< first schedule step merged into the phase
    uint32_t steps{1};     //!< schedule steps merged into the phase
};

/**
 * \ingroup vclos
 * A collective as a sequence of phases over a few rank patterns: the flow level's form of a
 * CollectiveSchedule. Memory is in proportion to the distinct pairs and phases, not to the
 * transfers: a 512-rank ring all-reduce (522,242 transfers) is one pattern of 512 pairs and
 * one phase; a 512-rank all2all_pairwise is 511 shift patterns and 511 phases.
 */
struct CompactCollective
{
    std::string algorithm;               //!< algorithm name
    uint32_t ranks{0};                   //!< ranks
    uint64_t bytes{0};                   //!< collective size S per rank buffer
    std::vector<RankPattern> patterns;   //!< the distinct patterns
    std::vector<CollectivePhase> phases; //!< the phases, in order

    /// \return stored pairs (LIST patterns) plus one per SHIFT pattern: the memory measure
    uint64_t StoredPairs() const;
    /// \return sum over phases of pairs x bytes: the payload the flow level moves
    uint64_t TotalBytes(void) const;
};

/**
 * \ingroup vclos
 * Compress a schedule into phases: step by step, the distinct ordered pairs of the step's
 * transfers form its pattern and the phase carries the largest per-pair byte sum of the
 * step (pairs of one step differ by at most the rounding of the block sizes); consecutive
 * steps with the same pairs merge into one phase whose bytes add up. Dependencies inside a
 * step (pipelined chunks) are dropped: a phase is a barrier-synchronous step.
 * \param schedule the schedule
 * \return the compact form
 */
CompactCollective CompressSchedule(const CollectiveSchedule& schedule);

/**
 * \ingroup vclos
 * The compact form of MakeCollective(algorithm, ranks, bytes, gpusPerServer,
 * pipelineChunks), built without the transfer list where that list is large:
 *  - "ring", "reduce_scatter", "all_gather": one SHIFT 1 phase of 2(N-1), N-1 and N-1 blocks
 *    of ceil(S/N) bytes (pipelining does not change the pairs);
 *  - "all2all_pairwise": N-1 SHIFT k phases of S bytes;
 *  - "all_to_all": one phase of every ordered pair, ceil(S/N) bytes each (the transfers have
 *    no dependencies: all start at once);
 *  - any other algorithm: CompressSchedule(MakeCollective(...)).
 * \param algorithm algorithm name (CollectiveAlgorithms())
 * \param ranks N >= 1 (N = 1: no phases)
 * \param bytes S
 * \param gpusPerServer ranks per server (hierarchical_ring)
 * \param pipelineChunks >= 1
 * \return the compact collective
 * \throws std::invalid_argument as MakeCollective()
 */
CompactCollective MakeCompactCollective(const std::string& algorithm,
                                        uint32_t ranks,
                                        uint64_t bytes,
                                        uint32_t gpusPerServer = 1,
                                        uint32_t pipelineChunks = 1);

} // namespace vclos
} // namespace ns3

#endif // VCLOS_COMPACT_COLLECTIVE_H
