// stock-ns3-ring: the *stock ns-3* baseline of benchmark workload W.
//
// Workload W: 2-tier leaf-spine; every GPU is a host with one 100 Gbps / 1 us link to
// its leaf, every leaf has one 100 Gbps / 1 us link to every spine.  Ring pattern:
// GPU i sends S bytes to GPU (i+1) mod N, all flows start at t = 0.
//   case a:  32 GPUs =  4 leaves x  8 GPUs,  4 spines, S = 64 MiB
//   case b: 256 GPUs = 16 leaves x 16 GPUs, 16 spines, S =  8 MiB
//
// Built only from stock ns-3 3.37 parts: PointToPointHelper, InternetStackHelper,
// Ipv4AddressHelper, Ipv4GlobalRoutingHelper (RandomEcmpRouting = per-packet random
// spraying over equal-cost next hops), OnOffApplication / BulkSendApplication,
// PacketSink.
//
// Modelling choices (all stock):
//  * Every link: DataRate 100Gbps, Delay 1us, DropTail device queue MaxSize 10000p.
//  * The traffic-control layer's default root queue disc (FqCoDel, installed by
//    Ipv4AddressHelper::Assign) is removed so each port is one DropTail FIFO, as in
//    the fast data plane.  --tc=1 keeps the ns-3 default instead.
//  * Time resolution is set to ps, so 100 Gbps serialisation times are exact
//    (1478 B = 118.24 ns would otherwise be rounded to whole ns).
//  * udp: OnOffApplication, OnTime constant 1e9 s, OffTime 0, DataRate 100Gbps,
//    PacketSize = payload, MaxBytes = S -> exactly ceil(S/payload) datagrams of
//    `payload` bytes each (the last one is full-size too, so delivered_bytes can be
//    slightly above N*S).  The app rate counts payload bits only, so it offers slightly
//    more than the 100 Gbps wire rate; the excess waits in the sender's NIC queue.
//    Device MTU = payload + 28 (IPv4 20 + UDP 8).
//  * tcp: BulkSendApplication (MaxBytes = S, SendSize = payload), TcpSocket
//    SegmentSize = payload, default congestion control of ns-3 3.37.  TCP timestamps
//    are disabled so that a data segment is exactly payload + 40 bytes (IPv4 20 +
//    TCP 20) = device MTU; with timestamps (12 option bytes) every segment would be
//    IP-fragmented.  SndBufSize = RcvBufSize = 4 MiB: the RTT is ~10-15 us, so the
//    bandwidth-delay product at 100 Gbps is ~125-190 kB; 4 MiB is >20x that, so the
//    window never limits the rate, yet at most ~2900 (1448 B) segments can be in
//    flight, which fits in the 10000p queues (a 64 MiB window could overflow them).
//
// Stop rule: the simulator is stopped as soon as every sink has received S bytes
// (sim_time_s is that instant).  If packets are lost (udp), the run ends when the
// event list drains, or at --stop seconds of simulated time, whichever comes first.
//
// Output: one line of key=value pairs on stdout.
//  wall_s            std::chrono::steady_clock around topology build (nodes, links,
//                    stacks, addresses, global routing, applications) + Simulator::Run.
//                    build_s and run_s split it.
//  delivered_bytes   sum of bytes received by all PacketSinks.
//  data_packets_delivered
//                    udp: packets received by the PacketSinks.
//                    tcp: data segments (IP packet > 100 B, i.e. not pure ACKs) received
//                    by the destination hosts' NICs (a TCP sink reads a byte stream, so
//                    its read count is not a packet count); retransmissions included.
//  packet_hops       number of PhyTxEnd events over all point-to-point devices, i.e.
//                    packets serialised onto a link (data + TCP ACKs/SYN/FIN for tcp).
//  hops_per_s        packet_hops / wall_s.
//  drops             MacTxDrop (device queue overflow) + Ipv4L3Protocol Drop events
//                    (+ root queue-disc drops with --tc=1).
//  events            Simulator::GetEventCount() after the run.

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/traffic-control-module.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

using namespace ns3;

namespace
{

uint64_t g_hops = 0;
uint64_t g_drops = 0;
uint64_t g_dataPkts = 0;
uint64_t g_rxBytesTotal = 0;
uint64_t g_target = 0; // S
uint32_t g_flowsDone = 0;
uint32_t g_flows = 0;
Time g_lastRx;                   // time of the last sink reception
Time g_doneAt;                   // time the last flow completed
std::vector<uint64_t> g_rxBytes; // per sink

void
OnPhyTxEnd(Ptr<const Packet>)
{
    ++g_hops;
}

void
OnDrop(Ptr<const Packet>)
{
    ++g_drops;
}

void
OnIpDrop(const Ipv4Header&, Ptr<const Packet>, Ipv4L3Protocol::DropReason, Ptr<Ipv4>, uint32_t)
{
    ++g_drops;
}

void
OnQdiscDrop(Ptr<const QueueDiscItem>)
{
    ++g_drops;
}

// tcp only: count data segments arriving at a destination host's NIC.  MacRx sees the
// packet with its 2-byte PPP header; pure ACKs are <= 2 + 20 + 60 bytes.
void
OnHostMacRx(Ptr<const Packet> p)
{
    if (p->GetSize() > 100)
    {
        ++g_dataPkts;
    }
}

void
OnSinkRx(uint32_t sink, bool countPackets, Ptr<const Packet> p, const Address&)
{
    const uint64_t before = g_rxBytes[sink];
    g_rxBytes[sink] += p->GetSize();
    g_rxBytesTotal += p->GetSize();
    if (countPackets)
    {
        ++g_dataPkts;
    }
    g_lastRx = Simulator::Now();
    if (before < g_target && g_rxBytes[sink] >= g_target)
    {
        if (++g_flowsDone == g_flows)
        {
            g_doneAt = Simulator::Now();
            Simulator::Stop();
        }
    }
}

} // namespace

int
main(int argc, char* argv[])
{
    std::string caseName = "a";
    uint32_t mtu = 1448;
    std::string transport = "udp";
    bool keepTc = false;
    double stopS = 10.0;

    CommandLine cmd(__FILE__);
    cmd.AddValue("case", "a (32 GPUs, 64 MiB) or b (256 GPUs, 8 MiB)", caseName);
    cmd.AddValue("mtu", "payload bytes per packet/segment (1448 or 4096)", mtu);
    cmd.AddValue("transport", "udp or tcp", transport);
    cmd.AddValue("tc", "keep ns-3's default root queue disc (FqCoDel) on every device", keepTc);
    cmd.AddValue("stop", "safety stop time, simulated seconds", stopS);
    cmd.Parse(argc, argv);

    uint32_t leaves;
    uint32_t perLeaf;
    uint32_t spines;
    uint64_t bytes;
    if (caseName == "a")
    {
        leaves = 4;
        perLeaf = 8;
        spines = 4;
        bytes = 64ULL << 20;
    }
    else if (caseName == "b")
    {
        leaves = 16;
        perLeaf = 16;
        spines = 16;
        bytes = 8ULL << 20;
    }
    else
    {
        std::cerr << "--case must be a or b\n";
        return 1;
    }
    const bool tcp = (transport == "tcp");
    if (!tcp && transport != "udp")
    {
        std::cerr << "--transport must be udp or tcp\n";
        return 1;
    }
    if (mtu == 0 || mtu > 65000)
    {
        std::cerr << "bad --mtu\n";
        return 1;
    }
    const uint32_t gpus = leaves * perLeaf;
    g_target = bytes;
    g_flows = gpus;
    g_rxBytes.assign(gpus, 0);

    Time::SetResolution(Time::PS);
    Config::SetDefault("ns3::Ipv4GlobalRouting::RandomEcmpRouting", BooleanValue(true));
    if (tcp)
    {
        Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(mtu));
        Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(4u << 20));
        Config::SetDefault("ns3::TcpSocket::RcvBufSize", UintegerValue(4u << 20));
        Config::SetDefault("ns3::TcpSocketBase::Timestamp", BooleanValue(false));
    }

    const auto t0 = std::chrono::steady_clock::now();

    // ---- topology -----------------------------------------------------------------
    NodeContainer hosts;
    NodeContainer leafNodes;
    NodeContainer spineNodes;
    hosts.Create(gpus);
    leafNodes.Create(leaves);
    spineNodes.Create(spines);

    InternetStackHelper stack;
    stack.Install(hosts);
    stack.Install(leafNodes);
    stack.Install(spineNodes);

    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue("100Gbps"));
    p2p.SetDeviceAttribute("Mtu", UintegerValue(mtu + (tcp ? 40 : 28)));
    p2p.SetChannelAttribute("Delay", StringValue("1us"));
    p2p.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize", StringValue("10000p"));

    Ipv4AddressHelper addr("10.0.0.0", "255.255.255.252"); // one /30 per link
    NetDeviceContainer allDevs;
    std::vector<Ipv4Address> hostAddr(gpus);
    std::vector<Ptr<NetDevice>> hostDev(gpus);

    for (uint32_t h = 0; h < gpus; ++h)
    {
        NetDeviceContainer d = p2p.Install(hosts.Get(h), leafNodes.Get(h / perLeaf));
        Ipv4InterfaceContainer ifc = addr.Assign(d);
        addr.NewNetwork();
        hostAddr[h] = ifc.GetAddress(0);
        hostDev[h] = d.Get(0);
        allDevs.Add(d);
    }
    for (uint32_t l = 0; l < leaves; ++l)
    {
        for (uint32_t s = 0; s < spines; ++s)
        {
            NetDeviceContainer d = p2p.Install(leafNodes.Get(l), spineNodes.Get(s));
            addr.Assign(d);
            addr.NewNetwork();
            allDevs.Add(d);
        }
    }

    if (keepTc)
    {
        for (uint32_t i = 0; i < allDevs.GetN(); ++i)
        {
            Ptr<NetDevice> dev = allDevs.Get(i);
            Ptr<QueueDisc> qd =
                dev->GetNode()->GetObject<TrafficControlLayer>()->GetRootQueueDiscOnDevice(dev);
            if (qd)
            {
                qd->TraceConnectWithoutContext("Drop", MakeCallback(&OnQdiscDrop));
            }
        }
    }
    else
    {
        TrafficControlHelper().Uninstall(allDevs);
    }

    for (uint32_t i = 0; i < allDevs.GetN(); ++i)
    {
        Ptr<NetDevice> dev = allDevs.Get(i);
        dev->TraceConnectWithoutContext("PhyTxEnd", MakeCallback(&OnPhyTxEnd));
        dev->TraceConnectWithoutContext("MacTxDrop", MakeCallback(&OnDrop));
    }
    for (NodeList::Iterator it = NodeList::Begin(); it != NodeList::End(); ++it)
    {
        (*it)->GetObject<Ipv4L3Protocol>()->TraceConnectWithoutContext("Drop",
                                                                       MakeCallback(&OnIpDrop));
    }
    if (tcp)
    {
        for (uint32_t h = 0; h < gpus; ++h)
        {
            hostDev[h]->TraceConnectWithoutContext("MacRx", MakeCallback(&OnHostMacRx));
        }
    }

    Ipv4GlobalRoutingHelper::PopulateRoutingTables();

    // ---- applications -------------------------------------------------------------
    const uint16_t port = 9;
    const std::string sockFactory = tcp ? "ns3::TcpSocketFactory" : "ns3::UdpSocketFactory";
    PacketSinkHelper sinkHelper(sockFactory, InetSocketAddress(Ipv4Address::GetAny(), port));
    ApplicationContainer sinks = sinkHelper.Install(hosts);
    for (uint32_t h = 0; h < gpus; ++h)
    {
        sinks.Get(h)->TraceConnectWithoutContext("Rx", MakeBoundCallback(&OnSinkRx, h, !tcp));
    }
    sinks.Start(Seconds(0));

    ApplicationContainer senders;
    for (uint32_t h = 0; h < gpus; ++h)
    {
        const Address dst = InetSocketAddress(hostAddr[(h + 1) % gpus], port);
        if (tcp)
        {
            BulkSendHelper bulk(sockFactory, dst);
            bulk.SetAttribute("MaxBytes", UintegerValue(bytes));
            bulk.SetAttribute("SendSize", UintegerValue(mtu));
            senders.Add(bulk.Install(hosts.Get(h)));
        }
        else
        {
            OnOffHelper onoff(sockFactory, dst);
            onoff.SetAttribute("OnTime", StringValue("ns3::ConstantRandomVariable[Constant=1e9]"));
            onoff.SetAttribute("OffTime", StringValue("ns3::ConstantRandomVariable[Constant=0]"));
            onoff.SetAttribute("DataRate", DataRateValue(DataRate("100Gbps")));
            onoff.SetAttribute("PacketSize", UintegerValue(mtu));
            onoff.SetAttribute("MaxBytes", UintegerValue(bytes));
            senders.Add(onoff.Install(hosts.Get(h)));
        }
    }
    senders.Start(Seconds(0));

    const auto t1 = std::chrono::steady_clock::now();

    // ---- run ----------------------------------------------------------------------
    Simulator::Stop(Seconds(stopS));
    Simulator::Run();

    const auto t2 = std::chrono::steady_clock::now();

    const double buildS = std::chrono::duration<double>(t1 - t0).count();
    const double runS = std::chrono::duration<double>(t2 - t1).count();
    const double wallS = buildS + runS;
    const bool complete = (g_flowsDone == g_flows);
    const double simS = (complete ? g_doneAt : g_lastRx).GetSeconds();
    const uint64_t events = Simulator::GetEventCount();

    std::printf("stock transport=%s case=%s mtu=%u gpus=%u leaves=%u spines=%u "
                "bytes_per_gpu=%llu sim_time_s=%.9f wall_s=%.3f build_s=%.3f run_s=%.3f "
                "delivered_bytes=%llu data_packets_delivered=%llu packet_hops=%llu "
                "hops_per_s=%.0f drops=%llu flows_done=%u/%u events=%llu tc=%d\n",
                transport.c_str(),
                caseName.c_str(),
                mtu,
                gpus,
                leaves,
                spines,
                static_cast<unsigned long long>(bytes),
                simS,
                wallS,
                buildS,
                runS,
                static_cast<unsigned long long>(g_rxBytesTotal),
                static_cast<unsigned long long>(g_dataPkts),
                static_cast<unsigned long long>(g_hops),
                wallS > 0 ? g_hops / wallS : 0.0,
                static_cast<unsigned long long>(g_drops),
                g_flowsDone,
                g_flows,
                static_cast<unsigned long long>(events),
                keepTc ? 1 : 0);
    std::fflush(stdout);

    Simulator::Destroy();
    return complete ? 0 : 2;
}
