/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_CONGESTION_MONITOR_H
#define VCLOS_CONGESTION_MONITOR_H

#include "ns3/event-id.h"
#include "ns3/leaf-spine-helper.h"
#include "ns3/nstime.h"
#include "ns3/object.h"
#include "ns3/traced-callback.h"

#include <vector>

namespace ns3
{

/**
 * \ingroup vclos
 * Samples a cluster's congestion state every SampleInterval: the egress queue of every port
 * (reported while non-empty, and once when it empties) and the rate of every queue pair
 * whose congestion control holds it below line rate. Samples are trace sources, so a
 * program records them as it likes; ScenarioRunner writes them to the results database.
 */
class CongestionMonitor : public Object
{
  public:
    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    CongestionMonitor();
    ~CongestionMonitor() override;

    /**
     * Start sampling a cluster (first sample one interval from now).
     * \param topology the built cluster; it must outlive the monitor's sampling
     */
    void Start(const LeafSpineHelper& topology);
    /**
     * Start sampling the links and NICs of another fabric (e.g. OcsFabricHelper).
     * \param links the links (ids 0..n-1 in order); must outlive the monitor's sampling
     * \param nics per GPU its NIC
     */
    void Start(const std::vector<LeafSpineHelper::Link>& links,
               const std::vector<Ptr<RdmaNic>>& nics);
    /// Stop sampling.
    void Stop();

    /// Signature of QueueSample: (link id, time, bytes queued).
    typedef void (*QueueSampleCallback)(uint32_t linkId, Time time, uint32_t bytes);
    /// Signature of RateSample: (GPU, QP number, peer GPU, time, rate in bit/s).
    typedef void (
        *RateSampleCallback)(uint32_t gpu, uint32_t qpn, uint32_t peer, Time time, double rateBps);

  private:
    void DoDispose() override;
    void Sample();

    Time m_interval;
    const std::vector<LeafSpineHelper::Link>* m_links; //!< the links sampled
    std::vector<Ptr<RdmaNic>> m_nics;                  //!< per GPU its NIC
    std::vector<uint32_t> m_lastQueue;
    EventId m_event;
    TracedCallback<uint32_t, Time, uint32_t> m_queueTrace;
    TracedCallback<uint32_t, uint32_t, uint32_t, Time, double> m_rateTrace;
};

} // namespace ns3

#endif // VCLOS_CONGESTION_MONITOR_H
