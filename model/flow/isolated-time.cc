/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "isolated-time.h"

#include "ns3/fluid-model.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ns3
{
namespace vclos
{

namespace
{
/// Wire bytes of a data packet besides its payload: IPv4 + UDP + BTH 40, framing 38.
constexpr uint32_t kPacketOverheadBytes = 40 + 38;
/// Extra wire bytes of a message's last packet (ImmDt).
constexpr uint32_t kLastPacketExtraBytes = 4;

/// \return seconds to serialise \p bytes at \p bps
double
TxSeconds(double bytes, double bps)
{
    return bytes * 8.0 / bps;
}
} // namespace

double
IsolatedJobSeconds(const JobSpec& job,
                   const std::vector<uint32_t>& gpus,
                   const TopologySpec& topo,
                   const NetworkSpec& net)
{
    if (job.buckets != 1 || job.allToAllBytes != 0 || gpus.empty())
    {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const auto ranks = static_cast<uint32_t>(gpus.size());
    double collective = 0;
    if (ranks > 1)
    {
        const CollectiveSchedule schedule = MakeCollective(job.collective,
                                                           ranks,
                                                           job.bytes,
                                                           topo.gpusPerServer,
                                                           job.pipelineChunks);
        std::vector<uint32_t> server(ranks);
        for (uint32_t r = 0; r < ranks; ++r)
        {
            server[r] = topo.ServerOf(gpus[r]);
        }
        FluidParams p;
        p.netBps = topo.hostLink.rateBps;
        p.intraBps = topo.intraServer.rateBps;
        p.gpusPerServer = topo.gpusPerServer;
        p.mtu = net.mtuBytes;
        p.ackInterval = net.ackInterval;
        const uint32_t mtu = net.mtuBytes;
        p.latency = [&gpus, &topo, mtu](uint32_t src, uint32_t dst, uint64_t bytes) {
            const uint32_t a = gpus[src];
            const uint32_t b = gpus[dst];
            const bool last = bytes <= mtu;
            const double packet = static_cast<double>(std::min<uint64_t>(bytes, mtu)) +
                                  kPacketOverheadBytes + (last ? kLastPacketExtraBytes : 0);
            if (topo.gpusPerServer > 1 && topo.ServerOf(a) == topo.ServerOf(b))
            {
                // GPU -> server switch -> GPU
                return TxSeconds(packet, topo.intraServer.rateBps) + 2 * topo.intraServer.delayS;
            }
            const LinkSpec& host = topo.hostLink;
            if (topo.LeafOf(a) == topo.LeafOf(b))
            {
                // GPU -> leaf -> GPU
                return TxSeconds(packet, host.rateBps) + 2 * host.delayS;
            }
            // GPU -> leaf -> spine -> leaf -> GPU: the first hop is the fluid transfer
            const LinkSpec& fabric = topo.fabricLink;
            return 2 * TxSeconds(packet, fabric.rateBps) + TxSeconds(packet, host.rateBps) +
                   2 * host.delayS + 2 * fabric.delayS;
        };
        collective = EvaluateFluid(schedule, server, p).finish;
    }
    return job.iterations * (job.computeS + collective);
}

} // namespace vclos
} // namespace ns3
