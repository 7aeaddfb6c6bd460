/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "route-seeds.h"

namespace ns3
{
namespace vclos
{

namespace
{
// Domain separators: switch seeds, the shared seed and source ports never draw from
// the same mixed words.
constexpr uint64_t kSwitchDomain = 0x5357495443485345ULL; // "SWITCHSE"
constexpr uint64_t kSharedDomain = 0x5348415245445345ULL; // "SHAREDSE"
constexpr uint64_t kPortDomain = 0x5150504f52545345ULL;   // "QPPORTSE"
} // namespace

uint32_t
SwitchHashSeed(uint64_t runSeed, uint32_t switchNodeId)
{
    const uint64_t h = Mix64(Mix64(runSeed ^ kSwitchDomain) ^ switchNodeId);
    return static_cast<uint32_t>(h >> 32);
}

uint32_t
SharedHashSeed(uint64_t runSeed)
{
    return static_cast<uint32_t>(Mix64(Mix64(runSeed ^ kSharedDomain)) >> 32);
}

uint16_t
QpSourcePort(uint64_t runSeed, uint32_t jobId, uint32_t srcRank, uint32_t dstRank, uint32_t qpIndex)
{
    uint64_t h = Mix64(runSeed ^ kPortDomain);
    h = Mix64(h ^ jobId);
    h = Mix64(h ^ ((static_cast<uint64_t>(srcRank) << 32) | dstRank));
    h = Mix64(h ^ qpIndex);
    return static_cast<uint16_t>(kFirstSourcePort + (h >> 32) % kSourcePorts);
}

} // namespace vclos
} // namespace ns3
