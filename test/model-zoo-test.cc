/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Tests of the model table (pure code, no ns-3 needed), against sources independent of the
// code that builds the table:
//  - the table of doc/models.rst, value by value at its printed precision (hand-computed);
//  - parameter counts re-derived layer by layer from the architectures (VGG16, ResNet-50/101,
//    BERT-large, GPT-2 medium, the MoE model), which must equal the published counts;
//  - the published throughputs the compute times come from (batch / computeS), and the
//    doc's hand-computed FLOPs for the derived ones;
//  - the communication-ratio table of doc/models.rst, with the ring all-reduce volume taken
//    from the ring schedule itself, and its claim that the CNNs are compute-bound and the
//    transformers spend a third or more of an iteration in the all-reduce;
//  - names unique and lower case, FindModel finds every model and lists the valid names.

#include "ns3/collective-schedule.h"
#include "ns3/model-zoo.h"

#include <algorithm>
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

/// Bytes one rank sends in a ring all-reduce of \p bytes on \p ranks, from the schedule.
uint64_t
RingBytesPerRank(uint64_t bytes, uint32_t ranks)
{
    uint64_t sent = 0;
    for (const auto& t : MakeRingAllReduce(ranks, bytes).transfers)
    {
        sent += t.src == 0 ? t.bytes : 0;
    }
    return sent;
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
        EXPECT_LT(m.computeS, 10.0);                     // one iteration, not an epoch
        EXPECT_DOUBLE_EQ(m.backwardFraction, 2.0 / 3.0); // doc/models.rst: 2/3 for every model
        EXPECT_LT(m.expertParameters, m.parameters);
    }
}

/// One row of the table of doc/models.rst, as printed there.
struct DocRow
{
    const char* name;
    uint64_t parameters;
    uint64_t expertParameters;
    uint64_t gradientBytes; //!< 4 x all-reduced parameters, multiplied out by hand
    uint32_t batchPerGpu;
    double computeS; //!< printed with 6 decimals
    uint64_t allToAllBytes;
};

const std::vector<DocRow> kDocTable = {
    {"vgg16", 138357544, 0, 553430176, 384, 0.842105, 0},
    {"resnet50", 25557032, 0, 102228128, 256, 0.213333, 0},
    {"resnet101", 44549160, 0, 178196640, 128, 0.203499, 0},
    {"bert-large", 336226108, 0, 1344904432, 64, 0.373134, 0},
    {"gpt2-medium", 354823168, 0, 1419292672, 4, 0.323265, 0},
    {"moe-350m-128e", 13149534208, 12892766208, 1027072000, 1, 0.182429, 201326592},
};

TEST(ModelZoo, MatchesTheTableOfTheDoc)
{
    ASSERT_EQ(ModelZoo().size(), kDocTable.size());
    for (std::size_t i = 0; i < kDocTable.size(); ++i)
    {
        const DocRow& d = kDocTable[i];
        const ModelSpec& m = ModelZoo()[i];
        SCOPED_TRACE(d.name);
        EXPECT_EQ(m.name, d.name);
        EXPECT_EQ(m.parameters, d.parameters);
        EXPECT_EQ(m.expertParameters, d.expertParameters);
        EXPECT_EQ(m.gradientBytes, d.gradientBytes);
        EXPECT_EQ(m.batchPerGpu, d.batchPerGpu);
        EXPECT_NEAR(m.computeS, d.computeS, 5e-7);
        EXPECT_EQ(m.allToAllBytes, d.allToAllBytes);
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

// ---- Parameter counts, layer by layer (not the code's compact formulas) ----

/// VGG16 (torchvision): 13 3x3 convolutions with bias, 3 fully connected layers.
uint64_t
Vgg16Parameters()
{
    const uint64_t widths[] = {64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512};
    uint64_t p = 0;
    uint64_t in = 3;
    for (uint64_t w : widths)
    {
        p += (in * 3 * 3 + 1) * w;
        in = w;
    }
    return p + (512 * 7 * 7 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000);
}

/// ResNet v1.5 (torchvision) with the given bottleneck blocks per stage: bias-free
/// convolutions, BatchNorm weight + bias per channel, a 1x1 projection in each stage's first
/// block, a 1000-class classifier.
uint64_t
ResNetParameters(const std::vector<uint64_t>& blocks)
{
    uint64_t p = 7 * 7 * 3 * 64 + 2 * 64;
    uint64_t in = 64;
    const uint64_t widths[] = {64, 128, 256, 512};
    for (std::size_t stage = 0; stage < 4; ++stage)
    {
        const uint64_t w = widths[stage];
        for (uint64_t b = 0; b < blocks[stage]; ++b)
        {
            p += in * w + 2 * w;                      // 1x1 reduce + BN
            p += 3 * 3 * w * w + 2 * w;               // 3x3 + BN
            p += w * 4 * w + 2 * 4 * w;               // 1x1 expand + BN
            p += b == 0 ? in * 4 * w + 2 * 4 * w : 0; // projection shortcut + BN
            in = 4 * w;
        }
    }
    return p + 2048 * 1000 + 1000;
}

/// One transformer layer, matrix by matrix (Hugging Face state dict): Q, K, V and output
/// projections with biases, two LayerNorms, a 4h MLP with biases.
constexpr uint64_t
LayerByMatrices(uint64_t h)
{
    return 4 * (h * h + h) + 2 * (2 * h) + (h * 4 * h + 4 * h) + (4 * h * h + h);
}

TEST(ModelZoo, ParameterCountsFollowFromTheArchitectures)
{
    // The published counts (torchvision num_params, Hugging Face / keras-nlp) equal a layer
    // by layer count of each architecture.
    EXPECT_EQ(Vgg16Parameters(), 138357544u);
    EXPECT_EQ(FindModel("vgg16").parameters, Vgg16Parameters());
    EXPECT_EQ(ResNetParameters({3, 4, 6, 3}), 25557032u);
    EXPECT_EQ(FindModel("resnet50").parameters, ResNetParameters({3, 4, 6, 3}));
    EXPECT_EQ(ResNetParameters({3, 4, 23, 3}), 44549160u);
    EXPECT_EQ(FindModel("resnet101").parameters, ResNetParameters({3, 4, 23, 3}));

    // BERT-large pre-training model: word, position and token-type embeddings + LayerNorm,
    // 24 layers, pooler; MLM head (transform, LayerNorm, decoder bias; decoder weight tied)
    // and NSP head.
    const uint64_t h = 1024;
    const uint64_t bertEncoder =
        (30522 + 512 + 2) * h + 2 * h + 24 * LayerByMatrices(h) + (h * h + h);
    EXPECT_EQ(bertEncoder, 335141888u); // keras-nlp bert_large_en_uncased
    const uint64_t bertHeads = (h * h + h) + 2 * h + 30522 + (2 * h + 2);
    EXPECT_EQ(bertHeads, 1084220u);
    EXPECT_EQ(FindModel("bert-large").parameters, bertEncoder + bertHeads);
    // "BERT-large, 340M parameters" (Devlin et al.): the rounded figure, within 2%.
    EXPECT_NEAR(FindModel("bert-large").parameters / 340e6, 1.0, 0.02);

    // GPT-2 medium: token and position embeddings (tied output), 24 layers, final LayerNorm.
    EXPECT_EQ(FindModel("gpt2-medium").parameters,
              50257 * h + 1024 * h + 24 * LayerByMatrices(h) + 2 * h);

    // DeepSpeed-MoE 350M+MoE-128: GPT-3 Medium base (vocabulary 50304, 2048 positions);
    // every other layer's MLP replaced by 128 experts and a bias-free gate.
    const uint64_t mlp = (h * 4 * h + 4 * h) + (4 * h * h + h);
    const uint64_t base = 50304 * h + 2048 * h + 24 * LayerByMatrices(h) + 2 * h;
    EXPECT_EQ(base, 355919872u);
    const ModelSpec& moe = FindModel("moe-350m-128e");
    EXPECT_EQ(moe.expertParameters, 12 * 128 * mlp);
    EXPECT_EQ(moe.parameters - moe.expertParameters, base - 12 * mlp + 12 * h * 128);
    // "13B" in DeepSpeed-MoE (Rajbhandari et al., Table 1).
    EXPECT_EQ(std::llround(moe.parameters / 1e9), 13);
}

TEST(ModelZoo, MoeAllToAllBytes)
{
    // doc/models.rst: 192 MiB per GPU per iteration for one 2048-token sequence (4 MiB per
    // all-to-all: 2048 tokens x 1024 fp16 values; 48 all-to-alls: dispatch and combine, forward
    // and backward, 12 MoE layers).
    const ModelSpec& m = FindModel("moe-350m-128e");
    EXPECT_EQ(m.allToAllBytes, uint64_t{192} << 20);
    EXPECT_EQ(m.allToAllBytes, 48 * (uint64_t{4} << 20));
}

TEST(ModelZoo, ComputeTimesGiveThePublishedThroughputs)
{
    // Measured single-V100 throughputs (doc/models.rst, with their sources): batch / computeS.
    EXPECT_NEAR(FindModel("vgg16").batchPerGpu / FindModel("vgg16").computeS, 456.0, 1e-9);
    EXPECT_NEAR(FindModel("resnet50").batchPerGpu / FindModel("resnet50").computeS, 1200.0, 1e-9);
    EXPECT_NEAR(FindModel("bert-large").batchPerGpu / FindModel("bert-large").computeS,
                171.52,
                1e-9);
    // Derived: ResNet-50's 1200 img/s x 4.089 / 7.801 GMACs = 629 img/s (doc, rounded).
    EXPECT_NEAR(FindModel("resnet101").batchPerGpu / FindModel("resnet101").computeS, 629.0, 0.5);
    // Derived from FLOPs, with the doc's hand-computed figures: BERT-large phase 2 costs
    // 1.0205e12 FLOPs per sequence at 30.08 seq/s, i.e. 30.70 TFLOP/s; a GPT-2 medium
    // sequence costs 2.4809e12 FLOPs, a 2048-token MoE sequence 5.6001e12.
    const double flopsPerS = 30.08 * 1.0205e12;
    EXPECT_NEAR(flopsPerS, 30.70e12, 0.005e12);
    EXPECT_NEAR(FindModel("gpt2-medium").computeS, 4 * 2.4809e12 / flopsPerS, 1e-4);
    EXPECT_NEAR(FindModel("moe-350m-128e").computeS, 5.6001e12 / flopsPerS, 1e-4);
    // The MoE sequence (2048 tokens) costs more than twice a GPT-2 medium one (1024 tokens:
    // attention grows with the square of the length), less than three times.
    const double moePerSeq = FindModel("moe-350m-128e").computeS;
    const double gptPerSeq = FindModel("gpt2-medium").computeS / 4;
    EXPECT_GT(moePerSeq, 2 * gptPerSeq);
    EXPECT_LT(moePerSeq, 3 * gptPerSeq);
}

TEST(ModelZoo, CommunicationRatios)
{
    // The table of doc/models.rst: an uncontended ring all-reduce of gradientBytes on 8 GPUs
    // at 100 Gbps, t_ar = (bytes one rank sends in the ring schedule) x 8 / 1e11, and the
    // share t_ar / (t_ar + computeS) of a non-overlapped iteration.
    struct Row
    {
        const char* name;
        double tAr;   //!< printed with 4 decimals
        double ratio; //!< printed with 3 decimals
        bool cnn;
    };

    const Row rows[] = {{"vgg16", 0.0775, 0.084, true},
                        {"resnet50", 0.0143, 0.063, true},
                        {"resnet101", 0.0249, 0.109, true},
                        {"bert-large", 0.1883, 0.335, false},
                        {"gpt2-medium", 0.1987, 0.381, false},
                        {"moe-350m-128e", 0.1438, 0.441, false}};
    double maxCnn = 0;
    double minTransformer = 1;
    std::printf("%-14s %14s %10s %10s %8s\n",
                "model",
                "grad bytes",
                "t_ar (s)",
                "compute",
                "ratio");
    for (const Row& r : rows)
    {
        SCOPED_TRACE(r.name);
        const ModelSpec& m = FindModel(r.name);
        // The schedule moves 2 (n - 1) / n of the buffer per rank (to a chunk's rounding).
        const uint64_t sent = RingBytesPerRank(m.gradientBytes, 8);
        EXPECT_NEAR(static_cast<double>(sent), 2.0 * 7 / 8 * m.gradientBytes, 16.0);
        const double tAr = sent * 8.0 / 100e9;
        const double ratio = tAr / (tAr + m.computeS);
        std::printf("%-14s %14llu %10.4f %10.4f %8.3f\n",
                    m.name.c_str(),
                    static_cast<unsigned long long>(m.gradientBytes),
                    tAr,
                    m.computeS,
                    ratio);
        EXPECT_NEAR(tAr, r.tAr, 0.00005);
        EXPECT_NEAR(ratio, r.ratio, 0.0005);
        if (r.cnn)
        {
            maxCnn = std::max(maxCnn, ratio);
        }
        else
        {
            minTransformer = std::min(minTransformer, ratio);
        }
    }
    // "The convolutional networks are compute-bound, the transformers spend a third or more
    // of a non-overlapped iteration in the all-reduce."
    EXPECT_LT(maxCnn, 0.5);
    EXPECT_GE(minTransformer, 1.0 / 3);
}

} // namespace
