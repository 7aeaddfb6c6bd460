/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "dcqcn.h"

#include "ns3/double.h"
#include "ns3/log.h"
#include "ns3/ns3-compat.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("DcqcnCongestionControl");
NS_OBJECT_ENSURE_REGISTERED(DcqcnCongestionControl);

TypeId
DcqcnCongestionControl::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::DcqcnCongestionControl")
            .SetParent<CongestionControl>()
            .SetGroupName("Vclos")
            .AddConstructor<DcqcnCongestionControl>()
            .AddAttribute("G",
                          "Gain of the alpha moving average.",
                          DoubleValue(1.0 / 256),
                          MakeDoubleAccessor(&DcqcnCongestionControl::m_g),
                          MakeDoubleChecker<double>(0, 1))
            .AddAttribute("InitialAlpha",
                          "Alpha of a new queue pair.",
                          DoubleValue(1.0),
                          MakeDoubleAccessor(&DcqcnCongestionControl::m_initialAlpha),
                          MakeDoubleChecker<double>(0, 1))
            .AddAttribute("AlphaUpdatePeriod",
                          "Alpha decays by (1-G) after each such period without a CNP.",
                          TimeValue(MicroSeconds(55)),
                          MakeTimeAccessor(&DcqcnCongestionControl::m_alphaPeriod),
                          MakeTimeChecker(NanoSeconds(1)))
            .AddAttribute("RateIncreasePeriod",
                          "Period of the rate-increase timer.",
                          TimeValue(MicroSeconds(55)),
                          MakeTimeAccessor(&DcqcnCongestionControl::m_ratePeriod),
                          MakeTimeChecker(NanoSeconds(1)))
            .AddAttribute("ByteCounter",
                          "Bytes sent per rate-increase stage of the byte counter.",
                          UintegerValue(10 * 1024 * 1024),
                          MakeUintegerAccessor(&DcqcnCongestionControl::m_byteCounter),
                          MakeUintegerChecker<uint64_t>(1))
            .AddAttribute("FastRecoverySteps",
                          "Stages of fast recovery (F).",
                          UintegerValue(5),
                          MakeUintegerAccessor(&DcqcnCongestionControl::m_fastRecovery),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("RateAi",
                          "Additive increase of the target rate per stage.",
                          DataRateValue(DataRate("40Mbps")),
                          MakeDataRateAccessor(&DcqcnCongestionControl::m_rateAi),
                          MakeDataRateChecker())
            .AddAttribute("RateHai",
                          "Hyper increase of the target rate per stage.",
                          DataRateValue(DataRate("200Mbps")),
                          MakeDataRateAccessor(&DcqcnCongestionControl::m_rateHai),
                          MakeDataRateChecker())
            .AddAttribute("MinRate",
                          "Lowest sending rate.",
                          DataRateValue(DataRate("100Mbps")),
                          MakeDataRateAccessor(&DcqcnCongestionControl::m_minRate),
                          MakeDataRateChecker())
            .AddTraceSource("Rate",
                            "Current sending rate in bit/s.",
                            MakeTraceSourceAccessor(&DcqcnCongestionControl::m_rc),
                            "ns3::TracedValueCallback::Double");
    return tid;
}

DcqcnCongestionControl::DcqcnCongestionControl()
    : m_g(1.0 / 256),
      m_byteCounter(10 * 1024 * 1024),
      m_fastRecovery(5),
      m_initialAlpha(1.0),
      m_rc(0),
      m_rt(0),
      m_alpha(1.0),
      m_cnpSinceAlphaUpdate(false),
      m_timerStages(0),
      m_byteStages(0),
      m_bytes(0)
{
}

DcqcnCongestionControl::~DcqcnCongestionControl() = default;

void
DcqcnCongestionControl::DoDispose()
{
    m_alphaEvent.Cancel();
    m_rateEvent.Cancel();
    CongestionControl::DoDispose();
}

void
DcqcnCongestionControl::Init(DataRate lineRate)
{
    CongestionControl::Init(lineRate);
    m_rc = lineRate.GetBitRate();
    m_rt = lineRate.GetBitRate();
    m_alpha = m_initialAlpha;
}

DataRate
DcqcnCongestionControl::GetRate() const
{
    return DataRate(static_cast<uint64_t>(m_rc.Get()));
}

DataRate
DcqcnCongestionControl::GetTargetRate() const
{
    return DataRate(static_cast<uint64_t>(m_rt));
}

double
DcqcnCongestionControl::GetAlpha() const
{
    return m_alpha;
}

void
DcqcnCongestionControl::StartTimers()
{
    if (!vclos::compat::IsPending(m_alphaEvent))
    {
        m_alphaEvent =
            Simulator::Schedule(m_alphaPeriod, &DcqcnCongestionControl::AlphaTimer, this);
    }
    m_rateEvent.Cancel(); // a CNP restarts the increase stages
    m_rateEvent = Simulator::Schedule(m_ratePeriod, &DcqcnCongestionControl::RateTimer, this);
}

void
DcqcnCongestionControl::OnCnp()
{
    const double line = m_lineRate.GetBitRate();
    m_rt = m_rc;
    m_rc = std::max<double>(m_minRate.GetBitRate(), m_rc.Get() * (1 - m_alpha / 2));
    m_alpha = (1 - m_g) * m_alpha + m_g;
    m_cnpSinceAlphaUpdate = true;
    m_timerStages = 0;
    m_byteStages = 0;
    m_bytes = 0;
    NS_LOG_DEBUG("CNP: rate " << m_rc / 1e9 << " Gbps (target " << m_rt / 1e9 << "), alpha "
                              << m_alpha << ", line " << line / 1e9);
    StartTimers();
}

void
DcqcnCongestionControl::AlphaTimer()
{
    if (!m_cnpSinceAlphaUpdate)
    {
        m_alpha = (1 - m_g) * m_alpha;
    }
    m_cnpSinceAlphaUpdate = false;
    // Keep decaying while the queue pair is rate limited.
    if (m_rc < m_lineRate.GetBitRate())
    {
        m_alphaEvent =
            Simulator::Schedule(m_alphaPeriod, &DcqcnCongestionControl::AlphaTimer, this);
    }
}

void
DcqcnCongestionControl::RateTimer()
{
    ++m_timerStages;
    Increase();
    if (m_rc < m_lineRate.GetBitRate())
    {
        m_rateEvent = Simulator::Schedule(m_ratePeriod, &DcqcnCongestionControl::RateTimer, this);
    }
}

void
DcqcnCongestionControl::OnPacketSent(uint32_t bytes)
{
    if (m_rc >= m_lineRate.GetBitRate())
    {
        return;
    }
    m_bytes += bytes;
    if (m_bytes >= m_byteCounter)
    {
        m_bytes = 0;
        ++m_byteStages;
        Increase();
    }
}

void
DcqcnCongestionControl::Increase()
{
    const double line = m_lineRate.GetBitRate();
    const uint32_t hi = std::max(m_timerStages, m_byteStages);
    const uint32_t lo = std::min(m_timerStages, m_byteStages);
    if (hi < m_fastRecovery)
    {
        // fast recovery: toward the rate before the cut
    }
    else if (lo > m_fastRecovery)
    {
        m_rt += (lo - m_fastRecovery) * static_cast<double>(m_rateHai.GetBitRate());
    }
    else
    {
        m_rt += m_rateAi.GetBitRate();
    }
    m_rt = std::min(m_rt, line);
    m_rc = std::min(line, (m_rt + m_rc.Get()) / 2);
    if (m_rc > line * (1 - 1e-6))
    {
        m_rc = line; // recovered: the timers stop
    }
}

} // namespace ns3
