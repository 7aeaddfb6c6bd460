/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_OCS_HELPER_H
#define VCLOS_OCS_HELPER_H

#include "ns3/net-device-container.h"
#include "ns3/node-container.h"
#include "ns3/object-factory.h"
#include "ns3/ocs-channel.h"
#include "ns3/vclos-net-device.h"

#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup vclos
 * Installs optical circuit switches (OcsChannel), in the style of PointToPointHelper:
 * Install() creates one OCS and one VclosNetDevice per node, attached to the OCS's ports
 * in node order with the channel's fibre delay; Connect() attaches an existing device to a
 * chosen port with its own fibre delay. Devices are added to their nodes; give them to a
 * VclosSwitch (AddPort) or an RdmaNic (AddPort) as with a VclosChannel.
 *
 * \code
 *   OcsHelper ocs;
 *   ocs.SetChannelAttribute("ReconfigurationDelay", TimeValue(MilliSeconds(25)));
 *   ocs.SetDeviceAttribute("DataRate", DataRateValue(DataRate("100Gbps")));
 *   NetDeviceContainer ports = ocs.Install(nodes);  // port i: nodes.Get(i)
 *   Ptr<OcsChannel> sw = ocs.GetOcs(ports.Get(0));
 *   sw->SetCircuits({{0, 1}, {2, 3}});
 *   Simulator::Schedule(Seconds(1), [sw] { sw->Reconfigure({{0, 2}, {1, 3}}); });
 * \endcode
 */
class OcsHelper
{
  public:
    OcsHelper();

    /**
     * Set an attribute of every OcsChannel created (Ports, ReconfigurationDelay, Delay:
     * the default fibre delay).
     * \param name attribute name
     * \param value attribute value
     */
    void SetChannelAttribute(const std::string& name, const AttributeValue& value);
    /**
     * Set an attribute of every VclosNetDevice created.
     * \param name attribute name
     * \param value attribute value
     */
    void SetDeviceAttribute(const std::string& name, const AttributeValue& value);

    /// \return a new OCS with the channel attributes
    Ptr<OcsChannel> Create() const;
    /**
     * One OCS of nodes.GetN() ports (at least: the Ports attribute if larger), one device
     * per node on port i = its index in \p nodes, no circuit.
     * \param nodes the nodes
     * \return the devices, in port order
     */
    NetDeviceContainer Install(const NodeContainer& nodes) const;
    /**
     * A new device on \p node attached to \p ocs at \p port.
     * \param ocs the switch
     * \param node the node
     * \param port the OCS port
     * \param fibreDelay fibre delay between the device and the switch
     * \return the device
     */
    Ptr<VclosNetDevice> Install(Ptr<OcsChannel> ocs,
                                Ptr<Node> node,
                                uint32_t port,
                                Time fibreDelay) const;
    /**
     * \param device a device attached to an OCS
     * \return its OCS (null if it is on another channel)
     */
    static Ptr<OcsChannel> GetOcs(Ptr<NetDevice> device);

  private:
    Ptr<VclosNetDevice> MakeDevice(Ptr<Node> node) const;

    ObjectFactory m_channelFactory;
    ObjectFactory m_deviceFactory;
};

} // namespace ns3

#endif // VCLOS_OCS_HELPER_H
