/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_TEST_UTILS_H
#define VCLOS_TEST_UTILS_H

#include "ns3/core-module.h"
#include "ns3/leaf-spine-helper.h"
#include "ns3/pcap-file.h"
#include "ns3/vclos-channel.h"
#include "ns3/vclos-net-device.h"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace vclos_test
{

/// Picosecond time resolution for every simulation test (as vclos-sim uses).
class PicosecondEnvironment : public ::testing::Environment
{
  public:
    void SetUp() override
    {
        if (ns3::Time::GetResolution() != ns3::Time::PS)
        {
            ns3::Time::SetResolution(ns3::Time::PS); // may be called once per process
        }
    }
};

/// Destroys the simulator after each test.
class SimTest : public ::testing::Test
{
  protected:
    void TearDown() override
    {
        ns3::Simulator::Destroy();
    }
};

/// Wire bytes of one data packet with \p payload bytes (IPv4+UDP+BTH 40, ImmDt 4 if last,
/// framing 38).
inline uint64_t
DataWireBytes(uint64_t payload, bool last)
{
    return payload + 40 + (last ? 4 : 0) + 38;
}

/// Wire bytes of a message of \p bytes cut into \p mtu packets.
inline uint64_t
MessageWireBytes(uint64_t bytes, uint64_t mtu)
{
    const uint64_t packets = bytes == 0 ? 1 : (bytes + mtu - 1) / mtu;
    return bytes + packets * (40 + 38) + 4;
}

/// Wire bytes of an ACK (IPv4+UDP+BTH 40 + AETH 4 + framing 38).
constexpr uint64_t kAckWireBytes = 40 + 4 + 38;

/// Seconds to serialise \p bytes at \p bps.
inline double
TxSeconds(uint64_t bytes, double bps)
{
    return bytes * 8.0 / bps;
}

/**
 * \param file a pcap file
 * \param[out] linkType its data link type
 * \return the bytes of its records, in order (empty if the file cannot be read: the caller
 *         checks linkType, 0 then)
 */
inline std::vector<std::vector<uint8_t>>
ReadPcapRecords(const std::string& file, uint32_t& linkType)
{
    std::vector<std::vector<uint8_t>> records;
    ns3::PcapFile pcap;
    pcap.Open(file, std::ios::in);
    linkType = 0;
    if (pcap.Fail())
    {
        return records;
    }
    linkType = pcap.GetDataLinkType();
    std::vector<uint8_t> buf(65536);
    while (true)
    {
        uint32_t sec;
        uint32_t usec;
        uint32_t inclLen;
        uint32_t origLen;
        uint32_t readLen;
        pcap.Read(buf.data(), buf.size(), sec, usec, inclLen, origLen, readLen);
        if (pcap.Eof())
        {
            break;
        }
        records.emplace_back(buf.begin(), buf.begin() + readLen);
    }
    return records;
}

/// Two ports, no nodes, on one cable.
struct PortPair
{
    ns3::Ptr<ns3::VclosNetDevice> a;   ///< one end
    ns3::Ptr<ns3::VclosNetDevice> b;   ///< the other end
    ns3::Ptr<ns3::VclosChannel> cable; ///< the cable
};

/// \return a frame handler that releases every frame it is given
inline ns3::VclosNetDevice::FrameHandler
DiscardFrames()
{
    return ns3::VclosNetDevice::FrameHandler(
        [](ns3::VclosNetDevice*, ns3::VclosFrame* f) { ns3::VclosFrame::Release(f); });
}

/**
 * \param delay the cable's propagation delay
 * \return two ports attached to a new cable, both discarding what they receive until a test
 *         sets its own frame handler
 */
inline PortPair
MakePortPair(ns3::Time delay)
{
    PortPair pair{ns3::CreateObject<ns3::VclosNetDevice>(),
                  ns3::CreateObject<ns3::VclosNetDevice>(),
                  ns3::CreateObject<ns3::VclosChannel>()};
    pair.cable->SetAttribute("Delay", ns3::TimeValue(delay));
    pair.a->Attach(pair.cable);
    pair.b->Attach(pair.cable);
    pair.a->SetFrameHandler(DiscardFrames());
    pair.b->SetFrameHandler(DiscardFrames());
    return pair;
}

} // namespace vclos_test

#endif // VCLOS_TEST_UTILS_H
