/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Ring all-reduce over the packet data plane against its analytical completion time.

#include "vclos-test-utils.h"

#include "ns3/collective-executor.h"

using namespace ns3;
using namespace vclos_test;

static auto* g_env = ::testing::AddGlobalTestEnvironment(new PicosecondEnvironment);

namespace
{

struct RingCase
{
    uint32_t ranks;
    uint64_t bytes;
};

/**
 * Analytical completion time of ring all-reduce on an idle fabric (doc/validation.rst):
 * transfer (s, r) is posted when (s-1, r-1) has arrived; it serialises after rank r's
 * previous send, at line rate B for its data packets plus the ACKs rank r returns for the
 * data it receives at the same time; it arrives (h-1) full-packet times and h delays later.
 */
double
AnalyticalRingTime(const vclos::CollectiveSchedule& s,
                   const std::vector<uint32_t>& hops,
                   double bps,
                   double delay,
                   uint64_t mtu)
{
    const uint32_t n = s.ranks;
    std::vector<double> done(s.transfers.size(), 0);
    std::vector<double> txEnd(n, 0);
    double finish = 0;
    for (uint32_t i = 0; i < s.transfers.size(); ++i)
    {
        const vclos::Transfer& t = s.transfers[i];
        double post = 0;
        for (uint32_t d : t.deps)
        {
            post = std::max(post, done[d]);
        }
        const uint64_t packets = (t.bytes + mtu - 1) / mtu;
        // The tail of a message crosses each later hop one (largest) packet time behind.
        const uint64_t largest = std::min<uint64_t>(t.bytes, mtu);
        const double start = std::max(post, txEnd[t.src]);
        txEnd[t.src] =
            start + TxSeconds(MessageWireBytes(t.bytes, mtu) + packets * kAckWireBytes, bps);
        const uint32_t h = hops[t.src];
        done[i] = txEnd[t.src] + (h - 1) * TxSeconds(DataWireBytes(largest, packets == 1), bps) +
                  h * delay;
        finish = std::max(finish, done[i]);
    }
    return finish;
}

class RingAllReduceTest : public SimTest, public ::testing::WithParamInterface<RingCase>
{
};

} // namespace

TEST_P(RingAllReduceTest, CompletesWithinThreePercentOfAnalytical)
{
    const RingCase rc = GetParam();
    LeafSpineConfig c;
    c.leaves = 4;
    c.spines = 8;
    c.gpusPerLeaf = 8; // non-blocking: 8 down, 8 up per leaf
    LeafSpineHelper topo(c);
    topo.Build();
    std::vector<Ptr<RdmaNic>> nics;
    std::vector<uint32_t> hops;
    for (uint32_t r = 0; r < rc.ranks; ++r)
    {
        nics.push_back(topo.GetNic(r));
        hops.push_back(topo.GetLeafOf(r) == topo.GetLeafOf((r + 1) % rc.ranks) ? 2 : 4);
    }
    auto schedule = vclos::MakeRingAllReduce(rc.ranks, rc.bytes);
    Ptr<CollectiveExecutor> ring = CreateObject<CollectiveExecutor>();
    ring->Setup(schedule, nics);
    bool finished = false;
    ring->Run(Callback<void>([&finished]() { finished = true; }));
    Simulator::Run();
    ASSERT_TRUE(finished);
    const double measured = (ring->GetFinishTime() - ring->GetStartTime()).GetSeconds();
    const double expected = AnalyticalRingTime(schedule, hops, 100e9, 1e-6, 4096);
    // The textbook bound 2(N-1)/N S/B, for orientation.
    const double bound = 2.0 * (rc.ranks - 1) / rc.ranks * rc.bytes * 8 / 100e9;
    RecordProperty("measured_us", std::to_string(measured * 1e6));
    RecordProperty("analytical_us", std::to_string(expected * 1e6));
    EXPECT_NEAR(measured, expected, 0.03 * expected)
        << "N=" << rc.ranks << " bound " << bound * 1e6 << " us";
    EXPECT_GT(measured, bound);
    // No loss on an idle non-blocking fabric, and every byte of the schedule arrived.
    uint64_t delivered = 0;
    for (auto& nic : nics)
    {
        EXPECT_EQ(nic->GetRetransmittedPackets(), 0u);
        delivered += nic->GetDeliveredBytes();
    }
    EXPECT_EQ(delivered, schedule.TotalBytes());
}

INSTANTIATE_TEST_SUITE_P(Sizes,
                         RingAllReduceTest,
                         ::testing::Values(RingCase{2, 8 << 20},
                                           RingCase{3, 8 << 20},
                                           RingCase{4, 8 << 20},
                                           RingCase{8, 8 << 20},
                                           RingCase{16, 8 << 20},
                                           RingCase{32, 8 << 20},
                                           RingCase{32, 1 << 20}),
                         [](const auto& info) {
                             return "N" + std::to_string(info.param.ranks) + "_" +
                                    std::to_string(info.param.bytes >> 10) + "KiB";
                         });

TEST_F(SimTest, RingRunsRepeatedlyAndPipeliningHelps)
{
    LeafSpineConfig c;
    c.leaves = 2;
    c.spines = 2;
    c.gpusPerLeaf = 2;
    LeafSpineHelper topo(c);
    topo.Build();
    std::vector<Ptr<RdmaNic>> nics;
    for (uint32_t r = 0; r < 4; ++r)
    {
        nics.push_back(topo.GetNic(r));
    }
    std::vector<double> times;
    for (uint32_t chunks : {1u, 8u})
    {
        Ptr<CollectiveExecutor> ring = CreateObject<CollectiveExecutor>();
        ring->Setup(vclos::MakeRingAllReduce(4, 4 << 20, chunks), nics);
        for (int it = 0; it < 2; ++it)
        {
            ring->Run(MakeNullCallback<void>());
            Simulator::Run();
            ASSERT_FALSE(ring->IsRunning());
            times.push_back((ring->GetFinishTime() - ring->GetStartTime()).GetSeconds());
        }
    }
    EXPECT_NEAR(times[0], times[1], 1e-9); // identical iterations on an idle fabric
    EXPECT_LE(times[2], times[0]);         // sub-chunks pipeline the hops
}
