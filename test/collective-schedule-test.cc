/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Tests of the collective schedule generators (pure code, no ns-3 needed):
//  - a symbolic simulation of each schedule's data semantics (which rank contributions every
//    byte of every rank's buffer holds), in dependency order and in a random topological order;
//  - a race check: every read of a sender's range and every overwrite is ordered by the
//    dependencies with every conflicting access;
//  - exact byte totals, step counts, dependency order;
//  - the double binary tree construction and bad arguments.

#include "ns3/collective-schedule.h"

#include <algorithm>
#include <cstdint>
#include <gtest/gtest.h>
#include <ostream>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace ns3::vclos;

namespace
{

/// Set of rank contributions held by one byte (bit r = rank r's contribution).
using Mask = uint64_t;
/// Per rank, per byte of the S-byte buffer.
using Buffers = std::vector<std::vector<Mask>>;

const std::vector<uint32_t> kRanks{2, 3, 4, 5, 6, 8, 12, 16, 24, 32};
const std::vector<uint64_t> kBytes{960, 1001, 5}; // divisible by all kRanks, odd, tiny

Mask
Full(uint32_t n)
{
    return n >= 64 ? ~Mask{0} : (Mask{1} << n) - 1;
}

uint64_t
Block(uint64_t bytes, uint32_t n, uint32_t b)
{
    return bytes / n + (b < bytes % n ? 1 : 0);
}

uint64_t
BlockOff(uint64_t bytes, uint32_t n, uint32_t b)
{
    uint64_t off = 0;
    for (uint32_t i = 0; i < b; ++i)
    {
        off += Block(bytes, n, i);
    }
    return off;
}

uint32_t
Log2Floor(uint32_t x)
{
    uint32_t l = 0;
    while ((x >> (l + 1)) != 0)
    {
        ++l;
    }
    return l;
}

bool
IsAllReduce(const std::string& algorithm)
{
    return algorithm == "ring" || algorithm == "tree" || algorithm == "halving_doubling" ||
           algorithm == "hierarchical_ring";
}

/// Transitive closure of the dependencies: Before(a, b) iff b (transitively) waits for a.
class HappensBefore
{
  public:
    explicit HappensBefore(const CollectiveSchedule& s)
        : m_words((s.transfers.size() + 63) / 64),
          m_bits(s.transfers.size() * m_words, 0)
    {
        for (size_t i = 0; i < s.transfers.size(); ++i)
        {
            for (uint32_t d : s.transfers[i].deps)
            {
                for (size_t w = 0; w < m_words; ++w)
                {
                    m_bits[i * m_words + w] |= m_bits[d * m_words + w];
                }
                m_bits[i * m_words + d / 64] |= uint64_t{1} << (d % 64);
            }
        }
    }

    bool Before(uint32_t a, uint32_t b) const
    {
        return (m_bits[b * m_words + a / 64] >> (a % 64)) & 1;
    }

    bool Ordered(uint32_t a, uint32_t b) const
    {
        return Before(a, b) || Before(b, a);
    }

  private:
    size_t m_words;
    std::vector<uint64_t> m_bits;
};

bool
Overlap(const Transfer& a, const Transfer& b)
{
    return a.bytes > 0 && b.bytes > 0 && a.offset < b.offset + b.bytes &&
           b.offset < a.offset + a.bytes;
}

/**
 * Every transfer reads [offset, offset+bytes) of its sender's buffer and writes that range of
 * the receiver's buffer. Check that each read is ordered with every write to an overlapping
 * range of the sender, and that two overlapping writes are ordered unless both are Reduce.
 */
::testing::AssertionResult
RaceFree(const CollectiveSchedule& s)
{
    HappensBefore hb(s);
    std::vector<std::vector<uint32_t>> writes(s.ranks);
    for (uint32_t i = 0; i < s.transfers.size(); ++i)
    {
        writes[s.transfers[i].dst].push_back(i);
    }
    for (uint32_t i = 0; i < s.transfers.size(); ++i)
    {
        for (uint32_t w : writes[s.transfers[i].src])
        {
            if (Overlap(s.transfers[w], s.transfers[i]) && !hb.Ordered(w, i))
            {
                return ::testing::AssertionFailure()
                       << "transfer " << i << " reads a range that transfer " << w
                       << " writes concurrently at rank " << s.transfers[i].src;
            }
        }
    }
    for (uint32_t r = 0; r < s.ranks; ++r)
    {
        const auto& ws = writes[r];
        for (size_t a = 0; a < ws.size(); ++a)
        {
            for (size_t b = a + 1; b < ws.size(); ++b)
            {
                const Transfer& ta = s.transfers[ws[a]];
                const Transfer& tb = s.transfers[ws[b]];
                if ((ta.op == TransferOp::Copy || tb.op == TransferOp::Copy) && Overlap(ta, tb) &&
                    !hb.Ordered(ws[a], ws[b]))
                {
                    return ::testing::AssertionFailure()
                           << "transfers " << ws[a] << " and " << ws[b]
                           << " write overlapping ranges of rank " << r << " concurrently";
                }
            }
        }
    }
    return ::testing::AssertionSuccess();
}

/// A random order of the transfers compatible with the dependencies.
std::vector<uint32_t>
RandomTopologicalOrder(const CollectiveSchedule& s, uint32_t seed)
{
    const auto n = static_cast<uint32_t>(s.transfers.size());
    std::vector<uint32_t> missing(n);
    std::vector<std::vector<uint32_t>> dependants(n);
    std::vector<uint32_t> ready;
    for (uint32_t i = 0; i < n; ++i)
    {
        missing[i] = s.transfers[i].deps.size();
        for (uint32_t d : s.transfers[i].deps)
        {
            dependants[d].push_back(i);
        }
        if (missing[i] == 0)
        {
            ready.push_back(i);
        }
    }
    std::mt19937 rng(seed);
    std::vector<uint32_t> order;
    while (!ready.empty())
    {
        std::uniform_int_distribution<size_t> pick(0, ready.size() - 1);
        const size_t k = pick(rng);
        const uint32_t i = ready[k];
        ready[k] = ready.back();
        ready.pop_back();
        order.push_back(i);
        for (uint32_t j : dependants[i])
        {
            if (--missing[j] == 0)
            {
                ready.push_back(j);
            }
        }
    }
    return order;
}

/**
 * Execute the transfers in \p order: the payload is the sender's range; Reduce adds the
 * payload's contributions to the receiver's range (they must be disjoint: nothing is counted
 * twice), Copy overwrites it. \p copyOk says whether a Copy payload byte is acceptable.
 */
template <typename CopyOk>
::testing::AssertionResult
Simulate(const CollectiveSchedule& s,
         Buffers& buf,
         const std::vector<uint32_t>& order,
         CopyOk copyOk)
{
    std::vector<Mask> payload;
    for (uint32_t i : order)
    {
        const Transfer& t = s.transfers[i];
        if (t.offset + t.bytes > s.bytes)
        {
            return ::testing::AssertionFailure() << "transfer " << i << " exceeds the buffer";
        }
        payload.assign(buf[t.src].begin() + t.offset, buf[t.src].begin() + t.offset + t.bytes);
        for (uint64_t x = 0; x < t.bytes; ++x)
        {
            Mask& target = buf[t.dst][t.offset + x];
            if (t.op == TransferOp::Reduce)
            {
                if ((target & payload[x]) != 0)
                {
                    return ::testing::AssertionFailure()
                           << "transfer " << i << " reduces a contribution twice at rank " << t.dst
                           << " byte " << t.offset + x;
                }
                target |= payload[x];
            }
            else
            {
                if (!copyOk(payload[x], t.offset + x))
                {
                    return ::testing::AssertionFailure()
                           << "transfer " << i << " copies incomplete data (mask " << payload[x]
                           << ") to rank " << t.dst << " byte " << t.offset + x;
                }
                target = payload[x];
            }
        }
    }
    return ::testing::AssertionSuccess();
}

/// Steps the algorithm should take.
uint32_t
ExpectedSteps(const std::string& algorithm, uint32_t n, uint32_t g, uint32_t chunks)
{
    if (n == 1)
    {
        return 0;
    }
    if (algorithm == "ring")
    {
        return 2 * (n - 1);
    }
    if (algorithm == "reduce_scatter" || algorithm == "all_gather" || algorithm == "all_to_all" ||
        algorithm == "all2all_pairwise")
    {
        return n - 1;
    }
    if (algorithm == "tree")
    {
        const uint32_t height = Log2Floor(n - 1) + 1;
        return chunks + 2 * height - 1;
    }
    if (algorithm == "halving_doubling")
    {
        const uint32_t logP = Log2Floor(n);
        return 2 * logP + ((n & (n - 1)) != 0 ? 2 : 0);
    }
    // hierarchical_ring
    return 2 * (g - 1) + 2 * (n / g - 1);
}

/// One parameter set.
struct Case
{
    std::string algorithm;
    uint32_t ranks;
    uint32_t gpusPerServer;
    uint32_t chunks;
    uint64_t bytes;
};

/// gtest printer for Case (failure messages)
void
PrintTo(const Case& c, std::ostream* os)
{
    *os << c.algorithm << " N=" << c.ranks << " gpusPerServer=" << c.gpusPerServer
        << " chunks=" << c.chunks << " S=" << c.bytes;
}

std::string
CaseName(const ::testing::TestParamInfo<Case>& info)
{
    const Case& c = info.param;
    std::ostringstream os;
    os << c.algorithm << "_N" << c.ranks << "_g" << c.gpusPerServer << "_C" << c.chunks << "_S"
       << c.bytes;
    return os.str();
}

std::vector<Case>
AllCases()
{
    std::vector<Case> cases;
    for (const std::string& algorithm : CollectiveAlgorithms())
    {
        const bool pipelined = algorithm != "halving_doubling" && algorithm != "all_to_all" &&
                               algorithm != "all2all_pairwise";
        for (uint32_t n : kRanks)
        {
            std::vector<uint32_t> gs{1};
            if (algorithm == "hierarchical_ring")
            {
                gs.clear();
                for (uint32_t g : {1U, 2U, 4U, n})
                {
                    const bool extra = g == 1 || g == n; // degenerate: one phase only
                    if (n % g == 0 && std::find(gs.begin(), gs.end(), g) == gs.end() &&
                        (!extra || n == 8 || n == 12))
                    {
                        gs.push_back(g);
                    }
                }
            }
            for (uint32_t g : gs)
            {
                for (uint32_t chunks :
                     pipelined ? std::vector<uint32_t>{1, 3} : std::vector<uint32_t>{1})
                {
                    for (uint64_t bytes : kBytes)
                    {
                        cases.push_back({algorithm, n, g, chunks, bytes});
                    }
                }
            }
        }
    }
    return cases;
}

class CollectiveCase : public ::testing::TestWithParam<Case>
{
};

TEST_P(CollectiveCase, StructureStepsAndBytes)
{
    const Case& c = GetParam();
    const uint32_t n = c.ranks;
    const uint64_t S = c.bytes;
    const CollectiveSchedule s = MakeCollective(c.algorithm, n, S, c.gpusPerServer, c.chunks);
    EXPECT_EQ(s.algorithm, c.algorithm);
    EXPECT_EQ(s.ranks, n);
    EXPECT_EQ(s.bytes, S);
    EXPECT_NO_THROW(s.Validate());
    EXPECT_EQ(s.steps, ExpectedSteps(c.algorithm, n, c.gpusPerServer, c.chunks));

    // (c) dependency order: earlier index, receipt at the sender, strictly earlier step
    std::vector<bool> stepUsed(s.steps, false);
    for (uint32_t i = 0; i < s.transfers.size(); ++i)
    {
        const Transfer& t = s.transfers[i];
        ASSERT_LT(t.step, s.steps) << "transfer " << i;
        stepUsed[t.step] = true;
        EXPECT_LE(t.offset + t.bytes, S) << "transfer " << i;
        std::set<uint32_t> unique(t.deps.begin(), t.deps.end());
        EXPECT_EQ(unique.size(), t.deps.size()) << "duplicate dependency in transfer " << i;
        for (uint32_t d : t.deps)
        {
            ASSERT_LT(d, i);
            EXPECT_EQ(s.transfers[d].dst, t.src);
            EXPECT_LT(s.transfers[d].step, t.step) << "transfer " << i << " dep " << d;
        }
        if (c.algorithm == "all_to_all")
        {
            EXPECT_TRUE(t.deps.empty());
        }
    }
    for (uint32_t k = 0; k < s.steps; ++k)
    {
        EXPECT_TRUE(stepUsed[k]) << "step " << k << " has no transfer";
    }

    // (b) byte totals
    std::vector<uint64_t> sent(n, 0);
    for (const Transfer& t : s.transfers)
    {
        sent[t.src] += t.bytes;
    }
    const uint64_t total = s.TotalBytes();
    if (IsAllReduce(c.algorithm))
    {
        EXPECT_EQ(total, 2 * uint64_t{n - 1} * S); // every all-reduce here sends 2(N-1)S
    }
    else if (c.algorithm == "all2all_pairwise")
    {
        EXPECT_EQ(total, uint64_t{n} * (n - 1) * S); // the full size to every other rank
    }
    else
    {
        EXPECT_EQ(total, uint64_t{n - 1} * S); // reduce-scatter, all-gather, all-to-all
    }
    for (uint32_t r = 0; r < n; ++r)
    {
        if (c.algorithm == "ring")
        {
            EXPECT_EQ(sent[r], 2 * S - Block(S, n, r) - Block(S, n, (r + 1) % n));
        }
        else if (c.algorithm == "reduce_scatter" || c.algorithm == "all_to_all")
        {
            EXPECT_EQ(sent[r], S - Block(S, n, r));
        }
        else if (c.algorithm == "all_gather")
        {
            EXPECT_EQ(sent[r], S - Block(S, n, (r + 1) % n));
        }
        else if (c.algorithm == "all2all_pairwise")
        {
            EXPECT_EQ(sent[r], uint64_t{n - 1} * S);
        }
    }
    if (S % n == 0 && (c.algorithm == "ring" || c.algorithm == "hierarchical_ring"))
    {
        for (uint32_t r = 0; r < n; ++r)
        {
            EXPECT_EQ(sent[r], 2 * uint64_t{n - 1} * S / n) << "rank " << r;
        }
    }
    if (c.algorithm == "halving_doubling")
    {
        const uint32_t p = 1U << Log2Floor(n);
        const uint32_t q = n - p;
        if (S % p == 0)
        {
            for (uint32_t r = 0; r < n; ++r)
            {
                const uint64_t core = 2 * uint64_t{p - 1} * S / p;
                const uint64_t expect =
                    r >= 2 * q ? core : (r % 2 == 1 ? S /* pre-step */ : core + S /* post */);
                EXPECT_EQ(sent[r], expect) << "rank " << r;
            }
        }
    }
    if (c.algorithm == "tree")
    {
        const auto trees = MakeDoubleBinaryTree(n);
        const uint64_t halves[2] = {Block(S, 2, 0), Block(S, 2, 1)};
        for (uint32_t r = 0; r < n; ++r)
        {
            uint64_t expect = 0;
            for (int t = 0; t < 2; ++t)
            {
                const uint64_t ups = trees[t].root == r ? 0 : 1;
                expect += halves[t] * (ups + trees[t].children[r].size());
            }
            EXPECT_EQ(sent[r], expect) << "rank " << r;
            EXPECT_LE(sent[r], 4 * halves[0]) << "rank " << r;
        }
    }
    if (c.algorithm == "hierarchical_ring")
    {
        const uint32_t g = c.gpusPerServer;
        const uint32_t m = n / g;
        uint64_t intra = 0;
        uint64_t inter = 0;
        for (const Transfer& t : s.transfers)
        {
            (IsIntraServer(t, g) ? intra : inter) += t.bytes;
            // phases 1 and 3 stay in a server, phase 2 goes between servers
            const bool phase2 = t.step >= g - 1 && t.step < g - 1 + 2 * (m - 1);
            EXPECT_EQ(IsIntraServer(t, g), !phase2);
            if (phase2)
            {
                EXPECT_EQ(t.src % g, t.dst % g) << "phase 2 keeps the local index";
            }
        }
        EXPECT_EQ(intra, 2 * uint64_t{n - m} * S);
        EXPECT_EQ(inter, 2 * uint64_t{m - 1} * S);
    }
}

TEST_P(CollectiveCase, SymbolicSimulation)
{
    const Case& c = GetParam();
    const uint32_t n = c.ranks;
    const uint64_t S = c.bytes;
    const CollectiveSchedule s = MakeCollective(c.algorithm, n, S, c.gpusPerServer, c.chunks);

    if (c.algorithm == "all_to_all")
    {
        // the receiver keeps a separate slot per sender: rank r must get block r of every j
        std::vector<std::vector<uint32_t>> got(n, std::vector<uint32_t>(n, 0));
        for (const Transfer& t : s.transfers)
        {
            EXPECT_EQ(t.offset, BlockOff(S, n, t.dst));
            EXPECT_EQ(t.bytes, Block(S, n, t.dst));
            ++got[t.dst][t.src];
        }
        for (uint32_t r = 0; r < n; ++r)
        {
            for (uint32_t j = 0; j < n; ++j)
            {
                EXPECT_EQ(got[r][j], r == j ? 0U : 1U) << "rank " << r << " from " << j;
            }
        }
        return;
    }
    if (c.algorithm == "all2all_pairwise")
    {
        // Not a reduction and no data semantics (every transfer carries the whole buffer, a
        // traffic model): check the round structure instead. Round k = step + 1: rank r
        // sends S to (r + k) mod n, after its receipt of round k - 1.
        std::vector<std::vector<uint32_t>> got(n, std::vector<uint32_t>(n, 0));
        std::vector<std::vector<int64_t>> receipt(n, std::vector<int64_t>(n, -1));
        for (uint32_t i = 0; i < s.transfers.size(); ++i)
        {
            const Transfer& t = s.transfers[i];
            const uint32_t k = t.step + 1;
            EXPECT_EQ(t.offset, 0U);
            EXPECT_EQ(t.bytes, S);
            EXPECT_EQ(t.dst, (t.src + k) % n) << "transfer " << i;
            ++got[t.dst][t.src];
            receipt[t.dst][t.step] = i;
            if (k == 1)
            {
                EXPECT_TRUE(t.deps.empty()) << "transfer " << i;
            }
            else
            {
                ASSERT_EQ(t.deps.size(), 1U) << "transfer " << i;
                EXPECT_EQ(t.deps[0], receipt[t.src][t.step - 1]) << "transfer " << i;
                EXPECT_EQ(s.transfers[t.deps[0]].src, (t.src + n - (k - 1)) % n);
            }
        }
        for (uint32_t r = 0; r < n; ++r)
        {
            for (uint32_t j = 0; j < n; ++j)
            {
                EXPECT_EQ(got[r][j], r == j ? 0U : 1U) << "rank " << r << " from " << j;
            }
        }
        return;
    }

    // (a) race-freedom: the result cannot depend on timing
    EXPECT_TRUE(RaceFree(s));

    // initial contents: bit r at every byte of rank r (all-gather: only in block r)
    Buffers init(n, std::vector<Mask>(S, 0));
    for (uint32_t r = 0; r < n; ++r)
    {
        const bool gather = c.algorithm == "all_gather";
        const uint64_t lo = gather ? BlockOff(S, n, r) : 0;
        const uint64_t hi = gather ? lo + Block(S, n, r) : S;
        for (uint64_t x = lo; x < hi; ++x)
        {
            init[r][x] = Mask{1} << r;
        }
    }
    std::vector<uint32_t> blockOf(S);
    for (uint32_t b = 0; b < n; ++b)
    {
        for (uint64_t x = BlockOff(S, n, b); x < BlockOff(S, n, b) + Block(S, n, b); ++x)
        {
            blockOf[x] = b;
        }
    }
    const Mask full = Full(n);
    const std::string algorithm = c.algorithm;
    auto copyOk = [&](Mask m, uint64_t x) {
        // all-reduce: only fully reduced data is ever copied; all-gather: the owner's block
        return algorithm == "all_gather" ? m == (Mask{1} << blockOf[x]) : m == full;
    };

    std::vector<std::vector<uint32_t>> orders;
    std::vector<uint32_t> indexOrder(s.transfers.size());
    for (uint32_t i = 0; i < indexOrder.size(); ++i)
    {
        indexOrder[i] = i;
    }
    orders.push_back(indexOrder);
    orders.push_back(RandomTopologicalOrder(s, 12345 + n));
    ASSERT_EQ(orders.back().size(), s.transfers.size());

    std::vector<Buffers> results;
    for (const auto& order : orders)
    {
        Buffers buf = init;
        ASSERT_TRUE(Simulate(s, buf, order, copyOk));
        for (uint32_t r = 0; r < n; ++r)
        {
            for (uint64_t x = 0; x < S; ++x)
            {
                if (IsAllReduce(c.algorithm))
                {
                    ASSERT_EQ(buf[r][x], full) << "rank " << r << " byte " << x;
                }
                else if (c.algorithm == "reduce_scatter")
                {
                    if (blockOf[x] == r)
                    {
                        ASSERT_EQ(buf[r][x], full) << "rank " << r << " byte " << x;
                    }
                }
                else // all_gather
                {
                    ASSERT_EQ(buf[r][x], Mask{1} << blockOf[x]) << "rank " << r << " byte " << x;
                }
            }
        }
        results.push_back(std::move(buf));
    }
    EXPECT_EQ(results[0], results[1]);
}

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, CollectiveCase, ::testing::ValuesIn(AllCases()), CaseName);

TEST(CollectiveScheduleTest, RingAllReduceIsReduceScatterThenAllGather)
{
    for (uint32_t n : kRanks)
    {
        for (uint32_t chunks : {1U, 2U})
        {
            const uint64_t S = 1001;
            const CollectiveSchedule ar = MakeRingAllReduce(n, S, chunks);
            const CollectiveSchedule rs = MakeReduceScatter(n, S, chunks);
            const CollectiveSchedule ag = MakeAllGather(n, S, chunks);
            ASSERT_EQ(ar.transfers.size(), rs.transfers.size() + ag.transfers.size());
            const auto base = static_cast<uint32_t>(rs.transfers.size());
            for (uint32_t i = 0; i < ar.transfers.size(); ++i)
            {
                const Transfer& a = ar.transfers[i];
                const bool first = i < base;
                const Transfer& b = first ? rs.transfers[i] : ag.transfers[i - base];
                EXPECT_EQ(a.src, b.src);
                EXPECT_EQ(a.dst, b.dst);
                EXPECT_EQ(a.bytes, b.bytes);
                EXPECT_EQ(a.offset, b.offset);
                EXPECT_EQ(a.op, b.op);
                EXPECT_EQ(a.chunk, b.chunk);
                EXPECT_EQ(a.step, first ? b.step : b.step + n - 1);
                if (first)
                {
                    EXPECT_EQ(a.deps, b.deps);
                }
                else if (b.deps.empty())
                {
                    // first all-gather step: waits for the last reduce-scatter receipt
                    ASSERT_EQ(a.deps.size(), 1U);
                    const Transfer& d = ar.transfers[a.deps[0]];
                    EXPECT_EQ(d.step, n - 2);
                    EXPECT_EQ(d.dst, a.src);
                    EXPECT_EQ(d.offset, a.offset);
                }
                else
                {
                    ASSERT_EQ(a.deps.size(), 1U);
                    EXPECT_EQ(a.deps[0], b.deps[0] + base);
                }
            }
        }
    }
}

TEST(CollectiveScheduleTest, ReduceScatterLeavesRankWithItsBlock)
{
    const CollectiveSchedule s = MakeReduceScatter(4, 400);
    // the last step delivers block r to rank r
    for (const Transfer& t : s.transfers)
    {
        if (t.step == 2)
        {
            EXPECT_EQ(t.chunk, t.dst);
            EXPECT_EQ(t.offset, 100U * t.dst);
        }
    }
}

TEST(DoubleBinaryTree, NcclShapes)
{
    // NCCL's illustration for 14 ranks (tree 0)
    const auto t14 = MakeDoubleBinaryTree(14);
    EXPECT_EQ(t14[0].root, 0U);
    EXPECT_EQ(t14[0].children[0], (std::vector<uint32_t>{8}));
    EXPECT_EQ(t14[0].children[8], (std::vector<uint32_t>{4, 12}));
    EXPECT_EQ(t14[0].children[12], (std::vector<uint32_t>{10, 13}));
    EXPECT_EQ(t14[0].children[2], (std::vector<uint32_t>{1, 3}));
    EXPECT_EQ(t14[0].parent[13], 12);
    EXPECT_TRUE(t14[0].children[13].empty());
    // 12 ranks: tree 1 is the mirror image, rooted at 11 with child 3 (children 1 and 7)
    const auto t12 = MakeDoubleBinaryTree(12);
    EXPECT_EQ(t12[0].children[8], (std::vector<uint32_t>{4, 10}));
    EXPECT_EQ(t12[1].root, 11U);
    EXPECT_EQ(t12[1].children[11], (std::vector<uint32_t>{3}));
    EXPECT_EQ(t12[1].children[3], (std::vector<uint32_t>{7, 1}));
    // 13 ranks: tree 1 is tree 0 shifted by one, rooted at 1 -> 9 -> {5, 0}
    const auto t13 = MakeDoubleBinaryTree(13);
    EXPECT_EQ(t13[1].root, 1U);
    EXPECT_EQ(t13[1].children[1], (std::vector<uint32_t>{9}));
    EXPECT_EQ(t13[1].children[9], (std::vector<uint32_t>{5, 0}));
}

TEST(DoubleBinaryTree, SpanningBinaryAndComplementary)
{
    for (uint32_t n = 1; n <= 70; ++n)
    {
        const auto trees = MakeDoubleBinaryTree(n);
        std::vector<std::set<uint32_t>> interior(2);
        for (int t = 0; t < 2; ++t)
        {
            const RankTree& tree = trees[t];
            ASSERT_EQ(tree.parent.size(), n);
            ASSERT_EQ(tree.children.size(), n);
            EXPECT_EQ(tree.parent[tree.root], -1);
            // parent/child consistency, at most two children
            uint32_t edges = 0;
            for (uint32_t r = 0; r < n; ++r)
            {
                EXPECT_LE(tree.children[r].size(), 2U);
                for (uint32_t child : tree.children[r])
                {
                    ASSERT_LT(child, n);
                    EXPECT_EQ(tree.parent[child], static_cast<int64_t>(r));
                    ++edges;
                }
                if (r != tree.root)
                {
                    ASSERT_GE(tree.parent[r], 0) << "n=" << n << " rank " << r;
                }
                if (!tree.children[r].empty())
                {
                    interior[t].insert(r);
                }
            }
            EXPECT_EQ(edges, n - 1);
            // spanning: all ranks reachable from the root
            std::vector<uint32_t> seen{tree.root};
            for (size_t i = 0; i < seen.size(); ++i)
            {
                for (uint32_t child : tree.children[seen[i]])
                {
                    seen.push_back(child);
                }
            }
            EXPECT_EQ(seen.size(), n);
            EXPECT_EQ(tree.Height(), n == 1 ? 0 : Log2Floor(n - 1) + 1) << "n=" << n;
        }
        std::set<uint32_t> both;
        for (uint32_t r : interior[0])
        {
            if (interior[1].count(r) != 0)
            {
                both.insert(r);
            }
        }
        if (n >= 2 && n % 2 == 0)
        {
            // exact complementarity: interior in exactly one tree, leaf in the other
            EXPECT_TRUE(both.empty()) << "n=" << n;
            EXPECT_EQ(interior[0].size() + interior[1].size(), n) << "n=" << n;
        }
        else if (n >= 3)
        {
            // odd n: only rank 0 (the root of tree 0) is interior in both trees
            EXPECT_EQ(both, (std::set<uint32_t>{0})) << "n=" << n;
        }
    }
}

TEST(CollectiveScheduleTest, HalvingDoublingPartnersAndSizes)
{
    // power of two: round k pairs ranks differing in bit k, sizes halve then double
    const CollectiveSchedule s = MakeHalvingDoublingAllReduce(8, 800);
    ASSERT_EQ(s.steps, 6U);
    const uint64_t sizes[6] = {400, 200, 100, 100, 200, 400};
    const uint32_t bits[6] = {1, 2, 4, 4, 2, 1};
    for (const Transfer& t : s.transfers)
    {
        EXPECT_EQ(t.bytes, sizes[t.step]);
        EXPECT_EQ(t.src ^ t.dst, bits[t.step]);
        EXPECT_EQ(t.op, t.step < 3 ? TransferOp::Reduce : TransferOp::Copy);
    }
    // N = 6: pre-step 1->0, 3->2; p = 4 ranks {0, 2, 4, 5}; post-step 0->1, 2->3
    const CollectiveSchedule u = MakeHalvingDoublingAllReduce(6, 600);
    ASSERT_EQ(u.steps, 6U);
    std::set<std::pair<uint32_t, uint32_t>> pre;
    std::set<std::pair<uint32_t, uint32_t>> post;
    for (const Transfer& t : u.transfers)
    {
        if (t.step == 0)
        {
            pre.insert({t.src, t.dst});
            EXPECT_EQ(t.bytes, 600U);
        }
        else if (t.step == 5)
        {
            post.insert({t.src, t.dst});
            EXPECT_EQ(t.bytes, 600U);
        }
        else
        {
            EXPECT_NE(t.src, 1U);
            EXPECT_NE(t.src, 3U);
        }
    }
    EXPECT_EQ(pre, (std::set<std::pair<uint32_t, uint32_t>>{{1, 0}, {3, 2}}));
    EXPECT_EQ(post, (std::set<std::pair<uint32_t, uint32_t>>{{0, 1}, {2, 3}}));
}

TEST(CollectiveScheduleTest, SingleRankIsEmpty)
{
    for (const std::string& algorithm : CollectiveAlgorithms())
    {
        const CollectiveSchedule s = MakeCollective(algorithm, 1, 1000, 1, 2);
        EXPECT_TRUE(s.transfers.empty()) << algorithm;
        EXPECT_EQ(s.steps, 0U) << algorithm;
        EXPECT_EQ(s.TotalBytes(), 0U) << algorithm;
        EXPECT_NO_THROW(s.Validate());
    }
}

TEST(CollectiveScheduleTest, IsIntraServer)
{
    Transfer t;
    t.src = 4;
    t.dst = 7;
    EXPECT_TRUE(IsIntraServer(t, 4));
    EXPECT_FALSE(IsIntraServer(t, 2));
    EXPECT_TRUE(IsIntraServer(t, 8));
    EXPECT_THROW(IsIntraServer(t, 0), std::invalid_argument);
}

TEST(CollectiveScheduleTest, BadArgumentsThrow)
{
    EXPECT_THROW(MakeRingAllReduce(0, 100), std::invalid_argument);
    EXPECT_THROW(MakeRingAllReduce(4, 100, 0), std::invalid_argument);
    EXPECT_THROW(MakeReduceScatter(0, 100), std::invalid_argument);
    EXPECT_THROW(MakeReduceScatter(4, 100, 0), std::invalid_argument);
    EXPECT_THROW(MakeAllGather(0, 100), std::invalid_argument);
    EXPECT_THROW(MakeAllGather(4, 100, 0), std::invalid_argument);
    EXPECT_THROW(MakeDoubleBinaryTreeAllReduce(0, 100), std::invalid_argument);
    EXPECT_THROW(MakeDoubleBinaryTreeAllReduce(4, 100, 0), std::invalid_argument);
    EXPECT_THROW(MakeDoubleBinaryTree(0), std::invalid_argument);
    EXPECT_THROW(MakeHalvingDoublingAllReduce(0, 100), std::invalid_argument);
    EXPECT_THROW(MakeAllToAll(0, 100), std::invalid_argument);
    EXPECT_THROW(MakeAllToAllPairwise(0, 100), std::invalid_argument);
    EXPECT_THROW(MakeHierarchicalRingAllReduce(0, 100, 2), std::invalid_argument);
    EXPECT_THROW(MakeHierarchicalRingAllReduce(6, 100, 4), std::invalid_argument);
    EXPECT_THROW(MakeHierarchicalRingAllReduce(3, 100, 2), std::invalid_argument);
    EXPECT_THROW(MakeHierarchicalRingAllReduce(8, 100, 0), std::invalid_argument);
    EXPECT_THROW(MakeHierarchicalRingAllReduce(8, 100, 4, 0), std::invalid_argument);
    EXPECT_THROW(MakeCollective("ring", 4, 100, 1, 0), std::invalid_argument);
    EXPECT_THROW(MakeCollective("ring", 4, 100, 0, 1), std::invalid_argument);
    EXPECT_THROW(MakeCollective("hierarchical_ring", 6, 100, 4, 1), std::invalid_argument);
    EXPECT_THROW(MakeCollective("tree", 0, 100, 1, 1), std::invalid_argument);
    try
    {
        MakeCollective("butterfly", 4, 100, 1, 1);
        FAIL() << "no exception for an unknown algorithm";
    }
    catch (const std::invalid_argument& e)
    {
        const std::string what = e.what();
        EXPECT_NE(what.find("butterfly"), std::string::npos);
        for (const std::string& name : CollectiveAlgorithms())
        {
            EXPECT_NE(what.find(name), std::string::npos) << name;
        }
    }
}

TEST(CollectiveScheduleTest, AlgorithmNames)
{
    EXPECT_EQ(CollectiveAlgorithms(),
              (std::vector<std::string>{"ring",
                                        "tree",
                                        "halving_doubling",
                                        "hierarchical_ring",
                                        "all_to_all",
                                        "reduce_scatter",
                                        "all_gather",
                                        "all2all_pairwise"}));
}

} // namespace
