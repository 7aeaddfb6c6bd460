/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_CIRCUIT_MAP_H
#define VCLOS_CIRCUIT_MAP_H

// Pure code: the circuits of one optical circuit switch. No ns-3 dependency.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * The circuits of an optical circuit switch (OCS) with a fixed number of ports: a circuit
 * joins two distinct ports (both directions of light), and each port is in at most one
 * circuit. Every way of changing the map keeps it valid: an invalid request is rejected
 * with std::invalid_argument and leaves the map unchanged.
 */
class CircuitMap
{
  public:
    /// No port (GetPeer() of a port in no circuit).
    static constexpr uint32_t NONE = 0xFFFFFFFF;
    /// A circuit: two ports (listed with first < second by GetCircuits()).
    using Circuit = std::pair<uint32_t, uint32_t>;

    /// \param nPorts ports of the switch
    explicit CircuitMap(uint32_t nPorts = 0);

    /**
     * Check a list of circuits.
     * \param circuits the circuits
     * \param nPorts ports of the switch
     * \return "" if valid, else why not (port out of range, a port joined to itself, a
     *         port in two circuits)
     */
    static std::string Check(const std::vector<Circuit>& circuits, uint32_t nPorts);
    /**
     * \param circuits the circuits
     * \param nPorts ports of the switch
     * \return the map of these circuits
     * \throws std::invalid_argument if Check() fails
     */
    static CircuitMap FromCircuits(const std::vector<Circuit>& circuits, uint32_t nPorts);

    /// \return ports of the switch
    uint32_t GetNPorts() const;
    /// \param port a port \return the port it is joined to, or NONE (out of range: NONE)
    uint32_t GetPeer(uint32_t port) const;
    /// \param port a port \return true if it is in no circuit
    bool IsFree(uint32_t port) const;
    /**
     * Join two free ports.
     * \param a a port
     * \param b another port
     * \throws std::invalid_argument if a port is out of range, busy, or a == b
     */
    void Connect(uint32_t a, uint32_t b);
    /**
     * Remove the circuit of a port (no-op if it has none).
     * \param port the port
     */
    void Disconnect(uint32_t port);
    /// \return the circuits, first < second, sorted
    std::vector<Circuit> GetCircuits() const;
    /// \return number of circuits
    std::size_t GetNCircuits() const;
    /**
     * The circuits that differ between two maps of the same switch.
     * \param from the old map
     * \param to the new map
     * \return circuits of \p to that \p from lacks (added), then circuits of \p from that
     *         \p to lacks (removed), each first < second
     */
    static std::vector<Circuit> Changed(const CircuitMap& from, const CircuitMap& to);

    /// \param other a map \return true if both have the same ports and circuits
    bool operator==(const CircuitMap& other) const;

  private:
    std::vector<uint32_t> m_peer; //!< per port: its peer, or NONE
    std::size_t m_nCircuits{0};
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_CIRCUIT_MAP_H
