/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_CONGESTION_CONTROL_H
#define VCLOS_CONGESTION_CONTROL_H

#include "ns3/data-rate.h"
#include "ns3/object.h"

namespace ns3
{

/**
 * \ingroup vclos
 * Rate-based congestion control of one queue pair's sending side: the seam for
 * DCQCN, DCTCP-style, HPCC-style or no control. The NIC asks GetRate() before each
 * data packet and paces the queue pair to it; it reports sends, ACKs and CNPs.
 */
class CongestionControl : public Object
{
  public:
    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();

    /**
     * Start controlling a queue pair that sends on a port of rate \p lineRate.
     * \param lineRate the port's line rate
     */
    virtual void Init(DataRate lineRate);
    /// \return the rate the queue pair may send at now
    virtual DataRate GetRate() const = 0;
    /// \param bytes IPv4 bytes of a data packet just sent
    virtual void OnPacketSent(uint32_t bytes);
    /// \param bytes payload bytes newly acknowledged
    virtual void OnAck(uint64_t bytes);
    /// A congestion notification packet arrived for this queue pair.
    virtual void OnCnp();

  protected:
    DataRate m_lineRate; //!< line rate of the port
};

/**
 * \ingroup vclos
 * No congestion control: always send at line rate.
 */
class LineRateCongestionControl : public CongestionControl
{
  public:
    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    DataRate GetRate() const override;
};

} // namespace ns3

#endif // VCLOS_CONGESTION_CONTROL_H
