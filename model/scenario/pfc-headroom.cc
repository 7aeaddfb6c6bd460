/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "pfc-headroom.h"

namespace ns3
{
namespace vclos
{

uint64_t
PfcHeadroomBytes(uint64_t rateBps, int64_t delayPs, uint32_t frameBytes)
{
    // bits in flight = rate x 2 x delay; bytes = bits / 8; delay in s = ps / 1e12.
    const unsigned __int128 bits2e12 = static_cast<unsigned __int128>(rateBps) * 2u *
                                       static_cast<unsigned __int128>(delayPs < 0 ? 0 : delayPs);
    const unsigned __int128 inFlight =
        bits2e12 / (8 * static_cast<unsigned __int128>(1000000000000ull));
    return static_cast<uint64_t>(inFlight) + 3 * static_cast<uint64_t>(frameBytes) + 84;
}

} // namespace vclos
} // namespace ns3
