/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// ECMP hash collisions, and how static per-flow routes (what the vClos scheduler
// installs) remove them.
//
// Two GPUs on leaf 0 each send S bytes to a GPU on leaf 1. Leaf 0 has two uplinks. Under
// ECMP the switch hashes each flow's 5-tuple: depending on the seed the two flows take
// different uplinks (both at line rate) or collide on one (half rate each). With
// --isolate the example pins flow i to uplink i with VclosSwitch::SetFlowRoute.
//
//   ecmp-collision-example --seed=1                 (collide: ~49 Gbps each)
//   ecmp-collision-example --seed=7                 (apart: ~97 Gbps each)
//   ecmp-collision-example --seed=1 --isolate=true  (pinned apart: ~97 Gbps each)

#include "ns3/core-module.h"
#include "ns3/vclos-module.h"

#include <iostream>

using namespace ns3;

int
main(int argc, char* argv[])
{
    uint32_t seed = 1;
    bool isolate = false;
    uint64_t bytes = 8 << 20;
    CommandLine cmd(__FILE__);
    cmd.AddValue("seed", "run seed (changes the ECMP hash seeds and source ports)", seed);
    cmd.AddValue("isolate", "pin each flow to its own uplink (flow routes)", isolate);
    cmd.AddValue("bytes", "bytes per flow", bytes);
    cmd.Parse(argc, argv);
    Time::SetResolution(Time::PS);
    RngSeedManager::SetSeed(seed);

    LeafSpineConfig config;
    config.leaves = 2;
    config.spines = 2;
    config.gpusPerLeaf = 2;
    config.queueBytes = 32 << 20; // no drops: the collision shows as sharing, not loss
    LeafSpineHelper topo(config);
    topo.Build();

    std::vector<double> done(2, 0);
    for (uint32_t i = 0; i < 2; ++i)
    {
        auto onReceived = [&done, i](uint32_t, uint64_t) {
            done[i] = Simulator::Now().GetSeconds();
        };
        const uint32_t qp =
            topo.GetNic(i)->CreateQp(topo.GetNic(2 + i),
                                     MakeNullCallback<void, uint32_t, uint64_t>(),
                                     Callback<void, uint32_t, uint64_t>(onReceived));
        if (isolate)
        {
            topo.GetLeaf(0)->SetFlowRoute(i, 2 + i, topo.GetLeafUplinkPort(i));
        }
        topo.GetNic(i)->PostSend(qp, bytes, i);
        const auto path = topo.GetPath(i, 2 + i, topo.GetNic(i)->GetQp(qp).srcPort);
        std::cout << "flow gpu" << i << " -> gpu" << 2 + i << ": uplink "
                  << topo.GetLinks()[path[1]].src << " -> " << topo.GetLinks()[path[1]].dst << "\n";
    }
    Simulator::Run();
    for (uint32_t i = 0; i < 2; ++i)
    {
        std::cout << "flow " << i << " finished at " << done[i] * 1e6
                  << " us: " << bytes * 8 / done[i] / 1e9 << " Gbps\n";
    }
    for (uint32_t s = 0; s < 2; ++s)
    {
        std::cout << "leaf0 uplink to spine" << s << ": "
                  << topo.GetLeaf(0)->GetPort(topo.GetLeafUplinkPort(s))->GetTxBytes()
                  << " bytes\n";
    }
    Simulator::Destroy();
    return 0;
}
