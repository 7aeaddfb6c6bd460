/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// vclos-ring-bench: workload W on the vclos data plane (compare with stock-ns3-ring.cc).
//
// 2-tier leaf-spine, 100 Gbps / 1 us links, ECMP; GPU i sends S bytes to GPU (i+1) mod N,
// all at t = 0, over one RoCEv2 queue pair each (ACK per packet, go-back-N).
//   case a:  32 GPUs =  4 leaves x  8 GPUs,  4 spines, S = 64 MiB
//   case b: 256 GPUs = 16 leaves x 16 GPUs, 16 spines, S =  8 MiB
// --mtu is the RoCE payload per packet (1448 or 4096 to match the stock build's UDP payload).
//
// Output: one line of key=value pairs, as stock-ns3-ring prints:
//  wall_s        std::chrono around topology build + Simulator::Run
//  data_packets_delivered   data packets accepted by the receiving NICs
//  packet_hops   packets serialised onto links (data + ACKs)
//  data_hops     data packets serialised onto links

#include "ns3/core-module.h"
#include "ns3/dcqcn.h"
#include "ns3/vclos-module.h"

#include <chrono>
#include <iostream>

using namespace ns3;

int
main(int argc, char* argv[])
{
    std::string benchCase = "a";
    uint32_t mtu = 4096;
    std::string scheduler = "ns3::TimeWheelScheduler";
    uint32_t ackInterval = 1;
    uint64_t bytesOverride = 0;
    bool lossless = false;
    CommandLine cmd(__FILE__);
    cmd.AddValue("case", "a (32 GPUs, 64 MiB) or b (256 GPUs, 8 MiB)", benchCase);
    cmd.AddValue("mtu", "RoCE payload bytes per packet", mtu);
    cmd.AddValue("scheduler", "ns-3 event scheduler TypeId", scheduler);
    cmd.AddValue("ackInterval", "receiver ACKs every this many packets", ackInterval);
    cmd.AddValue("bytes",
                 "bytes per GPU instead of the case's S (for profiling runs)",
                 bytesOverride);
    cmd.AddValue("lossless",
                 "12 MiB shared switch buffers with PFC, ECN marking and DCQCN at the NICs",
                 lossless);
    cmd.Parse(argc, argv);
    if (benchCase != "a" && benchCase != "b")
    {
        std::cerr << "error: --case must be a or b\n";
        return 2;
    }
    Time::SetResolution(Time::PS);
    ObjectFactory sched;
    sched.SetTypeId(scheduler);
    Simulator::SetScheduler(sched);

    const auto t0 = std::chrono::steady_clock::now();
    LeafSpineConfig c;
    c.leaves = benchCase == "a" ? 4 : 16;
    c.gpusPerLeaf = benchCase == "a" ? 8 : 16;
    c.spines = c.leaves;
    c.queueBytes = 16 << 20;
    const uint64_t bytes =
        bytesOverride != 0 ? bytesOverride : (benchCase == "a" ? 64ULL : 8ULL) << 20;
    LeafSpineHelper topo(c);
    topo.SetNicAttribute("Mtu", UintegerValue(mtu));
    topo.SetNicAttribute("AckInterval", UintegerValue(ackInterval));
    if (lossless)
    {
        topo.SetSwitchAttribute("BufferBytes", UintegerValue(12 << 20));
        topo.SetSwitchAttribute("PfcEnabled", BooleanValue(true));
        topo.SetSwitchAttribute("EcnEnabled", BooleanValue(true));
        topo.SetNicAttribute("CongestionControl", TypeIdValue(DcqcnCongestionControl::GetTypeId()));
    }
    topo.Build();
    const uint32_t n = topo.GetNGpus();
    uint32_t done = 0;
    auto onRx = [&done](uint32_t, uint64_t) { ++done; };
    for (uint32_t i = 0; i < n; ++i)
    {
        Ptr<RdmaNic> nic = topo.GetNic(i);
        uint32_t qp = nic->CreateQp(topo.GetNic((i + 1) % n),
                                    MakeNullCallback<void, uint32_t, uint64_t>(),
                                    Callback<void, uint32_t, uint64_t>(onRx));
        nic->PostSend(qp, bytes, i);
    }
    const auto t1 = std::chrono::steady_clock::now();
    Simulator::Run();
    const auto t2 = std::chrono::steady_clock::now();

    uint64_t delivered = 0;
    uint64_t dataPackets = 0;
    uint64_t retransmitted = 0;
    for (uint32_t i = 0; i < n; ++i)
    {
        delivered += topo.GetNic(i)->GetDeliveredBytes();
        dataPackets += topo.GetNic(i)->GetDataPacketsReceived();
        retransmitted += topo.GetNic(i)->GetRetransmittedPackets();
    }
    uint64_t hops = 0;
    uint64_t drops = 0;
    for (const auto& link : topo.GetLinks())
    {
        hops += link.device->GetTxPackets();
        drops += link.device->GetDropPackets();
    }
    const double wall = std::chrono::duration<double>(t2 - t0).count();
    std::cout << (lossless ? "vclos-lossless" : "vclos") << " case=" << benchCase << " mtu=" << mtu
              << " gpus=" << n << " bytes_per_gpu=" << bytes
              << " sim_time_s=" << Simulator::Now().GetSeconds() << " wall_s=" << wall
              << " build_s=" << std::chrono::duration<double>(t1 - t0).count()
              << " run_s=" << std::chrono::duration<double>(t2 - t1).count()
              << " delivered_bytes=" << delivered << " data_packets_delivered=" << dataPackets
              << " packet_hops=" << hops << " hops_per_s=" << hops / wall
              << " us_per_data_packet=" << wall * 1e6 / dataPackets << " drops=" << drops
              << " retransmitted=" << retransmitted << " events=" << Simulator::GetEventCount()
              << " messages_done=" << done << "/" << n << std::endl;
    Simulator::Destroy();
    return done == n ? 0 : 1;
}
