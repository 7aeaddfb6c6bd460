/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "rdma-queue-pair.h"

#include "bth-header.h"

#include "ns3/abort.h"
#include "ns3/assert.h"

namespace ns3
{

RdmaQueuePair::RdmaQueuePair(uint32_t mtu_)
    : mtu(mtu_)
{
    NS_ASSERT(mtu > 0);
}

void
RdmaQueuePair::Post(uint64_t bytes, uint32_t imm)
{
    const uint64_t packets = bytes == 0 ? 1 : (bytes + mtu - 1) / mtu;
    messages.push_back(Message{bytes, imm, psnEnd, packets});
    psnEnd += packets;
}

void
RdmaQueuePair::SetInitialPsn(uint32_t psn)
{
    NS_ABORT_MSG_IF(psn > BthHeader::PSN_MASK, "initial PSN " << psn << " is not a 24-bit PSN");
    NS_ABORT_MSG_IF(!messages.empty() || sndNxt != sndUna || deliveredBytes > 0,
                    "the initial PSN is set before a queue pair is used");
    sndUna = psn;
    sndNxt = psn;
    psnEnd = psn;
    expectedPsn = psn;
}

bool
RdmaQueuePair::HasDataToSend() const
{
    return sndNxt < psnEnd;
}

bool
RdmaQueuePair::HasOutstanding() const
{
    return sndUna < sndNxt;
}

void
RdmaQueuePair::NextPacket(uint32_t& payload, uint64_t& psn, bool& first, bool& last, uint32_t& imm)
{
    NS_ASSERT(HasDataToSend());
    while (m_sendMsg < messages.size() &&
           messages[m_sendMsg].firstPsn + messages[m_sendMsg].packets <= sndNxt)
    {
        ++m_sendMsg;
    }
    NS_ASSERT(m_sendMsg < messages.size());
    const Message& m = messages[m_sendMsg];
    const uint64_t index = sndNxt - m.firstPsn;
    const uint64_t offset = index * mtu;
    payload = static_cast<uint32_t>(std::min<uint64_t>(mtu, m.bytes - offset));
    psn = sndNxt;
    first = index == 0;
    last = index + 1 == m.packets;
    imm = m.imm;
    ++sndNxt;
}

uint64_t
RdmaQueuePair::Unwrap(uint32_t psn24, uint64_t reference)
{
    const uint32_t refLow = static_cast<uint32_t>(reference & BthHeader::PSN_MASK);
    int32_t diff = static_cast<int32_t>((psn24 - refLow) & BthHeader::PSN_MASK);
    if (diff >= (1 << 23))
    {
        diff -= (1 << 24);
    }
    return static_cast<uint64_t>(static_cast<int64_t>(reference) + diff);
}

uint64_t
RdmaQueuePair::AckTo(uint64_t una, std::deque<Message>& completed)
{
    if (una <= sndUna || una > psnEnd)
    {
        return 0;
    }
    uint64_t ackedBytes = 0;
    // payload bytes between the old and the new ACK point
    for (const Message& m : messages)
    {
        const uint64_t end = m.firstPsn + m.packets;
        if (end <= sndUna)
        {
            continue;
        }
        if (m.firstPsn >= una)
        {
            break;
        }
        const uint64_t from = std::max(sndUna, m.firstPsn) - m.firstPsn;
        const uint64_t to = std::min(una, end) - m.firstPsn;
        const uint64_t fromByte = std::min(from * mtu, m.bytes);
        const uint64_t toByte = std::min(to * mtu, m.bytes);
        ackedBytes += toByte - fromByte;
    }
    sndUna = una;
    if (sndNxt < sndUna)
    {
        sndNxt = sndUna;
    }
    while (!messages.empty() && messages.front().firstPsn + messages.front().packets <= sndUna)
    {
        completed.push_back(messages.front());
        messages.pop_front();
        if (m_sendMsg > 0)
        {
            --m_sendMsg;
        }
    }
    return ackedBytes;
}

uint64_t
RdmaQueuePair::OnAck(uint32_t psn24, std::deque<Message>& completed)
{
    const uint64_t acked = Unwrap(psn24, sndUna);
    return AckTo(acked + 1, completed);
}

uint64_t
RdmaQueuePair::OnNak(uint32_t psn24, std::deque<Message>& completed)
{
    const uint64_t expected = Unwrap(psn24, sndUna);
    const uint64_t bytes = AckTo(expected, completed);
    if (expected >= sndUna && expected < sndNxt)
    {
        retransmittedPackets += sndNxt - expected;
        sndNxt = expected;
        m_sendMsg = 0;
    }
    return bytes;
}

void
RdmaQueuePair::GoBack()
{
    retransmittedPackets += sndNxt - sndUna;
    sndNxt = sndUna;
    m_sendMsg = 0;
}

RdmaQueuePair::RxVerdict
RdmaQueuePair::Receive(uint32_t psn24)
{
    const uint64_t psn = Unwrap(psn24, expectedPsn);
    if (psn == expectedPsn)
    {
        ++expectedPsn;
        nakSent = false;
        return RxVerdict::ACCEPT;
    }
    return psn < expectedPsn ? RxVerdict::DUPLICATE : RxVerdict::OUT_OF_ORDER;
}

} // namespace ns3
