/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Google Benchmark micro-benchmarks of the per-packet path's pieces:
//   build/test/benchmark/vclos-micro-bench [--benchmark_filter=...]

#include "ns3/aeth-header.h"
#include "ns3/bth-header.h"
#include "ns3/core-module.h"
#include "ns3/ecmp-hash.h"
#include "ns3/ipv4-header.h"
#include "ns3/map-scheduler.h"
#include "ns3/quad-heap-scheduler.h"
#include "ns3/rocev2-header.h"
#include "ns3/udp-header.h"
#include "ns3/vclos-switch.h"

#include <benchmark/benchmark.h>
#include <random>

using namespace ns3;

static void
BM_EcmpHash(benchmark::State& state)
{
    vclos::FlowKey k{vclos::GpuIp(3), vclos::GpuIp(200), 50000, 4791, 17};
    uint64_t acc = 0;
    for (auto _ : state)
    {
        k.srcPort++;
        acc += vclos::EcmpHash(k, 12345) % 16;
    }
    benchmark::DoNotOptimize(acc);
}

BENCHMARK(BM_EcmpHash);

static void
BM_SwitchSelectPort(benchmark::State& state)
{
    Ptr<VclosSwitch> sw = CreateObject<VclosSwitch>();
    for (int p = 0; p < 32; ++p)
    {
        sw->AddPort(CreateObject<VclosNetDevice>());
    }
    std::vector<uint32_t> up;
    for (uint32_t p = 16; p < 32; ++p)
    {
        up.push_back(p);
    }
    for (uint32_t g = 0; g < 256; ++g)
    {
        sw->SetRoute(g, g < 16 ? std::vector<uint32_t>{g} : up);
    }
    vclos::FlowKey k{vclos::GpuIp(3), vclos::GpuIp(200), 50000, 4791, 17};
    uint64_t acc = 0;
    for (auto _ : state)
    {
        k.dstIp = vclos::GpuIp(16 + (k.srcPort++ & 127));
        acc += sw->SelectPort(k);
    }
    benchmark::DoNotOptimize(acc);
}

BENCHMARK(BM_SwitchSelectPort);

static void
BM_BuildPacketOneHeader(benchmark::State& state)
{
    for (auto _ : state)
    {
        Ptr<Packet> p = Create<Packet>(4096);
        Rocev2Header h;
        h.Set(0x0A000001, 0x0A000002, 50000, BthHeader::SEND_MIDDLE, 7, 1234, false, 4096);
        p->AddHeader(h);
        benchmark::DoNotOptimize(p);
    }
}

BENCHMARK(BM_BuildPacketOneHeader);

static void
BM_BuildPacketThreeHeaders(benchmark::State& state)
{
    for (auto _ : state)
    {
        Ptr<Packet> p = Create<Packet>(4096);
        BthHeader bth;
        bth.SetOpcode(BthHeader::SEND_MIDDLE);
        bth.SetDestQp(7);
        bth.SetPsn(1234);
        p->AddHeader(bth);
        UdpHeader udp;
        udp.SetSourcePort(50000);
        udp.SetDestinationPort(4791);
        p->AddHeader(udp);
        Ipv4Header ip;
        ip.SetSource(Ipv4Address(0x0A000001));
        ip.SetDestination(Ipv4Address(0x0A000002));
        ip.SetProtocol(17);
        ip.SetPayloadSize(p->GetSize());
        p->AddHeader(ip);
        benchmark::DoNotOptimize(p);
    }
}

BENCHMARK(BM_BuildPacketThreeHeaders);

/// Steady state of a scheduler holding `range(0)` events: pop the earliest, push a later one.
template <class S>
static void
BM_SchedulerHold(benchmark::State& state)
{
    Ptr<Scheduler> s = CreateObject<S>();
    std::mt19937_64 rng(1);
    uint32_t uid = 0;
    for (int64_t i = 0; i < state.range(0); ++i)
    {
        Scheduler::Event ev{nullptr, {rng() % 1000000, uid++, 0}};
        s->Insert(ev);
    }
    for (auto _ : state)
    {
        Scheduler::Event ev = s->RemoveNext();
        ev.key.m_ts += rng() % 1000000;
        ev.key.m_uid = uid++;
        s->Insert(ev);
    }
}

BENCHMARK_TEMPLATE(BM_SchedulerHold, QuadHeapScheduler)->Arg(64)->Arg(600)->Arg(10000);
BENCHMARK_TEMPLATE(BM_SchedulerHold, MapScheduler)->Arg(64)->Arg(600)->Arg(10000);

BENCHMARK_MAIN();
