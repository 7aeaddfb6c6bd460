/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/flow-network.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

namespace ns3
{
namespace vclos
{

SharingModel
ParseSharingModel(const std::string& name)
{
    if (name == "maxmin")
    {
        return SharingModel::MAXMIN;
    }
    if (name == "step")
    {
        return SharingModel::STEP;
    }
    if (name == "none")
    {
        return SharingModel::NONE;
    }
    throw std::invalid_argument("sharing model: expected one of \"maxmin\", \"step\", \"none\", "
                                "got \"" +
                                name + "\"");
}

const char*
SharingModelName(SharingModel model)
{
    switch (model)
    {
    case SharingModel::MAXMIN:
        return "maxmin";
    case SharingModel::STEP:
        return "step";
    case SharingModel::NONE:
        return "none";
    }
    return "?";
}

FlowNetwork::FlowNetwork(std::vector<double> capacityBps, SharingModel model)
    : m_model(model)
{
    m_links.resize(capacityBps.size());
    for (std::size_t l = 0; l < capacityBps.size(); ++l)
    {
        if (!std::isfinite(capacityBps[l]) || capacityBps[l] <= 0)
        {
            throw std::invalid_argument("FlowNetwork: capacity of link " + std::to_string(l) +
                                        " must be finite and > 0");
        }
        m_links[l].capacity = capacityBps[l];
    }
}

uint32_t
FlowNetwork::Add(const std::vector<Use>& uses, uint64_t owner, double maxRate)
{
    if (!(maxRate > 0) || (uses.empty() && std::isinf(maxRate)))
    {
        throw std::invalid_argument("FlowNetwork::Add: a flow needs a link or a finite cap, and "
                                    "a cap > 0");
    }
    ++m_epoch;
    for (const Use& u : uses)
    {
        if (u.link >= m_links.size() || u.count == 0)
        {
            throw std::invalid_argument("FlowNetwork::Add: link " + std::to_string(u.link) +
                                        " out of range or count 0");
        }
        if (m_links[u.link].mark == m_epoch)
        {
            throw std::invalid_argument("FlowNetwork::Add: link " + std::to_string(u.link) +
                                        " listed twice");
        }
        m_links[u.link].mark = m_epoch;
    }
    uint32_t id;
    if (!m_free.empty())
    {
        id = m_free.back();
        m_free.pop_back();
    }
    else
    {
        id = static_cast<uint32_t>(m_flows.size());
        m_flows.emplace_back();
    }
    Flow& f = m_flows[id];
    f.uses = uses;
    f.slot.resize(uses.size());
    f.owner = owner;
    f.maxRate = maxRate;
    f.rate = -1;
    f.live = true;
    for (uint32_t i = 0; i < uses.size(); ++i)
    {
        Link& l = m_links[uses[i].link];
        f.slot[i] = static_cast<uint32_t>(l.flows.size());
        l.flows.emplace_back(id, i);
        m_dirty.push_back(uses[i].link);
    }
    if (uses.empty())
    {
        m_dirtyFlows.push_back(id);
    }
    ++m_nLive;
    return id;
}

void
FlowNetwork::Remove(uint32_t id)
{
    if (id >= m_flows.size() || !m_flows[id].live)
    {
        throw std::invalid_argument("FlowNetwork::Remove: no flow " + std::to_string(id));
    }
    Flow& f = m_flows[id];
    for (uint32_t i = 0; i < f.uses.size(); ++i)
    {
        Link& l = m_links[f.uses[i].link];
        const uint32_t at = f.slot[i];
        const auto moved = l.flows.back();
        l.flows[at] = moved;
        m_flows[moved.first].slot[moved.second] = at;
        l.flows.pop_back();
        m_dirty.push_back(f.uses[i].link);
    }
    f.live = false;
    f.uses.clear();
    f.slot.clear();
    m_free.push_back(id);
    --m_nLive;
}

void
FlowNetwork::Update(std::vector<uint32_t>& changed)
{
    changed.clear();
    if (m_dirty.empty() && m_dirtyFlows.empty())
    {
        return;
    }
    ++m_epoch;
    m_compLinks.clear();
    m_compFlows.clear();
    for (uint32_t f : m_dirtyFlows)
    {
        if (m_flows[f].live && m_flows[f].uses.empty())
        {
            m_flows[f].mark = m_epoch;
            m_compFlows.push_back(f);
        }
    }
    m_dirtyFlows.clear();
    for (uint32_t l : m_dirty)
    {
        if (m_links[l].mark != m_epoch)
        {
            m_links[l].mark = m_epoch;
            m_compLinks.push_back(l);
        }
    }
    m_dirty.clear();
    // MAXMIN: the whole connected components; STEP and NONE: the flows on the marked links
    // (only their owner counts changed).
    const bool closure = m_model == SharingModel::MAXMIN;
    for (std::size_t i = 0; i < m_compLinks.size(); ++i)
    {
        for (const auto& entry : m_links[m_compLinks[i]].flows)
        {
            Flow& f = m_flows[entry.first];
            if (f.mark == m_epoch)
            {
                continue;
            }
            f.mark = m_epoch;
            m_compFlows.push_back(entry.first);
            if (!closure)
            {
                continue;
            }
            for (const Use& u : f.uses)
            {
                if (m_links[u.link].mark != m_epoch)
                {
                    m_links[u.link].mark = m_epoch;
                    m_compLinks.push_back(u.link);
                }
            }
        }
    }
    Recompute(changed);
}

void
FlowNetwork::RecomputeAll(std::vector<uint32_t>& changed)
{
    changed.clear();
    m_dirty.clear();
    m_dirtyFlows.clear();
    m_compLinks.clear();
    m_compFlows.clear();
    for (uint32_t l = 0; l < m_links.size(); ++l)
    {
        if (!m_links[l].flows.empty())
        {
            m_compLinks.push_back(l);
        }
    }
    for (uint32_t f = 0; f < m_flows.size(); ++f)
    {
        if (m_flows[f].live)
        {
            m_compFlows.push_back(f);
        }
    }
    Recompute(changed);
}

void
FlowNetwork::Recompute(std::vector<uint32_t>& changed)
{
    m_oldRate.resize(m_compFlows.size());
    for (std::size_t i = 0; i < m_compFlows.size(); ++i)
    {
        m_oldRate[i] = m_flows[m_compFlows[i]].rate;
    }
    switch (m_model)
    {
    case SharingModel::MAXMIN:
        RateMaxMin();
        break;
    case SharingModel::STEP:
        RateStep();
        break;
    case SharingModel::NONE:
        RateNone();
        break;
    }
    m_nRated += m_compFlows.size();
    for (std::size_t i = 0; i < m_compFlows.size(); ++i)
    {
        if (m_flows[m_compFlows[i]].rate != m_oldRate[i])
        {
            changed.push_back(m_compFlows[i]);
        }
    }
    std::sort(changed.begin(), changed.end());
}

void
FlowNetwork::RateMaxMin()
{
    if (m_compFlows.size() == 1)
    {
        // Alone on its links: the tightest link sets the rate (what the filling would give).
        Flow& f = m_flows[m_compFlows[0]];
        double rate = f.maxRate;
        for (const Use& u : f.uses)
        {
            rate = std::min(rate, m_links[u.link].capacity / u.count);
        }
        f.rate = rate;
        return;
    }
    if (m_frozen.size() < m_flows.size())
    {
        m_frozen.resize(m_flows.size());
        m_private.resize(m_flows.size());
    }
    using Entry = std::tuple<double, uint32_t, uint64_t>;
    const std::greater<Entry> later;
    const uint32_t nLinks = static_cast<uint32_t>(m_links.size());
    const Entry none{std::numeric_limits<double>::infinity(), nLinks, 0};
    for (uint32_t f : m_compFlows)
    {
        m_frozen[f] = 0;
        m_private[f] = none;
        if (!std::isinf(m_flows[f].maxRate))
        {
            // the cap is a private link of the flow: entry nLinks + f
            m_heap.emplace_back(m_flows[f].maxRate, nLinks + f, 0);
        }
    }
    for (uint32_t l : m_compLinks)
    {
        Link& link = m_links[l];
        link.frozenLoad = 0;
        link.weight = 0;
        for (const auto& entry : link.flows)
        {
            link.weight += m_flows[entry.first].uses[entry.second].count;
        }
        if (link.flows.size() == 1)
        {
            // Crossed by one flow only (with random ECMP most fabric links of a component):
            // of such links only the flow's first in heap order can freeze it (the others
            // come out after it, stale), so only that one is queued. The filling pops the
            // same entries in the same order as with all of them: the same rates, bit for
            // bit, from a heap as small as the shared links.
            Entry& first = m_private[link.flows[0].first];
            first = std::min(first, Entry{link.capacity / link.weight, l, link.weight});
        }
        else if (link.weight > 0)
        {
            m_heap.emplace_back(link.capacity / link.weight, l, link.weight);
        }
    }
    for (uint32_t f : m_compFlows)
    {
        if (std::get<1>(m_private[f]) != nLinks)
        {
            m_heap.push_back(m_private[f]);
        }
    }
    std::make_heap(m_heap.begin(), m_heap.end(), later);
    std::size_t unfrozen = m_compFlows.size();
    double level = 0;
    auto freeze = [this, &level, &unfrozen](uint32_t id) {
        m_frozen[id] = 1;
        --unfrozen;
        Flow& f = m_flows[id];
        f.rate = level;
        for (const Use& u : f.uses)
        {
            Link& other = m_links[u.link];
            other.frozenLoad += u.count * level;
            other.weight -= u.count;
            // Its heap entry is now stale. Freezing a flow at the level (<= the link's key)
            // only raises the link's key, so the old entry is a lower bound: it is refreshed
            // when it comes out of the heap, not pushed again here for every frozen flow.
        }
    };
    // Until every flow is frozen: the entries left then change nothing.
    while (unfrozen > 0 && !m_heap.empty())
    {
        std::pop_heap(m_heap.begin(), m_heap.end(), later);
        const auto [key, l, weight] = m_heap.back();
        m_heap.pop_back();
        if (l >= nLinks)
        {
            if (!m_frozen[l - nLinks])
            {
                level = std::max(level, key);
                freeze(l - nLinks);
            }
            continue;
        }
        const Link& link = m_links[l];
        if (link.weight != weight)
        {
            // Stale: the link lost flows since; its key has only grown. Re-queue it at its
            // current key (if it still has unfrozen flows).
            if (link.weight > 0)
            {
                m_heap.emplace_back((link.capacity - link.frozenLoad) / link.weight,
                                    l,
                                    link.weight);
                std::push_heap(m_heap.begin(), m_heap.end(), later);
            }
            continue;
        }
        level = std::max(level, key);
        for (const auto& entry : m_links[l].flows)
        {
            if (!m_frozen[entry.first])
            {
                freeze(entry.first);
            }
        }
    }
    m_heap.clear();
}

void
FlowNetwork::RateStep()
{
    for (uint32_t id : m_compFlows)
    {
        Flow& f = m_flows[id];
        double rate = f.maxRate;
        for (const Use& u : f.uses)
        {
            rate = std::min(rate, m_links[u.link].capacity / GetNOwnersOn(u.link));
        }
        f.rate = rate;
    }
}

void
FlowNetwork::RateNone()
{
    for (uint32_t id : m_compFlows)
    {
        Flow& f = m_flows[id];
        double rate = f.maxRate;
        for (const Use& u : f.uses)
        {
            rate = std::min(rate, m_links[u.link].capacity);
        }
        f.rate = rate;
    }
}

double
FlowNetwork::GetRate(uint32_t id) const
{
    return m_flows.at(id).rate;
}

const std::vector<FlowNetwork::Use>&
FlowNetwork::GetUses(uint32_t id) const
{
    return m_flows.at(id).uses;
}

uint32_t
FlowNetwork::GetNFlows() const
{
    return m_nLive;
}

uint32_t
FlowNetwork::GetNFlowsOn(uint32_t link) const
{
    return static_cast<uint32_t>(m_links.at(link).flows.size());
}

uint32_t
FlowNetwork::GetNOwnersOn(uint32_t link) const
{
    const auto& flows = m_links.at(link).flows;
    uint32_t owners = 0;
    for (std::size_t i = 0; i < flows.size(); ++i)
    {
        const uint64_t o = m_flows[flows[i].first].owner;
        bool seen = false;
        for (std::size_t j = 0; j < i && !seen; ++j)
        {
            seen = m_flows[flows[j].first].owner == o;
        }
        owners += seen ? 0 : 1;
    }
    return owners;
}

SharingModel
FlowNetwork::GetModel() const
{
    return m_model;
}

uint64_t
FlowNetwork::GetNRated() const
{
    return m_nRated;
}

} // namespace vclos
} // namespace ns3
