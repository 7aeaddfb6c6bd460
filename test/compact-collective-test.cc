/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// CompactCollective: the direct generators against the compression of the full schedules,
// and memory in proportion to the distinct pairs.

#include "ns3/compact-collective.h"

#include <gtest/gtest.h>
#include <set>
#include <vector>

using namespace ns3::vclos;

namespace
{

/// Phases expanded to (pairs, bytes), comparable across storage kinds.
std::vector<std::pair<std::vector<std::pair<uint32_t, uint32_t>>, uint64_t>>
Expand(const CompactCollective& c)
{
    std::vector<std::pair<std::vector<std::pair<uint32_t, uint32_t>>, uint64_t>> v;
    for (const CollectivePhase& ph : c.phases)
    {
        const RankPattern& p = c.patterns[ph.pattern];
        std::vector<std::pair<uint32_t, uint32_t>> pairs;
        for (uint32_t i = 0; i < p.Size(c.ranks); ++i)
        {
            pairs.push_back(p.Pair(c.ranks, i));
        }
        std::sort(pairs.begin(), pairs.end());
        v.push_back({pairs, ph.bytes});
    }
    return v;
}

} // namespace

TEST(CompactCollective, DirectGeneratorsEqualCompressedSchedules)
{
    for (const char* algo : {"ring", "reduce_scatter", "all_gather", "all2all_pairwise"})
    {
        for (uint32_t n = 2; n <= 9; ++n)
        {
            for (uint64_t bytes : {1ull, 7ull, 1000ull, 4096ull * 9})
            {
                for (uint32_t chunks : {1u, 3u})
                {
                    if (std::string(algo) == "all2all_pairwise" && chunks > 1)
                    {
                        continue;
                    }
                    const CompactCollective direct =
                        MakeCompactCollective(algo, n, bytes, 1, chunks);
                    const CompactCollective full =
                        CompressSchedule(MakeCollective(algo, n, bytes, 1, chunks));
                    EXPECT_EQ(Expand(direct), Expand(full))
                        << algo << " n=" << n << " bytes=" << bytes << " chunks=" << chunks;
                }
            }
        }
    }
}

TEST(CompactCollective, RingIsOnePhaseOfOnePattern)
{
    const uint64_t s = 512ull * 1000003;
    const CompactCollective c = MakeCompactCollective("ring", 512, s);
    ASSERT_EQ(c.phases.size(), 1u);
    EXPECT_EQ(c.StoredPairs(), 1u);
    EXPECT_EQ(c.phases[0].steps, 2u * 511);
    EXPECT_EQ(c.phases[0].bytes, 2ull * 511 * (s / 512));
    // Total payload: 2(N-1)S exactly when N divides S (as MakeRingAllReduce).
    EXPECT_EQ(c.TotalBytes(), 2ull * 511 * s);
}

TEST(CompactCollective, PairwiseAllToAllCostsOneNumberPerRound)
{
    const CompactCollective c = MakeCompactCollective("all2all_pairwise", 512, 1000);
    ASSERT_EQ(c.phases.size(), 511u);
    EXPECT_EQ(c.StoredPairs(), 511u);
    std::set<std::pair<uint32_t, uint32_t>> pairs;
    for (const CollectivePhase& ph : c.phases)
    {
        EXPECT_EQ(ph.bytes, 1000u);
        const RankPattern& p = c.patterns[ph.pattern];
        for (uint32_t i = 0; i < p.Size(c.ranks); ++i)
        {
            pairs.insert(p.Pair(c.ranks, i));
        }
    }
    EXPECT_EQ(pairs.size(), 512u * 511); // every ordered pair once
    EXPECT_EQ(c.TotalBytes(), 512ull * 511 * 1000);
}

TEST(CompactCollective, HalvingDoublingKeepsItsBytes)
{
    for (uint32_t n : {2u, 4u, 8u, 64u, 512u})
    {
        const uint64_t s = 3ull * n * 1024;
        const CollectiveSchedule full = MakeHalvingDoublingAllReduce(n, s);
        const CompactCollective c = CompressSchedule(full);
        EXPECT_EQ(c.TotalBytes(), full.TotalBytes()) << n;
        // log2(n) halving + log2(n) doubling rounds; the last halving and the first
        // doubling round use the same partners and merge.
        uint32_t log = 0;
        while ((1u << log) < n)
        {
            ++log;
        }
        EXPECT_EQ(c.phases.size(), 2 * log - 1) << n;
        EXPECT_EQ(c.patterns.size(), log) << n;
        EXPECT_LE(c.StoredPairs(), static_cast<uint64_t>(n) * log);
    }
}

TEST(CompactCollective, AllToAllIsOnePhaseAndOneRankIsEmpty)
{
    const CompactCollective c = MakeCompactCollective("all_to_all", 4, 10);
    ASSERT_EQ(c.phases.size(), 1u);
    EXPECT_EQ(c.patterns[0].Size(4), 12u);
    EXPECT_EQ(c.phases[0].bytes, 3u);
    EXPECT_TRUE(MakeCompactCollective("ring", 1, 10).phases.empty());
    EXPECT_THROW(MakeCompactCollective("ring", 0, 10), std::invalid_argument);
    EXPECT_THROW(MakeCompactCollective("nope", 4, 10), std::invalid_argument);
}
