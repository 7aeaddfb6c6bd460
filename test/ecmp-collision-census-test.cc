/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The ECMP collision census (pure paths): its flows, its two analytical references
// (exact count and balls-into-bins closed form) against each other and against hand
// values, and the frequency over many run seeds against them.

#include "ns3/cluster-topology.h"
#include "ns3/ecmp-collision-census.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <memory>
#include <numeric>
#include <random>
#include <stdexcept>

using namespace ns3::vclos;

namespace
{

/// Standard errors of the binomial frequency allowed between census and reference.
constexpr double kSigmas = 4.0;

/// The motivation cluster: 4 leaves x 8 GPUs, 4 GPUs per server, \p spines spines.
std::shared_ptr<const ClusterTopology>
Motivation(uint32_t spines, uint32_t links = 1)
{
    LeafSpineShape s;
    s.leaves = 4;
    s.spines = spines;
    s.gpusPerLeaf = 8;
    s.gpusPerServer = 4;
    s.linksPerLeafSpine = links;
    return std::make_shared<const ClusterTopology>(ClusterTopology::LeafSpine(s));
}

/// GPUs of two 4-GPU servers, rank order.
std::vector<uint32_t>
Servers(uint32_t a, uint32_t b)
{
    std::vector<uint32_t> g;
    for (uint32_t s : {a, b})
    {
        for (uint32_t i = 0; i < 4; ++i)
        {
            g.push_back(4 * s + i);
        }
    }
    return g;
}

/// Two jobs, each one server on leaf 0 (servers 0, 1) and one on leaf 1 (servers 2, 3).
std::vector<std::vector<uint32_t>>
TwoJobs()
{
    return {Servers(0, 2), Servers(1, 3)};
}

/// Four jobs on a random pairing of the 8 servers.
std::vector<std::vector<uint32_t>>
RandomJobs(std::mt19937_64& rng)
{
    std::vector<uint32_t> s(8);
    std::iota(s.begin(), s.end(), 0);
    std::shuffle(s.begin(), s.end(), rng);
    return {Servers(s[0], s[1]), Servers(s[2], s[3]), Servers(s[4], s[5]), Servers(s[6], s[7])};
}

} // namespace

TEST(EcmpCollisionCensus, RingFlowsOfTwoServerJobs)
{
    const EcmpCollisionCensus c(Motivation(8), TwoJobs());
    // an 8-rank ring: 8 queue pairs per job; two of them cross the fabric (3 -> 4, 7 -> 0)
    EXPECT_EQ(c.GetFlows().size(), 16u);
    const auto cross = c.GetCrossLeafFlows();
    ASSERT_EQ(cross.size(), 4u);
    EXPECT_EQ(cross[0].srcGpu, 3u);
    EXPECT_EQ(cross[0].dstGpu, 8u);
    EXPECT_EQ(cross[1].srcGpu, 11u);
    EXPECT_EQ(cross[1].dstGpu, 0u);
}

TEST(EcmpCollisionCensus, HandValues)
{
    // two jobs, one flow each per direction and leaf: P = 1 - (1 - 1/u)^2
    for (uint32_t u : {1u, 2u, 4u, 8u, 16u})
    {
        const EcmpCollisionCensus c(Motivation(u), TwoJobs());
        const double expect = 1 - std::pow(1 - 1.0 / u, 2);
        EXPECT_NEAR(c.ExactProbability(true, false), expect, 1e-12) << u;
        EXPECT_NEAR(c.ExactProbability(true, true), expect, 1e-12) << u;
        EXPECT_NEAR(c.UplinkBallsIntoBins(true), expect, 1e-12) << u;
        EXPECT_NEAR(c.UplinkBallsIntoBins(false), expect, 1e-12) << u;
    }
    // three flows of one leaf (two jobs: 2 + 1) on 4 uplinks: collision-free throws
    // 4*3*2 = 24 of 64 for any two; for two jobs: job B avoids job A's bins:
    // A on one bin (4 ways) then B 3 ways, or A on two bins (12 ways) then B 2 ways: 36 of 64
    const EcmpCollisionCensus c(Motivation(4),
                                {{0, 8}, {1, 9, 2, 10}}); // 2-rank ring + 4-rank ring
    // job 0: 0->8, 8->0; job 1: 1->9, 9->2, 2->10, 10->1 (GPUs 0-3 server 0 on leaf 0...)
    // up from leaf 0: job 0 one flow (0->8), job 1 two (1->9, 2->10); leaf 1 the mirror
    EXPECT_NEAR(c.UplinkBallsIntoBins(false), 1 - (24.0 / 64) * (24.0 / 64), 1e-12);
    EXPECT_NEAR(c.UplinkBallsIntoBins(true), 1 - (36.0 / 64) * (36.0 / 64), 1e-12);
    EXPECT_NEAR(c.ExactProbability(true, true), c.UplinkBallsIntoBins(true), 1e-12);
}

TEST(EcmpCollisionCensus, ExactCountEqualsClosedFormOnUplinks)
{
    std::mt19937_64 rng(11);
    for (uint32_t trial = 0; trial < 200; ++trial)
    {
        const uint32_t u = 1 + rng() % 8;
        const EcmpCollisionCensus c(Motivation(u), RandomJobs(rng));
        for (bool inter : {true, false})
        {
            EXPECT_NEAR(c.ExactProbability(inter, true), c.UplinkBallsIntoBins(inter), 1e-12)
                << trial << " u=" << u << " interJob=" << inter;
            // downlinks can only add collisions
            EXPECT_GE(c.ExactProbability(inter, false) + 1e-12, c.ExactProbability(inter, true));
        }
    }
}

/// The census over 2,000 run seeds: each frequency within kSigmas standard errors of the
/// ideal-hashing probability (the ECMP hash and the QP source ports behave as uniform).
TEST(EcmpCollisionCensus, FrequencyOverSeedsMatchesIdealHashing)
{
    const uint32_t seeds = 2000;
    for (uint32_t u : {4u, 8u})
    {
        const auto topo = Motivation(u);
        const EcmpCollisionCensus two(topo, TwoJobs());
        const EcmpCollisionCensus four(
            topo,
            {Servers(0, 2), Servers(1, 3), Servers(4, 6), Servers(5, 7)});
        for (const EcmpCollisionCensus* c : {&two, &four})
        {
            uint32_t inter = 0;
            uint32_t interUp = 0;
            for (uint64_t seed = 1; seed <= seeds; ++seed)
            {
                const CensusOutcome r = c->Evaluate(seed);
                inter += r.interJob;
                interUp += r.interJobUplink;
                EXPECT_TRUE(!r.interJob || r.anyTwo);
                EXPECT_TRUE(!r.interJobUplink || r.interJob);
                EXPECT_TRUE(!r.interJob || r.interJobControl);
                EXPECT_EQ(r.interJob, !r.sharedLinks.empty());
                EXPECT_EQ(r.interJob, r.collidingJobs.size() >= 2);
            }
            const double p = c->ExactProbability(true, false);
            const double se = std::sqrt(p * (1 - p) / seeds);
            EXPECT_NEAR(double(inter) / seeds, p, kSigmas * se) << "u=" << u;
            const double pu = c->UplinkBallsIntoBins(true);
            EXPECT_NEAR(double(interUp) / seeds, pu, kSigmas * std::sqrt(pu * (1 - pu) / seeds));
        }
    }
}

/// Random placements (new per seed): the mean frequency against the mean exact value.
TEST(EcmpCollisionCensus, RandomPlacementsMatchIdealHashing)
{
    const uint32_t seeds = 2000;
    const auto topo = Motivation(8);
    std::mt19937_64 rng(5);
    double expect = 0;
    double variance = 0;
    uint32_t hits = 0;
    for (uint64_t seed = 1; seed <= seeds; ++seed)
    {
        const EcmpCollisionCensus c(topo, RandomJobs(rng));
        const double p = c.ExactProbability(true, false);
        expect += p;
        variance += p * (1 - p);
        hits += c.Evaluate(seed).interJob;
    }
    EXPECT_NEAR(hits, expect, kSigmas * std::sqrt(variance));
}

TEST(EcmpCollisionCensus, BadInput)
{
    EXPECT_THROW(EcmpCollisionCensus(Motivation(8), {{0, 1}, {}}), std::invalid_argument);
    EXPECT_THROW(EcmpCollisionCensus(Motivation(8), {{0, 32}}), std::invalid_argument);
    EXPECT_THROW(EcmpCollisionCensus(Motivation(8), {{0, 1}, {1, 2}}), std::invalid_argument);
    EXPECT_THROW(EcmpCollisionCensus(Motivation(8, 2), TwoJobs()), std::invalid_argument);
    EXPECT_THROW(EcmpCollisionCensus(nullptr, TwoJobs()), std::invalid_argument);
    EXPECT_THROW(EcmpCollisionCensus(Motivation(8), TwoJobs(), "no-such-collective"),
                 std::invalid_argument);
}
