/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Pure tests of the ECMP hash and GPU addressing.

#include "ns3/ecmp-hash.h"

#include <gtest/gtest.h>
#include <random>
#include <vector>

using namespace ns3::vclos;

TEST(EcmpHash, SameTupleSameHash)
{
    FlowKey k{GpuIp(3), GpuIp(17), 50000, 4791, 17};
    const uint64_t h = EcmpHash(k, 7);
    for (int i = 0; i < 100; ++i)
    {
        EXPECT_EQ(EcmpHash(k, 7), h);
    }
    FlowKey other = k;
    other.srcPort = 50001;
    EXPECT_NE(EcmpHash(other, 7), h);
    EXPECT_NE(EcmpHash(k, 8), h);
}

TEST(EcmpHash, ChiSquareOverUplinks)
{
    // 20000 random RoCE flows over 4, 8 and 16 uplinks: chi-square below the 0.1% critical
    // value (a fixed seed, so the test is deterministic).
    std::mt19937 rng(12345);
    std::uniform_int_distribution<uint32_t> gpu(0, 255);
    std::uniform_int_distribution<uint32_t> port(49152, 65535);
    const std::vector<std::pair<uint32_t, double>> cases = {{4, 16.27}, {8, 24.32}, {16, 37.70}};
    for (auto [k, critical] : cases)
    {
        std::vector<uint32_t> count(k, 0);
        const uint32_t flows = 20000;
        for (uint32_t i = 0; i < flows; ++i)
        {
            FlowKey key{GpuIp(gpu(rng)),
                        GpuIp(gpu(rng)),
                        static_cast<uint16_t>(port(rng)),
                        4791,
                        17};
            ++count[EcmpHash(key, 99) % k];
        }
        const double expected = static_cast<double>(flows) / k;
        double chi2 = 0;
        for (uint32_t c : count)
        {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        EXPECT_LT(chi2, critical) << k << " uplinks";
    }
}

TEST(EcmpHash, SeedsDecorrelate)
{
    // Two switches with different seeds: a flow's choice at one says nothing about the other.
    std::mt19937 rng(1);
    uint32_t same = 0;
    const uint32_t flows = 10000;
    for (uint32_t i = 0; i < flows; ++i)
    {
        FlowKey key{GpuIp(rng() % 64), GpuIp(rng() % 64), static_cast<uint16_t>(rng()), 4791, 17};
        same += (EcmpHash(key, 1) % 2) == (EcmpHash(key, 2) % 2);
    }
    EXPECT_NEAR(static_cast<double>(same) / flows, 0.5, 0.03);
}

TEST(GpuAddress, RoundTrip)
{
    EXPECT_EQ(GpuIp(0), 0x0A000001u);
    EXPECT_EQ(GpuOfIp(GpuIp(12345)), 12345u);
    EXPECT_EQ(GpuOfIp(0x0A000000u), kMaxGpus);
    EXPECT_EQ(GpuOfIp(0xC0A80001u), kMaxGpus);
}
