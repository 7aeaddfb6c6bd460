/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ocs-channel.h"

#include "vclos-net-device.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("OcsChannel");
NS_OBJECT_ENSURE_REGISTERED(OcsChannel);

/// The last bit of a frame crossing the switch.
class OcsChannel::CrossingEvent final : public VclosFrameEventImpl<CrossingEvent>
{
  public:
    /**
     * \param channel the switch (not owned: it lives as long as the simulation)
     * \param f the frame
     * \param port the port it entered by
     * \param epoch that port's circuit epoch when it entered
     */
    CrossingEvent(OcsChannel* channel, VclosFrame* f, uint32_t port, uint64_t epoch)
        : VclosFrameEventImpl(f),
          m_channel(channel),
          m_port(port),
          m_epoch(epoch)
    {
    }

  private:
    void Notify() override
    {
        m_channel->Cross(TakeFrame(), m_port, m_epoch);
    }

    OcsChannel* m_channel; //!< the switch
    uint32_t m_port;       //!< entry port
    uint64_t m_epoch;      //!< entry port's circuit epoch
};

namespace
{
/// Default number of ports of an OCS.
constexpr uint32_t kDefaultPorts = 64;
/// Default reconfiguration time: a MEMS OCS switches in tens of milliseconds.
constexpr int64_t kDefaultReconfigurationMs = 25;
} // namespace

TypeId
OcsChannel::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::OcsChannel")
            .SetParent<VclosChannel>()
            .SetGroupName("Vclos")
            .AddConstructor<OcsChannel>()
            .AddAttribute("Ports",
                          "Number of ports of the switch (set before devices attach).",
                          UintegerValue(kDefaultPorts),
                          MakeUintegerAccessor(&OcsChannel::SetNPorts, &OcsChannel::GetNPorts),
                          MakeUintegerChecker<uint32_t>(1))
            .AddAttribute("ReconfigurationDelay",
                          "Time a changed circuit is dark after Reconfigure() (0: at once).",
                          TimeValue(MilliSeconds(kDefaultReconfigurationMs)),
                          MakeTimeAccessor(&OcsChannel::m_reconfigurationDelay),
                          MakeTimeChecker(Time(0)))
            .AddTraceSource("ReconfigurationStart",
                            "A reconfiguration started: changed circuits went dark.",
                            MakeTraceSourceAccessor(&OcsChannel::m_reconfigurationStartTrace),
                            "ns3::OcsChannel::ReconfigurationTracedCallback")
            .AddTraceSource("ReconfigurationEnd",
                            "A reconfiguration ended: its new circuits are lit.",
                            MakeTraceSourceAccessor(&OcsChannel::m_reconfigurationEndTrace),
                            "ns3::OcsChannel::ReconfigurationTracedCallback")
            .AddTraceSource("LightLost",
                            "A packet was sent into a port in no lit circuit, or its "
                            "circuit was broken before it crossed.",
                            MakeTraceSourceAccessor(&OcsChannel::m_lightLostTrace),
                            "ns3::OcsChannel::LightLostTracedCallback");
    return tid;
}

OcsChannel::OcsChannel()
    : m_nPorts(0),
      m_pendingPort(vclos::CircuitMap::NONE)
{
    SetNPorts(kDefaultPorts);
}

void
OcsChannel::SetNPorts(uint32_t nPorts)
{
    NS_ABORT_MSG_IF(m_attached != 0, "OcsChannel: set Ports before devices attach");
    m_nPorts = nPorts;
    m_port.assign(nPorts, nullptr);
    m_fibre.assign(nPorts, Time(0));
    m_litAt.assign(nPorts, Time(0));
    m_epoch.assign(nPorts, 0);
    m_lostPort.assign(nPorts, 0);
    m_map = vclos::CircuitMap(nPorts);
}

uint32_t
OcsChannel::GetNPorts() const
{
    return m_nPorts;
}

void
OcsChannel::Attach(Ptr<VclosNetDevice> device)
{
    uint32_t port = m_pendingPort;
    Time fibre = m_pendingFibre;
    if (port == vclos::CircuitMap::NONE)
    {
        port = 0;
        while (port < m_nPorts && m_port[port])
        {
            ++port;
        }
        fibre = m_delay;
    }
    NS_ABORT_MSG_IF(port >= m_nPorts, "OcsChannel: no free port (Ports " << m_nPorts << ")");
    NS_ABORT_MSG_IF(m_port[port], "OcsChannel: port " << port << " already has a device");
    m_port[port] = device;
    m_fibre[port] = fibre;
    ++m_attached;
    device->SetChannelPort(port);
    device->SetLinkUp(IsLit(port));
}

void
OcsChannel::Connect(Ptr<VclosNetDevice> device, uint32_t port, Time fibreDelay)
{
    NS_ABORT_MSG_IF(port >= m_nPorts,
                    "OcsChannel: no port " << port << " (Ports " << m_nPorts << ")");
    NS_ABORT_MSG_IF(fibreDelay.IsStrictlyNegative(), "OcsChannel: negative fibre delay");
    m_pendingPort = port;
    m_pendingFibre = fibreDelay;
    device->Attach(this);
    m_pendingPort = vclos::CircuitMap::NONE;
}

bool
OcsChannel::IsLit(uint32_t port) const
{
    return m_map.GetPeer(port) != vclos::CircuitMap::NONE && m_litAt[port] <= Simulator::Now();
}

void
OcsChannel::Lose(VclosFrame* f, uint32_t port)
{
    NS_LOG_LOGIC("light lost at port " << port);
    ++m_lostPackets;
    m_lostBytes += f->GetSize();
    ++m_lostPort[port];
    if (!m_lightLostTrace.IsEmpty())
    {
        m_lightLostTrace(f->GetPacket(), port);
    }
    VclosFrame::Release(f);
}

void
OcsChannel::Transmit(VclosFrame* f, const VclosNetDevice* src, Time txTime)
{
    const uint32_t port = src->GetChannelPort();
    if (!IsLit(port))
    {
        Lose(f, port);
        return;
    }
    // The light of the packet has crossed the switch when its last bit has: the circuit
    // must stay unchanged until then.
    Simulator::ScheduleWithContext(Simulator::GetContext(),
                                   txTime + m_fibre[port],
                                   new CrossingEvent(this, f, port, m_epoch[port]));
}

void
OcsChannel::Cross(VclosFrame* f, uint32_t port, uint64_t epoch)
{
    if (epoch != m_epoch[port])
    {
        Lose(f, port);
        return;
    }
    const uint32_t to = m_map.GetPeer(port);
    if (!m_port[to])
    {
        Lose(f, port); // a lit circuit to a port without a device
        return;
    }
    m_port[to]->ScheduleReceive(m_fibre[to], f);
}

Time
OcsChannel::GetDelay() const
{
    Time first(0);
    Time second(0);
    for (uint32_t p = 0; p < m_nPorts; ++p)
    {
        if (m_fibre[p] > first)
        {
            second = first;
            first = m_fibre[p];
        }
        else if (m_fibre[p] > second)
        {
            second = m_fibre[p];
        }
    }
    return first + second;
}

Ptr<VclosNetDevice>
OcsChannel::GetPeer(const VclosNetDevice* device) const
{
    const uint32_t peer = m_map.GetPeer(device->GetChannelPort());
    return peer == vclos::CircuitMap::NONE ? nullptr : m_port[peer];
}

std::size_t
OcsChannel::GetNDevices() const
{
    return m_attached;
}

Ptr<NetDevice>
OcsChannel::GetDevice(std::size_t i) const
{
    return i < m_nPorts ? m_port[i] : nullptr;
}

bool
OcsChannel::SetCircuits(const std::vector<Circuit>& circuits)
{
    const std::string error = vclos::CircuitMap::Check(circuits, m_nPorts);
    if (!error.empty())
    {
        NS_LOG_WARN("SetCircuits rejected: " << error);
        return false;
    }
    Apply(vclos::CircuitMap::FromCircuits(circuits, m_nPorts), Time(0));
    return true;
}

bool
OcsChannel::Reconfigure(const std::vector<Circuit>& circuits)
{
    const std::string error = vclos::CircuitMap::Check(circuits, m_nPorts);
    if (!error.empty())
    {
        NS_LOG_WARN("Reconfigure rejected: " << error);
        return false;
    }
    const vclos::CircuitMap map = vclos::CircuitMap::FromCircuits(circuits, m_nPorts);
    const std::vector<Circuit> changed = vclos::CircuitMap::Changed(m_map, map);
    if (changed.empty())
    {
        return true;
    }
    const uint32_t n = changed.size();
    ++m_reconfigurations;
    m_circuitsChanged += n;
    NS_LOG_INFO("reconfiguration: " << n << " circuits change, dark for "
                                    << m_reconfigurationDelay.As(Time::MS));
    m_reconfigurationStartTrace(n);
    Apply(map, m_reconfigurationDelay);
    Simulator::Schedule(m_reconfigurationDelay, &OcsChannel::ReconfigurationEnd, this, n);
    return true;
}

void
OcsChannel::ReconfigurationEnd(uint32_t changed)
{
    m_reconfigurationEndTrace(changed);
}

void
OcsChannel::Apply(const vclos::CircuitMap& map, Time delay)
{
    const Time now = Simulator::Now();
    std::vector<uint32_t> lightNow;
    for (uint32_t p = 0; p < m_nPorts; ++p)
    {
        const uint32_t peer = map.GetPeer(p);
        if (peer == m_map.GetPeer(p))
        {
            continue; // unchanged: never disturbed
        }
        ++m_epoch[p];
        m_litAt[p] = now + delay;
        if (m_port[p])
        {
            m_port[p]->SetLinkUp(false);
        }
        if (peer == vclos::CircuitMap::NONE)
        {
            continue;
        }
        if (p < peer)
        {
            m_darkTime += delay;
        }
        if (delay.IsZero())
        {
            lightNow.push_back(p);
        }
        else
        {
            Simulator::Schedule(delay, &OcsChannel::Light, this, p, m_epoch[p]);
        }
    }
    m_map = map;
    for (uint32_t p : lightNow)
    {
        Light(p, m_epoch[p]);
    }
}

void
OcsChannel::Light(uint32_t port, uint64_t epoch)
{
    if (epoch == m_epoch[port] && m_port[port])
    {
        m_port[port]->SetLinkUp(true);
    }
}

const vclos::CircuitMap&
OcsChannel::GetCircuits() const
{
    return m_map;
}

Time
OcsChannel::GetReconfigurationDelay() const
{
    return m_reconfigurationDelay;
}

uint64_t
OcsChannel::GetReconfigurations() const
{
    return m_reconfigurations;
}

uint64_t
OcsChannel::GetCircuitsChanged() const
{
    return m_circuitsChanged;
}

Time
OcsChannel::GetDarkTime() const
{
    return m_darkTime;
}

uint64_t
OcsChannel::GetLostPackets() const
{
    return m_lostPackets;
}

uint64_t
OcsChannel::GetLostBytes() const
{
    return m_lostBytes;
}

uint64_t
OcsChannel::GetLostPackets(uint32_t port) const
{
    return port < m_nPorts ? m_lostPort[port] : 0;
}

void
OcsChannel::DoDispose()
{
    m_port.clear();
    VclosChannel::DoDispose();
}

} // namespace ns3
