/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Ring all-reduce on an idle leaf-spine fabric.
//
// Teaches: building a cluster with LeafSpineHelper, making a collective schedule (pure
// code), running it over the GPUs' NICs with CollectiveExecutor, and hooking a trace
// source. Compare the measured time with the textbook 2(N-1)/N * S/B.
//
//   ring-allreduce-example --ranks=16 --bytes=67108864 --chunks=4 --pcap=true

#include "ns3/core-module.h"
#include "ns3/vclos-module.h"

#include <iostream>

using namespace ns3;

NS_LOG_COMPONENT_DEFINE("RingAllReduceExample");

namespace
{
uint32_t g_transfersDone = 0;

void
TransferDone(uint32_t /* index */)
{
    ++g_transfersDone;
}
} // namespace

int
main(int argc, char* argv[])
{
    uint32_t ranks = 8;
    uint64_t bytes = 16 << 20;
    uint32_t chunks = 1;
    bool pcap = false;
    CommandLine cmd(__FILE__);
    cmd.AddValue("ranks", "GPUs in the ring (at most 32: 4 leaves x 8 GPUs)", ranks);
    cmd.AddValue("bytes", "all-reduce size S in bytes", bytes);
    cmd.AddValue("chunks", "pipeline sub-chunks per block", chunks);
    cmd.AddValue("pcap", "write vclos-ring-gpu0.pcap (GPU 0's NIC)", pcap);
    cmd.Parse(argc, argv);
    if (ranks < 2 || ranks > 32 || bytes == 0 || chunks == 0)
    {
        std::cerr << "error: need 2 <= ranks <= 32, bytes > 0, chunks > 0\n";
        return 2;
    }
    Time::SetResolution(Time::PS);

    LeafSpineConfig config;
    config.leaves = 4;
    config.spines = 8;
    config.gpusPerLeaf = 8; // non-blocking: 8 GPUs down, 8 spines up
    LeafSpineHelper topo(config);
    topo.Build();
    if (pcap)
    {
        topo.EnablePcap("vclos-ring-gpu0.pcap", 0);
    }

    std::vector<Ptr<RdmaNic>> nics;
    for (uint32_t r = 0; r < ranks; ++r)
    {
        nics.push_back(topo.GetNic(r));
    }
    Ptr<CollectiveExecutor> ring = CreateObject<CollectiveExecutor>();
    ring->Setup(vclos::MakeRingAllReduce(ranks, bytes, chunks), nics);
    ring->TraceConnectWithoutContext("TransferDone", MakeCallback(&TransferDone));
    ring->Run(MakeNullCallback<void>());
    Simulator::Run();

    const double t = (ring->GetFinishTime() - ring->GetStartTime()).GetSeconds();
    const double bound = 2.0 * (ranks - 1) / ranks * bytes * 8 / 100e9;
    std::cout << "ring all-reduce: " << ranks << " ranks, " << bytes << " bytes, " << chunks
              << " chunk(s): " << t * 1e6 << " us (" << g_transfersDone << " transfers)\n"
              << "bandwidth term 2(N-1)/N*S/B = " << bound * 1e6 << " us; the rest is "
              << "headers, ACKs and per-step latency (doc/validation.rst)\n";
    Simulator::Destroy();
    return 0;
}
