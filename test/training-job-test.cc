/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Training jobs: iteration = compute + communication when alone; slower when the job's
// collective collides with another job under ECMP; overlap with buckets; MoE all-to-all.

#include "vclos-test-utils.h"

#include "ns3/collective-executor.h"
#include "ns3/training-job.h"

using namespace ns3;
using namespace vclos_test;

static auto* g_env = ::testing::AddGlobalTestEnvironment(new PicosecondEnvironment);

namespace
{

/// 2 leaves x 4 GPUs, 2 spines; a job uses GPUs {first, first+1, first+4, first+5}.
LeafSpineConfig
TwoLeaves()
{
    LeafSpineConfig c;
    c.leaves = 2;
    c.spines = 2;
    c.gpusPerLeaf = 4;
    c.queueBytes = 32 << 20;
    return c;
}

std::vector<Ptr<RdmaNic>>
Nics(LeafSpineHelper& topo, const std::vector<uint32_t>& gpus)
{
    std::vector<Ptr<RdmaNic>> nics;
    for (uint32_t g : gpus)
    {
        nics.push_back(topo.GetNic(g));
    }
    return nics;
}

Ptr<TrainingJob>
MakeJob(LeafSpineHelper& topo,
        const std::vector<uint32_t>& gpus,
        uint64_t bytes,
        Time compute,
        uint32_t iterations,
        uint32_t buckets = 1)
{
    Ptr<TrainingJob> job = CreateObject<TrainingJob>();
    job->SetAttribute("Iterations", UintegerValue(iterations));
    job->SetAttribute("ComputeTime", TimeValue(compute));
    job->SetAttribute("Buckets", UintegerValue(buckets));
    job->Setup(Nics(topo, gpus), "ring", bytes, 1, 1);
    topo.GetGpuNode(gpus[0])->AddApplication(job);
    job->SetStartTime(Seconds(0));
    return job;
}

} // namespace

TEST_F(SimTest, IterationIsComputePlusCommunicationWhenAlone)
{
    const uint64_t bytes = 8 << 20;
    const std::vector<uint32_t> gpus = {0, 1, 4, 5};
    // The collective alone.
    double comm;
    {
        LeafSpineHelper topo(TwoLeaves());
        topo.Build();
        Ptr<CollectiveExecutor> e = CreateObject<CollectiveExecutor>();
        e->Setup(vclos::MakeRingAllReduce(4, bytes), Nics(topo, gpus));
        e->Run(MakeNullCallback<void>());
        Simulator::Run();
        comm = (e->GetFinishTime() - e->GetStartTime()).GetSeconds();
        Simulator::Destroy();
    }
    LeafSpineHelper topo(TwoLeaves());
    topo.Build();
    const Time compute = MilliSeconds(2);
    Ptr<TrainingJob> job = MakeJob(topo, gpus, bytes, compute, 3);
    Simulator::Run();
    ASSERT_TRUE(job->IsFinished());
    ASSERT_EQ(job->GetIterations().size(), 3u);
    for (const auto& it : job->GetIterations())
    {
        EXPECT_NEAR((it.computeEnd - it.start).GetSeconds(), compute.GetSeconds(), 1e-12);
        EXPECT_NEAR((it.end - it.start).GetSeconds(), compute.GetSeconds() + comm, 1e-9);
        EXPECT_NEAR(it.commBusy.GetSeconds(), comm, 1e-9);
    }
    // Per-step records: 2(N-1) steps per iteration, bytes of each step = N blocks.
    EXPECT_EQ(job->GetSteps().size(), 3u * 6);
    EXPECT_EQ(job->GetSteps()[0].bytes, bytes);
    RecordProperty("comm_us", std::to_string(comm * 1e6));
}

TEST_F(SimTest, IterationGrowsWhenTheCollectiveCollides)
{
    // Two identical jobs, each with one cross-leaf flow per direction. Pinned to the same
    // uplinks (what an unlucky ECMP hash does) they share them; pinned apart they don't.
    auto run = [](bool collide) {
        LeafSpineHelper topo(TwoLeaves());
        topo.Build();
        std::vector<Ptr<TrainingJob>> jobs;
        for (uint32_t j = 0; j < 2; ++j)
        {
            const uint32_t a = 2 * j;
            const uint32_t up = topo.GetLeafUplinkPort(collide ? 0 : j);
            // ring a -> a+1 -> a+5 -> a+4 -> a: cross-leaf hops a+1 -> a+5 and a+4 -> a
            topo.GetLeaf(0)->SetFlowRoute(a + 1, a + 5, up);
            topo.GetLeaf(1)->SetFlowRoute(a + 4, a, up);
            jobs.push_back(MakeJob(topo, {a, a + 1, a + 5, a + 4}, 8 << 20, MicroSeconds(500), 2));
        }
        Simulator::Run();
        std::vector<double> t;
        for (auto& job : jobs)
        {
            EXPECT_TRUE(job->IsFinished());
            const auto& it = job->GetIterations().back();
            t.push_back((it.end - it.start).GetSeconds());
        }
        Simulator::Destroy();
        return t;
    };
    const auto apart = run(false);
    const auto together = run(true);
    // (ACKs are not pinned: they may share a link with the other job's data, ~2%)
    EXPECT_NEAR(apart[0], apart[1], 0.02 * apart[0]);
    for (uint32_t j = 0; j < 2; ++j)
    {
        EXPECT_GT(together[j], 1.5 * apart[j] - 0.5 * 500e-6) << "job " << j;
    }
    RecordProperty("apart_us", std::to_string(apart[0] * 1e6));
    RecordProperty("together_us", std::to_string(together[0] * 1e6));
}

TEST_F(SimTest, BucketsOverlapCommunicationWithTheBackwardPass)
{
    const uint64_t bytes = 8 << 20;
    const Time compute = MilliSeconds(3);
    auto run = [&](uint32_t buckets) {
        LeafSpineHelper topo(TwoLeaves());
        topo.Build();
        Ptr<TrainingJob> job = MakeJob(topo, {0, 1, 4, 5}, bytes, compute, 1, buckets);
        Simulator::Run();
        const auto it = job->GetIterations().at(0);
        Simulator::Destroy();
        return it;
    };
    const auto serial = run(1);
    const auto overlapped = run(8);
    const double comm = serial.commBusy.GetSeconds();
    const double tSerial = (serial.end - serial.start).GetSeconds();
    const double tOverlap = (overlapped.end - overlapped.start).GetSeconds();
    EXPECT_LT(tOverlap, tSerial);
    // Overlap can hide at most the backward pass (2/3 of compute): bounded below by the
    // forward pass + the longer of backward and communication.
    EXPECT_GE(tOverlap,
              compute.GetSeconds() / 3 + std::max(2 * compute.GetSeconds() / 3, comm) - 1e-9);
    RecordProperty("serial_us", std::to_string(tSerial * 1e6));
    RecordProperty("overlapped_us", std::to_string(tOverlap * 1e6));
}

TEST_F(SimTest, MixtureOfExpertsWaitsForItsAllToAll)
{
    LeafSpineHelper topo(TwoLeaves());
    topo.Build();
    Ptr<TrainingJob> job = CreateObject<TrainingJob>();
    job->SetAttribute("ComputeTime", TimeValue(MilliSeconds(1)));
    job->Setup(Nics(topo, {0, 1, 4, 5}), "ring", 1 << 20, 1, 1);
    job->SetAllToAll(4 << 20);
    topo.GetGpuNode(0)->AddApplication(job);
    Simulator::Run();
    ASSERT_TRUE(job->IsFinished());
    const auto& it = job->GetIterations().at(0);
    EXPECT_GT(it.allToAllWait.GetSeconds(), 0);
    // Compute (1 ms) + the forward all-to-all it waited for, before the backward pass ends.
    EXPECT_NEAR((it.computeEnd - it.start).GetSeconds(), 1e-3 + it.allToAllWait.GetSeconds(), 1e-9);
    EXPECT_GT(it.end, it.computeEnd);
    // Two all-to-all runs and one all-reduce per iteration.
    std::set<uint32_t> runs;
    for (const auto& st : job->GetSteps())
    {
        runs.insert(st.run);
    }
    EXPECT_EQ(runs.size(), 3u);
}
