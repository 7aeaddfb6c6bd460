/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_DCQCN_H
#define VCLOS_DCQCN_H

#include "congestion-control.h"

#include "ns3/event-id.h"
#include "ns3/nstime.h"
#include "ns3/traced-value.h"

namespace ns3
{

/**
 * \ingroup vclos
 * DCQCN rate control of one queue pair's sending side (the reaction point of Zhu et al.,
 * "Congestion Control for Large-Scale RDMA Deployments", SIGCOMM 2015).
 *
 * On a CNP: target rate := current rate; current rate *= (1 - alpha/2); alpha := (1-g)
 * alpha + g. Every AlphaUpdatePeriod without a CNP: alpha := (1-g) alpha. The rate recovers
 * in stages counted by a timer (RateIncreasePeriod) and a byte counter (ByteCounter sent
 * bytes): while both counts are below FastRecoverySteps the current rate moves halfway to
 * the target (fast recovery); then the target grows by RateAi per stage (additive increase),
 * or by i x RateHai once both counts exceed FastRecoverySteps (hyper increase), and the
 * current rate moves halfway to it. The rate never exceeds the line rate nor falls below
 * MinRate. Timers run only while the rate is below line rate.
 */
class DcqcnCongestionControl : public CongestionControl
{
  public:
    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    DcqcnCongestionControl();
    ~DcqcnCongestionControl() override;

    void Init(DataRate lineRate) override;
    DataRate GetRate() const override;
    void OnPacketSent(uint32_t bytes) override;
    void OnCnp() override;

    /// \return the target rate
    DataRate GetTargetRate() const;
    /// \return alpha
    double GetAlpha() const;

  private:
    void DoDispose() override;
    void AlphaTimer();
    void RateTimer();
    void Increase();
    void StartTimers();

    // Parameters.
    double m_g;
    Time m_alphaPeriod;
    Time m_ratePeriod;
    uint64_t m_byteCounter;
    uint32_t m_fastRecovery;
    DataRate m_rateAi;
    DataRate m_rateHai;
    DataRate m_minRate;
    double m_initialAlpha;

    // State.
    TracedValue<double> m_rc; //!< current rate, bit/s
    double m_rt;              //!< target rate, bit/s
    double m_alpha;
    bool m_cnpSinceAlphaUpdate;
    uint32_t m_timerStages;
    uint32_t m_byteStages;
    uint64_t m_bytes;
    EventId m_alphaEvent;
    EventId m_rateEvent;
};

} // namespace ns3

#endif // VCLOS_DCQCN_H
