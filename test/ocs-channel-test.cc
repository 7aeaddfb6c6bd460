/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The optical circuit switch (OcsChannel): light crosses with fibre delays only, circuits
// never interfere, a reconfiguration darkens only the changed circuits, the transport
// recovers, invalid maps are rejected.

#include "vclos-test-utils.h"

#include "ns3/ocs-fabric-helper.h"
#include "ns3/ocs-helper.h"

using namespace ns3;
using namespace vclos_test;

static auto* g_env = ::testing::AddGlobalTestEnvironment(new PicosecondEnvironment);

namespace
{

constexpr double kRate = 100e9;

/// GPUs whose NICs hang directly off one OCS: NIC i on port i.
struct OcsRig
{
    NodeContainer nodes;
    std::vector<Ptr<RdmaNic>> nics;
    std::vector<Ptr<VclosNetDevice>> devs;
    Ptr<OcsChannel> ocs;

    /// \param fibre per port fibre delay
    /// \param reconfiguration the ReconfigurationDelay
    OcsRig(const std::vector<Time>& fibre, Time reconfiguration)
    {
        OcsHelper helper;
        helper.SetChannelAttribute("ReconfigurationDelay", TimeValue(reconfiguration));
        helper.SetChannelAttribute("Ports", UintegerValue(fibre.size()));
        helper.SetDeviceAttribute("DataRate", DataRateValue(DataRate(kRate)));
        ocs = helper.Create();
        nodes.Create(fibre.size());
        for (uint32_t i = 0; i < fibre.size(); ++i)
        {
            Ptr<RdmaNic> nic = CreateObject<RdmaNic>();
            nic->SetAttribute("RetransmitTimeout", TimeValue(MicroSeconds(20)));
            nic->SetGpu(i, i);
            nodes.Get(i)->AggregateObject(nic);
            devs.push_back(helper.Install(ocs, nodes.Get(i), i, fibre[i]));
            nic->AddPort(devs.back());
            nics.push_back(nic);
        }
    }

    /// Post a message src -> dst now; its receive time is written to \p rx, its
    /// completion (last ACK) to \p tx.
    void Send(uint32_t src, uint32_t dst, uint64_t bytes, double* rx, double* tx)
    {
        auto onRx = [rx](uint32_t, uint64_t) { *rx = Simulator::Now().GetSeconds(); };
        auto onTx = [tx](uint32_t, uint64_t) { *tx = Simulator::Now().GetSeconds(); };
        const uint32_t qp = nics[src]->CreateQp(nics[dst],
                                                Callback<void, uint32_t, uint64_t>(onTx),
                                                Callback<void, uint32_t, uint64_t>(onRx));
        nics[src]->PostSend(qp, bytes, 0);
    }
};

/// Arrival times (ps) of every packet a device receives.
void
RecordRx(std::vector<int64_t>* times, Ptr<const Packet>)
{
    times->push_back(Simulator::Now().GetPicoSeconds());
}

} // namespace

TEST_F(SimTest, OcsPacketArrivesAfterSerialisationPlusBothFibreDelays)
{
    OcsRig rig({MicroSeconds(1), NanoSeconds(700), NanoSeconds(2500)}, MilliSeconds(25));
    ASSERT_TRUE(rig.ocs->SetCircuits({{0, 2}}));
    double rx = -1;
    double tx = -1;
    const uint64_t bytes = 1000; // one packet
    rig.Send(0, 2, bytes, &rx, &tx);
    Simulator::Run();
    const double oneWay = 1e-6 + 2.5e-6;
    const double expected = TxSeconds(DataWireBytes(bytes, true), kRate) + oneWay;
    EXPECT_NEAR(rx, expected, 1e-12);
    // The ACK comes back over the same circuit: its serialisation and the same fibres.
    EXPECT_NEAR(tx, expected + TxSeconds(kAckWireBytes, kRate) + oneWay, 1e-12);
    EXPECT_EQ(rig.nics[2]->GetDeliveredBytes(), bytes);
    EXPECT_EQ(rig.ocs->GetLostPackets(), 0u);
    // The longest light path: the two longest fibres.
    EXPECT_EQ(rig.ocs->GetDelay(), NanoSeconds(3500));
    EXPECT_EQ(rig.devs[0]->GetPeer(), rig.devs[2]);
    EXPECT_EQ(rig.devs[1]->GetPeer(), nullptr);
}

TEST_F(SimTest, OcsCircuitsNeverInterfere)
{
    // Alone, then with a second flow on another circuit: identical packet arrival times.
    const uint64_t bytes = 2 * 1000 * 1000;
    std::vector<int64_t> alone;
    std::vector<int64_t> shared;
    std::vector<int64_t> other;
    for (int run = 0; run < 2; ++run)
    {
        OcsRig rig(std::vector<Time>(4, MicroSeconds(1)), MilliSeconds(25));
        ASSERT_TRUE(rig.ocs->SetCircuits({{0, 1}, {2, 3}}));
        std::vector<int64_t>& mine = run == 0 ? alone : shared;
        rig.devs[1]->TraceConnectWithoutContext("PhyRxEnd", MakeBoundCallback(&RecordRx, &mine));
        rig.devs[3]->TraceConnectWithoutContext("PhyRxEnd", MakeBoundCallback(&RecordRx, &other));
        double rx[2] = {-1, -1};
        double tx[2] = {-1, -1};
        rig.Send(0, 1, bytes, &rx[0], &tx[0]);
        if (run == 1)
        {
            rig.Send(2, 3, bytes, &rx[1], &tx[1]);
        }
        Simulator::Run();
        EXPECT_EQ(rig.nics[1]->GetDeliveredBytes(), bytes);
        EXPECT_EQ(rig.nics[3]->GetDeliveredBytes(), run == 1 ? bytes : 0);
        if (run == 1)
        {
            EXPECT_EQ(rx[0], rx[1]); // symmetric circuits, same timing
        }
        Simulator::Destroy();
    }
    ASSERT_FALSE(alone.empty());
    EXPECT_EQ(alone, shared);
    EXPECT_EQ(other, shared);
}

TEST_F(SimTest, OcsReconfigurationDarkensOnlyChangedCircuitsAndTransportRecovers)
{
    // Circuit (0, 1) is removed at 50 us and set again at 60 us (lit 25 us later, at 85 us);
    // circuit (2, 3) is in every map. Run twice: without and with the reconfigurations.
    const uint64_t bytes = 3 * 1000 * 1000; // 240 us at 100 Gb/s
    const Time breakAt = MicroSeconds(50);
    const Time restoreAt = MicroSeconds(60);
    const Time delay = MicroSeconds(25);
    const Time fibre = MicroSeconds(1);
    std::vector<int64_t> untouched[2];
    for (int run = 0; run < 2; ++run)
    {
        OcsRig rig(std::vector<Time>(4, fibre), delay);
        ASSERT_TRUE(rig.ocs->SetCircuits({{0, 1}, {2, 3}}));
        std::vector<int64_t> rx1;
        rig.devs[1]->TraceConnectWithoutContext("PhyRxEnd", MakeBoundCallback(&RecordRx, &rx1));
        rig.devs[3]->TraceConnectWithoutContext("PhyRxEnd",
                                                MakeBoundCallback(&RecordRx, &untouched[run]));
        std::vector<std::pair<int64_t, bool>> linkChanges;
        Ptr<VclosNetDevice> dev0 = rig.devs[0];
        rig.devs[0]->AddLinkChangeCallback(Callback<void>([&linkChanges, dev0]() {
            linkChanges.emplace_back(Simulator::Now().GetPicoSeconds(), dev0->IsLinkUp());
        }));
        std::vector<std::pair<int64_t, uint32_t>> starts;
        std::vector<std::pair<int64_t, uint32_t>> ends;
        uint32_t lostTraced = 0;
        rig.ocs->TraceConnectWithoutContext(
            "ReconfigurationStart",
            Callback<void, uint32_t>([&starts](uint32_t n) {
                starts.emplace_back(Simulator::Now().GetPicoSeconds(), n);
            }));
        rig.ocs->TraceConnectWithoutContext("ReconfigurationEnd",
                                            Callback<void, uint32_t>([&ends](uint32_t n) {
                                                ends.emplace_back(Simulator::Now().GetPicoSeconds(),
                                                                  n);
                                            }));
        rig.ocs->TraceConnectWithoutContext(
            "LightLost",
            Callback<void, Ptr<const Packet>, uint32_t>(
                [&lostTraced](Ptr<const Packet>, uint32_t port) {
                    EXPECT_LE(port, 1u); // data into port 0, ACKs into port 1
                    ++lostTraced;
                }));
        double rx[2] = {-1, -1};
        double tx[2] = {-1, -1};
        rig.Send(0, 1, bytes, &rx[0], &tx[0]);
        rig.Send(2, 3, bytes, &rx[1], &tx[1]);
        Ptr<OcsChannel> ocs = rig.ocs;
        if (run == 1)
        {
            Simulator::Schedule(breakAt, [ocs]() { EXPECT_TRUE(ocs->Reconfigure({{2, 3}})); });
            Simulator::Schedule(restoreAt, [ocs]() {
                EXPECT_TRUE(ocs->Reconfigure({{2, 3}, {0, 1}}));
            });
        }
        Simulator::Run();
        // Every byte arrives, on both circuits.
        EXPECT_EQ(rig.nics[1]->GetDeliveredBytes(), bytes);
        EXPECT_EQ(rig.nics[3]->GetDeliveredBytes(), bytes);
        EXPECT_GT(tx[0], 0);
        EXPECT_GT(tx[1], 0);
        if (run == 0)
        {
            EXPECT_EQ(rig.ocs->GetLostPackets(), 0u);
            EXPECT_EQ(rig.nics[0]->GetRetransmittedPackets(), 0u);
            EXPECT_TRUE(linkChanges.empty());
            Simulator::Destroy();
            continue;
        }
        // Nothing crosses the changed circuit while it is dark: the last packet before
        // arrives one fibre after the break, the next one after it is lit again.
        const int64_t darkFrom = (breakAt + fibre).GetPicoSeconds();
        const int64_t litAt = (restoreAt + delay).GetPicoSeconds();
        for (int64_t t : rx1)
        {
            EXPECT_TRUE(t <= darkFrom || t > litAt) << "packet at " << t << " ps";
        }
        // The light not yet across at the break was lost: the packet being serialised and
        // those in the 1 us fibre (3 full packets at 100 Gb/s); the transport went back.
        EXPECT_EQ(rig.ocs->GetLostPackets(0), 4u);
        EXPECT_EQ(rig.ocs->GetLostPackets(), lostTraced);
        EXPECT_EQ(rig.ocs->GetLostPackets(0) + rig.ocs->GetLostPackets(1), lostTraced);
        EXPECT_EQ(rig.ocs->GetLostPackets(2) + rig.ocs->GetLostPackets(3), 0u);
        EXPECT_GT(rig.nics[0]->GetRetransmittedPackets(), 0u);
        EXPECT_EQ(rig.nics[2]->GetRetransmittedPackets(), 0u);
        // Link down at the break, up when lit; traces at start and end.
        const std::vector<std::pair<int64_t, bool>> expectLinks = {
            {breakAt.GetPicoSeconds(), false},
            {litAt, true}};
        EXPECT_EQ(linkChanges, expectLinks);
        const std::vector<std::pair<int64_t, uint32_t>> expectStarts = {
            {breakAt.GetPicoSeconds(), 1},
            {restoreAt.GetPicoSeconds(), 1}};
        const std::vector<std::pair<int64_t, uint32_t>> expectEnds = {
            {(breakAt + delay).GetPicoSeconds(), 1},
            {litAt, 1}};
        EXPECT_EQ(starts, expectStarts);
        EXPECT_EQ(ends, expectEnds);
        EXPECT_EQ(rig.ocs->GetReconfigurations(), 2u);
        EXPECT_EQ(rig.ocs->GetCircuitsChanged(), 2u);
        EXPECT_EQ(rig.ocs->GetDarkTime(), delay);
        Simulator::Destroy();
    }
    // The untouched circuit: every packet at the same picosecond as without reconfiguration.
    ASSERT_FALSE(untouched[0].empty());
    EXPECT_EQ(untouched[0], untouched[1]);
}

TEST_F(SimTest, OcsZeroReconfigurationDelayLightsAtOnce)
{
    OcsRig rig(std::vector<Time>(4, MicroSeconds(1)), Time(0));
    ASSERT_TRUE(rig.ocs->SetCircuits({{0, 1}}));
    EXPECT_TRUE(rig.devs[0]->IsLinkUp());
    EXPECT_FALSE(rig.devs[2]->IsLinkUp()); // in no circuit
    ASSERT_TRUE(rig.ocs->Reconfigure({{0, 2}, {1, 3}}));
    EXPECT_TRUE(rig.ocs->IsLit(0));
    EXPECT_TRUE(rig.devs[2]->IsLinkUp());
    EXPECT_EQ(rig.devs[0]->GetPeer(), rig.devs[2]);
    EXPECT_EQ(rig.ocs->GetCircuitsChanged(), 3u); // two added, one removed
    EXPECT_EQ(rig.ocs->GetDarkTime(), Time(0));
    // The same map again changes nothing.
    ASSERT_TRUE(rig.ocs->Reconfigure({{1, 3}, {2, 0}}));
    EXPECT_EQ(rig.ocs->GetReconfigurations(), 1u);
    double rx = -1;
    double tx = -1;
    rig.Send(0, 2, 1000, &rx, &tx);
    Simulator::Run();
    EXPECT_NEAR(rx, TxSeconds(DataWireBytes(1000, true), kRate) + 2e-6, 1e-12);
}

TEST_F(SimTest, OcsRejectsInvalidMapsAndKeepsTheCurrentOne)
{
    OcsRig rig(std::vector<Time>(4, MicroSeconds(1)), MilliSeconds(25));
    ASSERT_TRUE(rig.ocs->SetCircuits({{0, 1}}));
    EXPECT_FALSE(rig.ocs->Reconfigure({{2, 2}}));         // port joined to itself
    EXPECT_FALSE(rig.ocs->Reconfigure({{0, 2}, {2, 3}})); // port 2 twice
    EXPECT_FALSE(rig.ocs->Reconfigure({{0, 4}}));         // no port 4
    EXPECT_FALSE(rig.ocs->SetCircuits({{1, 0}, {3, 1}}));
    EXPECT_EQ(rig.ocs->GetReconfigurations(), 0u);
    EXPECT_EQ(rig.ocs->GetCircuits().GetCircuits(), (std::vector<OcsChannel::Circuit>{{0, 1}}));
    EXPECT_TRUE(rig.ocs->IsLit(0));
    EXPECT_TRUE(rig.devs[1]->IsLinkUp());
}

namespace
{

/// One packet gpu 0 -> gpu 1 on a 2-leaf, 1-GPU-per-leaf, 2-OCS, 1-spine fabric.
double
FabricOnePacket(const std::vector<std::vector<OcsChannel::Circuit>>& circuits,
                uint32_t* leafGroups,
                uint32_t* spineGroups)
{
    OcsFabricConfig c;
    c.shape.leaves = 2;
    c.shape.gpusPerLeaf = 1;
    c.shape.uplinksPerLeaf = 2;
    c.shape.spines = 1;
    c.shape.spinePortsPerOcs = 1;
    OcsFabricHelper fabric(c);
    fabric.Build();
    // A first map everywhere (leaf 0 - spine on OCS 0, leaf 1 - spine on OCS 1), replaced
    // by the test's: routes and groups must follow.
    EXPECT_TRUE(fabric.SetCircuits(0, {{0, 2}}));
    EXPECT_TRUE(fabric.SetCircuits(1, {{1, 2}}));
    for (uint32_t i = 0; i < circuits.size(); ++i)
    {
        EXPECT_TRUE(fabric.SetCircuits(i, circuits[i]));
    }
    EXPECT_FALSE(fabric.SetCircuits(0, {{0, 0}}));
    double rx = -1;
    auto onRx = [&rx](uint32_t, uint64_t) { rx = Simulator::Now().GetSeconds(); };
    const uint32_t qp = fabric.GetNic(0)->CreateQp(fabric.GetNic(1),
                                                   MakeNullCallback<void, uint32_t, uint64_t>(),
                                                   Callback<void, uint32_t, uint64_t>(onRx));
    fabric.GetNic(0)->PostSend(qp, 1000, 0);
    Simulator::Run();
    *leafGroups = fabric.GetLeafTable(0)->GetNGroups();
    *spineGroups = fabric.GetSpineTable(0)->GetNGroups();
    Simulator::Destroy();
    return rx;
}

} // namespace

TEST_F(SimTest, OcsFabricRoutesFollowTheCircuits)
{
    const double tx = TxSeconds(DataWireBytes(1000, true), kRate);
    uint32_t leafGroups = 0;
    uint32_t spineGroups = 0;
    // Through the spine: leaf 0 uplink 0 - spine (OCS 0), spine - leaf 1 uplink 1 (OCS 1):
    // four serialisations, two host delays, four fibres.
    double rx = FabricOnePacket({{{0, 2}}, {{1, 2}}}, &leafGroups, &spineGroups);
    EXPECT_NEAR(rx, 4 * tx + 2e-6 + 4 * 0.5e-6, 1e-12);
    EXPECT_EQ(leafGroups, 2u);  // {own GPU's port}, {uplink 0}
    EXPECT_EQ(spineGroups, 2u); // {port 0} to leaf 0, {port 1} to leaf 1
    // Leaf to leaf directly on OCS 1, nothing on OCS 0: three serialisations, two fibres;
    // the spine has no route left and its groups are freed.
    rx = FabricOnePacket({{}, {{0, 1}}}, &leafGroups, &spineGroups);
    EXPECT_NEAR(rx, 3 * tx + 2e-6 + 2 * 0.5e-6, 1e-12);
    EXPECT_EQ(leafGroups, 2u); // {own GPU's port}, {uplink 1}
    EXPECT_EQ(spineGroups, 0u);
}
