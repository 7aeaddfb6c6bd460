/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_MODEL_ZOO_H
#define VCLOS_MODEL_ZOO_H

// Pure code: no ns-3 in this file or its .cc.

#include <cstdint>
#include <string>
#include <vector>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * Bytes of gradient all-reduced per parameter: fp32 gradients, as PyTorch
 * DistributedDataParallel all-reduces them under automatic mixed precision (AMP keeps the
 * parameters, hence their gradients, in fp32; only activations and matmuls run in fp16).
 */
constexpr uint64_t kGradientBytesPerParameter = 4;

/**
 * \ingroup vclos
 * Share of an iteration's compute time spent in the backward pass, for every model of the
 * table: the backward pass computes both input and weight gradients, about twice the
 * forward pass's FLOPs (the usual "6N FLOPs per token: 2N forward, 4N backward" count).
 */
constexpr double kBackwardFraction = 2.0 / 3.0;

/**
 * \ingroup vclos
 * What a data-parallel training job needs to simulate one iteration of a DNN model on one
 * V100 GPU: compute time of forward + backward at a per-GPU batch, and the bytes of the
 * collectives of one iteration. doc/models.rst lists every number with its source.
 *
 * Invariants (checked by test/model-zoo-test.cc):
 * gradientBytes == kGradientBytesPerParameter * (parameters - expertParameters), and
 * allToAllBytes == 0 exactly for dense models (expertParameters == 0).
 */
struct ModelSpec
{
    std::string name;          //!< lookup key, lower case, e.g. "resnet50"
    std::string description;   //!< one line
    uint64_t parameters{0};    //!< parameter count of the whole model
    uint64_t gradientBytes{0}; //!< bytes all-reduced per iteration by every GPU (fp32 grads)
    uint32_t batchPerGpu{0};   //!< per-GPU batch (images or sequences) computeS is for
    double computeS{0};        //!< forward + backward time of one iteration on one V100, s
    double backwardFraction{kBackwardFraction}; //!< share of computeS in the backward pass
    uint64_t allToAllBytes{0};    //!< per GPU per iteration, MoE token dispatch + combine over
                                  //!< all MoE layers, forward and backward; 0 for dense models
    std::string source;           //!< where computeS and parameters come from
    uint64_t expertParameters{0}; //!< MoE expert parameters: sharded one expert per GPU
                                  //!< (expert parallelism), hence not all-reduced; 0 if dense
};

/**
 * \ingroup vclos
 * The model table, in a fixed order (CNNs, then transformers, then the MoE model).
 * \return all models
 */
const std::vector<ModelSpec>& ModelZoo();

/**
 * \ingroup vclos
 * Look a model up by name (exact, lower case).
 * \param name the model name, e.g. "bert-large"
 * \return the model
 * \throw std::invalid_argument for an unknown name; the message lists the valid names
 */
const ModelSpec& FindModel(const std::string& name);

/**
 * \ingroup vclos
 * \return the names of all models, in table order
 */
std::vector<std::string> ModelNames();

} // namespace vclos
} // namespace ns3

#endif // VCLOS_MODEL_ZOO_H
