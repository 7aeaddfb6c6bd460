/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "vclos-channel.h"

#include "vclos-net-device.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/simulator.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("VclosChannel");
NS_OBJECT_ENSURE_REGISTERED(VclosChannel);

TypeId
VclosChannel::GetTypeId()
{
    static TypeId tid = TypeId("ns3::VclosChannel")
                            .SetParent<Channel>()
                            .SetGroupName("Vclos")
                            .AddConstructor<VclosChannel>()
                            .AddAttribute("Delay",
                                          "Propagation delay of the cable.",
                                          TimeValue(MicroSeconds(1)),
                                          MakeTimeAccessor(&VclosChannel::m_delay),
                                          MakeTimeChecker(Time(0)));
    return tid;
}

VclosChannel::VclosChannel()
    : m_nDevices(0)
{
}

void
VclosChannel::Attach(Ptr<VclosNetDevice> device)
{
    NS_ABORT_MSG_IF(m_nDevices >= 2, "a VclosChannel connects exactly two devices");
    m_device[m_nDevices] = device;
    device->SetChannelPort(m_nDevices);
    ++m_nDevices;
}

void
VclosChannel::Transmit(VclosFrame* f, const VclosNetDevice* src, Time txTime)
{
    const std::size_t to = (m_device[0] == src) ? 1 : 0;
    m_device[to]->ScheduleReceive(txTime + m_delay, f);
}

Time
VclosChannel::GetDelay() const
{
    return m_delay;
}

Ptr<VclosNetDevice>
VclosChannel::GetPeer(const VclosNetDevice* device) const
{
    return (m_device[0] == device) ? m_device[1] : m_device[0];
}

std::size_t
VclosChannel::GetNDevices() const
{
    return m_nDevices;
}

Ptr<NetDevice>
VclosChannel::GetDevice(std::size_t i) const
{
    return i < m_nDevices ? m_device[i] : nullptr;
}

void
VclosChannel::DoDispose()
{
    m_device[0] = nullptr;
    m_device[1] = nullptr;
    Channel::DoDispose();
}

} // namespace ns3
