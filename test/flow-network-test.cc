/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// FlowNetwork: the sharing models on known answers, and incremental max-min against
// from-scratch max-min and against the max-min optimality condition on random instances.

#include "ns3/flow-network.h"

#include <gtest/gtest.h>
#include <map>
#include <random>
#include <vector>

using namespace ns3::vclos;

namespace
{

using Use = FlowNetwork::Use;

/// Rates of every live flow (id -> rate).
std::map<uint32_t, double>
Rates(const FlowNetwork& net, const std::vector<uint32_t>& ids)
{
    std::map<uint32_t, double> r;
    for (uint32_t id : ids)
    {
        r[id] = net.GetRate(id);
    }
    return r;
}

} // namespace

TEST(FlowNetwork, OneFlowGetsItsTightestLink)
{
    FlowNetwork net({100e9, 40e9, 1000e9}, SharingModel::MAXMIN);
    const uint32_t f = net.Add({{0, 1}, {1, 1}, {2, 1}}, 7);
    std::vector<uint32_t> changed;
    net.Update(changed);
    EXPECT_EQ(changed, std::vector<uint32_t>{f});
    EXPECT_EQ(net.GetRate(f), 40e9);
}

TEST(FlowNetwork, NFlowsOnOneLinkShareItEqually)
{
    for (SharingModel model : {SharingModel::MAXMIN, SharingModel::STEP, SharingModel::NONE})
    {
        for (uint32_t n = 1; n <= 7; ++n)
        {
            FlowNetwork net({100e9}, model);
            std::vector<uint32_t> ids;
            for (uint32_t i = 0; i < n; ++i)
            {
                ids.push_back(net.Add({{0, 1}}, i)); // n jobs
            }
            std::vector<uint32_t> changed;
            net.Update(changed);
            EXPECT_EQ(changed.size(), n);
            for (uint32_t id : ids)
            {
                EXPECT_DOUBLE_EQ(net.GetRate(id), model == SharingModel::NONE ? 100e9 : 100e9 / n)
                    << SharingModelName(model) << " n=" << n;
            }
        }
    }
}

TEST(FlowNetwork, StepModelCountsJobsNotFlows)
{
    // Two flows of job 1 and one of job 2 on link 0: the step model sees 2 jobs there.
    FlowNetwork step({90e9, 90e9}, SharingModel::STEP);
    const uint32_t a = step.Add({{0, 1}}, 1);
    const uint32_t b = step.Add({{0, 1}, {1, 1}}, 1);
    const uint32_t c = step.Add({{0, 1}}, 2);
    std::vector<uint32_t> changed;
    step.Update(changed);
    EXPECT_DOUBLE_EQ(step.GetRate(a), 45e9);
    EXPECT_DOUBLE_EQ(step.GetRate(b), 45e9);
    EXPECT_DOUBLE_EQ(step.GetRate(c), 45e9);
    // Max-min counts flows: 30 each.
    FlowNetwork mm({90e9, 90e9}, SharingModel::MAXMIN);
    const uint32_t d = mm.Add({{0, 1}}, 1);
    mm.Add({{0, 1}, {1, 1}}, 1);
    mm.Add({{0, 1}}, 2);
    mm.Update(changed);
    EXPECT_DOUBLE_EQ(mm.GetRate(d), 30e9);
}

TEST(FlowNetwork, TextbookThreeLinks)
{
    // Links L0 = 10, L1 = 8, L2 = 4 (Gbps). Flow a crosses all three; b only L0; c only L1;
    // d and e only L2. Progressive filling: L2 fills first at 4/3 (a, d, e), then L1 gives
    // c the rest 8 - 4/3, and L0 gives b 10 - 4/3.
    FlowNetwork net({10e9, 8e9, 4e9}, SharingModel::MAXMIN);
    const uint32_t a = net.Add({{0, 1}, {1, 1}, {2, 1}}, 0);
    const uint32_t b = net.Add({{0, 1}}, 1);
    const uint32_t c = net.Add({{1, 1}}, 2);
    const uint32_t d = net.Add({{2, 1}}, 3);
    const uint32_t e = net.Add({{2, 1}}, 4);
    std::vector<uint32_t> changed;
    net.Update(changed);
    EXPECT_NEAR(net.GetRate(a), 4e9 / 3, 1e-3);
    EXPECT_NEAR(net.GetRate(d), 4e9 / 3, 1e-3);
    EXPECT_NEAR(net.GetRate(e), 4e9 / 3, 1e-3);
    EXPECT_NEAR(net.GetRate(c), 8e9 - 4e9 / 3, 1e-3);
    EXPECT_NEAR(net.GetRate(b), 10e9 - 4e9 / 3, 1e-3);
    // d and e leave: L1 is now a's bottleneck (a and c at 4 each), b gets 6.
    net.Remove(d);
    net.Remove(e);
    net.Update(changed);
    EXPECT_NEAR(net.GetRate(a), 4e9, 1e-3);
    EXPECT_NEAR(net.GetRate(c), 4e9, 1e-3);
    EXPECT_NEAR(net.GetRate(b), 6e9, 1e-3);
    // A bundle of two unit flows on L0 (count 2) next to b: 10 / 3 per unit flow.
    net.Remove(a);
    const uint32_t bundle = net.Add({{0, 2}}, 5);
    net.Update(changed);
    EXPECT_NEAR(net.GetRate(bundle), 10e9 / 3, 1e-3);
    EXPECT_NEAR(net.GetRate(b), 10e9 / 3, 1e-3);
    EXPECT_NEAR(net.GetRate(c), 8e9, 1e-3);
}

TEST(FlowNetwork, UntouchedComponentsAreNotRecomputed)
{
    FlowNetwork net({10e9, 10e9}, SharingModel::MAXMIN);
    net.Add({{0, 1}}, 0);
    std::vector<uint32_t> changed;
    net.Update(changed);
    const uint64_t before = net.GetNRated();
    net.Add({{1, 1}}, 1); // another component
    net.Update(changed);
    EXPECT_EQ(net.GetNRated() - before, 1u);
}

TEST(FlowNetwork, BadInputIsRejected)
{
    EXPECT_THROW(FlowNetwork({0.0}, SharingModel::MAXMIN), std::invalid_argument);
    FlowNetwork net({1e9, 1e9}, SharingModel::MAXMIN);
    EXPECT_THROW(net.Add({}, 0), std::invalid_argument);
    EXPECT_THROW(net.Add({{2, 1}}, 0), std::invalid_argument);
    EXPECT_THROW(net.Add({{0, 0}}, 0), std::invalid_argument);
    EXPECT_THROW(net.Add({{0, 1}, {0, 1}}, 0), std::invalid_argument);
    EXPECT_THROW(net.Remove(0), std::invalid_argument);
    EXPECT_THROW(ParseSharingModel("fair"), std::invalid_argument);
    EXPECT_EQ(ParseSharingModel("step"), SharingModel::STEP);
}

// Random instances: after every batch of adds and removes, the incremental rates equal a
// from-scratch recomputation exactly, and (unit flows) every flow has a saturated link on
// which no flow is faster: the definition of max-min fairness, checked by brute force.
TEST(FlowNetwork, IncrementalEqualsFromScratchOnRandomInstances)
{
    std::mt19937_64 rng(12345);
    for (int instance = 0; instance < 200; ++instance)
    {
        const uint32_t nLinks = 2 + rng() % 30;
        const bool unit = instance % 2 == 0;
        std::vector<double> cap(nLinks);
        for (double& c : cap)
        {
            c = 1e9 * (1 + rng() % 100);
        }
        FlowNetwork inc(cap, SharingModel::MAXMIN);
        std::vector<uint32_t> live;
        std::vector<uint32_t> changed;
        for (int batch = 0; batch < 30; ++batch)
        {
            const int ops = 1 + rng() % 4;
            for (int o = 0; o < ops; ++o)
            {
                if (!live.empty() && rng() % 3 == 0)
                {
                    const std::size_t k = rng() % live.size();
                    inc.Remove(live[k]);
                    live.erase(live.begin() + k);
                    continue;
                }
                std::vector<Use> uses;
                const uint32_t len = 1 + rng() % 4;
                for (uint32_t l = 0; l < nLinks && uses.size() < len; ++l)
                {
                    if (rng() % nLinks < len)
                    {
                        uses.push_back({l, unit ? 1u : 1u + static_cast<uint32_t>(rng() % 3)});
                    }
                }
                if (uses.empty())
                {
                    uses.push_back({static_cast<uint32_t>(rng() % nLinks), 1});
                }
                live.push_back(inc.Add(uses, rng() % 5));
            }
            inc.Update(changed);
            const auto incremental = Rates(inc, live);
            inc.RecomputeAll(changed);
            EXPECT_TRUE(changed.empty()) << "instance " << instance << " batch " << batch;
            EXPECT_EQ(Rates(inc, live), incremental) << "instance " << instance;
            // Feasibility and the bottleneck condition.
            std::vector<double> load(nLinks, 0);
            for (uint32_t f : live)
            {
                for (const Use& u : inc.GetUses(f))
                {
                    load[u.link] += u.count * inc.GetRate(f);
                }
            }
            for (uint32_t l = 0; l < nLinks; ++l)
            {
                EXPECT_LE(load[l], cap[l] * (1 + 1e-12)) << "link " << l;
            }
            if (!unit)
            {
                continue;
            }
            for (uint32_t f : live)
            {
                bool bottleneck = false;
                for (const Use& u : inc.GetUses(f))
                {
                    if (load[u.link] < cap[u.link] * (1 - 1e-9))
                    {
                        continue;
                    }
                    bool fastest = true;
                    for (uint32_t g : live)
                    {
                        for (const Use& v : inc.GetUses(g))
                        {
                            fastest = fastest && !(v.link == u.link &&
                                                   inc.GetRate(g) > inc.GetRate(f) * (1 + 1e-9));
                        }
                    }
                    bottleneck = bottleneck || fastest;
                }
                EXPECT_TRUE(bottleneck) << "flow " << f << " of instance " << instance;
            }
        }
    }
}
