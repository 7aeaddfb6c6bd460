/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "circuit-map.h"

#include <algorithm>
#include <stdexcept>

namespace ns3
{
namespace vclos
{

CircuitMap::CircuitMap(uint32_t nPorts)
    : m_peer(nPorts, NONE)
{
}

std::string
CircuitMap::Check(const std::vector<Circuit>& circuits, uint32_t nPorts)
{
    std::vector<bool> used(nPorts, false);
    for (std::size_t i = 0; i < circuits.size(); ++i)
    {
        const auto [a, b] = circuits[i];
        const std::string which = "circuit " + std::to_string(i) + " (" + std::to_string(a) + ", " +
                                  std::to_string(b) + ")";
        if (a >= nPorts || b >= nPorts)
        {
            return which + ": ports must be in [0, " + std::to_string(nPorts) + ")";
        }
        if (a == b)
        {
            return which + ": a port cannot be joined to itself";
        }
        for (uint32_t p : {a, b})
        {
            if (used[p])
            {
                return which + ": port " + std::to_string(p) + " is already in a circuit";
            }
            used[p] = true;
        }
    }
    return "";
}

CircuitMap
CircuitMap::FromCircuits(const std::vector<Circuit>& circuits, uint32_t nPorts)
{
    const std::string error = Check(circuits, nPorts);
    if (!error.empty())
    {
        throw std::invalid_argument("CircuitMap: " + error);
    }
    CircuitMap map(nPorts);
    for (const auto& [a, b] : circuits)
    {
        map.Connect(a, b);
    }
    return map;
}

uint32_t
CircuitMap::GetNPorts() const
{
    return m_peer.size();
}

uint32_t
CircuitMap::GetPeer(uint32_t port) const
{
    return port < m_peer.size() ? m_peer[port] : NONE;
}

bool
CircuitMap::IsFree(uint32_t port) const
{
    return port < m_peer.size() && m_peer[port] == NONE;
}

void
CircuitMap::Connect(uint32_t a, uint32_t b)
{
    const uint32_t n = m_peer.size();
    if (a >= n || b >= n || a == b)
    {
        throw std::invalid_argument("CircuitMap: no circuit (" + std::to_string(a) + ", " +
                                    std::to_string(b) + ") on a switch of " + std::to_string(n) +
                                    " ports");
    }
    if (m_peer[a] != NONE || m_peer[b] != NONE)
    {
        throw std::invalid_argument(
            "CircuitMap: circuit (" + std::to_string(a) + ", " + std::to_string(b) + "): port " +
            std::to_string(m_peer[a] != NONE ? a : b) + " is already in a circuit");
    }
    m_peer[a] = b;
    m_peer[b] = a;
    ++m_nCircuits;
}

void
CircuitMap::Disconnect(uint32_t port)
{
    const uint32_t peer = GetPeer(port);
    if (peer == NONE)
    {
        return;
    }
    m_peer[port] = NONE;
    m_peer[peer] = NONE;
    --m_nCircuits;
}

std::vector<CircuitMap::Circuit>
CircuitMap::GetCircuits() const
{
    std::vector<Circuit> out;
    out.reserve(m_nCircuits);
    for (uint32_t p = 0; p < m_peer.size(); ++p)
    {
        if (m_peer[p] != NONE && p < m_peer[p])
        {
            out.emplace_back(p, m_peer[p]);
        }
    }
    return out;
}

std::size_t
CircuitMap::GetNCircuits() const
{
    return m_nCircuits;
}

std::vector<CircuitMap::Circuit>
CircuitMap::Changed(const CircuitMap& from, const CircuitMap& to)
{
    std::vector<Circuit> out;
    for (const Circuit& c : to.GetCircuits())
    {
        if (from.GetPeer(c.first) != c.second)
        {
            out.push_back(c);
        }
    }
    for (const Circuit& c : from.GetCircuits())
    {
        if (to.GetPeer(c.first) != c.second)
        {
            out.push_back(c);
        }
    }
    return out;
}

bool
CircuitMap::operator==(const CircuitMap& other) const
{
    return m_peer == other.m_peer;
}

} // namespace vclos
} // namespace ns3
