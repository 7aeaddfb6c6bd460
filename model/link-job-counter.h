/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_LINK_JOB_COUNTER_H
#define VCLOS_LINK_JOB_COUNTER_H

#include "ns3/simple-ref-count.h"

#include <cstdint>
#include <vector>

namespace ns3
{

/**
 * \ingroup vclos
 * Counts what every link direction transmits for every job: bytes and packets, data and
 * control (ACK, NAK, CNP) apart, and the times of the first and last packet. It is the
 * evidence of isolation (results table link_job_bytes): it counts what the devices
 * actually sent, not what the allocator reserved.
 *
 * A packet belongs to the job that owns both its source and its destination GPU (a job's
 * queue pairs join its own GPUs; ACKs go back between the same two). Ownership is a
 * per-GPU slot table set when a job is placed (Assign) and cleared when it is released
 * (Release); a slot indexes a dense array of counters, one per link, so counting a packet
 * is two table reads and one array update: no map, no string, no allocation. PFC frames
 * are per hop and belong to no job: they are not counted. Packets whose GPUs have no
 * common owner (a stray duplicate after its job was released) are counted apart
 * (GetUnattributed()).
 *
 * Devices call Count() from their transmit path only when a counter is attached
 * (VclosNetDevice::SetLinkJobCounter): without one the cost is a null-pointer test.
 */
class LinkJobCounter : public SimpleRefCount<LinkJobCounter>
{
  public:
    /// Slot of a GPU that no job owns.
    static constexpr uint32_t NO_SLOT = 0xFFFFFFFF;

    /// What one link transmitted for one job.
    struct Cell
    {
        uint64_t dataBytes{0};      //!< IPv4 bytes of data packets
        uint64_t dataPackets{0};    //!< data packets
        uint64_t controlBytes{0};   //!< IPv4 bytes of ACK, NAK and CNP packets
        uint64_t controlPackets{0}; //!< ACK, NAK and CNP packets
        int64_t firstTs{0};         //!< first packet's transmission start, ns-3 time steps
        int64_t lastTs{0};          //!< last packet's transmission start, ns-3 time steps
    };

    /// A link's counters for a released job.
    struct LinkCell
    {
        uint32_t link; //!< link id
        Cell cell;     //!< its counters
    };

    /**
     * \param nGpus GPUs of the cluster (GPU ids 0..nGpus-1)
     * \param nLinks link directions (link ids 0..nLinks-1)
     */
    LinkJobCounter(uint32_t nGpus, uint32_t nLinks);

    /**
     * Give \p gpus to job \p job: their packets are counted for it from now on.
     * \param job the job id (reported back by Release())
     * \param gpus its GPUs (none owned by another job)
     * \return the job's slot
     */
    uint32_t Assign(uint32_t job, const std::vector<uint32_t>& gpus);
    /**
     * Clear the GPUs of a slot's job and hand back its counters (links it used only);
     * the slot is free again.
     * \param slot from Assign()
     * \param gpus the job's GPUs
     * \return its counters per link with at least one packet, in link order
     */
    std::vector<LinkCell> Release(uint32_t slot, const std::vector<uint32_t>& gpus);

    /**
     * Count one packet leaving on a link.
     * \param link the link id
     * \param ipHeader the packet's first 20 bytes (IPv4 header)
     * \param bytes the packet's size
     * \param nowTs the time, ns-3 time steps
     */
    void Count(uint32_t link, const uint8_t* ipHeader, uint32_t bytes, int64_t nowTs);

    /// \return packets counted for no job (their GPUs had no common owner)
    uint64_t GetUnattributed() const;
    /// \return slots allocated (the most jobs owned GPUs at once)
    uint32_t GetNSlots() const;
    /// \param slot a slot \return the job that holds it
    uint32_t GetJobOfSlot(uint32_t slot) const;

  private:
    uint32_t m_nLinks;
    std::vector<uint32_t> m_owner;     //!< per GPU: slot, or NO_SLOT
    std::vector<Cell> m_cells;         //!< slot * m_nLinks + link
    std::vector<uint32_t> m_slotJob;   //!< per slot: its job
    std::vector<uint32_t> m_freeSlots; //!< released slots, reused first
    uint64_t m_unattributed{0};
};

} // namespace ns3

#endif // VCLOS_LINK_JOB_COUNTER_H
