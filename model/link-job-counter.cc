/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "link-job-counter.h"

#include "ns3/abort.h"
#include "ns3/ecmp-hash.h"
#include "ns3/rdma-nic.h"
#include "ns3/vclos-net-device.h"

namespace ns3
{

LinkJobCounter::LinkJobCounter(uint32_t nGpus, uint32_t nLinks)
    : m_nLinks(nLinks),
      m_owner(nGpus, NO_SLOT)
{
}

uint32_t
LinkJobCounter::Assign(uint32_t job, const std::vector<uint32_t>& gpus)
{
    uint32_t slot;
    if (!m_freeSlots.empty())
    {
        slot = m_freeSlots.back();
        m_freeSlots.pop_back();
        m_slotJob[slot] = job;
    }
    else
    {
        slot = static_cast<uint32_t>(m_slotJob.size());
        m_slotJob.push_back(job);
        m_cells.resize(m_cells.size() + m_nLinks);
    }
    for (uint32_t g : gpus)
    {
        NS_ABORT_MSG_IF(g >= m_owner.size(), "LinkJobCounter: no GPU " << g);
        NS_ABORT_MSG_IF(m_owner[g] != NO_SLOT,
                        "LinkJobCounter: GPU " << g << " of job " << job << " is owned by job "
                                               << m_slotJob[m_owner[g]]);
        m_owner[g] = slot;
    }
    return slot;
}

std::vector<LinkJobCounter::LinkCell>
LinkJobCounter::Release(uint32_t slot, const std::vector<uint32_t>& gpus)
{
    NS_ABORT_MSG_IF(slot >= m_slotJob.size(), "LinkJobCounter: no slot " << slot);
    for (uint32_t g : gpus)
    {
        if (g < m_owner.size() && m_owner[g] == slot)
        {
            m_owner[g] = NO_SLOT;
        }
    }
    std::vector<LinkCell> out;
    Cell* cells = m_cells.data() + static_cast<std::size_t>(slot) * m_nLinks;
    for (uint32_t l = 0; l < m_nLinks; ++l)
    {
        if (cells[l].dataPackets + cells[l].controlPackets > 0)
        {
            out.push_back(LinkCell{l, cells[l]});
            cells[l] = Cell();
        }
    }
    m_freeSlots.push_back(slot);
    return out;
}

void
LinkJobCounter::Count(uint32_t link, const uint8_t* h, uint32_t bytes, int64_t nowTs)
{
    auto u32 = [h](int i) {
        return (static_cast<uint32_t>(h[i]) << 24) | (static_cast<uint32_t>(h[i + 1]) << 16) |
               (static_cast<uint32_t>(h[i + 2]) << 8) | h[i + 3];
    };
    const uint32_t src = vclos::GpuOfIp(u32(12));
    const uint32_t dst = vclos::GpuOfIp(u32(16));
    const uint32_t n = static_cast<uint32_t>(m_owner.size());
    const uint32_t slot = src < n ? m_owner[src] : NO_SLOT;
    if (slot == NO_SLOT || dst >= n || m_owner[dst] != slot || link >= m_nLinks)
    {
        ++m_unattributed;
        return;
    }
    Cell& c = m_cells[static_cast<std::size_t>(slot) * m_nLinks + link];
    if (c.dataPackets + c.controlPackets == 0)
    {
        c.firstTs = nowTs;
    }
    c.lastTs = nowTs;
    if (VclosNetDevice::PriorityOfTos(h[1]) == RdmaNic::CONTROL_PRIORITY)
    {
        c.controlBytes += bytes;
        ++c.controlPackets;
    }
    else
    {
        c.dataBytes += bytes;
        ++c.dataPackets;
    }
}

uint64_t
LinkJobCounter::GetUnattributed() const
{
    return m_unattributed;
}

uint32_t
LinkJobCounter::GetNSlots() const
{
    return static_cast<uint32_t>(m_slotJob.size());
}

uint32_t
LinkJobCounter::GetJobOfSlot(uint32_t slot) const
{
    return m_slotJob.at(slot);
}

} // namespace ns3
