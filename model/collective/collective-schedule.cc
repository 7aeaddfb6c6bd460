/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "collective-schedule.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace ns3
{
namespace vclos
{

uint64_t
CollectiveSchedule::TotalBytes() const
{
    uint64_t total = 0;
    for (const auto& t : transfers)
    {
        total += t.bytes;
    }
    return total;
}

void
CollectiveSchedule::Validate() const
{
    for (uint32_t i = 0; i < transfers.size(); ++i)
    {
        const Transfer& t = transfers[i];
        if (t.src >= ranks || t.dst >= ranks || t.src == t.dst)
        {
            throw std::invalid_argument(algorithm + ": transfer " + std::to_string(i) +
                                        " has bad ranks");
        }
        for (uint32_t d : t.deps)
        {
            if (d >= i)
            {
                throw std::invalid_argument(algorithm + ": transfer " + std::to_string(i) +
                                            " depends on a later transfer");
            }
            if (transfers[d].dst != t.src)
            {
                throw std::invalid_argument(algorithm + ": transfer " + std::to_string(i) +
                                            " depends on a receipt at another rank");
            }
        }
    }
}

namespace
{

/// Size of block b when S bytes are cut into n blocks (the first S mod n get one byte more).
uint64_t
BlockBytes(uint64_t bytes, uint32_t n, uint32_t b)
{
    return bytes / n + (b < bytes % n ? 1 : 0);
}

/// Offset of block b when S bytes are cut into n blocks as in BlockBytes().
uint64_t
BlockOffset(uint64_t bytes, uint32_t n, uint32_t b)
{
    return static_cast<uint64_t>(b) * (bytes / n) + std::min<uint64_t>(b, bytes % n);
}

/// Throw unless ranks >= 1 and pipelineChunks >= 1.
void
CheckArgs(const std::string& algorithm, uint32_t ranks, uint32_t pipelineChunks)
{
    if (ranks == 0)
    {
        throw std::invalid_argument(algorithm + ": need at least one rank");
    }
    if (pipelineChunks == 0)
    {
        throw std::invalid_argument(algorithm + ": pipelineChunks must be >= 1");
    }
}

/// An empty schedule with the header fields set.
CollectiveSchedule
NewSchedule(const std::string& algorithm, uint32_t ranks, uint64_t bytes)
{
    CollectiveSchedule s;
    s.algorithm = algorithm;
    s.ranks = ranks;
    s.bytes = bytes;
    return s;
}

/// Transfer indices per ring position.
using PerPosition = std::vector<std::vector<uint32_t>>;

/// What AppendRingSteps() reports about the receipts of each ring position.
struct RingReceipts
{
    PerPosition last; //!< [position][sub-chunk]: the position's receipt in the last step
    PerPosition all;  //!< [position]: all the position's receipts, in step order
};

/**
 * Append m-1 ring steps over \p members (m = members.size(); position p sends to p+1 mod m).
 * The region [offset, offset + length) is cut into m blocks; in ring step s position p sends
 * block (p + shift - s) mod m, as pipelineChunks sub-chunk transfers, with op \p op and
 * schedule step firstStep + s. Sub-chunk j of step s > 0 depends on sub-chunk j of step s-1
 * received at the sender. Sub-chunk j of step 0 depends on prevLast[p][j] if \p prevLast
 * is given. The transfers of position p also depend on extraDeps[p] (if given): in step 0
 * only, or in every step if \p extraEveryStep.
 *
 * Reduce-scatter: shift = m-1, op Reduce (position p ends owning block p).
 * All-gather: shift = 0, op Copy (position p starts owning block p).
 */
RingReceipts
AppendRingSteps(CollectiveSchedule& s,
                const std::vector<uint32_t>& members,
                uint64_t offset,
                uint64_t length,
                TransferOp op,
                uint32_t shift,
                uint32_t firstStep,
                uint32_t pipelineChunks,
                const PerPosition* prevLast,
                const PerPosition* extraDeps,
                bool extraEveryStep)
{
    const auto m = static_cast<uint32_t>(members.size());
    const uint32_t c = pipelineChunks;
    RingReceipts receipts;
    receipts.last.resize(m);
    receipts.all.resize(m);
    if (m < 2)
    {
        return receipts;
    }
    const auto base = static_cast<uint32_t>(s.transfers.size());
    // index(step, position, sub) = base + (step * m + position) * c + sub
    auto index = [base, m, c](uint32_t step, uint32_t pos, uint32_t sub) {
        return base + (step * m + pos) * c + sub;
    };
    for (uint32_t step = 0; step + 1 < m; ++step)
    {
        for (uint32_t p = 0; p < m; ++p)
        {
            const uint32_t block = (p + shift + m - step) % m;
            const uint64_t blockBytes = BlockBytes(length, m, block);
            const uint64_t blockOffset = offset + BlockOffset(length, m, block);
            const uint32_t prev = (p + m - 1) % m;
            for (uint32_t j = 0; j < c; ++j)
            {
                Transfer t;
                t.src = members[p];
                t.dst = members[(p + 1) % m];
                t.bytes = BlockBytes(blockBytes, c, j);
                t.step = firstStep + step;
                t.chunk = block;
                t.op = op;
                t.offset = blockOffset + BlockOffset(blockBytes, c, j);
                if (step > 0)
                {
                    t.deps.push_back(index(step - 1, prev, j));
                }
                else if (prevLast != nullptr)
                {
                    t.deps.push_back((*prevLast)[p][j]);
                }
                if (extraDeps != nullptr && (step == 0 || extraEveryStep))
                {
                    const auto& extra = (*extraDeps)[p];
                    t.deps.insert(t.deps.end(), extra.begin(), extra.end());
                }
                s.transfers.push_back(std::move(t));
                receipts.all[(p + 1) % m].push_back(index(step, p, j));
                if (step + 2 == m)
                {
                    receipts.last[(p + 1) % m].push_back(index(step, p, j));
                }
            }
        }
    }
    return receipts;
}

/// The ranks 0..n-1 in order.
std::vector<uint32_t>
Iota(uint32_t n)
{
    std::vector<uint32_t> v(n);
    for (uint32_t i = 0; i < n; ++i)
    {
        v[i] = i;
    }
    return v;
}

/**
 * Stable-sort the transfers by step and renumber the dependencies. Requires every
 * dependency to have a smaller step than its dependant, so the result is in dependency
 * order.
 */
void
SortByStep(CollectiveSchedule& s)
{
    const auto n = static_cast<uint32_t>(s.transfers.size());
    std::vector<uint32_t> order = Iota(n);
    std::stable_sort(order.begin(), order.end(), [&s](uint32_t a, uint32_t b) {
        return s.transfers[a].step < s.transfers[b].step;
    });
    std::vector<uint32_t> newIndex(n);
    for (uint32_t i = 0; i < n; ++i)
    {
        newIndex[order[i]] = i;
    }
    std::vector<Transfer> sorted;
    sorted.reserve(n);
    for (uint32_t i = 0; i < n; ++i)
    {
        Transfer t = std::move(s.transfers[order[i]]);
        for (auto& d : t.deps)
        {
            d = newIndex[d];
        }
        sorted.push_back(std::move(t));
    }
    s.transfers = std::move(sorted);
}

/// NCCL's ncclGetBtree(): parent and children of \p rank in the tree rooted at 0.
void
NcclBtree(uint32_t nranks, uint32_t rank, int64_t& up, std::vector<uint32_t>& down)
{
    down.clear();
    uint32_t bit = 1;
    for (; bit < nranks; bit <<= 1)
    {
        if (bit & rank)
        {
            break;
        }
    }
    if (rank == 0)
    {
        up = -1;
        if (nranks > 1)
        {
            down.push_back(bit >> 1);
        }
        return;
    }
    uint64_t parent = (rank ^ bit) | (static_cast<uint64_t>(bit) << 1);
    if (parent >= nranks)
    {
        parent = rank ^ bit;
    }
    up = static_cast<int64_t>(parent);
    uint32_t lowbit = bit >> 1;
    if (lowbit == 0)
    {
        return;
    }
    down.push_back(rank - lowbit); // always within bounds
    while (lowbit != 0 && static_cast<uint64_t>(rank) + lowbit >= nranks)
    {
        lowbit >>= 1;
    }
    if (lowbit != 0)
    {
        down.push_back(rank + lowbit);
    }
}

} // namespace

CollectiveSchedule
MakeReduceScatter(uint32_t ranks, uint64_t bytes, uint32_t pipelineChunks)
{
    CheckArgs("reduce_scatter", ranks, pipelineChunks);
    CollectiveSchedule s = NewSchedule("reduce_scatter", ranks, bytes);
    if (ranks == 1)
    {
        return s;
    }
    s.steps = ranks - 1;
    s.transfers.reserve(static_cast<size_t>(s.steps) * ranks * pipelineChunks);
    AppendRingSteps(s,
                    Iota(ranks),
                    0,
                    bytes,
                    TransferOp::Reduce,
                    ranks - 1,
                    0,
                    pipelineChunks,
                    nullptr,
                    nullptr,
                    false);
    return s;
}

CollectiveSchedule
MakeAllGather(uint32_t ranks, uint64_t bytes, uint32_t pipelineChunks)
{
    CheckArgs("all_gather", ranks, pipelineChunks);
    CollectiveSchedule s = NewSchedule("all_gather", ranks, bytes);
    if (ranks == 1)
    {
        return s;
    }
    s.steps = ranks - 1;
    s.transfers.reserve(static_cast<size_t>(s.steps) * ranks * pipelineChunks);
    AppendRingSteps(s,
                    Iota(ranks),
                    0,
                    bytes,
                    TransferOp::Copy,
                    0,
                    0,
                    pipelineChunks,
                    nullptr,
                    nullptr,
                    false);
    return s;
}

CollectiveSchedule
MakeRingAllReduce(uint32_t ranks, uint64_t bytes, uint32_t pipelineChunks)
{
    CheckArgs("ring", ranks, pipelineChunks);
    CollectiveSchedule s = NewSchedule("ring", ranks, bytes);
    if (ranks == 1)
    {
        return s;
    }
    const std::vector<uint32_t> ring = Iota(ranks);
    s.steps = 2 * (ranks - 1);
    s.transfers.reserve(static_cast<size_t>(s.steps) * ranks * pipelineChunks);
    const RingReceipts rs = AppendRingSteps(s,
                                            ring,
                                            0,
                                            bytes,
                                            TransferOp::Reduce,
                                            ranks - 1,
                                            0,
                                            pipelineChunks,
                                            nullptr,
                                            nullptr,
                                            false);
    AppendRingSteps(s,
                    ring,
                    0,
                    bytes,
                    TransferOp::Copy,
                    0,
                    ranks - 1,
                    pipelineChunks,
                    &rs.last,
                    nullptr,
                    false);
    return s;
}

uint32_t
RankTree::Height() const
{
    if (parent.empty())
    {
        return 0;
    }
    // depth-first walk from the root with an explicit stack of (rank, depth)
    uint32_t height = 0;
    std::vector<std::pair<uint32_t, uint32_t>> stack;
    stack.emplace_back(root, 0);
    while (!stack.empty())
    {
        const auto [r, d] = stack.back();
        stack.pop_back();
        height = std::max(height, d);
        for (uint32_t c : children[r])
        {
            stack.emplace_back(c, d + 1);
        }
    }
    return height;
}

std::array<RankTree, 2>
MakeDoubleBinaryTree(uint32_t ranks)
{
    if (ranks == 0)
    {
        throw std::invalid_argument("tree: need at least one rank");
    }
    const uint32_t n = ranks;
    std::array<RankTree, 2> trees;
    for (auto& tree : trees)
    {
        tree.parent.assign(n, -1);
        tree.children.assign(n, {});
    }
    // tree 1 relabels rank x of tree 0 as f(x): mirror for even n, shift for odd n
    auto f = [n](uint32_t x) { return n % 2 == 0 ? n - 1 - x : (x + 1) % n; };
    trees[0].root = 0;
    trees[1].root = f(0);
    std::vector<uint32_t> down;
    for (uint32_t r = 0; r < n; ++r)
    {
        int64_t up = -1;
        NcclBtree(n, r, up, down);
        trees[0].parent[r] = up;
        trees[0].children[r] = down;
        trees[1].parent[f(r)] = up < 0 ? -1 : static_cast<int64_t>(f(static_cast<uint32_t>(up)));
        for (uint32_t d : down)
        {
            trees[1].children[f(r)].push_back(f(d));
        }
    }
    return trees;
}

CollectiveSchedule
MakeDoubleBinaryTreeAllReduce(uint32_t ranks, uint64_t bytes, uint32_t pipelineChunks)
{
    CheckArgs("tree", ranks, pipelineChunks);
    CollectiveSchedule s = NewSchedule("tree", ranks, bytes);
    if (ranks == 1)
    {
        return s;
    }
    const uint32_t n = ranks;
    const uint32_t c = pipelineChunks;
    const std::array<RankTree, 2> trees = MakeDoubleBinaryTree(n);
    uint32_t lastStep = 0;
    for (uint32_t t = 0; t < 2; ++t)
    {
        const RankTree& tree = trees[t];
        // ranks in breadth-first order from the root, with depth and height
        std::vector<uint32_t> bfs{tree.root};
        std::vector<uint32_t> depth(n, 0);
        std::vector<uint32_t> height(n, 0);
        for (size_t i = 0; i < bfs.size(); ++i)
        {
            for (uint32_t child : tree.children[bfs[i]])
            {
                depth[child] = depth[bfs[i]] + 1;
                bfs.push_back(child);
            }
        }
        for (auto it = bfs.rbegin(); it != bfs.rend(); ++it)
        {
            for (uint32_t child : tree.children[*it])
            {
                height[*it] = std::max(height[*it], height[child] + 1);
            }
        }
        const uint32_t treeHeight = height[tree.root];
        const uint64_t half = BlockBytes(bytes, 2, t);
        const uint64_t halfOffset = BlockOffset(bytes, 2, t);
        for (uint32_t k = 0; k < c; ++k)
        {
            const uint64_t chunkBytes = BlockBytes(half, c, k);
            const uint64_t chunkOffset = halfOffset + BlockOffset(half, c, k);
            auto make = [&](uint32_t src, uint32_t dst, uint32_t step, TransferOp op) {
                Transfer tr;
                tr.src = src;
                tr.dst = dst;
                tr.bytes = chunkBytes;
                tr.step = step;
                tr.chunk = t * c + k;
                tr.op = op;
                tr.offset = chunkOffset;
                lastStep = std::max(lastStep, step);
                return tr;
            };
            // reduce: leaves first (reverse breadth-first order)
            std::vector<uint32_t> up(n, 0); // index of rank's up transfer of chunk k
            for (auto it = bfs.rbegin(); it != bfs.rend(); ++it)
            {
                const uint32_t r = *it;
                if (r == tree.root)
                {
                    continue;
                }
                Transfer tr = make(r,
                                   static_cast<uint32_t>(tree.parent[r]),
                                   k + height[r],
                                   TransferOp::Reduce);
                for (uint32_t child : tree.children[r])
                {
                    tr.deps.push_back(up[child]);
                }
                up[r] = static_cast<uint32_t>(s.transfers.size());
                s.transfers.push_back(std::move(tr));
            }
            // broadcast: root first (breadth-first order)
            std::vector<uint32_t> down(n, 0); // index of the transfer bringing chunk k down
            for (uint32_t r : bfs)
            {
                for (uint32_t child : tree.children[r])
                {
                    Transfer tr = make(r, child, k + treeHeight + depth[r], TransferOp::Copy);
                    if (r == tree.root)
                    {
                        for (uint32_t rc : tree.children[r])
                        {
                            tr.deps.push_back(up[rc]);
                        }
                    }
                    else
                    {
                        tr.deps.push_back(down[r]);
                    }
                    down[child] = static_cast<uint32_t>(s.transfers.size());
                    s.transfers.push_back(std::move(tr));
                }
            }
        }
    }
    s.steps = lastStep + 1;
    SortByStep(s);
    return s;
}

CollectiveSchedule
MakeHalvingDoublingAllReduce(uint32_t ranks, uint64_t bytes)
{
    CheckArgs("halving_doubling", ranks, 1);
    CollectiveSchedule s = NewSchedule("halving_doubling", ranks, bytes);
    if (ranks == 1)
    {
        return s;
    }
    const uint32_t n = ranks;
    uint32_t p = 1;
    uint32_t logP = 0;
    while (static_cast<uint64_t>(p) * 2 <= n)
    {
        p *= 2;
        ++logP;
    }
    const uint32_t q = n - p;
    // real rank of new rank i
    auto real = [q](uint32_t i) { return i < q ? 2 * i : i + q; };
    std::vector<std::vector<uint32_t>> received(n); // per real rank, in order
    auto add = [&s, &received](Transfer t) {
        received[t.dst].push_back(static_cast<uint32_t>(s.transfers.size()));
        s.transfers.push_back(std::move(t));
    };
    auto rangeTransfer =
        [&](uint32_t src, uint32_t dst, uint32_t lo, uint32_t hi, uint32_t step, TransferOp op) {
            Transfer t;
            t.src = src;
            t.dst = dst;
            t.offset = BlockOffset(bytes, p, lo);
            t.bytes = BlockOffset(bytes, p, hi) - t.offset;
            t.step = step;
            t.chunk = lo;
            t.op = op;
            t.deps = received[src];
            return t;
        };
    uint32_t step = 0;
    if (q > 0)
    {
        for (uint32_t i = 0; i < q; ++i)
        {
            add(rangeTransfer(2 * i + 1, 2 * i, 0, p, step, TransferOp::Reduce));
        }
        ++step;
    }
    // current block range [lo[i], hi[i]) of new rank i
    std::vector<uint32_t> lo(p, 0);
    std::vector<uint32_t> hi(p, p);
    std::vector<Transfer> round;
    for (uint32_t k = 0; k < logP; ++k, ++step)
    {
        round.clear();
        for (uint32_t i = 0; i < p; ++i)
        {
            const uint32_t partner = i ^ (1U << k);
            const uint32_t mid = (lo[i] + hi[i]) / 2;
            if (i < partner)
            {
                round.push_back(
                    rangeTransfer(real(i), real(partner), mid, hi[i], step, TransferOp::Reduce));
            }
            else
            {
                round.push_back(
                    rangeTransfer(real(i), real(partner), lo[i], mid, step, TransferOp::Reduce));
            }
        }
        for (uint32_t i = 0; i < p; ++i)
        {
            const uint32_t partner = i ^ (1U << k);
            const uint32_t mid = (lo[i] + hi[i]) / 2;
            (i < partner ? hi[i] : lo[i]) = mid;
            add(std::move(round[i]));
        }
    }
    for (uint32_t k = logP; k-- > 0; ++step)
    {
        round.clear();
        for (uint32_t i = 0; i < p; ++i)
        {
            const uint32_t partner = i ^ (1U << k);
            round.push_back(
                rangeTransfer(real(i), real(partner), lo[i], hi[i], step, TransferOp::Copy));
        }
        const std::vector<uint32_t> oldLo = lo;
        const std::vector<uint32_t> oldHi = hi;
        for (uint32_t i = 0; i < p; ++i)
        {
            const uint32_t partner = i ^ (1U << k);
            lo[i] = std::min(oldLo[i], oldLo[partner]);
            hi[i] = std::max(oldHi[i], oldHi[partner]);
            add(std::move(round[i]));
        }
    }
    if (q > 0)
    {
        for (uint32_t i = 0; i < q; ++i)
        {
            add(rangeTransfer(2 * i, 2 * i + 1, 0, p, step, TransferOp::Copy));
        }
        ++step;
    }
    s.steps = step;
    return s;
}

CollectiveSchedule
MakeHierarchicalRingAllReduce(uint32_t ranks,
                              uint64_t bytes,
                              uint32_t gpusPerServer,
                              uint32_t pipelineChunks)
{
    CheckArgs("hierarchical_ring", ranks, pipelineChunks);
    if (gpusPerServer == 0)
    {
        throw std::invalid_argument("hierarchical_ring: gpusPerServer must be >= 1");
    }
    if (ranks % gpusPerServer != 0)
    {
        throw std::invalid_argument("hierarchical_ring: ranks (" + std::to_string(ranks) +
                                    ") must be a multiple of gpusPerServer (" +
                                    std::to_string(gpusPerServer) + ")");
    }
    CollectiveSchedule s = NewSchedule("hierarchical_ring", ranks, bytes);
    if (ranks == 1)
    {
        return s;
    }
    const uint32_t g = gpusPerServer;
    const uint32_t m = ranks / g;
    s.steps = 2 * (g - 1) + 2 * (m - 1);

    auto serverRing = [g](uint32_t server) {
        std::vector<uint32_t> ring(g);
        for (uint32_t l = 0; l < g; ++l)
        {
            ring[l] = server * g + l;
        }
        return ring;
    };
    auto localRing = [g, m](uint32_t local) {
        std::vector<uint32_t> ring(m);
        for (uint32_t v = 0; v < m; ++v)
        {
            ring[v] = v * g + local;
        }
        return ring;
    };

    // Phase 1: intra-server reduce-scatter. done[r]: receipts completing r's own block.
    std::vector<std::vector<uint32_t>> done(ranks);
    for (uint32_t v = 0; v < m; ++v)
    {
        const RingReceipts rs = AppendRingSteps(s,
                                                serverRing(v),
                                                0,
                                                bytes,
                                                TransferOp::Reduce,
                                                g - 1,
                                                0,
                                                pipelineChunks,
                                                nullptr,
                                                nullptr,
                                                false);
        for (uint32_t l = 0; l < g; ++l)
        {
            done[v * g + l] = rs.last[l];
        }
    }
    // Phase 2: inter-server ring all-reduce of block l among the ranks with local index l.
    if (m > 1)
    {
        std::vector<std::vector<uint32_t>> done2(ranks);
        for (uint32_t l = 0; l < g; ++l)
        {
            const std::vector<uint32_t> ring = localRing(l);
            const uint64_t blockOffset = BlockOffset(bytes, g, l);
            const uint64_t blockBytes = BlockBytes(bytes, g, l);
            PerPosition phase1(m);
            for (uint32_t v = 0; v < m; ++v)
            {
                phase1[v] = done[ring[v]];
            }
            const RingReceipts rs = AppendRingSteps(s,
                                                    ring,
                                                    blockOffset,
                                                    blockBytes,
                                                    TransferOp::Reduce,
                                                    m - 1,
                                                    g - 1,
                                                    pipelineChunks,
                                                    nullptr,
                                                    &phase1,
                                                    true);
            const RingReceipts ag = AppendRingSteps(s,
                                                    ring,
                                                    blockOffset,
                                                    blockBytes,
                                                    TransferOp::Copy,
                                                    0,
                                                    g - 1 + m - 1,
                                                    pipelineChunks,
                                                    &rs.last,
                                                    &phase1,
                                                    false);
            for (uint32_t v = 0; v < m; ++v)
            {
                auto& d = done2[ring[v]];
                d = rs.last[v];
                d.insert(d.end(), ag.all[v].begin(), ag.all[v].end());
            }
        }
        done = std::move(done2);
    }
    // Phase 3: intra-server all-gather.
    for (uint32_t v = 0; v < m; ++v)
    {
        const std::vector<uint32_t> ring = serverRing(v);
        PerPosition ready(g);
        for (uint32_t l = 0; l < g; ++l)
        {
            ready[l] = done[ring[l]];
        }
        AppendRingSteps(s,
                        ring,
                        0,
                        bytes,
                        TransferOp::Copy,
                        0,
                        g - 1 + 2 * (m - 1),
                        pipelineChunks,
                        nullptr,
                        &ready,
                        false);
    }
    return s;
}

CollectiveSchedule
MakeAllToAll(uint32_t ranks, uint64_t bytes)
{
    CheckArgs("all_to_all", ranks, 1);
    CollectiveSchedule s = NewSchedule("all_to_all", ranks, bytes);
    if (ranks == 1)
    {
        return s;
    }
    const uint32_t n = ranks;
    s.steps = n - 1;
    s.transfers.reserve(static_cast<size_t>(n) * (n - 1));
    for (uint32_t k = 1; k < n; ++k)
    {
        for (uint32_t r = 0; r < n; ++r)
        {
            Transfer t;
            t.src = r;
            t.dst = (r + k) % n;
            t.bytes = BlockBytes(bytes, n, t.dst);
            t.offset = BlockOffset(bytes, n, t.dst);
            t.step = k - 1;
            t.chunk = t.dst;
            t.op = TransferOp::Copy;
            s.transfers.push_back(std::move(t));
        }
    }
    return s;
}

CollectiveSchedule
MakeAllToAllPairwise(uint32_t ranks, uint64_t bytes)
{
    CheckArgs("all2all_pairwise", ranks, 1);
    CollectiveSchedule s = NewSchedule("all2all_pairwise", ranks, bytes);
    if (ranks == 1)
    {
        return s;
    }
    const uint32_t n = ranks;
    s.steps = n - 1;
    s.transfers.reserve(static_cast<size_t>(n) * (n - 1));
    // index of the round-k transfer sent by rank r: (k - 1) * n + r
    for (uint32_t k = 1; k < n; ++k)
    {
        for (uint32_t r = 0; r < n; ++r)
        {
            Transfer t;
            t.src = r;
            t.dst = (r + k) % n;
            t.bytes = bytes;
            t.offset = 0;
            t.step = k - 1;
            t.chunk = k;
            t.op = TransferOp::Copy;
            if (k >= 2)
            {
                // r's receipt of round k-1 came from rank (r - (k-1)) mod n
                const uint32_t from = (r + n - (k - 1)) % n;
                t.deps.push_back((k - 2) * n + from);
            }
            s.transfers.push_back(std::move(t));
        }
    }
    return s;
}

bool
IsIntraServer(const Transfer& t, uint32_t gpusPerServer)
{
    if (gpusPerServer == 0)
    {
        throw std::invalid_argument("IsIntraServer: gpusPerServer must be >= 1");
    }
    return t.src / gpusPerServer == t.dst / gpusPerServer;
}

std::vector<std::string>
CollectiveAlgorithms()
{
    return {"ring",
            "tree",
            "halving_doubling",
            "hierarchical_ring",
            "all_to_all",
            "reduce_scatter",
            "all_gather",
            "all2all_pairwise"};
}

CollectiveSchedule
MakeCollective(const std::string& algorithm,
               uint32_t ranks,
               uint64_t bytes,
               uint32_t gpusPerServer,
               uint32_t pipelineChunks)
{
    if (gpusPerServer == 0)
    {
        throw std::invalid_argument(algorithm + ": gpusPerServer must be >= 1");
    }
    if (pipelineChunks == 0)
    {
        throw std::invalid_argument(algorithm + ": pipelineChunks must be >= 1");
    }
    if (algorithm == "ring")
    {
        return MakeRingAllReduce(ranks, bytes, pipelineChunks);
    }
    if (algorithm == "tree")
    {
        return MakeDoubleBinaryTreeAllReduce(ranks, bytes, pipelineChunks);
    }
    if (algorithm == "halving_doubling")
    {
        return MakeHalvingDoublingAllReduce(ranks, bytes);
    }
    if (algorithm == "hierarchical_ring")
    {
        return MakeHierarchicalRingAllReduce(ranks, bytes, gpusPerServer, pipelineChunks);
    }
    if (algorithm == "all_to_all")
    {
        return MakeAllToAll(ranks, bytes);
    }
    if (algorithm == "reduce_scatter")
    {
        return MakeReduceScatter(ranks, bytes, pipelineChunks);
    }
    if (algorithm == "all_gather")
    {
        return MakeAllGather(ranks, bytes, pipelineChunks);
    }
    if (algorithm == "all2all_pairwise")
    {
        return MakeAllToAllPairwise(ranks, bytes);
    }
    std::string names;
    for (const auto& name : CollectiveAlgorithms())
    {
        names += (names.empty() ? "" : ", ") + name;
    }
    throw std::invalid_argument("unknown collective algorithm '" + algorithm +
                                "'; valid names: " + names);
}

} // namespace vclos
} // namespace ns3
