/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// vclos-ring-bench: workload W on the vclos data plane (compare with stock-ns3-ring.cc).
//
// 2-tier leaf-spine, 100 Gbps / 1 us links, ECMP; GPU i sends S bytes to GPU (i+1) mod N,
// all at t = 0, over one RoCEv2 queue pair each (ACK per packet, go-back-N).
// Presets (--case; every preset moves 2 GiB in total):
//   a  = W32:     32 GPUs =  4 leaves x  8 GPUs,  4 spines, S =  64 MiB
//   b  = W256:   256 GPUs = 16 leaves x 16 GPUs, 16 spines, S =   8 MiB
//   W1024:      1024 GPUs = 32 leaves x 32 GPUs, 32 spines, S =   2 MiB
//   W4096:      4096 GPUs = 64 leaves x 64 GPUs, 64 spines, S = 512 KiB
// --leaves, --gpusPerLeaf, --spines and --bytes override the preset's values.
// --mtu is the RoCE payload per packet (1448 or 4096 to match the stock build's UDP payload).
//
// Output: one line of key=value pairs, as stock-ns3-ring prints:
//  sim_time_s    simulated time of the last message completion (the last receiver that got
//                its whole message); last_event_s is the last event executed, which can be a
//                retransmit timer's no-op long after every flow finished
//  wall_s        std::chrono around topology build + Simulator::Run
//  data_packets_sent        data packets the NICs sent (retransmissions included)
//  data_packets_delivered   data packets accepted by the receiving NICs
//  packet_hops   packets serialised onto links (data + ACKs)
//  events        ns-3 events executed
//  peak_rss_kib  the process's peak resident set (getrusage)
//  us_per_data_packet       wall_s in microseconds per delivered data packet

#include "ns3/core-module.h"
#include "ns3/dcqcn.h"
#include "ns3/vclos-module.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <limits>
#include <sys/resource.h>

using namespace ns3;

namespace
{

/// One workload W size: a leaf-spine and the bytes every GPU sends.
struct Preset
{
    const char* name;     //!< --case value
    uint32_t leaves;      //!< leaf switches
    uint32_t gpusPerLeaf; //!< GPUs below each leaf
    uint32_t spines;      //!< spine switches
    uint64_t bytes;       //!< bytes per GPU
};

constexpr uint64_t kMiB = 1ULL << 20;
constexpr Preset kPresets[] = {
    {"a", 4, 8, 4, 64 * kMiB},
    {"W32", 4, 8, 4, 64 * kMiB},
    {"b", 16, 16, 16, 8 * kMiB},
    {"W256", 16, 16, 16, 8 * kMiB},
    {"W1024", 32, 32, 32, 2 * kMiB},
    {"W4096", 64, 64, 64, kMiB / 2},
};

constexpr uint32_t kMaxSwitches = 1024;    //!< --leaves, --spines at most
constexpr uint32_t kMaxGpusPerLeaf = 1024; //!< --gpusPerLeaf at most
constexpr uint64_t kMaxGpus = 65536;       //!< leaves x gpusPerLeaf at most
constexpr uint64_t kMaxBytes = 1ULL << 40; //!< --bytes at most
constexpr uint32_t kMinMtu = 64;           //!< --mtu at least
constexpr uint32_t kMaxMtu = 65000;        //!< --mtu at most (RdmaNic Mtu attribute)

/// Print an error naming \p option and its allowed range when \p value is outside it.
bool
InRange(const char* option, uint64_t value, uint64_t lo, uint64_t hi)
{
    if (value >= lo && value <= hi)
    {
        return true;
    }
    std::cerr << "error: --" << option << "=" << value << " is out of range: allowed " << lo
              << " to " << hi << "\n";
    return false;
}

} // namespace

int
main(int argc, char* argv[])
{
    std::string benchCase = "a";
    uint32_t mtu = 4096;
    std::string scheduler = "ns3::TimeWheelScheduler";
    uint32_t ackInterval = 1;
    // "not given" is a value no option accepts, so --leaves=0 is an error, not the preset's
    constexpr uint32_t kUnset32 = std::numeric_limits<uint32_t>::max();
    constexpr uint64_t kUnset64 = std::numeric_limits<uint64_t>::max();
    uint64_t bytesOverride = kUnset64;
    uint32_t leaves = kUnset32;
    uint32_t gpusPerLeaf = kUnset32;
    uint32_t spines = kUnset32;
    bool lossless = false;
    CommandLine cmd(__FILE__);
    cmd.AddValue("case",
                 "preset: a or W32 (4x8 GPUs, 4 spines, 64 MiB), b or W256 (16x16, 16, 8 MiB), "
                 "W1024 (32x32, 32, 2 MiB), W4096 (64x64, 64, 512 KiB)",
                 benchCase);
    cmd.AddValue("mtu", "RoCE payload bytes per packet (64 to 65000)", mtu);
    cmd.AddValue("leaves", "leaf switches (1 to 1024; default: the preset's)", leaves);
    cmd.AddValue("gpusPerLeaf", "GPUs per leaf (1 to 1024; default: the preset's)", gpusPerLeaf);
    cmd.AddValue("spines", "spine switches (1 to 1024; default: the preset's)", spines);
    cmd.AddValue("scheduler", "ns-3 event scheduler TypeId", scheduler);
    cmd.AddValue("ackInterval", "receiver ACKs every this many packets (1 to 65536)", ackInterval);
    cmd.AddValue("bytes", "bytes per GPU (1 to 2^40; default: the preset's)", bytesOverride);
    cmd.AddValue("lossless",
                 "12 MiB shared switch buffers with PFC, ECN marking and DCQCN at the NICs",
                 lossless);
    cmd.Parse(argc, argv);
    const Preset* preset = nullptr;
    for (const auto& p : kPresets)
    {
        if (benchCase == p.name)
        {
            preset = &p;
        }
    }
    if (preset == nullptr)
    {
        std::cerr << "error: --case=" << benchCase
                  << " is not a preset: allowed a, b, W32, W256, W1024, W4096\n";
        return 2;
    }
    leaves = leaves != kUnset32 ? leaves : preset->leaves;
    gpusPerLeaf = gpusPerLeaf != kUnset32 ? gpusPerLeaf : preset->gpusPerLeaf;
    spines = spines != kUnset32 ? spines : preset->spines;
    const uint64_t bytes = bytesOverride != kUnset64 ? bytesOverride : preset->bytes;
    if (!InRange("leaves", leaves, 1, kMaxSwitches) ||
        !InRange("gpusPerLeaf", gpusPerLeaf, 1, kMaxGpusPerLeaf) ||
        !InRange("spines", spines, 1, kMaxSwitches) || !InRange("bytes", bytes, 1, kMaxBytes) ||
        !InRange("mtu", mtu, kMinMtu, kMaxMtu) || !InRange("ackInterval", ackInterval, 1, 65536) ||
        !InRange("leaves x gpusPerLeaf", static_cast<uint64_t>(leaves) * gpusPerLeaf, 2, kMaxGpus))
    {
        return 2;
    }
    Time::SetResolution(Time::PS);
    ObjectFactory sched;
    sched.SetTypeId(scheduler);
    Simulator::SetScheduler(sched);

    const auto t0 = std::chrono::steady_clock::now();
    LeafSpineConfig c;
    c.leaves = leaves;
    c.gpusPerLeaf = gpusPerLeaf;
    c.spines = spines;
    c.queueBytes = 16 << 20;
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
    Time lastCompletion;
    auto onRx = [&done, &lastCompletion](uint32_t, uint64_t) {
        ++done;
        lastCompletion = Simulator::Now();
    };
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
    uint64_t dataSent = 0;
    for (uint32_t i = 0; i < n; ++i)
    {
        delivered += topo.GetNic(i)->GetDeliveredBytes();
        dataPackets += topo.GetNic(i)->GetDataPacketsReceived();
        retransmitted += topo.GetNic(i)->GetRetransmittedPackets();
        dataSent += topo.GetNic(i)->GetDataPacketsSent();
    }
    uint64_t hops = 0;
    uint64_t drops = 0;
    for (const auto& link : topo.GetLinks())
    {
        hops += link.device->GetTxPackets();
        drops += link.device->GetDropPackets();
    }
    const double wall = std::chrono::duration<double>(t2 - t0).count();
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    std::cout << (lossless ? "vclos-lossless" : "vclos") << " case=" << benchCase << " mtu=" << mtu
              << " leaves=" << leaves << " gpus_per_leaf=" << gpusPerLeaf << " spines=" << spines
              << " gpus=" << n << " bytes_per_gpu=" << bytes
              << " sim_time_s=" << lastCompletion.GetSeconds()
              << " last_event_s=" << Simulator::Now().GetSeconds() << " wall_s=" << wall
              << " build_s=" << std::chrono::duration<double>(t1 - t0).count()
              << " run_s=" << std::chrono::duration<double>(t2 - t1).count()
              << " delivered_bytes=" << delivered << " data_packets_sent=" << dataSent
              << " data_packets_delivered=" << dataPackets << " packet_hops=" << hops
              << " hops_per_s=" << hops / wall
              << " us_per_data_packet=" << wall * 1e6 / std::max<uint64_t>(dataPackets, 1)
              << " drops=" << drops << " retransmitted=" << retransmitted
              << " events=" << Simulator::GetEventCount() << " peak_rss_kib=" << usage.ru_maxrss
              << " messages_done=" << done << "/" << n << std::endl;
    Simulator::Destroy();
    return done == n ? 0 : 1;
}
