/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "vclos-frame.h"

#include "ns3/assert.h"
#include "ns3/ipv4-bytes-header.h"

#include <algorithm>
#include <memory>
#include <vector>

namespace ns3
{

namespace
{

/// Frames not in use, and every frame ever made.
struct FramePool
{
    VclosFrame* free{nullptr};
    std::size_t live{0};
    std::vector<std::unique_ptr<VclosFrame>> all;
};

FramePool&
Pool()
{
    // Never destroyed: a port disposed during static destruction may still release frames.
    static FramePool* pool = new FramePool;
    return *pool;
}

} // namespace

VclosFrame*
VclosFrame::Create(uint32_t size, uint32_t headerBytes)
{
    NS_ASSERT(headerBytes <= HEAD_BYTES && headerBytes <= size);
    FramePool& pool = Pool();
    VclosFrame* f = pool.free;
    if (f != nullptr)
    {
        pool.free = f->m_nextFree;
        f->m_head.fill(0);
    }
    else
    {
        pool.all.emplace_back(new VclosFrame());
        f = pool.all.back().get();
    }
    ++pool.live;
    f->m_size = size;
    f->m_headerBytes = headerBytes;
    f->m_ingress = 0;
    return f;
}

VclosFrame*
VclosFrame::FromPacket(Ptr<Packet> p)
{
    const uint32_t size = p->GetSize();
    const uint32_t n = std::min(size, HEAD_BYTES);
    VclosFrame* f = Create(size, n);
    p->CopyData(f->m_head.data(), n);
    f->m_packet = p;
    return f;
}

void
VclosFrame::Release(VclosFrame* f)
{
    if (f == nullptr)
    {
        return;
    }
    FramePool& pool = Pool();
    NS_ASSERT(pool.live > 0);
    --pool.live;
    f->m_packet = nullptr;
    f->m_nextFree = pool.free;
    pool.free = f;
}

std::size_t
VclosFrame::GetLiveFrames()
{
    return Pool().live;
}

void
VclosFrame::BuildPacket()
{
    // The creator's header bytes, then zeros: the bytes a NIC's Packet(payload) +
    // AddHeader(Rocev2Header) held.
    m_packet = ns3::Create<Packet>(m_head.data(), m_headerBytes);
    if (m_size > m_headerBytes)
    {
        // (not AddPaddingAtEnd(): ns-3 leaves those bytes uninitialised)
        m_packet->AddAtEnd(ns3::Create<Packet>(m_size - m_headerBytes));
    }
}

void
VclosFrame::RewritePacketIpv4()
{
    m_packet->RemoveAtStart(Ipv4BytesHeader::SIZE);
    m_packet->AddHeader(Ipv4BytesHeader(m_head.data()));
}

} // namespace ns3
