/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_PLACEMENT_H
#define VCLOS_PLACEMENT_H

// Pure code: what a placement policy returns. No ns-3 dependency.

#include <cstdint>
#include <string>
#include <vector>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * Cost of one placement attempt (successful or not).
 */
struct SearchStats
{
    double seconds{0.0}; //!< wall time of the attempt (observed; never used for decisions
                         //!< unless a time cap is set)
    uint64_t nodes{0};   //!< search nodes explored by the exact m x n search
    bool capHit{false};  //!< the node or time cap stopped a search (result may be suboptimal
                         //!< or missing)
};

/**
 * \ingroup vclos
 * One source route to install: on switch \p node, member \p member of the equal-cost group
 * for data packets from \p gpu and control packets to \p gpu (ForwardingTable::SetSourceRoute).
 */
struct SourceRoute
{
    uint32_t node;   //!< switch node id
    uint32_t gpu;    //!< GPU id
    uint32_t member; //!< member index of the group
};

/**
 * \ingroup vclos
 * One optical circuit a job needs (ocs-vclos): ports \p a and \p b of OCS \p ocs
 * (OcsFabric port numbering).
 */
struct OcsCircuit
{
    uint32_t ocs; //!< OCS index (= leaf uplink index)
    uint32_t a;   //!< a port (the leaf's)
    uint32_t b;   //!< the other port (a spine's or another leaf's)

    /// \param o another circuit \return true if equal
    bool operator==(const OcsCircuit& o) const
    {
        return ocs == o.ocs && a == o.a && b == o.b;
    }
};

/**
 * \ingroup vclos
 * Where a job runs and how its traffic is routed.
 */
struct Placement
{
    std::string policy;               //!< name of the policy that made it
    std::string branch;               //!< "whole-leaves", "one-leaf", "mini-clos", "random"
    std::vector<uint32_t> gpus;       //!< GPU ids in rank order
    std::vector<uint32_t> leaves;     //!< leaf indices used, ascending
    std::vector<uint32_t> spines;     //!< spine indices used (or usable by ECMP), ascending
    std::vector<uint32_t> planes;     //!< vclos: the job's uplink planes (k * spines + spine)
    std::vector<uint32_t> links;      //!< reserved fabric link ids (both directions), ascending
    std::vector<SourceRoute> routes;  //!< source routes to install (empty: ECMP)
    uint32_t gpusPerLeaf{0};          //!< mini-Clos: s (GPUs of the power-of-two part per leaf)
    SearchStats stats;                //!< cost of the attempt that produced it
    std::vector<OcsCircuit> circuits; //!< ocs-vclos: circuits set for the job (freed at its end)
    std::vector<uint32_t> uplinks;    //!< ocs-vclos: per rank, the OCS (leaf uplink) its
                                      //!< cross-leaf traffic leaves by; NONE within one leaf
    double readySeconds{0.0};         //!< the job may start this long after its placement
                                      //!< (its new circuits are lit); 0 without new circuits
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_PLACEMENT_H
