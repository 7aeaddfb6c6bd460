/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// FlowEngine: known answers (one flow, N flows on one link, a ring on an idle fabric
// against the fluid model, two rings on one uplink), paths equal to Routing::Path flow by
// flow, trace runs that finish, isolation under vclos, determinism, bad input.

#include "ns3/flow-engine.h"
#include "ns3/fluid-model.h"
#include "ns3/job-trace.h"
#include "ns3/route-seeds.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <map>
#include <string>
#include <vector>

using namespace ns3::vclos;

namespace
{

constexpr double kRate = 100e9;
constexpr double kTick = 1e-12; // the engine's clock resolution

std::shared_ptr<Routing>
MakeRouting(uint32_t leaves,
            uint32_t spines,
            uint32_t perLeaf,
            uint32_t perServer = 1,
            uint64_t seed = 1)
{
    LeafSpineShape shape;
    shape.leaves = leaves;
    shape.spines = spines;
    shape.gpusPerLeaf = perLeaf;
    shape.gpusPerServer = perServer;
    shape.host.rateBps = 100000000000ULL;
    shape.fabric.rateBps = 100000000000ULL;
    shape.intra.rateBps = 1000000000000ULL;
    auto topo = std::make_shared<const ClusterTopology>(ClusterTopology::LeafSpine(shape));
    return std::make_shared<Routing>(topo, seed, false);
}

FlowJob
Fixed(uint32_t id, std::vector<uint32_t> gpus, const std::string& algo, uint64_t bytes)
{
    FlowJob j;
    j.id = id;
    j.fixedGpus = std::move(gpus);
    j.collective = algo;
    j.bytes = bytes;
    return j;
}

FlowRunResult
RunFixed(const std::shared_ptr<Routing>& routing,
         const std::vector<FlowJob>& jobs,
         SharingModel model = SharingModel::MAXMIN)
{
    FlowEngineConfig cfg;
    cfg.sharing = model;
    FlowEngine engine(routing, cfg);
    return engine.Run(jobs, nullptr);
}

/// The first jobs of the shipped trace, shrunk to a 64-GPU cluster (GPUs / 16, bytes / 1000).
std::vector<FlowJob>
SmallTrace(uint32_t count)
{
    TraceSelection sel;
    sel.count = count;
    const std::string path =
        std::string(VCLOS_SOURCE_DIR) + "/scenarios/traces/paper-8192gpu-5000jobs.csv";
    std::vector<FlowJob> jobs;
    for (const TraceJob& t : ApplyTraceSelection(ReadJobTrace(path), sel, path))
    {
        FlowJob j = MakeFlowJob(t);
        j.gpus = std::max<uint32_t>(1, j.gpus / 16);
        j.bytes = std::max<uint64_t>(1, j.bytes / 1000);
        jobs.push_back(j);
    }
    return jobs;
}

} // namespace

TEST(FlowEngine, OneFlowEachWay)
{
    // Two GPUs on two leaves: the pairwise all-to-all of 2 ranks is one flow each way.
    const uint64_t bytes = 1250000; // 10 Mbit: 100 us at 100 Gbps
    for (SharingModel m : {SharingModel::MAXMIN, SharingModel::STEP, SharingModel::NONE})
    {
        FlowJob j = Fixed(3, {0, 1}, "all2all_pairwise", bytes);
        j.computeS = 1e-3;
        const FlowRunResult r = RunFixed(MakeRouting(2, 1, 1), {j}, m);
        ASSERT_TRUE(r.jobs[0].finished);
        EXPECT_NEAR(r.jobs[0].jrtS, 1e-3 + bytes * 8 / kRate, 2 * kTick);
        EXPECT_EQ(r.jobs[0].phases, 1u);
        ASSERT_EQ(r.jobs[0].iterations.size(), 1u);
        EXPECT_NEAR(r.jobs[0].iterations[0].commS, bytes * 8 / kRate, 2 * kTick);
    }
}

TEST(FlowEngine, NFlowsOnOneLink)
{
    // One spine: job i's flows cross the single uplink of leaf 0 (and of leaf 1 back).
    const uint64_t bytes = 1000000;
    for (uint32_t n = 1; n <= 5; ++n)
    {
        std::vector<FlowJob> jobs;
        for (uint32_t i = 0; i < n; ++i)
        {
            jobs.push_back(Fixed(i, {i, n + i}, "all2all_pairwise", bytes));
        }
        for (SharingModel m : {SharingModel::MAXMIN, SharingModel::STEP, SharingModel::NONE})
        {
            const FlowRunResult r = RunFixed(MakeRouting(2, 1, n), jobs, m);
            const double share = m == SharingModel::NONE ? 1 : n;
            for (const FlowJobResult& j : r.jobs)
            {
                EXPECT_NEAR(j.jrtS, bytes * 8 * share / kRate, 2 * kTick)
                    << SharingModelName(m) << " n=" << n;
            }
            EXPECT_EQ(r.stats.maxJobsOnFabricLink, n);
        }
    }
}

TEST(FlowEngine, RingOnIdleFabricEqualsFluidModel)
{
    for (uint32_t ranks : {2u, 5u, 8u})
    {
        const uint64_t bytes = ranks * 125000ull;
        std::vector<uint32_t> gpus;
        for (uint32_t i = 0; i < ranks; ++i)
        {
            gpus.push_back(i);
        }
        const FlowRunResult r = RunFixed(MakeRouting(2, 2, 4), {Fixed(1, gpus, "ring", bytes)});
        FluidParams p;
        p.netBps = kRate;
        p.packetOverhead = 0;
        p.messageOverhead = 0;
        p.ackBytes = 0;
        p.latency = [](uint32_t, uint32_t, uint64_t) { return 0.0; };
        std::vector<uint32_t> server(ranks);
        for (uint32_t i = 0; i < ranks; ++i)
        {
            server[i] = i;
        }
        const double fluid = EvaluateFluid(MakeRingAllReduce(ranks, bytes), server, p).finish;
        EXPECT_NEAR(r.jobs[0].jrtS, fluid, 2 * kTick) << ranks;
        // and the closed form 2(N-1) S/N / rate
        EXPECT_NEAR(r.jobs[0].jrtS, 2.0 * (ranks - 1) * (bytes / ranks) * 8 / kRate, 2 * kTick);
    }
}

TEST(FlowEngine, TwoRingsOnOneUplink)
{
    // One spine, 4 GPUs per leaf: ring A on {0,1,4,5} and ring B on {2,3,6,7} each send one
    // flow over the uplink of leaf 0 and one over that of leaf 1: half the rate each.
    const uint64_t bytes = 4 * 250000;
    const double alone = 2.0 * 3 * (bytes / 4) * 8 / kRate;
    const std::vector<FlowJob> jobs{Fixed(0, {0, 1, 4, 5}, "ring", bytes),
                                    Fixed(1, {2, 3, 6, 7}, "ring", bytes)};
    const FlowRunResult one = RunFixed(MakeRouting(2, 1, 4), {jobs[0]});
    EXPECT_NEAR(one.jobs[0].jrtS, alone, 2 * kTick);
    for (SharingModel m : {SharingModel::MAXMIN, SharingModel::STEP, SharingModel::NONE})
    {
        const FlowRunResult r = RunFixed(MakeRouting(2, 1, 4), jobs, m);
        for (const FlowJobResult& j : r.jobs)
        {
            EXPECT_NEAR(j.jrtS, m == SharingModel::NONE ? alone : 2 * alone, 2 * kTick)
                << SharingModelName(m);
        }
    }
    // The second ring starts when the first is half done: max-min gives the first ring
    // the link alone for alone/2, then half: it ends at alone/2 + 2 x alone/2.
    std::vector<FlowJob> late = jobs;
    late[1].arrivalS = alone / 2;
    const FlowRunResult r = RunFixed(MakeRouting(2, 1, 4), late);
    EXPECT_NEAR(r.jobs[0].finishS, 1.5 * alone, 4 * kTick);
    EXPECT_NEAR(r.jobs[1].finishS, alone / 2 + 1.5 * alone, 4 * kTick);
}

TEST(FlowEngine, PathsEqualRoutingPathFlowByFlow)
{
    for (const char* policy : {"random-ecmp", "ecmp", "vclos", "static"})
    {
        auto routing = MakeRouting(4, 8, 8, 2, 77);
        FlowEngine engine(routing);
        std::vector<FlowJob> jobs = SmallTrace(30);
        for (FlowJob& j : jobs)
        {
            j.gpus = std::min<uint32_t>(j.gpus, 12);
        }
        // Every fourth job is a mixture of experts: its all-to-all runs on QP 1.
        for (std::size_t i = 0; i < jobs.size(); i += 4)
        {
            jobs[i].allToAllBytes = 3000;
        }
        for (std::size_t i = 0; i < jobs.size(); ++i)
        {
            jobs[i].id = 1000 + 7 * i; // job ids differ from list indices
        }
        uint64_t fabricUses = 0;
        const bool vclos = std::string(policy) == "vclos";
        std::map<uint32_t, Placement> placementOf;
        uint64_t flows = 0;
        uint64_t mismatches = 0;
        uint64_t unreserved = 0;
        FlowObserver obs;
        obs.jobStarted = [&](const FlowJobResult& r) { placementOf[r.index] = r.placement; };
        obs.phaseStarted = [&](uint32_t job,
                               uint32_t qp,
                               const CompactCollective& c,
                               uint32_t phase,
                               const std::vector<FlowNetwork::Use>& uses) {
            std::map<uint32_t, uint32_t> expected;
            const RankPattern& p = c.patterns[c.phases[phase].pattern];
            // the packet level's QP indices (TrainingJob): 0 gradient collective, 1 all-to-all
            const uint32_t qpIndex = c.algorithm == "all_to_all" ? 1 : 0;
            mismatches += qp != qpIndex;
            const std::vector<uint32_t>& gpus = placementOf[job].gpus;
            for (uint32_t i = 0; i < p.Size(c.ranks); ++i)
            {
                const auto [src, dst] = p.Pair(c.ranks, i);
                const uint16_t port =
                    QpSourcePort(routing->GetRunSeed(), jobs[job].id, src, dst, qpIndex);
                for (uint32_t l : routing->Path(gpus[src], gpus[dst], port))
                {
                    ++expected[l];
                }
                ++flows;
            }
            std::map<uint32_t, uint32_t> got;
            for (const FlowNetwork::Use& u : uses)
            {
                got[u.link] += u.count;
                // vclos: a job's fabric traffic stays on the links reserved for it
                const std::vector<uint32_t>& links = placementOf[job].links;
                if (vclos && routing->GetTopology().GetLink(u.link).kind == LinkKind::FABRIC)
                {
                    ++fabricUses;
                    unreserved += !std::binary_search(links.begin(), links.end(), u.link);
                }
            }
            mismatches += got != expected;
        };
        const FlowRunResult r = engine.Run(jobs, MakePlacementPolicy(policy, 5), {}, obs);
        EXPECT_EQ(mismatches, 0u) << policy;
        EXPECT_EQ(unreserved, 0u) << policy;
        EXPECT_TRUE(!vclos || fabricUses > 100) << fabricUses;
        EXPECT_GT(flows, 1000u) << policy;
    }
}

TEST(FlowEngine, EveryTraceJobFinishesAndVclosIsolates)
{
    const std::vector<FlowJob> jobs = SmallTrace(60);
    for (const char* policy : {"vclos", "ecmp", "static", "random-ecmp"})
    {
        for (SharingModel m : {SharingModel::MAXMIN, SharingModel::STEP, SharingModel::NONE})
        {
            FlowEngineConfig cfg;
            cfg.sharing = m;
            FlowEngine engine(MakeRouting(8, 8, 8, 4), cfg);
            const FlowRunResult r = engine.Run(jobs, MakePlacementPolicy(policy, 3));
            for (const FlowJobResult& j : r.jobs)
            {
                ASSERT_TRUE(j.finished) << policy << " job " << j.index;
                EXPECT_LE(j.arrivalS, j.startS);
                EXPECT_LT(j.startS, j.finishS);
                EXPECT_GE(j.jrtS, jobs[j.index].computeS * (1 - 1e-12));
                EXPECT_EQ(j.placement.gpus.size(), jobs[j.index].gpus);
            }
            for (const FlowSample& s : r.samples)
            {
                EXPECT_LE(s.busyGpus, 64u);
            }
            if (std::string(policy) == "vclos")
            {
                EXPECT_EQ(r.stats.maxJobsOnFabricLink, 1u) << SharingModelName(m);
            }
            if (std::string(policy) == "random-ecmp")
            {
                EXPECT_GT(r.stats.maxJobsOnFabricLink, 1u); // the check can see sharing
            }
        }
    }
}

TEST(FlowEngine, SameSeedSameResults)
{
    const std::vector<FlowJob> jobs = SmallTrace(40);
    auto run = [&jobs]() {
        FlowEngine engine(MakeRouting(8, 8, 8, 4, 9));
        return engine.Run(jobs, MakePlacementPolicy("random-ecmp", 9));
    };
    const FlowRunResult a = run();
    const FlowRunResult b = run();
    for (std::size_t i = 0; i < jobs.size(); ++i)
    {
        EXPECT_EQ(a.jobs[i].finishS, b.jobs[i].finishS);
        EXPECT_EQ(a.jobs[i].placement.gpus, b.jobs[i].placement.gpus);
    }
    EXPECT_EQ(a.stats.events, b.stats.events);
}

TEST(FlowEngine, ProgressAndSamples)
{
    const std::vector<FlowJob> jobs = SmallTrace(40);
    FlowEngineConfig cfg;
    cfg.progressIntervalS = 1000;
    FlowEngine engine(MakeRouting(8, 8, 8, 4), cfg);
    std::vector<FlowProgress> seen;
    FlowObserver obs;
    obs.progress = [&seen](const FlowProgress& p) { seen.push_back(p); };
    const FlowRunResult r = engine.Run(jobs, MakePlacementPolicy("vclos"), {}, obs);
    ASSERT_GE(seen.size(), 2u);
    for (std::size_t i = 1; i < seen.size(); ++i)
    {
        EXPECT_GE(seen[i].timeS, seen[i - 1].timeS);
        EXPECT_GE(seen[i].done, seen[i - 1].done);
    }
    EXPECT_EQ(seen.back().done, jobs.size());
    EXPECT_EQ(r.samples.back().running, 0u);
    EXPECT_EQ(r.samples.back().busyGpus, 0u);
}

TEST(FlowEngine, BadJobsNameTheJobAndTheRange)
{
    auto routing = MakeRouting(2, 2, 4);
    FlowEngine engine(routing);
    auto expectError = [&](FlowJob j, const std::string& what) {
        try
        {
            engine.Run({j}, MakePlacementPolicy("vclos"));
            ADD_FAILURE() << "no error for " << what;
        }
        catch (const std::invalid_argument& e)
        {
            EXPECT_NE(std::string(e.what()).find("flow job 0 (id 4)"), std::string::npos)
                << e.what();
            EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
        }
    };
    FlowJob ok;
    ok.id = 4;
    ok.bytes = 100;
    FlowJob j = ok;
    j.gpus = 9;
    expectError(j, "1..8");
    j = ok;
    j.collective = "mesh";
    expectError(j, "unknown collective 'mesh'");
    j = ok;
    j.arrivalS = -1;
    expectError(j, "arrivalS");
    j = ok;
    j.bytes = 0;
    expectError(j, "bytes");
    j = ok;
    j.fixedGpus = {1, 1};
    expectError(j, "twice");
    EXPECT_THROW(engine.Run({ok}, nullptr), std::invalid_argument);
}

TEST(FlowEngine, BatchedPathsEqualPathFlowByFlow)
{
    // Routing::AppendPaths (the engine's batched walk) against Routing::Path, with two
    // parallel links per leaf-spine pair (ECMP at the spines too), servers of two GPUs and
    // source routes on some GPUs.
    LeafSpineShape shape;
    shape.leaves = 4;
    shape.spines = 3;
    shape.gpusPerLeaf = 6;
    shape.gpusPerServer = 2;
    shape.linksPerLeafSpine = 2;
    auto topo = std::make_shared<const ClusterTopology>(ClusterTopology::LeafSpine(shape));
    Routing routing(topo, 5, false);
    routing.InstallUplinkSourceRoutes({0, 7, 13, 20});
    std::vector<Routing::PathRequest> flows;
    for (uint32_t s = 0; s < 24; ++s)
    {
        for (uint32_t d = 0; d < 24; ++d)
        {
            if (s != d)
            {
                flows.push_back({s, d, static_cast<uint16_t>(49152 + 131 * s + 17 * d)});
            }
        }
    }
    std::vector<uint32_t> out{99}; // appended after what is there
    std::vector<std::size_t> end;
    ASSERT_TRUE(routing.AppendPaths(flows, out, end));
    ASSERT_EQ(end.size(), flows.size());
    std::size_t begin = 1;
    uint32_t mismatches = 0;
    for (std::size_t i = 0; i < flows.size(); ++i)
    {
        const std::vector<uint32_t> got(out.begin() + begin, out.begin() + end[i]);
        mismatches += got != routing.Path(flows[i].srcGpu, flows[i].dstGpu, flows[i].srcPort);
        begin = end[i];
    }
    EXPECT_EQ(mismatches, 0u);
    EXPECT_EQ(out[0], 99u);
    // A flow to itself has no path: nothing is appended.
    const std::size_t size = out.size();
    EXPECT_FALSE(routing.AppendPaths({{3, 3, 49152}}, out, end));
    EXPECT_EQ(out.size(), size);
}

TEST(FlowEngine, AckLoadAndReleaseAtTheLastAck)
{
    // One flow each way between two leaves (4 hops), as OneFlowEachWay, with ACKs: every
    // data packet's wire bits grow by the ACK's, and a queued job starts one ACK latency
    // after the first one's last byte: 4 x (1 us + ACK bits / 100 Gbps).
    const uint64_t bytes = 1250000;
    const uint32_t mtu = 1000;
    const uint32_t ack = 50;
    auto routing = MakeRouting(2, 1, 1);
    FlowEngineConfig cfg;
    cfg.mtu = mtu;
    cfg.ackBytes = ack;
    cfg.releaseDelay = true;
    FlowEngine engine(routing, cfg);
    std::vector<FlowJob> jobs;
    for (uint32_t i = 0; i < 2; ++i)
    {
        FlowJob j;
        j.id = i;
        j.gpus = 2;
        j.collective = "all2all_pairwise";
        j.bytes = bytes;
        jobs.push_back(j);
    }
    const FlowRunResult r = engine.Run(jobs, MakePlacementPolicy("ecmp", 1));
    const double packets = static_cast<double>(bytes / mtu);
    const double comm = (bytes + packets * ack) * 8 / kRate;
    ASSERT_TRUE(r.jobs[0].finished && r.jobs[1].finished);
    EXPECT_NEAR(r.jobs[0].jrtS, comm, 2 * kTick);
    const double ackLatency = 4 * (1e-6 + ack * 8 / kRate);
    EXPECT_NEAR(r.jobs[0].releasedS - r.jobs[0].finishS, ackLatency, 2 * kTick);
    EXPECT_NEAR(r.jobs[1].startS, r.jobs[0].releasedS, kTick);
    EXPECT_NEAR(r.jobs[1].jwtS, comm + ackLatency, 4 * kTick);
    // Without releaseDelay the next job starts at the finish.
    cfg.releaseDelay = false;
    FlowEngine prompt(routing, cfg);
    const FlowRunResult q = prompt.Run(jobs, MakePlacementPolicy("ecmp", 1));
    EXPECT_EQ(q.jobs[0].releasedS, q.jobs[0].finishS);
    EXPECT_NEAR(q.jobs[1].startS, q.jobs[0].finishS, kTick);
    // ackInterval 0 is refused.
    cfg.ackInterval = 0;
    EXPECT_THROW(FlowEngine(routing, cfg), std::invalid_argument);
}

TEST(FlowEngine, RingWithFastIntraServerPairsHidesItsLatencies)
{
    // 8 ranks on two servers of 4 GPUs under one leaf: 6 pairs inside a server (1000 Gbps)
    // and 2 through the leaf (100 Gbps). The slowest pairs send their 14 blocks back to back:
    // the ring takes 14 blocks at 100 Gbps plus one packet latency of a leaf pair, not 14
    // mean latencies on top of the transfers.
    auto routing = MakeRouting(1, 1, 8, 4);
    const ClusterTopology& topo = routing->GetTopology();
    const uint64_t block = 100000;
    FlowJob j = Fixed(0, {0, 1, 2, 3, 4, 5, 6, 7}, "ring", 8 * block);
    FlowEngineConfig cfg;
    cfg.stepLatency = true;
    FlowEngine engine(routing, cfg);
    const FlowRunResult r = engine.Run({j}, nullptr);
    ASSERT_TRUE(r.jobs[0].finished);
    // The slowest pair's latency: GPU 3 -> leaf -> GPU 4, propagation on 2 hops and the
    // store-and-forward of one packet (mtu 4096, no overhead) at the leaf.
    double slow = 0;
    double intra = 0;
    for (uint32_t l = 0; l < topo.GetNLinks(); ++l)
    {
        const TopoLink& link = topo.GetLink(l);
        if (link.kind == LinkKind::HOST)
        {
            slow = 2 * static_cast<double>(link.delayPs) * kTick + 4096.0 * 8 / kRate;
        }
        if (link.kind == LinkKind::INTRA)
        {
            intra = static_cast<double>(link.delayPs) * kTick;
        }
    }
    const double steps = 14;
    const double data = steps * block * 8 / kRate;
    const double chain =
        steps * ((6 * (block * 8 / 1e12 + intra) + 2 * (block * 8 / kRate + slow)) / 8);
    ASSERT_LT(chain, data + slow); // this case: the back-to-back bound is the longer
    EXPECT_NEAR(r.jobs[0].jrtS, data + slow, 4 * kTick);
}
