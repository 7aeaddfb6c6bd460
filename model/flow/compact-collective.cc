/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/compact-collective.h"

#include <algorithm>
#include <stdexcept>

namespace ns3
{
namespace vclos
{

uint32_t
RankPattern::Size(uint32_t ranks) const
{
    return kind == Kind::SHIFT ? ranks : static_cast<uint32_t>(pairs.size());
}

std::pair<uint32_t, uint32_t>
RankPattern::Pair(uint32_t ranks, uint32_t i) const
{
    if (kind == Kind::SHIFT)
    {
        const uint64_t dst = (static_cast<uint64_t>(i) + shift) % ranks;
        return {i, static_cast<uint32_t>(dst)};
    }
    return pairs[i];
}

bool
RankPattern::operator==(const RankPattern& other) const
{
    return kind == other.kind && shift == other.shift && pairs == other.pairs;
}

uint64_t
CompactCollective::StoredPairs() const
{
    uint64_t n = 0;
    for (const RankPattern& p : patterns)
    {
        n += p.kind == RankPattern::Kind::SHIFT ? 1 : p.pairs.size();
    }
    return n;
}

uint64_t
CompactCollective::TotalBytes() const
{
    uint64_t total = 0;
    for (const CollectivePhase& ph : phases)
    {
        total += ph.bytes * patterns[ph.pattern].Size(ranks);
    }
    return total;
}

namespace
{

/// Add a phase, merging it into the last one when the pattern repeats.
void
AppendPhase(CompactCollective& c, RankPattern&& pattern, uint64_t bytes, uint32_t step)
{
    if (!c.phases.empty() && c.patterns[c.phases.back().pattern] == pattern)
    {
        c.phases.back().bytes += bytes;
        ++c.phases.back().steps;
        return;
    }
    uint32_t index = static_cast<uint32_t>(c.patterns.size());
    for (uint32_t i = 0; i < c.patterns.size(); ++i)
    {
        if (c.patterns[i] == pattern)
        {
            index = i;
            break;
        }
    }
    if (index == c.patterns.size())
    {
        c.patterns.push_back(std::move(pattern));
    }
    c.phases.push_back(CollectivePhase{index, bytes, step, 1});
}

void
CheckArgs(const std::string& algorithm,
          uint32_t ranks,
          uint32_t gpusPerServer,
          uint32_t pipelineChunks)
{
    if (ranks == 0)
    {
        throw std::invalid_argument(algorithm + ": need at least one rank");
    }
    if (gpusPerServer == 0)
    {
        throw std::invalid_argument(algorithm + ": gpusPerServer must be >= 1");
    }
    if (pipelineChunks == 0)
    {
        throw std::invalid_argument(algorithm + ": pipelineChunks must be >= 1");
    }
}

RankPattern
Shift(uint32_t shift)
{
    RankPattern p;
    p.kind = RankPattern::Kind::SHIFT;
    p.shift = shift;
    return p;
}

} // namespace

CompactCollective
CompressSchedule(const CollectiveSchedule& schedule)
{
    CompactCollective c;
    c.algorithm = schedule.algorithm;
    c.ranks = schedule.ranks;
    c.bytes = schedule.bytes;
    // Transfers sorted by step; per step, bytes per ordered pair.
    std::vector<uint32_t> order(schedule.transfers.size());
    for (uint32_t i = 0; i < order.size(); ++i)
    {
        order[i] = i;
    }
    std::stable_sort(order.begin(), order.end(), [&schedule](uint32_t a, uint32_t b) {
        return schedule.transfers[a].step < schedule.transfers[b].step;
    });
    std::vector<std::pair<std::pair<uint32_t, uint32_t>, uint64_t>> step;
    for (std::size_t i = 0; i < order.size();)
    {
        const uint32_t s = schedule.transfers[order[i]].step;
        step.clear();
        for (; i < order.size() && schedule.transfers[order[i]].step == s; ++i)
        {
            const Transfer& t = schedule.transfers[order[i]];
            step.push_back({{t.src, t.dst}, t.bytes});
        }
        std::sort(step.begin(), step.end());
        RankPattern pattern;
        uint64_t bytes = 0;
        for (std::size_t j = 0; j < step.size();)
        {
            uint64_t sum = 0;
            const auto pair = step[j].first;
            for (; j < step.size() && step[j].first == pair; ++j)
            {
                sum += step[j].second;
            }
            pattern.pairs.push_back(pair);
            bytes = std::max(bytes, sum);
        }
        // A shift pattern is stored as one number.
        if (pattern.pairs.size() == c.ranks && c.ranks > 1)
        {
            const uint32_t shift =
                (pattern.pairs[0].second + c.ranks - pattern.pairs[0].first) % c.ranks;
            bool isShift = shift != 0;
            for (uint32_t r = 0; isShift && r < c.ranks; ++r)
            {
                isShift =
                    pattern.pairs[r].first == r && pattern.pairs[r].second == (r + shift) % c.ranks;
            }
            if (isShift)
            {
                pattern = Shift(shift);
            }
        }
        AppendPhase(c, std::move(pattern), bytes, s);
    }
    return c;
}

CompactCollective
MakeCompactCollective(const std::string& algorithm,
                      uint32_t ranks,
                      uint64_t bytes,
                      uint32_t gpusPerServer,
                      uint32_t pipelineChunks)
{
    const bool ringLike =
        algorithm == "ring" || algorithm == "reduce_scatter" || algorithm == "all_gather";
    if (!ringLike && algorithm != "all2all_pairwise" && algorithm != "all_to_all")
    {
        return CompressSchedule(
            MakeCollective(algorithm, ranks, bytes, gpusPerServer, pipelineChunks));
    }
    CheckArgs(algorithm, ranks, gpusPerServer, pipelineChunks);
    CompactCollective c;
    c.algorithm = algorithm;
    c.ranks = ranks;
    c.bytes = bytes;
    if (ranks == 1)
    {
        return c;
    }
    const uint64_t block = (bytes + ranks - 1) / ranks;
    if (ringLike)
    {
        const uint32_t steps = (algorithm == "ring" ? 2 : 1) * (ranks - 1);
        c.patterns.push_back(Shift(1));
        c.phases.push_back(CollectivePhase{0, block * steps, 0, steps});
    }
    else if (algorithm == "all2all_pairwise")
    {
        for (uint32_t k = 1; k < ranks; ++k)
        {
            c.patterns.push_back(Shift(k));
            c.phases.push_back(CollectivePhase{k - 1, bytes, k - 1, 1});
        }
    }
    else
    {
        RankPattern all;
        all.pairs.reserve(static_cast<std::size_t>(ranks) * (ranks - 1));
        for (uint32_t s = 0; s < ranks; ++s)
        {
            for (uint32_t d = 0; d < ranks; ++d)
            {
                if (s != d)
                {
                    all.pairs.push_back({s, d});
                }
            }
        }
        c.patterns.push_back(std::move(all));
        c.phases.push_back(CollectivePhase{0, block, 0, ranks - 1});
    }
    return c;
}

} // namespace vclos
} // namespace ns3
