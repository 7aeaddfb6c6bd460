/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_ECMP_HASH_H
#define VCLOS_ECMP_HASH_H

// Pure code: flow keys, GPU addressing and the ECMP hash. No ns-3 dependency.

#include <cstdint>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * The 5-tuple of a packet, in host byte order.
 */
struct FlowKey
{
    uint32_t srcIp{0};   //!< IPv4 source address
    uint32_t dstIp{0};   //!< IPv4 destination address
    uint16_t srcPort{0}; //!< UDP source port
    uint16_t dstPort{0}; //!< UDP destination port
    uint8_t protocol{0}; //!< IP protocol number
};

/// First address of the GPU block: GPU g has address kGpuAddressBase + g (10.0.0.1 is GPU 0).
constexpr uint32_t kGpuAddressBase = 0x0A000001;
/// Largest number of GPUs that the address block holds (10.0.0.1 .. 10.255.255.254).
constexpr uint32_t kMaxGpus = 0x00FFFFFE;

/// \return the IPv4 address (host order) of GPU \p gpu
constexpr uint32_t
GpuIp(uint32_t gpu)
{
    return kGpuAddressBase + gpu;
}

/// \return the GPU index of IPv4 address \p ip (host order); kMaxGpus if not a GPU address
constexpr uint32_t
GpuOfIp(uint32_t ip)
{
    return (ip - kGpuAddressBase < kMaxGpus) ? ip - kGpuAddressBase : kMaxGpus;
}

/// Bytes of a packet that ParseFlowKey reads: IPv4 header (no options) + UDP ports.
constexpr uint32_t kFlowKeyBytes = 24;

/**
 * Read the 5-tuple of a serialized IPv4 (no options) + UDP/TCP packet.
 * \param b the first kFlowKeyBytes bytes of the packet
 * \param k the key to fill
 */
inline void
ParseFlowKey(const uint8_t* b, FlowKey& k)
{
    auto u32 = [b](int i) {
        return (static_cast<uint32_t>(b[i]) << 24) | (static_cast<uint32_t>(b[i + 1]) << 16) |
               (static_cast<uint32_t>(b[i + 2]) << 8) | b[i + 3];
    };
    k.protocol = b[9];
    k.srcIp = u32(12);
    k.dstIp = u32(16);
    k.srcPort = static_cast<uint16_t>((b[20] << 8) | b[21]);
    k.dstPort = static_cast<uint16_t>((b[22] << 8) | b[23]);
}

/**
 * MurmurHash3's 64-bit finaliser (fmix64): a bijection of 64-bit words whose every
 * output bit depends on every input bit. The ECMP hash and the deterministic seeds and
 * source ports (route-seeds.h) are built from it.
 * \param h the word
 * \return the mixed word
 */
constexpr uint64_t
Mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/**
 * \ingroup vclos
 * ECMP hash of a 5-tuple with a per-switch seed: a 64-bit finaliser-style mix
 * (MurmurHash3 fmix64) of the packed tuple xor the seed. Deterministic, cheap
 * (a few multiplies), and well spread: the switch takes it modulo the group size.
 *
 * \param k the flow's 5-tuple
 * \param seed the switch's hash seed
 * \return the hash value
 */
inline uint64_t
EcmpHash(const FlowKey& k, uint32_t seed)
{
    uint64_t a = (static_cast<uint64_t>(k.srcIp) << 32) | k.dstIp;
    uint64_t b = (static_cast<uint64_t>(k.srcPort) << 24) |
                 (static_cast<uint64_t>(k.dstPort) << 8) | k.protocol;
    uint64_t s = 0x9e3779b97f4a7c15ULL * (static_cast<uint64_t>(seed) + 1);
    return Mix64(Mix64(a ^ s) ^ b ^ (s >> 7));
}

} // namespace vclos
} // namespace ns3

#endif // VCLOS_ECMP_HASH_H
