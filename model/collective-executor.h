/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_COLLECTIVE_EXECUTOR_H
#define VCLOS_COLLECTIVE_EXECUTOR_H

#include "rdma-nic.h"

#include "ns3/callback.h"
#include "ns3/collective-schedule.h"
#include "ns3/event-id.h"
#include "ns3/nstime.h"
#include "ns3/object.h"
#include "ns3/traced-callback.h"

#include <map>
#include <vector>

namespace ns3
{

/**
 * \ingroup vclos
 * Runs any CollectiveSchedule over the GPUs' NICs.
 *
 * Rank r of the schedule runs on the r-th NIC given to Setup(). A transfer is posted
 * on its source NIC as soon as all the transfers it depends on have been received
 * there; it counts as done when its last byte has arrived at the destination.
 * One queue pair connects each ordered pair of ranks that exchange data, created once
 * and reused by every Run(), so a training job calls Run() once per iteration.
 */
class CollectiveExecutor : public Object
{
  public:
    /**
     * TracedCallback signature of TransferDone.
     * \param transfer index of the transfer in the schedule
     */
    typedef void (*TransferDoneTracedCallback)(uint32_t transfer);

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    CollectiveExecutor();

    /**
     * Create the queue pairs. The queue pair of ranks (src, dst) gets the UDP source port
     * vclos::QpSourcePort(run seed of the source NIC, \p jobId, src, dst, \p qpIndex).
     * \param schedule the collective (validated here)
     * \param nics the NIC of each rank, rank order; the NICs must be distinct
     * \param jobId the job the collective belongs to (source ports)
     * \param qpIndex which of the job's collectives (a TrainingJob's gradient collective
     *        is 0, its all-to-all 1), so two collectives of a job get different ports
     */
    void Setup(const vclos::CollectiveSchedule& schedule,
               const std::vector<Ptr<RdmaNic>>& nics,
               uint32_t jobId = 0,
               uint32_t qpIndex = 0);

    /**
     * Start the collective now.
     * \param done called when every transfer has been received
     */
    void Run(Callback<void> done);

    /// \return true while a Run() is in progress
    bool IsRunning() const;
    /// \return the schedule
    const vclos::CollectiveSchedule& GetSchedule() const;
    /// \return start time of the last Run()
    Time GetStartTime() const;
    /// \return finish time of the last completed Run()
    Time GetFinishTime() const;
    /**
     * \param index transfer index
     * \return the time the transfer was posted in the last Run()
     */
    Time GetPostTime(uint32_t index) const;
    /**
     * \param index transfer index
     * \return the time the transfer was fully received in the last Run()
     */
    Time GetDoneTime(uint32_t index) const;
    /**
     * The ordered pairs (src GPU, dst GPU) of the queue pairs and their UDP source ports:
     * what a scheduler or a path query needs to know about the job's flows.
     * \return one entry per queue pair: (src rank, dst rank, UDP source port)
     */
    std::vector<std::tuple<uint32_t, uint32_t, uint16_t>> GetFlows() const;

    /**
     * \return true when no Run() is in progress and every transfer posted so far has been
     *         acknowledged to its sender (every queue pair of the collective is idle: its
     *         last ACK is in)
     */
    bool IsQuiet() const;
    /// \return bytes of the transfers posted by its senders, over every Run()
    uint64_t GetBytesSent() const;
    /// \return bytes of the messages its receivers got whole, over every Run()
    uint64_t GetBytesReceived() const;
    /**
     * \param cb called each time the collective becomes quiet (IsQuiet() turns true)
     */
    void SetQuietCallback(Callback<void> cb);
    /**
     * Destroy the collective's queue pairs (both ends, RdmaNic::DestroyQp), cancel its
     * pending event and drop its callbacks: nothing stays bound to this object. Packets
     * still in flight are dropped by the NICs. Idempotent; DoDispose() calls it (and ns-3
     * disposes an Object whose last reference goes, so a released executor leaves nothing).
     * Must not be called from inside a message callback (schedule it).
     */
    void Teardown();

  private:
    void DoDispose() override;
    void Post(uint32_t index);
    void OnReceived(uint32_t imm, uint64_t bytes);
    void OnSent(uint32_t imm, uint64_t bytes);
    void Finish();
    void DestroyQps();

    vclos::CollectiveSchedule m_schedule;
    std::vector<Ptr<RdmaNic>> m_nics;
    std::vector<uint32_t> m_qpOfTransfer;                    //!< local QP number at the source
    std::vector<uint32_t> m_depCount;                        //!< unmet dependencies per transfer
    std::vector<uint32_t> m_dependentsStart;                 //!< CSR offsets into m_dependents
    std::vector<uint32_t> m_dependents;                      //!< transfers waiting on each transfer
    std::map<std::pair<uint32_t, uint32_t>, uint32_t> m_qps; //!< (src, dst) -> QP number
    std::vector<Time> m_postTime;
    std::vector<Time> m_doneTime;
    uint32_t m_remaining;
    uint32_t m_unacked; //!< transfers posted and not yet acknowledged to their sender
    bool m_running;
    uint64_t m_bytesSent{0};     //!< bytes posted, over every Run()
    uint64_t m_bytesReceived{0}; //!< bytes received whole, over every Run()
    EventId m_finishEvent;       //!< Finish() of an empty schedule
    Callback<void> m_quiet;      //!< quiet callback
    Time m_start;
    Time m_finish;
    Callback<void> m_done;
    TracedCallback<uint32_t> m_transferDoneTrace; //!< transfer index
};

} // namespace ns3

#endif // VCLOS_COLLECTIVE_EXECUTOR_H
