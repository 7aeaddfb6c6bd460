/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The circuits of an optical circuit switch: always a valid map.

#include "ns3/circuit-map.h"

#include <gtest/gtest.h>
#include <random>
#include <stdexcept>

using namespace ns3::vclos;

TEST(CircuitMap, CheckNamesTheFaultyCircuit)
{
    EXPECT_EQ(CircuitMap::Check({{0, 1}, {2, 3}}, 4), "");
    EXPECT_EQ(CircuitMap::Check({}, 0), "");
    EXPECT_EQ(CircuitMap::Check({{0, 1}, {1, 2}}, 4),
              "circuit 1 (1, 2): port 1 is already in a circuit");
    EXPECT_EQ(CircuitMap::Check({{3, 3}}, 4),
              "circuit 0 (3, 3): a port cannot be joined to itself");
    EXPECT_EQ(CircuitMap::Check({{0, 4}}, 4), "circuit 0 (0, 4): ports must be in [0, 4)");
    EXPECT_THROW(CircuitMap::FromCircuits({{0, 1}, {0, 2}}, 4), std::invalid_argument);
}

TEST(CircuitMap, ConnectRejectsBusyPortsAndLeavesTheMapUnchanged)
{
    CircuitMap m(6);
    m.Connect(0, 5);
    m.Connect(2, 1);
    EXPECT_THROW(m.Connect(5, 3), std::invalid_argument);
    EXPECT_THROW(m.Connect(3, 3), std::invalid_argument);
    EXPECT_THROW(m.Connect(3, 6), std::invalid_argument);
    EXPECT_EQ(m.GetCircuits(), (std::vector<CircuitMap::Circuit>{{0, 5}, {1, 2}}));
    EXPECT_EQ(m.GetPeer(1), 2u);
    EXPECT_EQ(m.GetPeer(3), CircuitMap::NONE);
    EXPECT_EQ(m.GetPeer(99), CircuitMap::NONE);
    m.Disconnect(2);
    EXPECT_TRUE(m.IsFree(1));
    EXPECT_EQ(m.GetNCircuits(), 1u);
    m.Disconnect(2); // no-op
    EXPECT_EQ(m.GetNCircuits(), 1u);
}

TEST(CircuitMap, ChangedListsAddedThenRemoved)
{
    const CircuitMap a = CircuitMap::FromCircuits({{0, 1}, {2, 3}, {4, 5}}, 8);
    const CircuitMap b = CircuitMap::FromCircuits({{1, 0}, {2, 4}, {3, 6}}, 8);
    EXPECT_EQ(CircuitMap::Changed(a, b),
              (std::vector<CircuitMap::Circuit>{{2, 4}, {3, 6}, {2, 3}, {4, 5}}));
    EXPECT_TRUE(CircuitMap::Changed(a, a).empty());
}

TEST(CircuitMap, RandomOperationsKeepEveryPortInAtMostOneCircuit)
{
    std::mt19937 rng(7);
    CircuitMap m(16);
    for (int i = 0; i < 2000; ++i)
    {
        const uint32_t a = rng() % 17;
        const uint32_t b = rng() % 17;
        if (rng() % 3 == 0)
        {
            m.Disconnect(a);
        }
        else
        {
            const bool ok = a < 16 && b < 16 && a != b && m.IsFree(a) && m.IsFree(b);
            if (ok)
            {
                m.Connect(a, b);
            }
            else
            {
                EXPECT_THROW(m.Connect(a, b), std::invalid_argument);
            }
        }
        // The invariant, checked independently of the class's bookkeeping.
        const auto circuits = m.GetCircuits();
        ASSERT_EQ(CircuitMap::Check(circuits, 16), "");
        ASSERT_EQ(circuits.size(), m.GetNCircuits());
        for (uint32_t p = 0; p < 16; ++p)
        {
            const uint32_t q = m.GetPeer(p);
            ASSERT_TRUE(q == CircuitMap::NONE || m.GetPeer(q) == p);
        }
    }
}
