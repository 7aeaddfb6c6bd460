/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_OCS_CHANNEL_H
#define VCLOS_OCS_CHANNEL_H

#include "ns3/circuit-map.h"
#include "ns3/traced-callback.h"
#include "ns3/vclos-channel.h"

#include <vector>

namespace ns3
{

/**
 * \ingroup vclos
 * An optical circuit switch (OCS): a crossbar of light with a fixed number of ports, each
 * joined to one VclosNetDevice by a fibre, modelled as a channel with a circuit table (not
 * as a packet switch: no buffer, no queue, no header processing, no second serialisation).
 *
 * A circuit joins two ports in both directions (vclos::CircuitMap: each port in at most
 * one circuit). A packet that device A (port a) serialises in txTime arrives at the device
 * of port b = circuit(a) after txTime + fibre(a) + fibre(b). A port in no circuit, or whose
 * circuit is not lit yet, carries nothing: a packet sent into it is lost (LightLost).
 *
 * Reconfigure() sets a new circuit map. Only the circuits that change go dark: a removed
 * circuit is broken at once (its devices' links go down; a packet whose light has not fully
 * crossed the switch is lost), an added circuit is lit ReconfigurationDelay later (its
 * devices' links come up then). Circuits in both maps are never disturbed. SetCircuits()
 * sets a map at once, with no dark time (the configuration before a run).
 *
 * Devices attach in port order by VclosNetDevice::Attach() (fibre delay: the Delay
 * attribute), or at a chosen port and fibre delay by Connect(). GetDelay() is the longest
 * light path (the two largest fibre delays): what a switch's PFC headroom must cover.
 */
class OcsChannel : public VclosChannel
{
  public:
    /// A circuit: two ports.
    using Circuit = vclos::CircuitMap::Circuit;

    /**
     * TracedCallback signature of ReconfigurationStart and ReconfigurationEnd.
     * \param changed circuits added plus circuits removed
     */
    typedef void (*ReconfigurationTracedCallback)(uint32_t changed);
    /**
     * TracedCallback signature of LightLost.
     * \param packet the lost packet
     * \param port the OCS port it was sent into
     */
    typedef void (*LightLostTracedCallback)(Ptr<const Packet> packet, uint32_t port);

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    OcsChannel();

    /**
     * Attach a device to the next free port with the default fibre delay (the Delay
     * attribute). Called by VclosNetDevice::Attach().
     * \param device the device
     */
    void Attach(Ptr<VclosNetDevice> device) override;
    /**
     * Attach a device to a chosen port.
     * \param device the device (VclosNetDevice::Attach() is called)
     * \param port the port (< Ports, free)
     * \param fibreDelay propagation delay between the device and the switch
     */
    void Connect(Ptr<VclosNetDevice> device, uint32_t port, Time fibreDelay);

    void Transmit(VclosFrame* f, const VclosNetDevice* src, Time txTime) override;
    Time GetDelay() const override;
    Ptr<VclosNetDevice> GetPeer(const VclosNetDevice* device) const override;
    std::size_t GetNDevices() const override;
    /// \param i a port \return the device at that port (null if none)
    Ptr<NetDevice> GetDevice(std::size_t i) const override;

    /// \return number of ports
    uint32_t GetNPorts() const;
    /**
     * Set the number of ports (the Ports attribute); only before a device attaches.
     * \param nPorts ports
     */
    void SetNPorts(uint32_t nPorts);
    /**
     * Set the circuits at once (no dark time, no reconfiguration counted).
     * \param circuits the new map
     * \return false (nothing changed) if the map is invalid (vclos::CircuitMap::Check())
     */
    bool SetCircuits(const std::vector<Circuit>& circuits);
    /**
     * Change to a new circuit map: the changed circuits are dark for ReconfigurationDelay.
     * A map equal to the current one changes nothing (no trace).
     * \param circuits the new map
     * \return false (nothing changed) if the map is invalid (vclos::CircuitMap::Check())
     */
    bool Reconfigure(const std::vector<Circuit>& circuits);
    /// \return the circuit map (lit or being lit)
    const vclos::CircuitMap& GetCircuits() const;
    /// \param port a port \return true if it is in a lit circuit now
    bool IsLit(uint32_t port) const;
    /// \return the reconfiguration delay
    Time GetReconfigurationDelay() const;

    // Counters since the start of the simulation.
    uint64_t GetReconfigurations() const; //!< \return Reconfigure() calls that changed a circuit
    uint64_t GetCircuitsChanged() const;  //!< \return circuits added plus removed by them
    Time GetDarkTime() const;             //!< \return summed dark time of added circuits
    uint64_t GetLostPackets() const;      //!< \return packets lost (LightLost)
    uint64_t GetLostBytes() const;        //!< \return their bytes
    /// \param port a port \return packets lost that were sent into it
    uint64_t GetLostPackets(uint32_t port) const;

  private:
    class CrossingEvent;

    void DoDispose() override;
    /// Apply \p map; \p delay until new circuits are lit (0: at once).
    void Apply(const vclos::CircuitMap& map, Time delay);
    /// The last bit of a packet crossed the switch from \p port (circuit epoch \p epoch).
    void Cross(VclosFrame* f, uint32_t port, uint64_t epoch);
    /// A new circuit of \p port is lit (if its epoch is still \p epoch).
    void Light(uint32_t port, uint64_t epoch);
    void ReconfigurationEnd(uint32_t changed);
    /// Count \p f lost at \p port, fire LightLost and release the frame.
    void Lose(VclosFrame* f, uint32_t port);

    uint32_t m_nPorts;                       //!< Ports attribute
    Time m_reconfigurationDelay;             //!< ReconfigurationDelay attribute
    std::vector<Ptr<VclosNetDevice>> m_port; //!< per port: the device (or null)
    std::vector<Time> m_fibre;               //!< per port: fibre delay
    std::vector<Time> m_litAt;               //!< per port: when its circuit is (was) lit
    std::vector<uint64_t> m_epoch;           //!< per port: bumped at every circuit change
    std::vector<uint64_t> m_lostPort;        //!< per port: packets lost
    vclos::CircuitMap m_map;                 //!< the circuits (lit or being lit)
    uint32_t m_attached{0};                  //!< devices attached
    uint32_t m_pendingPort;                  //!< Connect(): port of the device attaching
    Time m_pendingFibre;                     //!< Connect(): its fibre delay
    uint64_t m_reconfigurations{0};
    uint64_t m_circuitsChanged{0};
    Time m_darkTime{0};
    uint64_t m_lostPackets{0};
    uint64_t m_lostBytes{0};

    TracedCallback<uint32_t> m_reconfigurationStartTrace;         //!< changed circuits
    TracedCallback<uint32_t> m_reconfigurationEndTrace;           //!< changed circuits
    TracedCallback<Ptr<const Packet>, uint32_t> m_lightLostTrace; //!< packet, port
};

} // namespace ns3

#endif // VCLOS_OCS_CHANNEL_H
