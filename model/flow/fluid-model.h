/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_FLUID_MODEL_H
#define VCLOS_FLUID_MODEL_H

// Pure code: no ns-3 in this file or its .cc.

#include "ns3/collective-schedule.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * Parameters of the fluid (analytical) model of a collective on an idle non-blocking fabric.
 */
struct FluidParams
{
    double netBps{100e9};        //!< NIC port rate, bits/s
    double intraBps{1000e9};     //!< intra-server port rate, bits/s
    uint32_t gpusPerServer{1};   //!< ranks r and r' share a server if server[r] == server[r']
    uint32_t mtu{4096};          //!< payload bytes per packet
    uint32_t packetOverhead{78}; //!< wire bytes per data packet besides payload (40 + 38)
    uint32_t messageOverhead{4}; //!< wire bytes per message (ImmDt on the last packet)
    uint32_t ackBytes{82};       //!< wire bytes of one ACK
    uint32_t ackInterval{1};     //!< data packets per ACK
    /// Path latency of the last packet of a message from rank \p src to \p dst: the
    /// store-and-forward and propagation terms, (h-1) t_p + h d for h links.
    std::function<double(uint32_t src, uint32_t dst, uint64_t bytes)> latency;
};

/**
 * \ingroup vclos
 * What the fluid model predicts for a schedule.
 */
struct FluidResult
{
    double finish{0};          //!< time the last transfer arrives, seconds
    std::vector<double> start; //!< per transfer: time it starts (dependencies met)
    std::vector<double> done;  //!< per transfer: time its last byte arrives
};

/**
 * Analytical completion time of a collective schedule on an idle non-blocking fabric.
 *
 * Fluid model: every rank has a network port and (with several GPUs per server) an
 * intra-server port, each with an egress and an ingress capacity. A transfer, once its
 * dependencies have arrived, is a fluid flow between its ranks' ports (intra-server if the
 * ranks share a server) carrying its wire bytes (payload + per-packet overhead); its ACKs
 * load the reverse direction. Ports are shared as the NIC does without congestion control:
 * each sender port splits its line rate, after its ACKs, equally among its active flows; a
 * receiver port that gets more than its capacity queues the excess in a FIFO (the switch
 * buffer) and drains it at line rate. Transfers between the same ordered pair of ranks go
 * one after another, as messages of one queue pair do. A transfer arrives when its last
 * byte leaves the receiver's FIFO, plus FluidParams::latency. For the symmetric algorithms this
 * reduces to the closed forms of doc/collectives.rst and doc/validation.rst.
 *
 * \param schedule the collective
 * \param server server of each rank
 * \param params rates, packet sizes, latency
 * \return per-transfer times and the finish time
 */
FluidResult EvaluateFluid(const CollectiveSchedule& schedule,
                          const std::vector<uint32_t>& server,
                          const FluidParams& params);

} // namespace vclos
} // namespace ns3

#endif // VCLOS_FLUID_MODEL_H
