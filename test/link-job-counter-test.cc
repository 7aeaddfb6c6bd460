/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// LinkJobCounter: packets attributed to the job that owns both their GPUs, data and control
// apart, first and last times, slots reused clean.

#include "ns3/ecmp-hash.h"
#include "ns3/link-job-counter.h"
#include "ns3/rdma-nic.h"

#include <gtest/gtest.h>

using namespace ns3;

namespace
{

/// The first 20 bytes of an IPv4 packet from GPU \p src to GPU \p dst with TOS \p tos.
std::array<uint8_t, 20>
IpHeader(uint32_t src, uint32_t dst, uint8_t tos)
{
    std::array<uint8_t, 20> h{};
    h[0] = 0x45;
    h[1] = tos;
    const uint32_t s = vclos::GpuIp(src);
    const uint32_t d = vclos::GpuIp(dst);
    for (int i = 0; i < 4; ++i)
    {
        h[12 + i] = static_cast<uint8_t>(s >> (24 - 8 * i));
        h[16 + i] = static_cast<uint8_t>(d >> (24 - 8 * i));
    }
    return h;
}

} // namespace

TEST(LinkJobCounter, AttributesByOwnerOfBothGpus)
{
    LinkJobCounter c(8, 3);
    const uint32_t a = c.Assign(10, {0, 1});
    const uint32_t b = c.Assign(11, {2, 3});
    EXPECT_NE(a, b);
    c.Count(1, IpHeader(0, 1, RdmaNic::DATA_TOS).data(), 4136, 100);
    c.Count(1, IpHeader(1, 0, RdmaNic::CONTROL_TOS).data(), 44, 150);
    c.Count(1, IpHeader(0, 1, RdmaNic::DATA_TOS).data(), 1000, 200);
    c.Count(2, IpHeader(2, 3, RdmaNic::DATA_TOS).data(), 500, 300);
    // Across jobs, to a free GPU, from a non-GPU address: no job.
    c.Count(1, IpHeader(0, 2, RdmaNic::DATA_TOS).data(), 77, 400);
    c.Count(1, IpHeader(0, 5, RdmaNic::DATA_TOS).data(), 77, 400);
    auto h = IpHeader(0, 1, RdmaNic::DATA_TOS);
    h[12] = 192;
    c.Count(1, h.data(), 77, 400);
    EXPECT_EQ(c.GetUnattributed(), 3u);

    const auto cells = c.Release(a, {0, 1});
    ASSERT_EQ(cells.size(), 1u);
    EXPECT_EQ(cells[0].link, 1u);
    EXPECT_EQ(cells[0].cell.dataBytes, 5136u);
    EXPECT_EQ(cells[0].cell.dataPackets, 2u);
    EXPECT_EQ(cells[0].cell.controlBytes, 44u);
    EXPECT_EQ(cells[0].cell.controlPackets, 1u);
    EXPECT_EQ(cells[0].cell.firstTs, 100);
    EXPECT_EQ(cells[0].cell.lastTs, 200);
    // Released GPUs count for nobody; the slot comes back clean for the next job.
    c.Count(1, IpHeader(0, 1, RdmaNic::DATA_TOS).data(), 10, 500);
    EXPECT_EQ(c.GetUnattributed(), 4u);
    EXPECT_EQ(c.Assign(12, {0, 4}), a);
    EXPECT_EQ(c.GetJobOfSlot(a), 12u);
    c.Count(0, IpHeader(4, 0, RdmaNic::DATA_TOS).data(), 10, 600);
    const auto again = c.Release(a, {0, 4});
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].link, 0u);
    EXPECT_EQ(again[0].cell.dataPackets, 1u);
    EXPECT_EQ(again[0].cell.firstTs, 600);
    EXPECT_EQ(c.Release(b, {2, 3}).size(), 1u);
    EXPECT_EQ(c.GetNSlots(), 2u);
}
