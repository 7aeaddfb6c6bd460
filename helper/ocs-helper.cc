/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ocs-helper.h"

#include "ns3/log.h"
#include "ns3/mac48-address.h"
#include "ns3/node.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("OcsHelper");

OcsHelper::OcsHelper()
{
    m_channelFactory.SetTypeId(OcsChannel::GetTypeId());
    m_deviceFactory.SetTypeId(VclosNetDevice::GetTypeId());
}

void
OcsHelper::SetChannelAttribute(const std::string& name, const AttributeValue& value)
{
    m_channelFactory.Set(name, value);
}

void
OcsHelper::SetDeviceAttribute(const std::string& name, const AttributeValue& value)
{
    m_deviceFactory.Set(name, value);
}

Ptr<OcsChannel>
OcsHelper::Create() const
{
    return m_channelFactory.Create<OcsChannel>();
}

Ptr<VclosNetDevice>
OcsHelper::MakeDevice(Ptr<Node> node) const
{
    Ptr<VclosNetDevice> dev = m_deviceFactory.Create<VclosNetDevice>();
    dev->SetAddress(Mac48Address::Allocate());
    node->AddDevice(dev);
    return dev;
}

NetDeviceContainer
OcsHelper::Install(const NodeContainer& nodes) const
{
    Ptr<OcsChannel> ocs = Create();
    if (ocs->GetNPorts() < nodes.GetN())
    {
        ocs->SetNPorts(nodes.GetN());
    }
    NetDeviceContainer out;
    for (uint32_t i = 0; i < nodes.GetN(); ++i)
    {
        Ptr<VclosNetDevice> dev = MakeDevice(nodes.Get(i));
        TimeValue fibre;
        ocs->GetAttribute("Delay", fibre);
        ocs->Connect(dev, i, fibre.Get());
        out.Add(dev);
    }
    return out;
}

Ptr<VclosNetDevice>
OcsHelper::Install(Ptr<OcsChannel> ocs, Ptr<Node> node, uint32_t port, Time fibreDelay) const
{
    Ptr<VclosNetDevice> dev = MakeDevice(node);
    ocs->Connect(dev, port, fibreDelay);
    return dev;
}

Ptr<OcsChannel>
OcsHelper::GetOcs(Ptr<NetDevice> device)
{
    return device ? DynamicCast<OcsChannel>(device->GetChannel()) : nullptr;
}

} // namespace ns3
