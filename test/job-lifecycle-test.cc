/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The pure job lifecycle, driven by a fake engine with a clock of its own (no ns-3).

#include "ns3/job-lifecycle.h"

#include <functional>
#include <gtest/gtest.h>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

using namespace ns3::vclos;

namespace
{

/// A tiny discrete-event engine: compute and collectives take fixed durations.
class FakeEngine : public JobDriver
{
  public:
    explicit FakeEngine(std::map<CommKind, int64_t> commTicks)
        : m_commTicks(std::move(commTicks))
    {
    }

    void StartCompute(int64_t duration) override
    {
        log.push_back("compute " + std::to_string(now) + "+" + std::to_string(duration));
        At(now + duration, [this] { job->ComputeDone(now); });
    }

    void StartCollective(uint32_t iteration, uint32_t run, CommKind kind) override
    {
        log.push_back("comm " + std::to_string(now) + " it" + std::to_string(iteration) + " run" +
                      std::to_string(run) + " " + CommKindName(kind));
        At(now + m_commTicks.at(kind), [this] { job->CommDone(now); });
    }

    void IterationFinished(uint32_t iteration, const JobIterationRecord& r) override
    {
        EXPECT_EQ(iteration, records.size());
        records.push_back(r);
    }

    void JobFinished(int64_t t, bool done) override
    {
        finishedAt = t;
        completed = done;
    }

    /// Schedule \p fn at \p t (FIFO among equal times).
    void At(int64_t t, std::function<void()> fn)
    {
        m_events.emplace(std::make_pair(t, m_seq++), std::move(fn));
    }

    /// Run events up to \p until.
    void Run(int64_t until = INT64_MAX)
    {
        while (!m_events.empty() && m_events.begin()->first.first <= until)
        {
            auto it = m_events.begin();
            now = it->first.first;
            auto fn = std::move(it->second);
            m_events.erase(it);
            fn();
        }
    }

    JobLifecycle* job{nullptr};
    int64_t now{0};
    std::vector<std::string> log;
    std::vector<JobIterationRecord> records;
    int64_t finishedAt{-1};
    bool completed{false};

  private:
    std::map<CommKind, int64_t> m_commTicks;
    std::map<std::pair<int64_t, uint64_t>, std::function<void()>> m_events;
    uint64_t m_seq{0};
};

void
StartAt(JobLifecycle& job, int64_t t)
{
    job.Queue(t);
    job.Place(t);
    job.Start(t);
}

/// Expect a record equal to the given figures.
void
ExpectRecord(const JobIterationRecord& r,
             int64_t start,
             int64_t computeEnd,
             int64_t end,
             int64_t commBusy,
             int64_t wait)
{
    EXPECT_EQ(r.start, start);
    EXPECT_EQ(r.computeEnd, computeEnd);
    EXPECT_EQ(r.end, end);
    EXPECT_EQ(r.commBusy, commBusy);
    EXPECT_EQ(r.allToAllWait, wait);
}

} // namespace

TEST(JobLifecycle, OneBucketIsComputeThenCommunicate)
{
    FakeEngine e({{CommKind::BUCKET, 30}});
    JobLifecycle job({2, 10, 20, 1, false}, e, 0);
    e.job = &job;
    EXPECT_EQ(job.GetState(), JobState::ARRIVED);
    StartAt(job, 0);
    EXPECT_EQ(job.GetState(), JobState::RUNNING);
    e.Run();
    ASSERT_EQ(e.records.size(), 2u);
    ExpectRecord(e.records[0], 0, 30, 60, 30, 0);
    ExpectRecord(e.records[1], 60, 90, 120, 30, 0);
    EXPECT_EQ(job.GetState(), JobState::FINISHED);
    EXPECT_EQ(e.finishedAt, 120);
    EXPECT_TRUE(e.completed);
    EXPECT_TRUE(job.IsCompleted());
    EXPECT_EQ(job.GetStateTime(JobState::FINISHED), 120);
    const std::vector<std::string> expected = {"compute 0+10",
                                               "compute 10+20",
                                               "comm 30 it0 run0 BUCKET",
                                               "compute 60+10",
                                               "compute 70+20",
                                               "comm 90 it1 run0 BUCKET"};
    EXPECT_EQ(e.log, expected);
}

TEST(JobLifecycle, FourBucketsQueueOnOneStream)
{
    // Backward 20 ticks: buckets ready at 15, 20, 25, 30; each all-reduce takes 8 ticks,
    // so they run 15-23, 23-31, 31-39, 39-47.
    FakeEngine e({{CommKind::BUCKET, 8}});
    JobLifecycle job({1, 10, 20, 4, false}, e, 0);
    e.job = &job;
    StartAt(job, 0);
    e.Run();
    ASSERT_EQ(e.records.size(), 1u);
    ExpectRecord(e.records[0], 0, 30, 47, 32, 0);
    const std::vector<std::string> expected = {"compute 0+10",
                                               "compute 10+5",
                                               "comm 15 it0 run0 BUCKET",
                                               "compute 15+5",
                                               "compute 20+5",
                                               "comm 23 it0 run1 BUCKET",
                                               "compute 25+5",
                                               "comm 31 it0 run2 BUCKET",
                                               "comm 39 it0 run3 BUCKET"};
    EXPECT_EQ(e.log, expected);
}

TEST(JobLifecycle, UnevenBucketsAreReadyAtBackwardTimesKOverN)
{
    // Backward 10 ticks, 4 buckets: ready at 10*k/4 = 2, 5, 7, 10 ticks into the pass.
    FakeEngine e({{CommKind::BUCKET, 1}});
    JobLifecycle job({1, 0, 10, 4, false}, e, 100);
    e.job = &job;
    e.now = 100;
    StartAt(job, 100);
    e.Run();
    const std::vector<std::string> expected = {"compute 100+0",
                                               "compute 100+2",
                                               "comm 102 it0 run0 BUCKET",
                                               "compute 102+3",
                                               "comm 105 it0 run1 BUCKET",
                                               "compute 105+2",
                                               "comm 107 it0 run2 BUCKET",
                                               "compute 107+3",
                                               "comm 110 it0 run3 BUCKET"};
    EXPECT_EQ(e.log, expected);
    ASSERT_EQ(e.records.size(), 1u);
    ExpectRecord(e.records[0], 100, 110, 111, 4, 0);
    EXPECT_EQ(job.GetStateTime(JobState::ARRIVED), 100);
}

TEST(JobLifecycle, MixtureOfExpertsWaitsForTheForwardAllToAll)
{
    // forward 0-10; all-to-all 10-60 (backward waits 50); backward 60-80; bucket 80-110;
    // backward all-to-all 110-160.
    FakeEngine e({{CommKind::BUCKET, 30},
                  {CommKind::ALL_TO_ALL_FORWARD, 50},
                  {CommKind::ALL_TO_ALL_BACKWARD, 50}});
    JobLifecycle job({2, 10, 20, 1, true}, e, 0);
    e.job = &job;
    StartAt(job, 0);
    e.Run();
    ASSERT_EQ(e.records.size(), 2u);
    ExpectRecord(e.records[0], 0, 80, 160, 130, 50);
    ExpectRecord(e.records[1], 160, 240, 320, 130, 50);
    const std::vector<std::string> firstIteration = {"compute 0+10",
                                                     "comm 10 it0 run0 ALL_TO_ALL_FORWARD",
                                                     "compute 60+20",
                                                     "comm 80 it0 run1 BUCKET",
                                                     "comm 110 it0 run2 ALL_TO_ALL_BACKWARD"};
    EXPECT_EQ(std::vector<std::string>(e.log.begin(), e.log.begin() + 5), firstIteration);
}

TEST(JobLifecycle, StopEndsAfterTheIterationInProgress)
{
    FakeEngine e({{CommKind::BUCKET, 30}});
    JobLifecycle job({0, 10, 20, 1, false}, e, 0); // until stopped
    e.job = &job;
    StartAt(job, 0);
    e.Run(70); // iteration 1 runs 60-120
    EXPECT_EQ(job.GetIterationsDone(), 1u);
    job.Stop(70);
    EXPECT_EQ(job.GetState(), JobState::RUNNING);
    e.Run();
    EXPECT_EQ(job.GetState(), JobState::FINISHED);
    EXPECT_EQ(job.GetIterationsDone(), 2u);
    EXPECT_EQ(e.finishedAt, 120);
    EXPECT_FALSE(e.completed);
    EXPECT_FALSE(job.IsCompleted());
}

TEST(JobLifecycle, AbortEndsAtOnceAndLateEventsAreErrors)
{
    FakeEngine e({{CommKind::BUCKET, 30}});
    JobLifecycle job({3, 10, 20, 1, false}, e, 0);
    e.job = &job;
    StartAt(job, 0);
    e.Run(35); // in the all-reduce of iteration 0 (30-60)
    EXPECT_TRUE(job.IsCommunicating());
    job.Abort(35);
    EXPECT_EQ(job.GetState(), JobState::FINISHED);
    EXPECT_EQ(e.finishedAt, 35);
    EXPECT_EQ(job.GetIterationsDone(), 0u);
    // The engine forgot to cancel its collective: its completion is an error, not a step.
    try
    {
        e.Run();
        FAIL() << "CommDone() after Abort() was accepted";
    }
    catch (const std::logic_error& ex)
    {
        EXPECT_NE(std::string(ex.what()).find("CommDone() in state FINISHED"), std::string::npos)
            << ex.what();
    }
    job.Abort(40); // no-op
    job.Stop(40);  // no-op
    EXPECT_EQ(e.finishedAt, 35);
}

TEST(JobLifecycle, StopBeforeRunningFinishesAtOnce)
{
    FakeEngine e({});
    JobLifecycle job({1, 10, 20, 1, false}, e, 0);
    e.job = &job;
    job.Queue(5);
    job.Stop(7);
    EXPECT_EQ(job.GetState(), JobState::FINISHED);
    EXPECT_EQ(e.finishedAt, 7);
    EXPECT_TRUE(e.log.empty());
}

TEST(JobLifecycle, InvalidTransitionsNameTheState)
{
    FakeEngine e({{CommKind::BUCKET, 30}});
    JobLifecycle job({1, 10, 20, 1, false}, e, 0);
    e.job = &job;
    auto expectError = [](const std::function<void()>& fn, const std::string& what) {
        try
        {
            fn();
            ADD_FAILURE() << "accepted: " << what;
        }
        catch (const std::logic_error& ex)
        {
            EXPECT_NE(std::string(ex.what()).find(what), std::string::npos) << ex.what();
        }
    };
    expectError([&] { job.Start(0); }, "Start() in state ARRIVED");
    expectError([&] { job.Place(0); }, "Place() in state ARRIVED");
    expectError([&] { job.ComputeDone(0); }, "ComputeDone() in state ARRIVED");
    job.Queue(0);
    expectError([&] { job.Queue(0); }, "Queue() in state QUEUED");
    expectError([&] { job.CommDone(0); }, "CommDone() in state QUEUED");
    job.Place(0);
    expectError([&] { job.Place(0); }, "Place() in state PLACED");
    job.Start(0);
    expectError([&] { job.Start(0); }, "Start() in state RUNNING");
    // RUNNING, computing the forward pass: no collective is outstanding.
    expectError([&] { job.CommDone(1); }, "CommDone() in state RUNNING");
    e.Run();
    EXPECT_EQ(job.GetState(), JobState::FINISHED);
    expectError([&] { job.ComputeDone(100); }, "ComputeDone() in state FINISHED");
}

TEST(JobLifecycle, ADriverThatCallsBackAtOnceIsAnError)
{
    /// Reports compute done from inside StartCompute().
    class Eager : public JobDriver
    {
      public:
        void StartCompute(int64_t) override
        {
            job->ComputeDone(0);
        }

        void StartCollective(uint32_t, uint32_t, CommKind) override
        {
        }

        void IterationFinished(uint32_t, const JobIterationRecord&) override
        {
        }

        void JobFinished(int64_t, bool) override
        {
        }

        JobLifecycle* job{nullptr};
    } eager;

    JobLifecycle job({1, 10, 20, 1, false}, eager, 0);
    eager.job = &job;
    job.Queue(0);
    job.Place(0);
    try
    {
        job.Start(0);
        FAIL() << "re-entrant ComputeDone() accepted";
    }
    catch (const std::logic_error& ex)
    {
        EXPECT_NE(std::string(ex.what()).find("inside the driver"), std::string::npos) << ex.what();
    }
}

TEST(JobLifecycle, BadConfigurationAndSplit)
{
    FakeEngine e({});
    EXPECT_THROW(JobLifecycle({1, -1, 20, 1, false}, e, 0), std::invalid_argument);
    EXPECT_THROW(JobLifecycle({1, 10, 20, 0, false}, e, 0), std::invalid_argument);
    int64_t f = 0;
    int64_t b = 0;
    SplitCompute(3000, 2.0 / 3.0, f, b);
    EXPECT_EQ(b, 2000);
    EXPECT_EQ(f, 1000);
    SplitCompute(7, 0.5, f, b); // 3.5 rounds to 4; the parts add up to the whole
    EXPECT_EQ(b, 4);
    EXPECT_EQ(f, 3);
    EXPECT_THROW(SplitCompute(-1, 0.5, f, b), std::invalid_argument);
    EXPECT_THROW(SplitCompute(10, 1.5, f, b), std::invalid_argument);
}
