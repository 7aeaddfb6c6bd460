/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_FLOW_NETWORK_H
#define VCLOS_FLOW_NETWORK_H

// Pure code: no ns-3 in this file or its .cc.

#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

namespace ns3
{
namespace vclos
{

/**
 * \ingroup vclos
 * How concurrent flows share link capacity at the flow level.
 */
enum class SharingModel : uint8_t
{
    MAXMIN, //!< max-min fair over links (progressive filling)
    STEP,   //!< the vClos authors': a flow gets min over its links of capacity / jobs on it
    NONE    //!< no contention: a flow gets the smallest capacity on its path
};

/**
 * \param name "maxmin", "step" or "none"
 * \return the model
 * \throws std::invalid_argument naming the allowed names
 */
SharingModel ParseSharingModel(const std::string& name);
/// \return "maxmin", "step" or "none"
const char* SharingModelName(SharingModel model);

/**
 * \ingroup vclos
 * The links of a cluster and the flows on them, with the rate of every flow under a
 * SharingModel, recomputed incrementally.
 *
 * A flow is a bundle of unit flows held at one rate: it uses link l \c count times (its
 * load on l is count x rate). A single network flow has count 1 on each link of its path;
 * a phase of a collective whose pairs must move in lock step is one bundle. Under MAXMIN
 * the rates are the weighted max-min fair allocation: progressive filling raises the rate
 * of every unfrozen flow together until a link is full, then freezes the flows on it.
 *
 * Add() and Remove() only mark the links they touch; Update() recomputes the connected
 * components (flows linked by shared links) that contain a marked link, and nothing else.
 * RecomputeAll() recomputes everything from scratch (for cross-checks): both give the
 * same rates.
 */
class FlowNetwork
{
  public:
    /// One link of a flow and how many unit flows of the bundle cross it.
    struct Use
    {
        uint32_t link;  //!< link id
        uint32_t count; //!< unit flows on it (>= 1)
    };

    /**
     * \param capacityBps capacity of every link, bits/s (> 0)
     * \param model the sharing model
     * \throws std::invalid_argument for a capacity that is not finite and > 0
     */
    FlowNetwork(std::vector<double> capacityBps, SharingModel model);

    /**
     * Add a flow. Its rate is known after the next Update().
     * \param uses its links (distinct, each count >= 1)
     * \param owner the job it belongs to (STEP counts distinct owners per link)
     * \param maxRate a cap on its rate, bits/s (> 0; infinity: none): links that only this
     *        flow can ever use are folded into it (exact: such a link bounds the rate by
     *        its capacity / count under MAXMIN, by its capacity under STEP and NONE)
     * \return its id (ids of removed flows are reused)
     * \throws std::invalid_argument for no link and no cap, a link out of range, a
     *         repeated link, a count of 0 or a cap that is not > 0
     */
    uint32_t Add(const std::vector<Use>& uses,
                 uint64_t owner,
                 double maxRate = std::numeric_limits<double>::infinity());
    /**
     * Remove a flow.
     * \param id its id (throws std::invalid_argument if not a live flow)
     */
    void Remove(uint32_t id);
    /**
     * Recompute the rates of the components touched since the last update.
     * \param[out] changed cleared, then the ids of live flows whose rate changed (new
     *             flows included), ascending
     */
    void Update(std::vector<uint32_t>& changed);
    /**
     * Recompute the rates of every flow from scratch.
     * \param[out] changed as Update()
     */
    void RecomputeAll(std::vector<uint32_t>& changed);

    /// \param id a live flow \return its rate per unit flow, bits/s
    double GetRate(uint32_t id) const;
    /// \param id a live flow \return its links
    const std::vector<Use>& GetUses(uint32_t id) const;
    /// \return live flows
    uint32_t GetNFlows() const;
    /// \param link a link \return flows on it
    uint32_t GetNFlowsOn(uint32_t link) const;
    /// \param link a link \return distinct owners of the flows on it
    uint32_t GetNOwnersOn(uint32_t link) const;
    /// \return the sharing model
    SharingModel GetModel() const;
    /// \return flows whose rate Update() and RecomputeAll() computed so far (work measure)
    uint64_t GetNRated() const;

  private:
    struct Flow
    {
        std::vector<Use> uses;
        std::vector<uint32_t> slot; //!< per use: its index in the link's list
        uint64_t owner{0};
        double maxRate{0};
        double rate{-1};
        bool live{false};
        uint64_t mark{0};
    };

    struct Link
    {
        double capacity{0};
        std::vector<std::pair<uint32_t, uint32_t>> flows; //!< (flow, use index)
        uint64_t mark{0};
        double frozenLoad{0};
        uint64_t weight{0};
    };

    void Recompute(std::vector<uint32_t>& changed);
    void RateMaxMin();
    void RateStep();
    void RateNone();

    SharingModel m_model;
    std::vector<Link> m_links;
    std::vector<Flow> m_flows;
    std::vector<uint32_t> m_free;
    std::vector<uint32_t> m_dirty;
    std::vector<uint32_t> m_dirtyFlows; //!< new flows without links
    uint32_t m_nLive{0};
    uint64_t m_epoch{0};
    uint64_t m_nRated{0};
    // scratch of a recomputation
    std::vector<uint32_t> m_compLinks;
    std::vector<uint32_t> m_compFlows;
    std::vector<double> m_oldRate;
    std::vector<uint8_t> m_frozen;
    /// per flow: the first heap entry, in heap order, of the links only it crosses
    std::vector<std::tuple<double, uint32_t, uint64_t>> m_private;
    /// Progressive filling's min-heap (std::greater) of (key, link or nLinks + flow, weight).
    std::vector<std::tuple<double, uint32_t, uint64_t>> m_heap;
};

} // namespace vclos
} // namespace ns3

#endif // VCLOS_FLOW_NETWORK_H
