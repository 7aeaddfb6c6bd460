/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Jobs that come and go: queue pairs destroyed at both ends with reusable slots, late
// packets dropped, executors leaving nothing bound, the JobManager creating jobs at their
// start time and tearing them down once quiet, and many jobs one after another.

#include "vclos-test-utils.h"

#include "ns3/collective-executor.h"
#include "ns3/job-manager.h"

#include <algorithm>

using namespace ns3;
using namespace vclos_test;

static auto* g_env = ::testing::AddGlobalTestEnvironment(new PicosecondEnvironment);

namespace
{

/// 2 leaves x 4 GPUs, 2 spines, deep buffers.
LeafSpineConfig
SmallFabric()
{
    LeafSpineConfig c;
    c.leaves = 2;
    c.spines = 2;
    c.gpusPerLeaf = 4;
    c.queueBytes = 8 << 20;
    return c;
}

/// Live queue pairs of every NIC.
uint32_t
LiveQps(const LeafSpineHelper& topo)
{
    uint32_t n = 0;
    for (uint32_t g = 0; g < topo.GetNGpus(); ++g)
    {
        n += topo.GetNic(g)->GetNQps();
    }
    return n;
}

/// Largest QP table of any NIC.
uint32_t
MaxQpTable(const LeafSpineHelper& topo)
{
    uint32_t n = 0;
    for (uint32_t g = 0; g < topo.GetNGpus(); ++g)
    {
        n = std::max(n, topo.GetNic(g)->GetQpTableSize());
    }
    return n;
}

} // namespace

TEST_F(SimTest, DestroyQpDropsLatePacketsAndReusesTheSlot)
{
    LeafSpineConfig c;
    c.leaves = 2;
    c.spines = 1;
    c.gpusPerLeaf = 1;
    LeafSpineHelper topo(c);
    topo.Build();
    Ptr<RdmaNic> a = topo.GetNic(0);
    Ptr<RdmaNic> b = topo.GetNic(1);
    uint32_t oldReceived = 0;
    std::vector<uint64_t> newReceived;
    uint32_t newSent = 0;
    Callback<void, uint32_t, uint64_t> oldRx([&oldReceived](uint32_t, uint64_t) { ++oldReceived; });
    const uint32_t qp = a->CreateQp(b, MakeNullCallback<void, uint32_t, uint64_t>(), oldRx);
    EXPECT_EQ(qp, 0u); // the first QP number of a slot is the slot
    a->PostSend(qp, 1 << 20, 1);
    uint32_t qp2 = 0;
    // 8 us in (the first packet arrives after 5.3 us: 4 hops of 1 us + 0.33 us), data and
    // ACKs are in flight both ways: destroy it.
    Simulator::Schedule(MicroSeconds(8), [&] {
        EXPECT_TRUE(a->DestroyQp(qp));
        EXPECT_FALSE(a->DestroyQp(qp)); // already gone
        EXPECT_EQ(a->GetNQps(), 0u);
        EXPECT_EQ(b->GetNQps(), 0u); // both ends
        EXPECT_FALSE(a->HasQp(qp));
    });
    // Later a new queue pair between the same GPUs takes the same slot, a new number.
    Simulator::Schedule(MicroSeconds(9), [&] {
        Callback<void, uint32_t, uint64_t> rx(
            [&newReceived](uint32_t, uint64_t bytes) { newReceived.push_back(bytes); });
        Callback<void, uint32_t, uint64_t> tx([&newSent](uint32_t, uint64_t) { ++newSent; });
        qp2 = a->CreateQp(b, tx, rx);
        a->PostSend(qp2, 65536, 2);
    });
    Simulator::Run();
    EXPECT_EQ(qp2 & RdmaNic::QP_SLOT_MASK, 0u);
    EXPECT_NE(qp2, qp);
    EXPECT_EQ(oldReceived, 0u);                           // the destroyed QP's callback never ran
    EXPECT_EQ(newReceived, std::vector<uint64_t>{65536}); // exactly the new message
    EXPECT_EQ(newSent, 1u);
    EXPECT_TRUE(a->IsQpIdle(qp2));
    // Packets of the old QP were in flight when it went: dropped and counted, at the
    // receiver (data) and at the sender (ACKs).
    EXPECT_GT(b->GetStalePackets(), 0u);
    EXPECT_GT(a->GetStalePackets(), 0u);
    EXPECT_EQ(a->GetQpTableSize(), 1u);
    EXPECT_EQ(b->GetQpTableSize(), 1u);
    // The new message arrived in order, untouched by the old one's late packets.
    EXPECT_EQ(b->GetRetransmittedPackets() + a->GetRetransmittedPackets(), 0u);
}

TEST_F(SimTest, AnExecutorReleasedWithoutDisposeLeavesNoQueuePair)
{
    LeafSpineHelper topo(SmallFabric());
    topo.Build();
    {
        Ptr<CollectiveExecutor> e = CreateObject<CollectiveExecutor>();
        e->Setup(vclos::MakeRingAllReduce(4, 1 << 20),
                 {topo.GetNic(0), topo.GetNic(1), topo.GetNic(4), topo.GetNic(5)});
        EXPECT_EQ(LiveQps(topo), 8u); // 4 queue pairs, two ends each
    }
    // Its NIC callbacks bound the executor's raw pointer: they must be gone with it.
    EXPECT_EQ(LiveQps(topo), 0u);
}

TEST_F(SimTest, TeardownDuringARunLeavesNothingBound)
{
    LeafSpineHelper topo(SmallFabric());
    topo.Build();
    Ptr<CollectiveExecutor> e = CreateObject<CollectiveExecutor>();
    e->Setup(vclos::MakeRingAllReduce(4, 4 << 20),
             {topo.GetNic(0), topo.GetNic(1), topo.GetNic(4), topo.GetNic(5)});
    bool done = false;
    e->Run(Callback<void>([&done] { done = true; }));
    Simulator::Schedule(MicroSeconds(20), [&] {
        EXPECT_TRUE(e->IsRunning());
        e->Teardown();
        e->Teardown(); // idempotent
        e = nullptr;   // freed: any callback still bound to it would crash below
    });
    Simulator::Run();
    EXPECT_FALSE(done);
    EXPECT_EQ(LiveQps(topo), 0u);
    uint64_t stale = 0;
    for (uint32_t g : {0, 1, 4, 5})
    {
        stale += topo.GetNic(g)->GetStalePackets();
    }
    EXPECT_GT(stale, 0u);
}

TEST_F(SimTest, JobManagerCreatesJobsAtTheirStartTimeAndTearsThemDownWhenQuiet)
{
    LeafSpineHelper topo(SmallFabric());
    topo.Build();
    Ptr<JobManager> m = CreateObject<JobManager>();
    m->SetTopology(topo);
    JobParams p;
    p.collective = "ring";
    p.bytes = 256 << 10;
    p.iterations = 2;
    p.computeTime = MicroSeconds(10);
    p.gpus = {0, 1, 4, 5};
    EXPECT_EQ(m->AddJob(p, Seconds(0)), 0u);
    p.gpus = {2, 3, 6, 7};
    EXPECT_EQ(m->AddJob(p, MicroSeconds(50)), 1u);

    std::map<uint32_t, Time> started;
    std::map<uint32_t, Time> finished;
    std::map<uint32_t, Time> quiet;
    std::map<uint32_t, uint32_t> iterations;
    Callback<void, uint32_t> onStart([&](uint32_t id) {
        started[id] = Simulator::Now();
        EXPECT_NE(m->GetJob(id), nullptr);
    });
    Callback<void, uint32_t> onFinish([&](uint32_t id) { finished[id] = Simulator::Now(); });
    Callback<void, uint32_t> onQuiet([&](uint32_t id) {
        quiet[id] = Simulator::Now();
        // Quiet: every queue pair of the job's GPUs has its last ACK in.
        for (uint32_t g :
             id == 0 ? std::vector<uint32_t>{0, 1, 4, 5} : std::vector<uint32_t>{2, 3, 6, 7})
        {
            Ptr<RdmaNic> nic = topo.GetNic(g);
            for (uint32_t s = 0; s < nic->GetQpTableSize(); ++s)
            {
                const RdmaQueuePair* qp = nic->GetQpAtSlot(s);
                if (qp != nullptr)
                {
                    EXPECT_TRUE(qp->messages.empty()) << "GPU " << g << " QP " << qp->qpn;
                }
            }
        }
    });
    Callback<void, uint32_t, uint32_t, const TrainingJob::IterationRecord&> onIteration(
        [&](uint32_t id, uint32_t, const TrainingJob::IterationRecord&) { ++iterations[id]; });
    m->TraceConnectWithoutContext("JobStarted", onStart);
    m->TraceConnectWithoutContext("JobFinished", onFinish);
    m->TraceConnectWithoutContext("JobQuiet", onQuiet);
    m->TraceConnectWithoutContext("IterationRecorded", onIteration);
    // Before job 1's start time its GPUs have no queue pair and the job does not exist.
    Simulator::Schedule(MicroSeconds(49), [&] {
        EXPECT_EQ(m->GetJob(1), nullptr);
        for (uint32_t g : {2, 3, 6, 7})
        {
            EXPECT_EQ(topo.GetNic(g)->GetNQps(), 0u) << "GPU " << g;
        }
    });
    Simulator::Run();
    ASSERT_EQ(started.size(), 2u);
    EXPECT_EQ(started[0], Seconds(0));
    EXPECT_EQ(started[1], MicroSeconds(50));
    ASSERT_EQ(finished.size(), 2u);
    ASSERT_EQ(quiet.size(), 2u);
    for (uint32_t id : {0u, 1u})
    {
        EXPECT_EQ(iterations[id], 2u);
        // The last message is received before its ACK is back at the sender.
        EXPECT_GT(quiet[id], finished[id]) << "job " << id;
    }
    // Both jobs are identical and alone on their GPUs: job 1 is job 0 shifted by 50 us
    // (their cross-leaf flows may share an uplink under ECMP, so allow a little).
    EXPECT_NEAR((finished[1] - started[1]).GetSeconds(),
                (finished[0] - started[0]).GetSeconds(),
                0.25 * (finished[0] - started[0]).GetSeconds());
    EXPECT_EQ(m->GetNJobsFinished(), 2u);
    EXPECT_EQ(m->GetNJobsTornDown(), 2u);
    EXPECT_EQ(m->GetNJobsHeld(), 0u);
    EXPECT_EQ(LiveQps(topo), 0u);
    m->Dispose();
}

TEST_F(SimTest, TwoHundredJobsOneAfterAnotherReuseQueuePairSlots)
{
    // Each job is an 8-GPU ring of 64 KiB, created when the previous one is quiet.
    LeafSpineHelper topo(SmallFabric());
    topo.Build();
    Ptr<JobManager> m = CreateObject<JobManager>();
    m->SetTopology(topo);
    JobParams p;
    p.gpus = {0, 1, 2, 3, 4, 5, 6, 7};
    p.bytes = 64 << 10;
    p.computeTime = MicroSeconds(1);
    const uint32_t kJobs = 200;
    uint32_t maxTable = 0;
    uint32_t maxLive = 0;
    Callback<void, uint32_t> onStart([&](uint32_t) {
        maxTable = std::max(maxTable, MaxQpTable(topo));
        maxLive = std::max(maxLive, LiveQps(topo));
    });
    Callback<void, uint32_t> onQuiet([&](uint32_t id) {
        if (id + 1 < kJobs)
        {
            m->AddJob(p, Simulator::Now());
        }
    });
    m->TraceConnectWithoutContext("JobStarted", onStart);
    m->TraceConnectWithoutContext("JobQuiet", onQuiet);
    m->AddJob(p, Seconds(0));
    Simulator::Run();
    EXPECT_EQ(m->GetNJobsAdded(), kJobs);
    EXPECT_EQ(m->GetNJobsFinished(), kJobs);
    EXPECT_EQ(m->GetNJobsTornDown(), kJobs);
    // A ring gives each NIC one sending and one receiving end: 2 slots, reused by every
    // job (without teardown the tables would reach 2 x 200 entries).
    EXPECT_EQ(maxTable, 2u);
    EXPECT_EQ(maxLive, 16u);
    EXPECT_EQ(LiveQps(topo), 0u);
    m->Dispose();
}

TEST_F(SimTest, AJobTornDownBeforeItsStartTimeNeverStarts)
{
    LeafSpineHelper topo(SmallFabric());
    topo.Build();
    Ptr<JobManager> m = CreateObject<JobManager>();
    m->SetTopology(topo);
    JobParams p;
    p.gpus = {0, 4};
    p.bytes = 64 << 10;
    const uint32_t early = m->AddJob(p, Seconds(0));
    const uint32_t late = m->AddJob(p, MicroSeconds(100));
    uint32_t started = 0;
    m->TraceConnectWithoutContext("JobStarted",
                                  Callback<void, uint32_t>([&started](uint32_t) { ++started; }));
    Simulator::Schedule(MicroSeconds(50), [&] { EXPECT_TRUE(m->TeardownJob(late)); });
    Simulator::Run();
    EXPECT_EQ(started, 1u);
    EXPECT_EQ(m->GetNJobsFinished(), 1u);
    EXPECT_FALSE(m->TeardownJob(late));  // gone
    EXPECT_FALSE(m->TeardownJob(early)); // torn down when quiet
    EXPECT_FALSE(m->TeardownJob(7));     // never added
    EXPECT_EQ(m->GetNJobsHeld(), 0u);
    EXPECT_EQ(LiveQps(topo), 0u);
    m->Dispose();
}

TEST_F(SimTest, AddJobRejectsBadJobsWithTheirReason)
{
    LeafSpineHelper topo(SmallFabric());
    topo.Build();
    Ptr<JobManager> m = CreateObject<JobManager>();
    m->SetTopology(topo);
    JobParams p;
    p.name = "bad";
    p.gpus = {0, 4};
    p.collective = "rign";
    EXPECT_DEATH(m->AddJob(p, Seconds(0)), "job 'bad': unknown collective 'rign' \\(one of: ");
    p.collective = "ring";
    p.gpus = {0, 8};
    EXPECT_DEATH(m->AddJob(p, Seconds(0)), "GPU 8 does not exist \\(the cluster has 8\\)");
    p.gpus = {0, 4};
    p.buckets = 0;
    EXPECT_DEATH(m->AddJob(p, Seconds(0)), "buckets must be >= 1");
    m->Dispose();
}

TEST_F(SimTest, ATrainingJobWithoutKeptRecordsStreamsThemAndKeepsNone)
{
    // The same 4-GPU ring job twice: keeping its records, and streaming them only.
    auto run = [](bool keep) {
        LeafSpineHelper topo(SmallFabric());
        topo.Build();
        Ptr<TrainingJob> job = CreateObject<TrainingJob>();
        job->SetAttribute("Iterations", UintegerValue(20));
        job->SetAttribute("ComputeTime", TimeValue(MicroSeconds(5)));
        job->SetAttribute("KeepRecords", BooleanValue(keep));
        job->SetAttribute("JobId", UintegerValue(3));
        job->Setup({topo.GetNic(0), topo.GetNic(1), topo.GetNic(4), topo.GetNic(5)},
                   "ring",
                   64 << 10,
                   1,
                   1);
        std::vector<Time> ends;
        uint32_t steps = 0;
        job->TraceConnectWithoutContext(
            "IterationRecorded",
            Callback<void, uint32_t, uint32_t, const TrainingJob::IterationRecord&>(
                [&ends](uint32_t id, uint32_t it, const TrainingJob::IterationRecord& r) {
                    EXPECT_EQ(id, 3u);
                    EXPECT_EQ(it, ends.size());
                    ends.push_back(r.end);
                }));
        job->TraceConnectWithoutContext(
            "StepRecorded",
            Callback<void, uint32_t, const TrainingJob::StepRecord&>(
                [&steps](uint32_t, const TrainingJob::StepRecord&) { ++steps; }));
        topo.GetGpuNode(0)->AddApplication(job);
        Simulator::Run();
        EXPECT_TRUE(job->IsFinished());
        EXPECT_EQ(job->GetIterationsDone(), 20u);
        EXPECT_EQ(steps, 20u * 6); // ring of 4: 6 steps per iteration
        if (keep)
        {
            EXPECT_EQ(job->GetIterations().size(), 20u);
            EXPECT_EQ(job->GetSteps().size(), 20u * 6);
            EXPECT_EQ(job->GetIterations().back().end, ends.back());
        }
        else
        {
            EXPECT_TRUE(job->GetIterations().empty());
            EXPECT_TRUE(job->GetSteps().empty());
        }
        Simulator::Destroy();
        return ends;
    };
    const auto kept = run(true);
    const auto streamed = run(false);
    ASSERT_EQ(kept.size(), 20u);
    EXPECT_EQ(kept, streamed); // same timings either way
}
