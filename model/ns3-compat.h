/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_NS3_COMPAT_H
#define VCLOS_NS3_COMPAT_H

/**
 * @file
 * The one place where vclos bridges differences between the ns-3 versions it builds against
 * (checked with Debian's ns-3 3.37 and with ns-3.48, see doc/build-contrib.rst). Every other
 * file uses only API that all of them have, or the names below.
 *
 * The ns-3 version itself is not detectable from ns-3's headers in 3.37 (ns3/version-defines.h
 * exists only in builds configured with --enable-build-version), so CMakeLists.txt passes it as
 * the macro VCLOS_NS3_VERSION: the version of the ns-3 found by find_package(ns3) in the
 * standalone build, the VERSION file of the ns-3 tree in the contrib build ("3.37", "3.48",
 * "3-dev"). The runs table records it.
 */

#include "ns3/event-id.h"
#include "ns3/trace-helper.h"

namespace ns3
{
namespace vclos
{
namespace compat
{

/**
 * Whether @p event is scheduled and has neither run nor been cancelled.
 *
 * ns-3 <= 3.40 spells this EventId::IsRunning(), ns-3 >= 3.41 EventId::IsPending() (IsRunning()
 * is gone in 3.48); !IsExpired() means the same in every version.
 *
 * @param event the event
 * @return true if the event is still pending
 */
inline bool
IsPending(const EventId& event)
{
    return !event.IsExpired();
}

/// pcap data link type of raw IPv4 packets (LINKTYPE_RAW in tcpdump.org/linktypes.html).
constexpr uint32_t PCAP_LINK_TYPE_RAW = 101;

/**
 * The data link type argument of PcapHelper::CreateFile() for raw IPv4 packets.
 *
 * ns-3 <= 3.48 names it PcapHelper::DLT_RAW (a PcapHelper::DataLinkType); ns-3-dev deprecates
 * the DLT_ names (for iana::LinkType) and takes a uint16_t. The enumeration type itself exists in
 * all of them and converts to the newer parameter, so the number is passed as that type.
 *
 * @return LINKTYPE_RAW as the type CreateFile() accepts in every supported version
 */
inline PcapHelper::DataLinkType
PcapLinkTypeRaw()
{
    return static_cast<PcapHelper::DataLinkType>(PCAP_LINK_TYPE_RAW);
}

} // namespace compat
} // namespace vclos
} // namespace ns3

#endif // VCLOS_NS3_COMPAT_H
