/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "collective-executor.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/route-seeds.h"
#include "ns3/simulator.h"

#include <stdexcept>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("CollectiveExecutor");
NS_OBJECT_ENSURE_REGISTERED(CollectiveExecutor);

TypeId
CollectiveExecutor::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::CollectiveExecutor")
            .SetParent<Object>()
            .SetGroupName("Vclos")
            .AddConstructor<CollectiveExecutor>()
            .AddTraceSource("TransferDone",
                            "A transfer of the schedule was fully received.",
                            MakeTraceSourceAccessor(&CollectiveExecutor::m_transferDoneTrace),
                            "ns3::CollectiveExecutor::TransferDoneTracedCallback");
    return tid;
}

CollectiveExecutor::CollectiveExecutor()
    : m_remaining(0),
      m_unacked(0),
      m_running(false)
{
}

void
CollectiveExecutor::DoDispose()
{
    Teardown();
    m_nics.clear();
    Object::DoDispose();
}

void
CollectiveExecutor::DestroyQps()
{
    for (const auto& [pair, qpn] : m_qps)
    {
        m_nics[pair.first]->DestroyQp(qpn); // both ends; no-op if the NIC is disposed
    }
    m_qps.clear();
}

void
CollectiveExecutor::Teardown()
{
    NS_LOG_FUNCTION(this);
    m_finishEvent.Cancel();
    DestroyQps();
    m_done = MakeNullCallback<void>();
    m_quiet = MakeNullCallback<void>();
    m_running = false;
    m_unacked = 0;
}

void
CollectiveExecutor::Setup(const vclos::CollectiveSchedule& schedule,
                          const std::vector<Ptr<RdmaNic>>& nics,
                          uint32_t jobId,
                          uint32_t qpIndex)
{
    NS_ABORT_MSG_IF(m_running, "Setup() during a Run()");
    try
    {
        schedule.Validate();
    }
    catch (const std::invalid_argument& e)
    {
        NS_FATAL_ERROR("invalid collective schedule: " << e.what());
    }
    NS_ABORT_MSG_IF(nics.size() != schedule.ranks,
                    "schedule has " << schedule.ranks << " ranks but " << nics.size()
                                    << " NICs were given");
    m_schedule = schedule;
    m_nics = nics;
    const uint32_t n = m_schedule.transfers.size();
    m_qpOfTransfer.assign(n, 0);
    DestroyQps();
    m_unacked = 0;
    std::vector<uint32_t> count(n + 1, 0);
    for (uint32_t i = 0; i < n; ++i)
    {
        const vclos::Transfer& t = m_schedule.transfers[i];
        auto key = std::make_pair(t.src, t.dst);
        auto it = m_qps.find(key);
        if (it == m_qps.end())
        {
            const uint16_t port =
                vclos::QpSourcePort(m_nics[t.src]->GetRunSeed(), jobId, t.src, t.dst, qpIndex);
            const uint32_t qpn =
                m_nics[t.src]->CreateQp(m_nics[t.dst],
                                        port,
                                        MakeCallback(&CollectiveExecutor::OnSent, this),
                                        MakeCallback(&CollectiveExecutor::OnReceived, this));
            it = m_qps.emplace(key, qpn).first;
        }
        m_qpOfTransfer[i] = it->second;
        for (uint32_t d : t.deps)
        {
            ++count[d];
        }
    }
    // CSR list of dependents
    m_dependentsStart.assign(n + 1, 0);
    for (uint32_t i = 0; i < n; ++i)
    {
        m_dependentsStart[i + 1] = m_dependentsStart[i] + count[i];
    }
    m_dependents.assign(m_dependentsStart[n], 0);
    std::vector<uint32_t> fill(m_dependentsStart.begin(), m_dependentsStart.end() - 1);
    for (uint32_t i = 0; i < n; ++i)
    {
        for (uint32_t d : m_schedule.transfers[i].deps)
        {
            m_dependents[fill[d]++] = i;
        }
    }
    m_postTime.assign(n, Time(0));
    m_doneTime.assign(n, Time(0));
}

void
CollectiveExecutor::Run(Callback<void> done)
{
    NS_ABORT_MSG_IF(m_running, "Run() while the collective is still running");
    m_running = true;
    m_done = done;
    m_start = Simulator::Now();
    const uint32_t n = m_schedule.transfers.size();
    m_remaining = n;
    m_depCount.resize(n);
    for (uint32_t i = 0; i < n; ++i)
    {
        m_depCount[i] = m_schedule.transfers[i].deps.size();
    }
    if (n == 0)
    {
        m_finishEvent = Simulator::ScheduleNow(&CollectiveExecutor::Finish, this);
        return;
    }
    for (uint32_t i = 0; i < n; ++i)
    {
        if (m_depCount[i] == 0)
        {
            Post(i);
        }
    }
}

void
CollectiveExecutor::Post(uint32_t index)
{
    const vclos::Transfer& t = m_schedule.transfers[index];
    m_postTime[index] = Simulator::Now();
    ++m_unacked;
    m_bytesSent += t.bytes;
    m_nics[t.src]->PostSend(m_qpOfTransfer[index], t.bytes, index);
}

void
CollectiveExecutor::OnReceived(uint32_t imm, uint64_t bytes)
{
    NS_ASSERT(imm < m_schedule.transfers.size());
    NS_ASSERT(bytes == m_schedule.transfers[imm].bytes);
    m_bytesReceived += bytes;
    m_doneTime[imm] = Simulator::Now();
    m_transferDoneTrace(imm);
    for (uint32_t k = m_dependentsStart[imm]; k < m_dependentsStart[imm + 1]; ++k)
    {
        const uint32_t next = m_dependents[k];
        if (--m_depCount[next] == 0)
        {
            Post(next);
        }
    }
    if (--m_remaining == 0)
    {
        Finish();
    }
}

void
CollectiveExecutor::OnSent(uint32_t /* imm */, uint64_t /* bytes */)
{
    NS_ASSERT(m_unacked > 0);
    if (--m_unacked == 0 && !m_running && !m_quiet.IsNull())
    {
        m_quiet();
    }
}

uint64_t
CollectiveExecutor::GetBytesSent() const
{
    return m_bytesSent;
}

uint64_t
CollectiveExecutor::GetBytesReceived() const
{
    return m_bytesReceived;
}

void
CollectiveExecutor::Finish()
{
    m_running = false;
    m_finish = Simulator::Now();
    Callback<void> done = m_done;
    m_done = MakeNullCallback<void>();
    if (!done.IsNull())
    {
        done();
    }
    if (!m_running && m_unacked == 0 && !m_quiet.IsNull())
    {
        m_quiet();
    }
}

bool
CollectiveExecutor::IsQuiet() const
{
    return !m_running && m_unacked == 0;
}

void
CollectiveExecutor::SetQuietCallback(Callback<void> cb)
{
    m_quiet = cb;
}

bool
CollectiveExecutor::IsRunning() const
{
    return m_running;
}

const vclos::CollectiveSchedule&
CollectiveExecutor::GetSchedule() const
{
    return m_schedule;
}

Time
CollectiveExecutor::GetStartTime() const
{
    return m_start;
}

Time
CollectiveExecutor::GetFinishTime() const
{
    return m_finish;
}

Time
CollectiveExecutor::GetPostTime(uint32_t index) const
{
    return m_postTime.at(index);
}

Time
CollectiveExecutor::GetDoneTime(uint32_t index) const
{
    return m_doneTime.at(index);
}

std::vector<std::tuple<uint32_t, uint32_t, uint16_t>>
CollectiveExecutor::GetFlows() const
{
    std::vector<std::tuple<uint32_t, uint32_t, uint16_t>> flows;
    for (const auto& [pair, qpn] : m_qps)
    {
        flows.emplace_back(pair.first, pair.second, m_nics[pair.first]->GetQp(qpn).srcPort);
    }
    return flows;
}

} // namespace ns3
