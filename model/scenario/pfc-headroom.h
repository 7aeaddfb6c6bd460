/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_PFC_HEADROOM_H
#define VCLOS_PFC_HEADROOM_H

// Pure code: no ns-3 in this file or its .cc. VclosSwitch::GetHeadroom() and the scenario
// loader (which rejects a shared buffer too small for it) use the same formula.

#include <cstdint>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * Bytes a switch port's link layer adds to a RoCE payload in a maximum frame: IPv4 20 +
 * UDP 8 + BTH 12 + ImmDt 4 (RdmaNic::HEADER_BYTES + ImmDtHeader::SIZE, the port MTU above
 * the payload) + framing 38 (VclosNetDevice's FramingOverhead default: Ethernet header 14,
 * FCS 4, preamble 8, inter-frame gap 12). A test checks it against the built switches.
 */
constexpr uint32_t kMaxFrameOverheadBytes = 20 + 8 + 12 + 4 + 38;

/**
 * \ingroup vclos
 * PFC headroom of one switch port and lossless priority: the bytes that keep arriving
 * after the switch decides to pause, i.e. the bytes in flight on the port's cable during
 * one PAUSE round trip (rate x 2 x delay, whole bytes), three maximum frames (the PAUSE
 * waits behind one, the sender is in the middle of one, one more is on the wire) and 84
 * bytes (the PAUSE frame itself with its preamble and gap).
 *
 * Computed in 128-bit integers: exact for every rate and delay (saturates at 2^64-1 bytes).
 *
 * \param rateBps the port's line rate in bits/s
 * \param delayPs the cable's one-way propagation delay in picoseconds (>= 0)
 * \param frameBytes the largest frame on the port, framing included
 * \return the headroom in bytes
 */
uint64_t PfcHeadroomBytes(uint64_t rateBps, int64_t delayPs, uint32_t frameBytes);

} // namespace vclos
} // namespace ns3

#endif // VCLOS_PFC_HEADROOM_H
