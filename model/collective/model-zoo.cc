/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "model-zoo.h"

#include <stdexcept>

namespace ns3
{
namespace vclos
{

namespace
{

// ---------------------------------------------------------------------------------------------
// Measured single-V100 training throughputs (full citations in doc/models.rst).
// ---------------------------------------------------------------------------------------------

/// ResNet-50 v1.5, PyTorch, mixed precision, NVIDIA DGX-1 16GB, 1 GPU (NVIDIA
/// DeepLearningExamples PyTorch/Classification/ConvNets/resnet50v1.5/README.md), images/s.
constexpr double kResNet50AmpImagesPerS = 1200.0;
/// Per-GPU batch of that measurement (ConvNets/configs.yml, resnet50 DGX1V AMP).
constexpr uint32_t kResNet50Batch = 256;

/// VGG16, TensorFlow fp16, V100 32GB, 1 GPU (Lambda lambda-tensorflow-benchmark
/// tf-train-throughput-fp16.csv), images/s.
constexpr double kVgg16Fp16ImagesPerS = 456.0;
/// Per-GPU batch of that measurement (tf-train-bs-fp16.csv).
constexpr uint32_t kVgg16Batch = 384;

/// BERT-large pre-training phase 1 (sequence length 128), PyTorch, mixed precision,
/// NVIDIA DGX-1 32GB, 1 GPU, batch 64 (DeepLearningExamples PyTorch/LanguageModeling/BERT
/// README), sequences/s.
constexpr double kBertPhase1SeqPerS = 171.52;
/// Per-GPU batch of the phase 1 measurement.
constexpr uint32_t kBertPhase1Batch = 64;
/// BERT-large pre-training phase 2 (sequence length 512), same system, batch 8, sequences/s.
constexpr double kBertPhase2SeqPerS = 30.08;

/// Forward GMACs per 224x224 image, torchvision ResNet50_Weights / ResNet101_Weights "_ops".
constexpr double kResNet50Gmacs = 4.089;
/// \copydoc kResNet50Gmacs
constexpr double kResNet101Gmacs = 7.801;

// ---------------------------------------------------------------------------------------------
// Transformer arithmetic (parameter counts and FLOPs from the model configuration).
// ---------------------------------------------------------------------------------------------

/// Parameters of one pre-LN/post-LN transformer layer with a 4h MLP: QKV 3h^2+3h, output
/// projection h^2+h, two LayerNorms 4h, MLP 8h^2+5h.
constexpr uint64_t
TransformerLayerParameters(uint64_t h)
{
    return 12 * h * h + 13 * h;
}

/// Parameters of one MLP (the part an MoE layer replaces by experts): 8h^2 + 5h.
constexpr uint64_t
MlpParameters(uint64_t h)
{
    return 8 * h * h + 5 * h;
}

/// Parameters of a GPT-2 style language model (tied input/output embedding, learned position
/// embedding, final LayerNorm).
constexpr uint64_t
GptParameters(uint64_t layers, uint64_t h, uint64_t vocab, uint64_t positions)
{
    return vocab * h + positions * h + layers * TransformerLayerParameters(h) + 2 * h;
}

/// Training FLOPs (forward + backward = 3 forward passes, no recomputation) of one sequence
/// of length s through l transformer layers of width h: 72 s l h^2 (1 + s / 6h). This is
/// eq. (3) of Narayanan et al., SC'21 (which has 96 = 4 passes with recomputation) scaled
/// by 3/4; the s / 6h term is the attention score and weighted-sum matmuls.
constexpr double
TransformerLayersTrainFlops(double s, double l, double h)
{
    return 72.0 * s * l * h * h * (1.0 + s / (6.0 * h));
}

/// Training FLOPs of a vocabulary projection (logits) at `positions` positions: 3 x 2 p h V.
constexpr double
LogitsTrainFlops(double positions, double h, double vocab)
{
    return 6.0 * positions * h * vocab;
}

// ---- V100 throughput anchor: BERT-large phase 2 (seq 512, batch 8, 32GB, AMP) ----

constexpr double kHidden = 1024; //!< hidden size of BERT-large, GPT-2 medium and the MoE base

/// Training FLOPs of one BERT-large phase 2 sequence: 24 layers at s = 512, plus the MLM
/// head (1024x1024 transform + 30522-word decoder) at the 80 masked positions. The pooler
/// and NSP head (< 0.01%) are ignored.
constexpr double kBertPhase2SeqFlops = TransformerLayersTrainFlops(512, 24, kHidden) +
                                       6.0 * 80 * (kHidden * kHidden + kHidden * 30522);

/// FLOP/s a V100 32GB sustains on a 24-layer, h = 1024 transformer with 4096 tokens per
/// batch under AMP, from the measured BERT-large phase 2 throughput (about 30.7 TFLOP/s).
constexpr double kV100TransformerFlopsPerS = kBertPhase2SeqPerS * kBertPhase2SeqFlops;

// ---- GPT-2 medium ----

constexpr uint64_t kGpt2MediumParameters = 354823168; //!< HF / keras-nlp gpt2-medium
static_assert(GptParameters(24, 1024, 50257, 1024) == kGpt2MediumParameters,
              "GPT-2 medium parameter count does not match its configuration");
constexpr uint32_t kGpt2MediumBatch = 4; //!< sequences of 1024 tokens per GPU
/// Training FLOPs of one 1024-token sequence: 24 layers plus the 50257-word logits.
constexpr double kGpt2MediumSeqFlops =
    TransformerLayersTrainFlops(1024, 24, kHidden) + LogitsTrainFlops(1024, kHidden, 50257);

// ---- BERT-large (pre-training model: encoder + MLM and NSP heads, vocabulary 30522) ----

constexpr uint64_t kBertLargeEncoderParameters = 335141888; //!< keras-nlp / HF BertModel
static_assert(30522 * 1024 + 512 * 1024 + 2 * 1024 + 2 * 1024 +
                      24 * TransformerLayerParameters(1024) + (1024 * 1024 + 1024) ==
                  kBertLargeEncoderParameters,
              "BERT-large encoder parameter count does not match its configuration");
/// MLM head (transform h^2+h, LayerNorm 2h, decoder bias V; decoder weight tied to the word
/// embedding) + NSP head (2h + 2).
constexpr uint64_t kBertPretrainingHeadParameters =
    (1024 * 1024 + 1024) + 2 * 1024 + 30522 + (2 * 1024 + 2);
constexpr uint64_t kBertLargeParameters =
    kBertLargeEncoderParameters + kBertPretrainingHeadParameters;

// ---- MoE: DeepSpeed-MoE "350M+MoE-128" (Megatron-DeepSpeed ds_pretrain_gpt_350M_MoE128.sh) ----

constexpr uint64_t kMoeLayersTotal = 24; //!< transformer layers
constexpr uint64_t kMoeExperts = 128;    //!< experts per MoE layer (EP_SIZE)
constexpr uint64_t kMoeLayers = 12;      //!< MoE on every other layer (expert interval 2)
constexpr uint64_t kMoeSeq = 2048;       //!< sequence length (SEQ_LEN)
constexpr uint64_t kMoeVocab = 50304;    //!< GPT-2 vocabulary 50257 padded to 128
constexpr uint32_t kMoeBatch = 1;        //!< sequences per GPU (see doc/models.rst)
constexpr uint64_t kActivationBytes = 2; //!< fp16 activations in the all-to-all
/// Dense base model (GPT-3 Medium, 350M): 355,919,872 parameters.
constexpr uint64_t kMoeDenseBase = GptParameters(kMoeLayersTotal, 1024, kMoeVocab, kMoeSeq);
/// Expert parameters: 128 experts of one MLP each, in 12 layers.
constexpr uint64_t kMoeExpertParameters = kMoeLayers * kMoeExperts * MlpParameters(1024);
/// Gate of an MoE layer: a bias-free h x E linear layer (DeepSpeed TopKGate.wg).
constexpr uint64_t kMoeGateParameters = kMoeLayers * 1024 * kMoeExperts;
/// Replicated (non-expert) parameters: base minus the 12 replaced MLPs, plus the gates.
constexpr uint64_t kMoeReplicatedParameters =
    kMoeDenseBase - kMoeLayers * MlpParameters(1024) + kMoeGateParameters;
static_assert(kMoeReplicatedParameters == 256768000, "MoE replicated parameter count");
static_assert(kMoeReplicatedParameters + kMoeExpertParameters == 13149534208ULL,
              "MoE total parameter count (DeepSpeed-MoE: 13B)");
/// Per GPU per iteration: tokens x h x 2 bytes, x 2 (dispatch + combine) x 2 (forward +
/// backward) x 12 MoE layers. With top-1 gating and capacity factor 1.0 the dispatched
/// buffer holds E x C = tokens slots, so its size equals tokens x h.
constexpr uint64_t kMoeAllToAllBytes =
    kMoeBatch * kMoeSeq * 1024 * kActivationBytes * 2 * 2 * kMoeLayers;
/// Training FLOPs of one 2048-token sequence: top-1 routing sends each token through one
/// expert MLP, as many FLOPs as the dense MLP, so the dense formula applies, plus the gates.
constexpr double kMoeSeqFlops = TransformerLayersTrainFlops(kMoeSeq, kMoeLayersTotal, kHidden) +
                                LogitsTrainFlops(kMoeSeq, kHidden, kMoeVocab) +
                                6.0 * kMoeSeq * kMoeLayers * kHidden * kMoeExperts;

/// Builds the table.
std::vector<ModelSpec>
MakeZoo()
{
    std::vector<ModelSpec> zoo;

    {
        ModelSpec m;
        m.name = "vgg16";
        m.description = "VGG-16 ImageNet classifier (224x224), 13 conv + 3 FC layers";
        m.parameters = 138357544;
        m.batchPerGpu = kVgg16Batch;
        m.computeS = kVgg16Batch / kVgg16Fp16ImagesPerS;
        m.source = "lambda-tensorflow-benchmark tf-train-throughput-fp16.csv / "
                   "tf-train-bs-fp16.csv (commit 080a6b7): V100 32GB, 1 GPU, TF fp16, "
                   "456 img/s at batch 384; params: torchvision vgg16 num_params 138,357,544";
        zoo.push_back(m);
    }
    {
        ModelSpec m;
        m.name = "resnet50";
        m.description = "ResNet-50 v1.5 ImageNet classifier (224x224)";
        m.parameters = 25557032;
        m.batchPerGpu = kResNet50Batch;
        m.computeS = kResNet50Batch / kResNet50AmpImagesPerS;
        m.source = "NVIDIA DeepLearningExamples PyTorch/Classification/ConvNets/resnet50v1.5 "
                   "README: DGX-1 16GB, 1 GPU, mixed precision 1200 img/s; configs.yml DGX1V "
                   "AMP batch 256; params: torchvision resnet50 num_params 25,557,032";
        zoo.push_back(m);
    }
    {
        ModelSpec m;
        m.name = "resnet101";
        m.description = "ResNet-101 ImageNet classifier (224x224)";
        m.parameters = 44549160;
        m.batchPerGpu = 128;
        m.computeS = m.batchPerGpu / kResNet50AmpImagesPerS * (kResNet101Gmacs / kResNet50Gmacs);
        m.source = "DERIVED (no published single-V100 ResNet-101 training throughput found): "
                   "ResNet-50 AMP 1200 img/s (DeepLearningExamples, DGX-1 16GB) x torchvision "
                   "GMACs 4.089/7.801 = 629 img/s; batch 128 as DeepLearningExamples uses for "
                   "ResNeXt-101 AMP on DGX-1; params: torchvision resnet101 44,549,160";
        zoo.push_back(m);
    }
    {
        ModelSpec m;
        m.name = "bert-large";
        m.description = "BERT-large pre-training, phase 1 (sequence length 128)";
        m.parameters = kBertLargeParameters;
        m.batchPerGpu = kBertPhase1Batch;
        m.computeS = kBertPhase1Batch / kBertPhase1SeqPerS;
        m.source = "NVIDIA DeepLearningExamples PyTorch/LanguageModeling/BERT README (commit "
                   "23a6382, pytorch:19.07): DGX-1 32GB, 1 GPU, mixed precision, seq 128, "
                   "batch 64: 171.52 seq/s; params: 335,141,888 encoder (keras-nlp "
                   "bert_large_en_uncased) + 1,084,220 MLM/NSP heads from the config";
        zoo.push_back(m);
    }
    {
        ModelSpec m;
        m.name = "gpt2-medium";
        m.description = "GPT-2 medium language model (24 layers, h 1024, 1024-token context)";
        m.parameters = kGpt2MediumParameters;
        m.batchPerGpu = kGpt2MediumBatch;
        m.computeS = kGpt2MediumBatch * kGpt2MediumSeqFlops / kV100TransformerFlopsPerS;
        m.source = "DERIVED: 72bslh^2(1+s/6h)+6bshV training FLOPs (Narayanan et al. SC'21, no "
                   "recomputation), b=4 s=1024 l=24 h=1024 V=50257, at the 30.7 TFLOP/s a "
                   "V100 32GB sustains on BERT-large phase 2 (DeepLearningExamples: 30.08 "
                   "seq/s, seq 512, batch 8, AMP); params: keras-nlp/HF gpt2-medium 354,823,168";
        zoo.push_back(m);
    }
    {
        ModelSpec m;
        m.name = "moe-350m-128e";
        m.description = "DeepSpeed-MoE 350M+MoE-128 GPT (13.1B params, 128 experts every other "
                        "layer, top-1, one expert per GPU)";
        m.parameters = kMoeReplicatedParameters + kMoeExpertParameters;
        m.expertParameters = kMoeExpertParameters;
        m.batchPerGpu = kMoeBatch;
        m.computeS = kMoeBatch * kMoeSeqFlops / kV100TransformerFlopsPerS;
        m.allToAllBytes = kMoeAllToAllBytes;
        m.source = "Config: Megatron-DeepSpeed examples_deepspeed/MoE/"
                   "ds_pretrain_gpt_350M_MoE128.sh (24 layers, h 1024, seq 2048, 128 experts, "
                   "top-1, capacity 1.0) and DeepSpeed-MoE (Rajbhandari et al. ICML'22, 13B); "
                   "params from the config; computeS DERIVED as for gpt2-medium (b=1, s=2048, "
                   "V=50304, + gates)";
        zoo.push_back(m);
    }

    for (auto& m : zoo)
    {
        m.backwardFraction = kBackwardFraction;
        m.gradientBytes = kGradientBytesPerParameter * (m.parameters - m.expertParameters);
    }
    return zoo;
}

} // namespace

const std::vector<ModelSpec>&
ModelZoo()
{
    static const std::vector<ModelSpec> zoo = MakeZoo();
    return zoo;
}

const ModelSpec&
FindModel(const std::string& name)
{
    for (const auto& m : ModelZoo())
    {
        if (m.name == name)
        {
            return m;
        }
    }
    std::string valid;
    for (const auto& n : ModelNames())
    {
        valid += (valid.empty() ? "" : ", ") + n;
    }
    throw std::invalid_argument("unknown model \"" + name + "\"; valid models: " + valid);
}

std::vector<std::string>
ModelNames()
{
    std::vector<std::string> names;
    for (const auto& m : ModelZoo())
    {
        names.push_back(m.name);
    }
    return names;
}

} // namespace vclos
} // namespace ns3
