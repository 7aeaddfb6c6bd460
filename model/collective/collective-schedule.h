/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_COLLECTIVE_SCHEDULE_H
#define VCLOS_COLLECTIVE_SCHEDULE_H

// Pure code: no ns-3 in this file or its .cc.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * What the receiver of a transfer does with its payload. Only used to check the data
 * semantics of a schedule (the executor only looks at src, dst, bytes, step and deps).
 */
enum class TransferOp : uint8_t
{
    Copy,   //!< the payload overwrites the receiver's byte range (gather / broadcast)
    Reduce, //!< the payload is reduced (e.g. summed) into the receiver's byte range
};

/**
 * \ingroup vclos
 * One point-to-point transfer of a collective schedule.
 *
 * A transfer may start once every transfer listed in \c deps has been fully received
 * (each dependency's destination is this transfer's source rank). Transfers whose
 * \c deps is empty start when the collective starts.
 *
 * Data model (used by tests, not by the executor): every rank holds one buffer of S
 * bytes. A transfer carries the bytes [offset, offset + bytes) of the sender's buffer and
 * applies them to the same range of the receiver's buffer, as \c op says. Concurrent
 * Reduce receipts into the same range are allowed (reduction is commutative); every other
 * pair of accesses to a range is ordered by the dependencies. The one exception is
 * all-to-all: there the range is block \c dst of the sender's send buffer and the receiver
 * stores it in a separate receive buffer, in the slot of rank \c src.
 */
struct Transfer
{
    uint32_t src{0};                 //!< sending rank
    uint32_t dst{0};                 //!< receiving rank
    uint64_t bytes{0};               //!< payload bytes
    uint32_t step{0};                //!< algorithm step (for per-step timing records)
    uint32_t chunk{0};               //!< which data block the transfer carries (per algorithm)
    std::vector<uint32_t> deps;      //!< indices of transfers that must be received first
    TransferOp op{TransferOp::Copy}; //!< what the receiver does with the payload
    uint64_t offset{0};              //!< byte offset of the payload in the S-byte buffer
};

/**
 * \ingroup vclos
 * A collective as a dependency graph of transfers between ranks 0..ranks-1.
 * Transfers are stored in an order compatible with their dependencies
 * (every dependency index is smaller than the transfer's own index).
 */
struct CollectiveSchedule
{
    std::string algorithm;           //!< e.g. "ring"
    uint32_t ranks{0};               //!< number of ranks
    uint64_t bytes{0};               //!< collective size S in bytes (per rank buffer)
    uint32_t steps{0};               //!< number of algorithm steps
    std::vector<Transfer> transfers; //!< the transfers

    /// Total payload bytes over all transfers.
    uint64_t TotalBytes() const;
    /// Throws std::invalid_argument if a dependency is out of order or names another rank.
    void Validate() const;
};

/**
 * \ingroup vclos
 * Ring all-reduce: MakeReduceScatter() followed by MakeAllGather() on the same ring
 * (rank r sends to rank r+1 mod N), 2(N-1) steps. Blocks are S/N bytes (the first S mod N
 * blocks one byte more). In reduce-scatter step s (0 <= s < N-1) rank r sends block
 * (r - 1 - s) mod N, so that rank r ends owning the reduced block r; in all-gather step
 * N-1+s rank r sends block (r - s) mod N. With \p pipelineChunks > 1 each block is sent as
 * that many sub-chunk transfers, and sub-chunk j of step s depends only on sub-chunk j of
 * step s-1 (also across the reduce-scatter / all-gather boundary).
 *
 * Total bytes sent: exactly 2(N-1)S (per rank 2S - |block r| - |block r+1|, i.e.
 * 2(N-1)S/N when N divides S).
 *
 * \param ranks N >= 1 (N = 1 gives an empty schedule)
 * \param bytes S
 * \param pipelineChunks >= 1
 * \return the schedule, algorithm "ring"
 * \throws std::invalid_argument on bad arguments
 */
CollectiveSchedule MakeRingAllReduce(uint32_t ranks, uint64_t bytes, uint32_t pipelineChunks = 1);

/**
 * \ingroup vclos
 * Ring reduce-scatter, N-1 steps: in step s rank r sends block (r - 1 - s) mod N to rank
 * r+1 (TransferOp::Reduce), which reduces it into its copy; after the last step rank r
 * holds block r (S/N bytes, the first S mod N blocks one byte more) reduced over all ranks.
 * Sub-chunk j of step s depends on sub-chunk j of step s-1 received at the sender.
 *
 * Total bytes sent: exactly (N-1)S (rank r sends every block except block r).
 *
 * \param ranks N >= 1 (N = 1 gives an empty schedule)
 * \param bytes S, the full buffer size per rank
 * \param pipelineChunks sub-chunk transfers per block, >= 1
 * \return the schedule, algorithm "reduce_scatter"
 * \throws std::invalid_argument on bad arguments
 */
CollectiveSchedule MakeReduceScatter(uint32_t ranks, uint64_t bytes, uint32_t pipelineChunks = 1);

/**
 * \ingroup vclos
 * Ring all-gather, N-1 steps: rank r starts with block r of the S-byte buffer; in step s
 * rank r sends block (r - s) mod N to rank r+1 (TransferOp::Copy). Sub-chunk j of step s
 * depends on sub-chunk j of step s-1 received at the sender.
 *
 * Total bytes sent: exactly (N-1)S (rank r sends every block except block r+1).
 *
 * \param ranks N >= 1 (N = 1 gives an empty schedule)
 * \param bytes S, the full (gathered) buffer size per rank
 * \param pipelineChunks sub-chunk transfers per block, >= 1
 * \return the schedule, algorithm "all_gather"
 * \throws std::invalid_argument on bad arguments
 */
CollectiveSchedule MakeAllGather(uint32_t ranks, uint64_t bytes, uint32_t pipelineChunks = 1);

/**
 * \ingroup vclos
 * A rooted tree over ranks 0..N-1.
 */
struct RankTree
{
    uint32_t root{0};                            //!< the root rank
    std::vector<int64_t> parent;                 //!< parent of each rank, -1 for the root
    std::vector<std::vector<uint32_t>> children; //!< children of each rank

    /// \return the height (edges on the longest root-to-leaf path; 0 for one rank)
    uint32_t Height() const;
};

/**
 * \ingroup vclos
 * NCCL's double binary tree (ncclGetBtree / ncclGetDtree in NCCL's graph/trees.cc).
 *
 * Tree 0 is NCCL's binary tree rooted at rank 0: for a rank r > 0 with lowest set bit b,
 * its parent is (r ^ b) | 2b, or r ^ b if that is >= N; its children are r - b/2 and the
 * largest r + b/2^k < N (k >= 1), if b > 1. Rank 0 has one child, the largest power of two
 * below N. Odd ranks are the leaves; the height is floor(log2(N-1)) + 1.
 *
 * Tree 1 is tree 0 with every rank x relabelled to N-1-x (mirror) when N is even, or to
 * (x+1) mod N (shift) when N is odd. Complementarity: for even N the interior ranks of
 * tree 0 (the even ranks) are exactly the leaves of tree 1; for odd N every rank except
 * rank 0 (root of tree 0, interior in tree 1) is a leaf in at least one of the trees.
 *
 * \param ranks N >= 1
 * \return the two trees
 * \throws std::invalid_argument if ranks is 0
 */
std::array<RankTree, 2> MakeDoubleBinaryTree(uint32_t ranks);

/**
 * \ingroup vclos
 * NCCL-style double binary tree all-reduce on the trees of MakeDoubleBinaryTree().
 *
 * Tree 0 carries the first half of the buffer (ceil(S/2) bytes at offset 0), tree 1 the
 * second half (floor(S/2) bytes). Each half is cut into \p pipelineChunks chunks
 * (sizes differ by at most one byte). Per tree and chunk c:
 *  - reduce: a rank sends chunk c to its parent (TransferOp::Reduce) once it has
 *    received chunk c from all its children (leaves start at once);
 *  - broadcast: the root sends chunk c to each child (TransferOp::Copy) once it has
 *    received chunk c from all its children; any other rank forwards chunk c to its
 *    children once it has received it from its parent.
 *
 * Steps: an up transfer of chunk c from a rank of height h is step c + h; a down transfer
 * of chunk c from a rank at depth d is step c + H + d (H the tree height), so there are
 * C + 2H - 1 steps (C = pipelineChunks). Transfer::chunk is tree * C + c.
 *
 * Total bytes sent: exactly 2(N-1)S: in each tree each of the N-1 non-root ranks sends
 * its half once up and receives it once down. The busiest rank sends at most
 * 4 * ceil(S/2) bytes.
 *
 * \param ranks N >= 1 (N = 1 gives an empty schedule)
 * \param bytes S
 * \param pipelineChunks chunks per half buffer, >= 1
 * \return the schedule, algorithm "tree"
 * \throws std::invalid_argument on bad arguments
 */
CollectiveSchedule MakeDoubleBinaryTreeAllReduce(uint32_t ranks,
                                                 uint64_t bytes,
                                                 uint32_t pipelineChunks = 1);

/**
 * \ingroup vclos
 * Rabenseifner all-reduce: recursive-halving reduce-scatter then recursive-doubling
 * all-gather, with MPICH's treatment of N that is not a power of two.
 *
 * Let p be the largest power of two <= N and q = N - p. Pre-step (only if q > 0): for
 * i < q, rank 2i+1 sends its whole buffer (S bytes, Reduce) to rank 2i and then idles.
 * The p remaining ranks (2i for i < q, and the ranks >= 2q) get new ranks 0..p-1 in
 * increasing order. The buffer is cut into p blocks (S/p bytes, the first S mod p one byte
 * more). Halving round k = 0..log2(p)-1: new rank n exchanges with n ^ 2^k; of its current
 * block range, the lower new rank keeps the lower half and sends the upper half (Reduce),
 * the other the reverse; ranges halve each round, so n ends with one reduced block.
 * Doubling round k = log2(p)-1..0: n sends its whole current range (Copy) to n ^ 2^k, and
 * the ranges merge. Post-step (only if q > 0): rank 2i sends the full result (S bytes,
 * Copy) to rank 2i+1. A rank's transfer depends on every transfer it has received before.
 *
 * Steps: 2 log2(p), plus 2 (pre and post) if N is not a power of two. Transfer::chunk is the
 * first block index of the range sent (0 for the pre/post steps).
 *
 * Total bytes sent: exactly 2(p-1)S + 2(N-p)S = 2(N-1)S; for power-of-two N each rank
 * sends 2S - 2|its block|, i.e. 2(N-1)S/N when N divides S.
 *
 * \param ranks N >= 1 (N = 1 gives an empty schedule)
 * \param bytes S
 * \return the schedule, algorithm "halving_doubling"
 * \throws std::invalid_argument on bad arguments
 */
CollectiveSchedule MakeHalvingDoublingAllReduce(uint32_t ranks, uint64_t bytes);

/**
 * \ingroup vclos
 * Hierarchical ring all-reduce. Rank r sits on server r / g (g = gpusPerServer) with local
 * index r mod g; there are M = N / g servers.
 *  1. Intra-server ring reduce-scatter on each server (as MakeReduceScatter() over the g
 *     local ranks, blocks of S/g): local index l ends with block l reduced over its server.
 *     Steps 0..g-2.
 *  2. For each local index l, ring all-reduce (as MakeRingAllReduce()) of block l among the
 *     M ranks with local index l (one per server, in server order), i.e. on sub-blocks of
 *     about S/N bytes. Steps g-1..g+2M-4. Each rank's phase-2 reduce-scatter transfers and
 *     its first all-gather transfers depend on its last phase-1 receipts (block l done).
 *  3. Intra-server ring all-gather (as MakeAllGather(), blocks of S/g). Steps
 *     g+2M-3..2g+2M-5. Each rank's first transfers depend on all its phase-2 receipts
 *     that complete block l (or on its phase-1 receipts when M = 1).
 *
 * 2(g-1) + 2(M-1) steps. Transfer::chunk is the block (phases 1, 3) or sub-block
 * (phase 2) index within its ring.
 *
 * Total bytes sent: exactly 2(N-1)S, of which 2M(g-1)S = 2(N-M)S inside servers and
 * 2(M-1)S between servers.
 *
 * \param ranks N >= 1, a multiple of \p gpusPerServer (N = 1 gives an empty schedule)
 * \param bytes S
 * \param gpusPerServer g >= 1
 * \param pipelineChunks sub-chunk transfers per ring block, >= 1
 * \return the schedule, algorithm "hierarchical_ring"
 * \throws std::invalid_argument on bad arguments, e.g. N not a multiple of g
 */
CollectiveSchedule MakeHierarchicalRingAllReduce(uint32_t ranks,
                                                 uint64_t bytes,
                                                 uint32_t gpusPerServer,
                                                 uint32_t pipelineChunks = 1);

/**
 * \ingroup vclos
 * All-to-all (personalized exchange): each rank's S-byte buffer is cut into N blocks
 * (S/N bytes, the first S mod N one byte more) and block j goes to rank j. Pairwise
 * exchange order: in step k-1 (k = 1..N-1) rank r sends block (r+k) mod N to rank
 * (r+k) mod N (TransferOp::Copy, offset = the block's offset in the sender's buffer).
 * No dependencies: all N(N-1) transfers start at once and share the senders' links; the
 * step only labels the round. Transfer::chunk is the block index (= dst).
 *
 * Total bytes sent: exactly (N-1)S (rank r sends S - |block r|).
 *
 * \param ranks N >= 1 (N = 1 gives an empty schedule)
 * \param bytes S
 * \return the schedule, algorithm "all_to_all"
 * \throws std::invalid_argument on bad arguments
 */
CollectiveSchedule MakeAllToAll(uint32_t ranks, uint64_t bytes);

/**
 * \ingroup vclos
 * Pairwise all-to-all as the vClos authors' simulator models it: N-1 rounds; in round k
 * (k = 1..N-1, schedule step k-1) rank r sends the FULL S bytes to rank (r+k) mod N and so
 * receives S bytes from rank (r-k) mod N (TransferOp::Copy, offset 0; Transfer::chunk = k).
 * Unlike MakeAllToAll() (S/N per pair, all at once), rounds are sequential per rank: the
 * round-k transfer of rank r (k >= 2) depends on r's receipt of round k-1 (from rank
 * (r-k+1) mod N), and through it on all of r's earlier receipts. This is the rule of the
 * halving-doubling and ring schedules (a rank moves on once it has received what it waits
 * for); a rank's own send of round k-1 is not a dependency (the executor only orders by
 * receipts).
 *
 * Total bytes sent: exactly N(N-1)S; every ordered pair (src, dst), src != dst, carries
 * exactly one transfer. It is not a reduction: the bytes model traffic volume only (every
 * transfer reads and writes the whole buffer).
 *
 * \param ranks N >= 1 (N = 1 gives an empty schedule)
 * \param bytes S
 * \return the schedule, algorithm "all2all_pairwise"
 * \throws std::invalid_argument on bad arguments
 */
CollectiveSchedule MakeAllToAllPairwise(uint32_t ranks, uint64_t bytes);

/**
 * \ingroup vclos
 * \return whether both ends of \p t sit on the same server when rank r sits on server
 *         r / gpusPerServer
 * \param t a transfer
 * \param gpusPerServer ranks per server, >= 1
 * \throws std::invalid_argument if gpusPerServer is 0
 */
bool IsIntraServer(const Transfer& t, uint32_t gpusPerServer);

/**
 * \ingroup vclos
 * \return the algorithm names MakeCollective() accepts: "ring", "tree",
 *         "halving_doubling", "hierarchical_ring", "all_to_all", "reduce_scatter",
 *         "all_gather", "all2all_pairwise"
 */
std::vector<std::string> CollectiveAlgorithms();

/**
 * \ingroup vclos
 * Build a collective by name (see CollectiveAlgorithms()). The schedule's \c algorithm is
 * \p algorithm.
 *
 * \param algorithm the algorithm name
 * \param ranks N >= 1
 * \param bytes S
 * \param gpusPerServer ranks per server, >= 1 (only "hierarchical_ring" uses it)
 * \param pipelineChunks >= 1 (used by "ring", "tree", "hierarchical_ring",
 *        "reduce_scatter" and "all_gather")
 * \return the schedule
 * \throws std::invalid_argument for an unknown name (the message lists the valid ones) or
 *         bad arguments
 */
CollectiveSchedule MakeCollective(const std::string& algorithm,
                                  uint32_t ranks,
                                  uint64_t bytes,
                                  uint32_t gpusPerServer = 1,
                                  uint32_t pipelineChunks = 1);

} // namespace vclos
} // namespace ns3

#endif // VCLOS_COLLECTIVE_SCHEDULE_H
