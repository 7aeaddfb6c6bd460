/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_OCS_FABRIC_H
#define VCLOS_OCS_FABRIC_H

// Pure code: a leaf-OCS-spine fabric and the switch routes its circuits give. No ns-3.

#include "ns3/circuit-map.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ns3
{
namespace vclos
{

/// Shape of a leaf-OCS-spine fabric (OCS-vClos).
struct OcsFabricShape
{
    uint32_t leaves{4};           //!< leaf switches
    uint32_t gpusPerLeaf{4};      //!< GPUs below each leaf (leaf ports 0..gpusPerLeaf-1)
    uint32_t uplinksPerLeaf{4};   //!< leaf uplinks = number of OCSes (uplink i -> OCS i)
    uint32_t spines{2};           //!< spine switches
    uint32_t spinePortsPerOcs{2}; //!< ports of every spine on every OCS (2 in the paper's code)
};

/**
 * \ingroup vclos
 * A leaf-OCS-spine fabric: as many optical circuit switches as a leaf has uplinks, leaf
 * uplink i on OCS i, every spine with spinePortsPerOcs ports on every OCS; and the circuit
 * map of every OCS (leaf-spine and leaf-leaf circuits; spine-spine circuits are rejected).
 *
 * Port numbering. OCS i: port l is leaf l's uplink i; port leaves + s * k + j is spine s's
 * j-th port on it (k = spinePortsPerOcs). Leaf switch: ports 0..gpusPerLeaf-1 down, port
 * gpusPerLeaf + i its uplink i. Spine switch: port i * k + j its j-th port on OCS i.
 *
 * The switch routes follow the circuits currently set (LeafGroup(), SpineGroup()): a leaf
 * reaches another leaf over every uplink whose circuit ends at that leaf or at a spine with
 * a circuit to it; a spine reaches a leaf over every port with a circuit to it.
 */
class OcsFabric
{
  public:
    /// No port / no node.
    static constexpr uint32_t NONE = CircuitMap::NONE;

    /**
     * \param shape the shape
     * \throws std::invalid_argument naming the field and its range if a size is 0
     */
    explicit OcsFabric(const OcsFabricShape& shape);
    /**
     * \param shape a shape
     * \return "" if valid, else which field is out of range (and the range)
     */
    static std::string Check(const OcsFabricShape& shape);
    /// \return the authors' 8,192-GPU OCS setup: 256 leaves x 32 GPUs, 32 uplinks, 128
    ///         spines of 64 ports (2 on each of the 32 OCSes)
    static OcsFabricShape PaperShape();

    /// \return the shape
    const OcsFabricShape& GetShape() const;
    /// \return number of OCSes (= uplinks per leaf)
    uint32_t GetNOcs() const;
    /// \return ports of every OCS: leaves + spines * spinePortsPerOcs
    uint32_t GetNOcsPorts() const;
    /// \param leaf a leaf \return its port on every OCS
    uint32_t GetLeafOcsPort(uint32_t leaf) const;
    /// \param spine a spine \param j its j-th port on an OCS \return that OCS port
    uint32_t GetSpineOcsPort(uint32_t spine, uint32_t j) const;
    /// \param port an OCS port \return true if a leaf's
    bool IsLeafOcsPort(uint32_t port) const;
    /// \param port an OCS port \return the leaf or spine index behind it
    uint32_t GetOcsPortOwner(uint32_t port) const;
    /// \param ocs an OCS \param spine a spine \return its ports on that OCS in no circuit
    uint32_t GetFreeSpinePorts(uint32_t ocs, uint32_t spine) const;

    /// \param ocs an OCS \return its circuits
    const CircuitMap& GetCircuits(uint32_t ocs) const;
    /**
     * Replace the circuits of an OCS.
     * \param ocs the OCS
     * \param map the new map (GetNOcsPorts() ports)
     * \throws std::invalid_argument for a bad OCS, a map of another size or a spine-spine
     *         circuit (the fabric is unchanged)
     */
    void SetCircuits(uint32_t ocs, const CircuitMap& map);
    /**
     * Add one circuit.
     * \param ocs the OCS \param a a port \param b another port
     * \throws std::invalid_argument as CircuitMap::Connect(), or a spine-spine circuit
     */
    void Connect(uint32_t ocs, uint32_t a, uint32_t b);
    /// Remove the circuit of a port. \param ocs the OCS \param port the port
    void Disconnect(uint32_t ocs, uint32_t port);

    /**
     * The leaf's equal-cost group toward \p dstLeaf under the current circuits.
     * \param leaf a leaf \param dstLeaf another leaf
     * \return leaf switch ports (gpusPerLeaf + i), ascending; empty if unreachable
     */
    std::vector<uint32_t> LeafGroup(uint32_t leaf, uint32_t dstLeaf) const;
    /**
     * The spine's equal-cost group toward \p dstLeaf under the current circuits.
     * \param spine a spine \param dstLeaf a leaf
     * \return spine switch ports (i * k + j), ascending; empty if none
     */
    std::vector<uint32_t> SpineGroup(uint32_t spine, uint32_t dstLeaf) const;

  private:
    OcsFabricShape m_shape;
    std::vector<CircuitMap> m_ocs; //!< per OCS: its circuits
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_OCS_FABRIC_H
