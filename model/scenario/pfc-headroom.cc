/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "pfc-headroom.h"

#include <limits>

namespace ns3
{
namespace vclos
{

uint64_t
PfcHeadroomBytes(uint64_t rateBps, int64_t delayPs, uint32_t frameBytes)
{
    using U128 = unsigned __int128;
    // bits in flight = rate x 2 x delay; bytes = bits / 8; delay in s = ps / 1e12.
    // rate < 2^64 and delay < 2^63: the product is below 2^128.
    const U128 delay = delayPs < 0 ? 0 : static_cast<U128>(delayPs);
    const U128 inFlight = static_cast<U128>(rateBps) * delay / (4 * U128(1000000000000ull));
    const U128 headroom = inFlight + 3 * static_cast<U128>(frameBytes) + 84;
    const uint64_t max = std::numeric_limits<uint64_t>::max();
    return headroom > max ? max : static_cast<uint64_t>(headroom);
}

} // namespace vclos
} // namespace ns3
