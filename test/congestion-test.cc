/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Congestion fidelity: shared buffer, PFC, ECN marking and DCQCN.

#include "vclos-test-utils.h"

#include "ns3/collective-executor.h"
#include "ns3/congestion-monitor.h"
#include "ns3/dcqcn.h"

#include <set>

using namespace ns3;
using namespace vclos_test;

static auto* g_env = ::testing::AddGlobalTestEnvironment(new PicosecondEnvironment);

namespace
{

/// Switch and NIC settings for a lossless RoCE fabric.
void
Lossless(LeafSpineHelper& topo, bool pfc, bool ecn, bool dcqcn)
{
    topo.SetSwitchAttribute("BufferBytes", UintegerValue(4 << 20));
    topo.SetSwitchAttribute("PfcEnabled", BooleanValue(pfc));
    topo.SetSwitchAttribute("EcnEnabled", BooleanValue(ecn));
    if (dcqcn)
    {
        topo.SetNicAttribute("CongestionControl", TypeIdValue(DcqcnCongestionControl::GetTypeId()));
    }
    topo.SetNicAttribute("RetransmitTimeout", TimeValue(MicroSeconds(200)));
}

struct IncastResult
{
    uint64_t delivered{0};
    uint64_t drops{0};
    uint64_t pausesAtSenders{0};
    uint64_t pfcSentByLeaf{0};
    double pausedSeconds{0};
    uint32_t messages{0};
};

IncastResult
Incast(bool pfc, uint32_t senders, uint64_t bytes)
{
    LeafSpineConfig c;
    c.leaves = 1;
    c.spines = 1;
    c.gpusPerLeaf = senders + 1;
    LeafSpineHelper topo(c);
    Lossless(topo, pfc, false, false);
    topo.Build();
    IncastResult r;
    auto onRx = [&r](uint32_t, uint64_t) { ++r.messages; };
    for (uint32_t s = 1; s <= senders; ++s)
    {
        uint32_t qp = topo.GetNic(s)->CreateQp(topo.GetNic(0),
                                               MakeNullCallback<void, uint32_t, uint64_t>(),
                                               Callback<void, uint32_t, uint64_t>(onRx));
        topo.GetNic(s)->PostSend(qp, bytes, s);
    }
    Simulator::Run();
    r.delivered = topo.GetNic(0)->GetDeliveredBytes();
    r.drops = topo.GetLeaf(0)->GetBufferDrops();
    for (uint32_t s = 1; s <= senders; ++s)
    {
        Ptr<VclosNetDevice> nicPort = topo.GetNic(s)->GetPort(0);
        r.pausesAtSenders += nicPort->GetPfcFramesReceived();
        r.pausedSeconds += nicPort->GetPausedTime().GetSeconds();
        r.pfcSentByLeaf += topo.GetLeaf(0)->GetPort(s)->GetPfcFramesSent();
    }
    Simulator::Destroy();
    return r;
}

} // namespace

TEST_F(SimTest, IncastWithPfcIsLossless)
{
    const uint64_t bytes = 4 << 20;
    const IncastResult r = Incast(true, 8, bytes);
    EXPECT_EQ(r.drops, 0u);
    EXPECT_EQ(r.delivered, 8 * bytes);
    EXPECT_EQ(r.messages, 8u);
    EXPECT_GT(r.pfcSentByLeaf, 0u);   // the bottleneck's upstream ports paused...
    EXPECT_GT(r.pausesAtSenders, 0u); // ...the senders' NIC ports
    EXPECT_GT(r.pausedSeconds, 0.0);
    RecordProperty("pfc_frames", std::to_string(r.pfcSentByLeaf));
    RecordProperty("paused_us_total", std::to_string(r.pausedSeconds * 1e6));
}

TEST_F(SimTest, IncastWithoutPfcDropsAndGoBackNRecovers)
{
    const uint64_t bytes = 4 << 20;
    const IncastResult r = Incast(false, 8, bytes);
    EXPECT_GT(r.drops, 0u);
    EXPECT_EQ(r.delivered, 8 * bytes); // every byte, exactly once
    EXPECT_EQ(r.messages, 8u);
    EXPECT_EQ(r.pausesAtSenders, 0u);
    RecordProperty("drops", std::to_string(r.drops));
}

TEST_F(SimTest, EcnMarkingFollowsTheRedCurve)
{
    Ptr<VclosSwitch> sw = CreateObject<VclosSwitch>();
    sw->SetAttribute("EcnEnabled", BooleanValue(true));
    sw->SetAttribute("EcnKminBytes", UintegerValue(100000));
    sw->SetAttribute("EcnKmaxBytes", UintegerValue(400000));
    sw->SetAttribute("EcnPmax", DoubleValue(0.2));
    sw->AssignStreams(3);
    const DataRate rate("100Gbps");
    const uint32_t draws = 20000;
    for (uint32_t q : {0u, 50000u, 100000u, 150000u, 250000u, 350000u, 399000u, 400000u, 600000u})
    {
        const double expected = q <= 100000 ? 0 : q >= 400000 ? 1 : 0.2 * (q - 100000) / 300000.0;
        EXPECT_DOUBLE_EQ(sw->EcnMarkProbability(q, rate), expected);
        uint32_t marks = 0;
        for (uint32_t i = 0; i < draws; ++i)
        {
            marks += sw->DrawEcnMark(q, rate);
        }
        const double measured = static_cast<double>(marks) / draws;
        const double sigma = std::sqrt(expected * (1 - expected) / draws);
        EXPECT_NEAR(measured, expected, 4 * sigma + 1e-12) << "queue " << q;
    }
    // Thresholds scale with the port rate: at 400 Gbps Kmin is 400 kB.
    EXPECT_DOUBLE_EQ(sw->EcnMarkProbability(399999, DataRate("400Gbps")), 0.0);
}

namespace
{

struct ConvergenceResult
{
    std::vector<double> gbps; //!< per flow, over the measurement window
    double meanQueue{0};      //!< bytes, bottleneck egress, time average over the window
    double maxQueue{0};
};

/// N long DCQCN flows into one receiver; rates measured from 100 ms to 300 ms (DCQCN's
/// additive increase of 40 Mbps per 55 us needs tens of milliseconds to even out).
ConvergenceResult
Converge(uint32_t n)
{
    LeafSpineConfig c;
    c.leaves = 1;
    c.spines = 1;
    c.gpusPerLeaf = n + 1;
    LeafSpineHelper topo(c);
    Lossless(topo, true, true, true);
    topo.Build();
    for (uint32_t s = 1; s <= n; ++s)
    {
        uint32_t qp = topo.GetNic(s)->CreateQp(topo.GetNic(0),
                                               MakeNullCallback<void, uint32_t, uint64_t>(),
                                               MakeNullCallback<void, uint32_t, uint64_t>());
        topo.GetNic(s)->PostSend(qp, uint64_t{8} << 30, s); // longer than the run
    }
    ConvergenceResult r;
    std::vector<uint64_t> start(n + 1, 0);
    Ptr<VclosNetDevice> bottleneck = topo.GetLeaf(0)->GetPort(0);
    uint32_t samples = 0;
    const Time t0 = MilliSeconds(100);
    const Time t1 = MilliSeconds(300);
    auto delivered = [&topo](uint32_t s) {
        return topo.GetNic(0)->GetQp(s - 1).deliveredBytes; // receiver QP of sender s
    };
    Simulator::Schedule(t0, [&]() {
        for (uint32_t s = 1; s <= n; ++s)
        {
            start[s] = delivered(s);
        }
    });
    for (Time t = t0; t < t1; t += MicroSeconds(10))
    {
        Simulator::Schedule(t, [&]() {
            const double q = bottleneck->GetQueueBytes();
            r.meanQueue += q;
            r.maxQueue = std::max(r.maxQueue, q);
            ++samples;
        });
    }
    Simulator::Schedule(t1, [&]() {
        for (uint32_t s = 1; s <= n; ++s)
        {
            r.gbps.push_back((delivered(s) - start[s]) * 8.0 / (t1 - t0).GetSeconds() / 1e9);
        }
        Simulator::Stop();
    });
    Simulator::Run();
    r.meanQueue /= samples;
    Simulator::Destroy();
    return r;
}

} // namespace

TEST_F(SimTest, DcqcnFlowsConvergeToTheFairShare)
{
    for (uint32_t n : {2u, 4u})
    {
        const ConvergenceResult r = Converge(n);
        // Goodput of a 100 Gbps port with 4096-byte payloads: 4096 / (4096 + 78) of it.
        const double fair = 100.0 * 4096 / 4174 / n;
        double total = 0;
        for (uint32_t k = 0; k < n; ++k)
        {
            EXPECT_NEAR(r.gbps[k], fair, 0.1 * fair) << n << " flows, flow " << k;
            RecordProperty("n" + std::to_string(n) + "_flow" + std::to_string(k) + "_gbps",
                           std::to_string(r.gbps[k]));
            total += r.gbps[k];
        }
        EXPECT_GT(total, 0.9 * fair * n); // the bottleneck stays busy
        // The queue stays bounded near Kmin (100 kB), well below Kmax (400 kB).
        EXPECT_GT(r.meanQueue, 20e3);
        EXPECT_LT(r.maxQueue, 400e3);
        RecordProperty("n" + std::to_string(n) + "_mean_queue_kb",
                       std::to_string(r.meanQueue / 1e3));
        RecordProperty("n" + std::to_string(n) + "_max_queue_kb", std::to_string(r.maxQueue / 1e3));
    }
}

namespace
{

/// Victim flow 2 -> 5 shares only the leaf0 -> spine -> leaf1 path with an incast
/// 0,1 -> 4 that congests leaf1's port to GPU 4. Returns the victim's completion time.
double
Victim(bool pfc)
{
    LeafSpineConfig c;
    c.leaves = 2;
    c.spines = 1;
    c.gpusPerLeaf = 4;
    c.fabricRate = DataRate("400Gbps"); // the shared path itself is not a bottleneck
    LeafSpineHelper topo(c);
    Lossless(topo, pfc, false, false);
    topo.Build();
    for (uint32_t s : {0u, 1u})
    {
        uint32_t qp = topo.GetNic(s)->CreateQp(topo.GetNic(4),
                                               MakeNullCallback<void, uint32_t, uint64_t>(),
                                               MakeNullCallback<void, uint32_t, uint64_t>());
        topo.GetNic(s)->PostSend(qp, 16 << 20, s);
    }
    double done = 0;
    auto onRx = [&done](uint32_t, uint64_t) { done = Simulator::Now().GetSeconds(); };
    uint32_t qp = topo.GetNic(2)->CreateQp(topo.GetNic(5),
                                           MakeNullCallback<void, uint32_t, uint64_t>(),
                                           Callback<void, uint32_t, uint64_t>(onRx));
    topo.GetNic(2)->PostSend(qp, 4 << 20, 2);
    Simulator::Run();
    Simulator::Destroy();
    return done;
}

} // namespace

TEST_F(SimTest, PfcHeadOfLineBlockingSlowsAVictim)
{
    const double alone = TxSeconds(MessageWireBytes(4 << 20, 4096), 100e9);
    const double withPfc = Victim(true);
    const double withoutPfc = Victim(false);
    EXPECT_LT(withoutPfc, 1.05 * alone);  // without PFC the victim runs at line rate
    EXPECT_GT(withPfc, 1.3 * withoutPfc); // with PFC pauses spread up to its path
    RecordProperty("victim_no_pfc_us", std::to_string(withoutPfc * 1e6));
    RecordProperty("victim_pfc_us", std::to_string(withPfc * 1e6));
}

namespace
{

/// DCQCN settings compared in the collision test.
enum class Cc
{
    NONE,       //!< PFC only
    DCQCN_PAPER //!< DCQCN with the defaults (Zhu et al. 2015)
};

/// Two 2-rank ring all-reduces across two leaves, pinned to the same uplinks (an ECMP
/// collision) or one alone, on a lossless fabric (shared buffer, PFC; ECN with DCQCN).
std::vector<double>
RingCollision(bool both, Cc cc)
{
    LeafSpineConfig c;
    c.leaves = 2;
    c.spines = 2;
    c.gpusPerLeaf = 2;
    LeafSpineHelper topo(c);
    Lossless(topo, true, cc != Cc::NONE, cc != Cc::NONE);
    topo.Build();
    std::vector<Ptr<CollectiveExecutor>> jobs;
    for (uint32_t j = 0; j < (both ? 2u : 1u); ++j)
    {
        topo.GetLeaf(0)->SetFlowRoute(j, 2 + j, topo.GetLeafUplinkPort(0));
        topo.GetLeaf(1)->SetFlowRoute(2 + j, j, topo.GetLeafUplinkPort(0));
        Ptr<CollectiveExecutor> e = CreateObject<CollectiveExecutor>();
        e->Setup(vclos::MakeRingAllReduce(2, 16 << 20), {topo.GetNic(j), topo.GetNic(2 + j)});
        e->Run(MakeNullCallback<void>());
        jobs.push_back(e);
    }
    Simulator::Run();
    std::vector<double> t;
    uint64_t drops = 0;
    for (auto& e : jobs)
    {
        EXPECT_FALSE(e->IsRunning());
        t.push_back((e->GetFinishTime() - e->GetStartTime()).GetSeconds());
    }
    for (uint32_t l = 0; l < 2; ++l)
    {
        drops += topo.GetLeaf(l)->GetBufferDrops();
    }
    EXPECT_EQ(drops, 0u); // lossless
    Simulator::Destroy();
    return t;
}

} // namespace

TEST_F(SimTest, CollidingRingsOnALosslessFabricSlowDown)
{
    // Each ring's all-reduce is one step per direction, entirely on the shared uplinks.
    const std::vector<std::pair<Cc, std::string>> cases = {{Cc::NONE, "pfc_only"},
                                                           {Cc::DCQCN_PAPER, "dcqcn"}};
    for (const auto& [cc, name] : cases)
    {
        const double alone = RingCollision(false, cc)[0];
        const auto shared = RingCollision(true, cc);
        for (uint32_t j = 0; j < 2; ++j)
        {
            const double slowdown = shared[j] / alone;
            RecordProperty(name + "_slowdown_" + std::to_string(j), std::to_string(slowdown));
            if (cc == Cc::DCQCN_PAPER)
            {
                // DCQCN cuts below the fair share and recovers by 40 Mbps per 55 us: slower
                // than an even split within one 16 MiB step (doc/congestion.rst).
                EXPECT_GT(slowdown, 1.9) << name;
                EXPECT_LT(slowdown, 5.0) << name;
            }
            else
            {
                EXPECT_NEAR(slowdown, 2.0, 0.25) << name << " job " << j;
            }
        }
    }
}

TEST_F(SimTest, CongestionMonitorSamplesQueuesAndRatesEveryInterval)
{
    // Two DCQCN flows into one port for 2 ms, sampled every 100 us.
    LeafSpineConfig c;
    c.leaves = 1;
    c.spines = 1;
    c.gpusPerLeaf = 3;
    LeafSpineHelper topo(c);
    Lossless(topo, true, true, true);
    topo.Build();
    for (uint32_t s = 1; s <= 2; ++s)
    {
        uint32_t qp = topo.GetNic(s)->CreateQp(topo.GetNic(0),
                                               MakeNullCallback<void, uint32_t, uint64_t>(),
                                               MakeNullCallback<void, uint32_t, uint64_t>());
        topo.GetNic(s)->PostSend(qp, 64 << 20, s);
    }
    Ptr<CongestionMonitor> monitor = CreateObject<CongestionMonitor>();
    monitor->SetAttribute("SampleInterval", TimeValue(MicroSeconds(100)));
    std::set<int64_t> times;
    uint32_t queueSamples = 0;
    uint32_t rateSamples = 0;
    const uint32_t bottleneckLink = [&]() {
        for (const auto& link : topo.GetLinks())
        {
            if (link.src == "leaf0" && link.dst == "gpu0")
            {
                return link.id;
            }
        }
        return 0u;
    }();
    monitor->TraceConnectWithoutContext(
        "QueueSample",
        Callback<void, uint32_t, Time, uint32_t>([&](uint32_t link, Time t, uint32_t) {
            times.insert(t.GetMicroSeconds());
            queueSamples += link == bottleneckLink;
        }));
    monitor->TraceConnectWithoutContext(
        "RateSample",
        Callback<void, uint32_t, uint32_t, uint32_t, Time, double>(
            [&](uint32_t gpu, uint32_t, uint32_t peer, Time t, double rate) {
                EXPECT_TRUE(gpu == 1 || gpu == 2);
                EXPECT_EQ(peer, 0u);
                EXPECT_LT(rate, 100e9);
                times.insert(t.GetMicroSeconds());
                ++rateSamples;
            }));
    monitor->Start(topo);
    Simulator::Stop(MilliSeconds(2));
    Simulator::Run();
    for (int64_t t : times)
    {
        EXPECT_EQ(t % 100, 0) << t;
    }
    EXPECT_GE(queueSamples, 1u); // the bottleneck queue, while it is non-empty
    EXPECT_GT(rateSamples, 10u);
}
