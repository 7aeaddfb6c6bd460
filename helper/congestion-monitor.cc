/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "congestion-monitor.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/simulator.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("CongestionMonitor");
NS_OBJECT_ENSURE_REGISTERED(CongestionMonitor);

TypeId
CongestionMonitor::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::CongestionMonitor")
            .SetParent<Object>()
            .SetGroupName("Vclos")
            .AddConstructor<CongestionMonitor>()
            .AddAttribute("SampleInterval",
                          "Time between two samples.",
                          TimeValue(MicroSeconds(10)),
                          MakeTimeAccessor(&CongestionMonitor::m_interval),
                          MakeTimeChecker(NanoSeconds(1)))
            .AddTraceSource("QueueSample",
                            "A port's egress queue: link id, time, bytes.",
                            MakeTraceSourceAccessor(&CongestionMonitor::m_queueTrace),
                            "ns3::CongestionMonitor::QueueSampleCallback")
            .AddTraceSource("RateSample",
                            "A rate-limited queue pair: GPU, QP number, peer GPU, time, rate.",
                            MakeTraceSourceAccessor(&CongestionMonitor::m_rateTrace),
                            "ns3::CongestionMonitor::RateSampleCallback");
    return tid;
}

CongestionMonitor::CongestionMonitor()
    : m_interval(MicroSeconds(10)),
      m_links(nullptr)
{
}

CongestionMonitor::~CongestionMonitor() = default;

void
CongestionMonitor::DoDispose()
{
    m_event.Cancel();
    m_links = nullptr;
    m_nics.clear();
    Object::DoDispose();
}

void
CongestionMonitor::Start(const LeafSpineHelper& topology)
{
    std::vector<Ptr<RdmaNic>> nics;
    for (uint32_t g = 0; g < topology.GetNGpus(); ++g)
    {
        nics.push_back(topology.GetNic(g));
    }
    Start(topology.GetLinks(), nics);
}

void
CongestionMonitor::Start(const std::vector<LeafSpineHelper::Link>& links,
                         const std::vector<Ptr<RdmaNic>>& nics)
{
    m_links = &links;
    m_nics = nics;
    m_lastQueue.assign(links.size(), 0);
    m_event.Cancel();
    m_event = Simulator::Schedule(m_interval, &CongestionMonitor::Sample, this);
}

void
CongestionMonitor::Stop()
{
    m_event.Cancel();
}

void
CongestionMonitor::Sample()
{
    const Time now = Simulator::Now();
    for (const auto& link : *m_links)
    {
        const uint32_t q = link.device->GetQueueBytes();
        if (q != 0 || m_lastQueue[link.id] != 0)
        {
            m_queueTrace(link.id, now, q);
        }
        m_lastQueue[link.id] = q;
    }
    for (uint32_t g = 0; g < m_nics.size(); ++g)
    {
        const Ptr<RdmaNic>& nic = m_nics[g];
        // Live queue pairs only: the table's free slots (destroyed QPs) are skipped, and
        // the table is bounded by the peak of live QPs, not by every QP ever created.
        for (uint32_t slot = 0; slot < nic->GetQpTableSize(); ++slot)
        {
            const RdmaQueuePair* qp = nic->GetQpAtSlot(slot);
            if (qp == nullptr)
            {
                continue;
            }
            const double rate = qp->cc->GetRate().GetBitRate();
            if (rate < nic->GetPort(qp->port)->GetDataRate().GetBitRate())
            {
                m_rateTrace(g, qp->qpn, qp->peer->GetGpuId(), now, rate);
            }
        }
    }
    m_event = Simulator::Schedule(m_interval, &CongestionMonitor::Sample, this);
}

} // namespace ns3
