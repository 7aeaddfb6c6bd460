/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Every collective over the packet data plane: completion time against the fluid
// (analytical) model, the ring / tree / halving-doubling crossover, and where the
// hierarchical ring's bytes go.

#include "vclos-test-utils.h"

#include "ns3/collective-executor.h"
#include "ns3/fluid-model.h"

#include <map>

using namespace ns3;
using namespace vclos_test;

static auto* g_env = ::testing::AddGlobalTestEnvironment(new PicosecondEnvironment);

namespace
{

/// A cluster with every rank below one leaf (h = 2 for every pair; non-blocking).
LeafSpineConfig
OneLeaf(uint32_t gpus, uint32_t gpusPerServer)
{
    LeafSpineConfig c;
    c.leaves = 1;
    c.spines = 1;
    c.gpusPerLeaf = gpus;
    c.gpusPerServer = gpusPerServer;
    c.queueBytes = 64 << 20; // idle fabric: no drops even in all-to-all bursts
    return c;
}

/// Fluid parameters matching LeafSpineConfig \p c with all ranks under one leaf.
vclos::FluidParams
ParamsFor(const LeafSpineConfig& c)
{
    vclos::FluidParams p;
    p.netBps = c.hostRate.GetBitRate();
    p.intraBps = c.intraRate.GetBitRate();
    p.gpusPerServer = c.gpusPerServer;
    const double netBps = p.netBps;
    const double intraBps = p.intraBps;
    const double netDelay = c.hostDelay.GetSeconds();
    const double intraDelay = c.intraDelay.GetSeconds();
    const uint32_t gps = c.gpusPerServer;
    p.latency = [=](uint32_t src, uint32_t dst, uint64_t bytes) {
        const bool intra = gps > 1 && src / gps == dst / gps;
        const double bps = intra ? intraBps : netBps;
        // two links (GPU -> switch -> GPU): one more serialisation of the largest packet
        const double packet = DataWireBytes(std::min<uint64_t>(bytes, 4096), bytes <= 4096);
        return TxSeconds(packet, bps) + 2 * (intra ? intraDelay : netDelay);
    };
    return p;
}

/// Run a schedule on GPUs 0..N-1; return its completion time and the topology's links.
double
RunSchedule(LeafSpineHelper& topo, const vclos::CollectiveSchedule& s)
{
    std::vector<Ptr<RdmaNic>> nics;
    for (uint32_t r = 0; r < s.ranks; ++r)
    {
        nics.push_back(topo.GetNic(r));
    }
    Ptr<CollectiveExecutor> e = CreateObject<CollectiveExecutor>();
    e->Setup(s, nics);
    e->Run(MakeNullCallback<void>());
    Simulator::Run();
    EXPECT_FALSE(e->IsRunning());
    uint64_t delivered = 0;
    for (auto& nic : nics)
    {
        EXPECT_EQ(nic->GetRetransmittedPackets(), 0u);
        delivered += nic->GetDeliveredBytes();
    }
    EXPECT_EQ(delivered, s.TotalBytes());
    return (e->GetFinishTime() - e->GetStartTime()).GetSeconds();
}

double
Fluid(const LeafSpineConfig& c, const vclos::CollectiveSchedule& s)
{
    std::vector<uint32_t> server(s.ranks);
    for (uint32_t r = 0; r < s.ranks; ++r)
    {
        server[r] = r / c.gpusPerServer;
    }
    return vclos::EvaluateFluid(s, server, ParamsFor(c)).finish;
}

struct Case
{
    std::string algorithm;
    uint32_t ranks;
    uint64_t bytes;
    uint32_t gpusPerServer;
    uint32_t chunks;
};

class CollectiveTimeTest : public SimTest, public ::testing::WithParamInterface<Case>
{
};

} // namespace

TEST_P(CollectiveTimeTest, WithinOnePercentOfTheFluidModel)
{
    const Case k = GetParam();
    LeafSpineConfig c = OneLeaf(k.ranks, k.gpusPerServer);
    LeafSpineHelper topo(c);
    topo.Build();
    auto s = vclos::MakeCollective(k.algorithm, k.ranks, k.bytes, k.gpusPerServer, k.chunks);
    const double measured = RunSchedule(topo, s);
    const double expected = Fluid(c, s);
    RecordProperty("measured_us", std::to_string(measured * 1e6));
    RecordProperty("fluid_us", std::to_string(expected * 1e6));
    // Deterministic; the largest difference observed is 0.59% (ring, N=16, 1 MiB).
    EXPECT_NEAR(measured, expected, 0.01 * expected) << k.algorithm << " N=" << k.ranks;
}

INSTANTIATE_TEST_SUITE_P(Algorithms,
                         CollectiveTimeTest,
                         ::testing::Values(Case{"ring", 8, 4 << 20, 1, 1},
                                           Case{"ring", 16, 1 << 20, 1, 1},
                                           Case{"reduce_scatter", 8, 4 << 20, 1, 1},
                                           Case{"all_gather", 12, 4 << 20, 1, 1},
                                           Case{"halving_doubling", 8, 4 << 20, 1, 1},
                                           Case{"halving_doubling", 16, 256 << 10, 1, 1},
                                           Case{"halving_doubling", 6, 4 << 20, 1, 1},
                                           Case{"halving_doubling", 12, 1 << 20, 1, 1},
                                           Case{"tree", 8, 4 << 20, 1, 1},
                                           Case{"tree", 8, 4 << 20, 1, 8},
                                           Case{"tree", 16, 1 << 20, 1, 4},
                                           Case{"tree", 5, 2 << 20, 1, 2},
                                           Case{"hierarchical_ring", 16, 4 << 20, 4, 1},
                                           Case{"hierarchical_ring", 8, 1 << 20, 2, 1},
                                           Case{"all_to_all", 8, 4 << 20, 1, 1},
                                           Case{"all_to_all", 12, 1 << 20, 1, 1}),
                         [](const auto& info) {
                             return info.param.algorithm + "_N" + std::to_string(info.param.ranks) +
                                    "_" + std::to_string(info.param.bytes >> 10) + "KiB_C" +
                                    std::to_string(info.param.chunks);
                         });

TEST_F(SimTest, RingTreeHalvingDoublingCrossOverAsTheModelPredicts)
{
    // 16 ranks: small messages are latency-bound (halving-doubling's 2 log2 N steps win,
    // the ring's 2(N-1) steps lose); large ones are bandwidth-bound. Check that the packet
    // simulation ranks the three algorithms as the fluid model does at both ends.
    const uint32_t n = 16;
    LeafSpineConfig c = OneLeaf(n, 1);
    for (uint64_t bytes : {uint64_t{16} << 10, uint64_t{16} << 20})
    {
        std::map<std::string, double> sim;
        std::map<std::string, double> model;
        for (const std::string alg : {"ring", "tree", "halving_doubling"})
        {
            LeafSpineHelper topo(c);
            topo.Build();
            auto s = vclos::MakeCollective(alg, n, bytes, 1, alg == "tree" ? 4 : 1);
            sim[alg] = RunSchedule(topo, s);
            model[alg] = Fluid(c, s);
            Simulator::Destroy();
            RecordProperty(alg + "_" + std::to_string(bytes >> 10) + "KiB_us",
                           std::to_string(sim[alg] * 1e6));
        }
        auto best = [](const std::map<std::string, double>& m) {
            return std::min_element(m.begin(),
                                    m.end(),
                                    [](auto& a, auto& b) { return a.second < b.second; })
                ->first;
        };
        EXPECT_EQ(best(sim), best(model)) << bytes << " bytes";
        // The ring is the slowest for small messages (most latency terms).
        if (bytes < (1 << 20))
        {
            EXPECT_GT(sim["ring"], sim["halving_doubling"]);
            EXPECT_GT(sim["ring"], sim["tree"]);
        }
    }
}

TEST_F(SimTest, HierarchicalRingKeepsIntraServerBytesOnTheServerFabric)
{
    // 16 GPUs in 4 servers of 4 under one leaf. Intra-server transfers must use only
    // the GPU <-> server-switch links; only the inter-server ring touches the leaf.
    LeafSpineConfig c = OneLeaf(16, 4);
    LeafSpineHelper topo(c);
    topo.Build();
    const uint64_t bytes = 4 << 20;
    auto s = vclos::MakeHierarchicalRingAllReduce(16, bytes, 4);
    RunSchedule(topo, s);
    uint64_t intraPayload = 0;
    uint64_t interPayload = 0;
    for (const auto& t : s.transfers)
    {
        (vclos::IsIntraServer(t, 4) ? intraPayload : interPayload) += t.bytes;
    }
    uint64_t hostBytes = 0;
    uint64_t intraBytes = 0;
    for (const auto& link : topo.GetLinks())
    {
        if (link.kind == LeafSpineHelper::LinkKind::HOST && link.src.rfind("gpu", 0) == 0)
        {
            hostBytes += link.device->GetTxBytes();
        }
        if (link.kind == LeafSpineHelper::LinkKind::INTRA && link.src.rfind("gpu", 0) == 0)
        {
            intraBytes += link.device->GetTxBytes();
        }
    }
    // GPU -> leaf links carry the inter-server payload (+ headers and ACKs of inter
    // traffic, < 5%), and none of the intra-server payload; likewise the other way.
    EXPECT_GE(hostBytes, interPayload);
    EXPECT_LT(hostBytes, interPayload * 1.05);
    EXPECT_GE(intraBytes, intraPayload);
    EXPECT_LT(intraBytes, intraPayload * 1.05);
    RecordProperty("inter_payload", std::to_string(interPayload));
    RecordProperty("host_link_bytes", std::to_string(hostBytes));
}
