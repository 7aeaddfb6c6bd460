/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Tests of the model table (pure code, no ns-3 needed):
//  - every field is set and positive, names are unique and lower case;
//  - gradient bytes follow the documented precision (fp32, 4 bytes per all-reduced parameter);
//  - dense models have no all-to-all, the MoE model has one, derived from its configuration;
//  - FindModel finds every model and lists the valid names for an unknown one;
//  - the cited numbers of doc/models.rst;
//  - communication ratios: uncontended ring all-reduce of the gradients on 8 GPUs at 100 Gbps
//    against compute, printed as the table of doc/models.rst.

#include "ns3/model-zoo.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <gtest/gtest.h>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using namespace ns3::vclos;

namespace
{

/// Uncontended ring all-reduce time of `bytes` on `ranks` GPUs with `bps` links, seconds.
double
RingAllReduceS(uint64_t bytes, uint32_t ranks, double bps)
{
    return 2.0 * (ranks - 1) / ranks * static_cast<double>(bytes) * 8.0 / bps;
}

bool
IsMoe(const ModelSpec& m)
{
    return m.expertParameters > 0;
}

TEST(ModelZoo, EveryFieldIsSet)
{
    ASSERT_FALSE(ModelZoo().empty());
    for (const auto& m : ModelZoo())
    {
        SCOPED_TRACE(m.name);
        EXPECT_FALSE(m.name.empty());
        EXPECT_FALSE(m.description.empty());
        EXPECT_FALSE(m.source.empty());
        EXPECT_GT(m.parameters, 0u);
        EXPECT_GT(m.gradientBytes, 0u);
        EXPECT_GT(m.batchPerGpu, 0u);
        EXPECT_TRUE(std::isfinite(m.computeS));
        EXPECT_GT(m.computeS, 0.0);
        EXPECT_LT(m.computeS, 10.0); // one iteration, not an epoch
        EXPECT_GT(m.backwardFraction, 0.0);
        EXPECT_LT(m.backwardFraction, 1.0);
        EXPECT_DOUBLE_EQ(m.backwardFraction, kBackwardFraction);
        EXPECT_LT(m.expertParameters, m.parameters);
    }
}

TEST(ModelZoo, GradientBytesAreFp32AllReducedParameters)
{
    EXPECT_EQ(kGradientBytesPerParameter, 4u);
    for (const auto& m : ModelZoo())
    {
        SCOPED_TRACE(m.name);
        EXPECT_EQ(m.gradientBytes,
                  kGradientBytesPerParameter * (m.parameters - m.expertParameters));
        if (!IsMoe(m))
        {
            EXPECT_EQ(m.gradientBytes, 4 * m.parameters);
        }
    }
}

TEST(ModelZoo, NamesAreUniqueAndLowerCase)
{
    std::set<std::string> seen;
    for (const auto& m : ModelZoo())
    {
        EXPECT_TRUE(seen.insert(m.name).second) << "duplicate " << m.name;
        for (char c : m.name)
        {
            EXPECT_TRUE(std::islower(static_cast<unsigned char>(c)) ||
                        std::isdigit(static_cast<unsigned char>(c)) || c == '-')
                << m.name;
        }
    }
    const std::vector<std::string> names = ModelNames();
    ASSERT_EQ(names.size(), ModelZoo().size());
    for (size_t i = 0; i < names.size(); ++i)
    {
        EXPECT_EQ(names[i], ModelZoo()[i].name);
    }
    for (const char* required : {"vgg16", "resnet50", "resnet101", "bert-large", "gpt2-medium"})
    {
        EXPECT_EQ(seen.count(required), 1u) << required;
    }
}

TEST(ModelZoo, FindModelFindsEveryModel)
{
    for (const auto& m : ModelZoo())
    {
        EXPECT_EQ(&FindModel(m.name), &m);
    }
}

TEST(ModelZoo, FindModelListsValidNamesForUnknownName)
{
    for (const std::string bad : {"resnet", "ResNet50", "", "gpt2", "resnet50 "})
    {
        SCOPED_TRACE("\"" + bad + "\"");
        try
        {
            FindModel(bad);
            ADD_FAILURE() << "no exception";
        }
        catch (const std::invalid_argument& e)
        {
            const std::string what = e.what();
            EXPECT_NE(what.find("unknown model \"" + bad + "\""), std::string::npos) << what;
            for (const auto& n : ModelNames())
            {
                EXPECT_NE(what.find(n), std::string::npos) << what;
            }
        }
    }
}

TEST(ModelZoo, OnlyTheMoeModelHasAllToAll)
{
    uint32_t moes = 0;
    for (const auto& m : ModelZoo())
    {
        SCOPED_TRACE(m.name);
        if (IsMoe(m))
        {
            ++moes;
            EXPECT_EQ(m.name.rfind("moe-", 0), 0u);
            EXPECT_GT(m.allToAllBytes, 0u);
        }
        else
        {
            EXPECT_EQ(m.allToAllBytes, 0u);
            EXPECT_EQ(m.expertParameters, 0u);
        }
    }
    EXPECT_EQ(moes, 1u);
}

TEST(ModelZoo, MoeDerivation)
{
    const ModelSpec& m = FindModel("moe-350m-128e");
    // tokens (batch x 2048) x hidden 1024 x 2 bytes (fp16) x 2 (dispatch + combine)
    // x 2 (forward + backward) x 12 MoE layers.
    EXPECT_EQ(m.allToAllBytes, uint64_t{m.batchPerGpu} * 2048 * 1024 * 2 * 2 * 2 * 12);
    EXPECT_EQ(m.allToAllBytes, 201326592u);
    // 128 experts x 12 layers x one MLP (8h^2 + 5h, h = 1024).
    EXPECT_EQ(m.expertParameters, uint64_t{128} * 12 * (8 * 1024 * 1024 + 5 * 1024));
    EXPECT_EQ(m.parameters, 13149534208u); // "13B" in DeepSpeed-MoE
    EXPECT_EQ(m.gradientBytes, uint64_t{4} * 256768000);
}

TEST(ModelZoo, CitedNumbers)
{
    // The numbers of doc/models.rst: parameters, batch and the throughput computeS comes from.
    EXPECT_EQ(FindModel("vgg16").parameters, 138357544u);
    EXPECT_EQ(FindModel("vgg16").batchPerGpu, 384u);
    EXPECT_DOUBLE_EQ(FindModel("vgg16").computeS, 384 / 456.0);

    EXPECT_EQ(FindModel("resnet50").parameters, 25557032u);
    EXPECT_EQ(FindModel("resnet50").batchPerGpu, 256u);
    EXPECT_DOUBLE_EQ(FindModel("resnet50").computeS, 256 / 1200.0);

    EXPECT_EQ(FindModel("resnet101").parameters, 44549160u);
    EXPECT_EQ(FindModel("resnet101").batchPerGpu, 128u);
    EXPECT_NEAR(FindModel("resnet101").computeS, 128 / 1200.0 * 7.801 / 4.089, 1e-12);

    EXPECT_EQ(FindModel("bert-large").parameters, 335141888u + 1084220u);
    EXPECT_EQ(FindModel("bert-large").batchPerGpu, 64u);
    EXPECT_DOUBLE_EQ(FindModel("bert-large").computeS, 64 / 171.52);

    EXPECT_EQ(FindModel("gpt2-medium").parameters, 354823168u);
    EXPECT_EQ(FindModel("gpt2-medium").batchPerGpu, 4u);
    // 4 x 2.4809e12 FLOPs at 30.08 seq/s x 1.0205e12 FLOPs (BERT-large phase 2).
    EXPECT_NEAR(FindModel("gpt2-medium").computeS, 0.3233, 5e-4);
    EXPECT_NEAR(FindModel("moe-350m-128e").computeS, 0.1824, 5e-4);
}

TEST(ModelZoo, CommunicationRatiosArePlausible)
{
    // Share of an iteration spent in an uncontended ring all-reduce of the gradients on 8 GPUs
    // at 100 Gbps, if communication does not overlap compute: t_ar / (t_ar + computeS).
    const uint32_t ranks = 8;
    const double bps = 100e9;
    std::printf("%-14s %14s %10s %10s %8s\n",
                "model",
                "grad bytes",
                "t_ar (s)",
                "compute",
                "ratio");
    for (const auto& m : ModelZoo())
    {
        SCOPED_TRACE(m.name);
        const double tAr = RingAllReduceS(m.gradientBytes, ranks, bps);
        EXPECT_DOUBLE_EQ(tAr, 2.0 * 7 / 8 * m.gradientBytes * 8 / 100e9);
        const double ratio = tAr / (tAr + m.computeS);
        std::printf("%-14s %14llu %10.4f %10.4f %8.3f\n",
                    m.name.c_str(),
                    static_cast<unsigned long long>(m.gradientBytes),
                    tAr,
                    m.computeS,
                    ratio);
        EXPECT_GT(ratio, 0.0);
        EXPECT_LT(ratio, 1.0);
    }
}

} // namespace
