/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "congestion-control.h"

#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("VclosCongestionControl");
NS_OBJECT_ENSURE_REGISTERED(CongestionControl);
NS_OBJECT_ENSURE_REGISTERED(LineRateCongestionControl);

TypeId
CongestionControl::GetTypeId()
{
    static TypeId tid = TypeId("ns3::CongestionControl").SetParent<Object>().SetGroupName("Vclos");
    return tid;
}

void
CongestionControl::Init(DataRate lineRate)
{
    m_lineRate = lineRate;
}

void
CongestionControl::OnPacketSent(uint32_t /* bytes */)
{
}

void
CongestionControl::OnAck(uint64_t /* bytes */)
{
}

void
CongestionControl::OnCnp()
{
}

TypeId
LineRateCongestionControl::GetTypeId()
{
    static TypeId tid = TypeId("ns3::LineRateCongestionControl")
                            .SetParent<CongestionControl>()
                            .SetGroupName("Vclos")
                            .AddConstructor<LineRateCongestionControl>();
    return tid;
}

DataRate
LineRateCongestionControl::GetRate() const
{
    return m_lineRate;
}

} // namespace ns3
