/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Every trace source of the module names a callback signature that exists: ns-3 prints the
// name in its documentation and never checks it. The test lists every signature name the
// module may use next to the C++ type it names (so a missing typedef does not compile), and
// then
//  - every trace source of every TypeId of the group "Vclos" names one of them;
//  - connecting a function of that signature to the source succeeds (ns-3 aborts on a
//    signature that does not match the source's arguments).

#include "ns3/collective-executor.h"
#include "ns3/congestion-monitor.h"
#include "ns3/core-module.h"
#include "ns3/dcqcn.h"
#include "ns3/job-manager.h"
#include "ns3/ocs-channel.h"
#include "ns3/packet.h"
#include "ns3/rdma-nic.h"
#include "ns3/training-job.h"
#include "ns3/vclos-net-device.h"
#include "ns3/vclos-switch.h"

#include <functional>
#include <gtest/gtest.h>
#include <map>
#include <string>

using namespace ns3;

namespace
{

/// A function of signature \p R(Args...) that does nothing.
template <typename... Args>
void
Ignore(Args...)
{
}

/// Connects a do-nothing function of the signature \p Sig (a function pointer typedef).
template <typename Sig>
struct Connector;

template <typename... Args>
struct Connector<void (*)(Args...)>
{
    static bool Connect(Ptr<Object> o, const std::string& source)
    {
        return o->TraceConnectWithoutContext(source, MakeCallback(&Ignore<Args...>));
    }
};

/// Signature name -> a function that connects a function of that signature.
using ConnectFn = std::function<bool(Ptr<Object>, const std::string&)>;

const std::map<std::string, ConnectFn>&
Signatures()
{
    static const std::map<std::string, ConnectFn> sigs = {
        {"ns3::Packet::TracedCallback", &Connector<Packet::TracedCallback>::Connect},
        {"ns3::TracedValueCallback::Double", &Connector<TracedValueCallback::Double>::Connect},
        {"ns3::RdmaNic::MessageTracedCallback",
         &Connector<RdmaNic::MessageTracedCallback>::Connect},
        {"ns3::RdmaNic::GoBackTracedCallback", &Connector<RdmaNic::GoBackTracedCallback>::Connect},
        {"ns3::RdmaNic::StaleDropTracedCallback",
         &Connector<RdmaNic::StaleDropTracedCallback>::Connect},
        {"ns3::TrainingJob::IterationRecordCallback",
         &Connector<TrainingJob::IterationRecordCallback>::Connect},
        {"ns3::TrainingJob::StepRecordCallback",
         &Connector<TrainingJob::StepRecordCallback>::Connect},
        {"ns3::TrainingJob::JobIdCallback", &Connector<TrainingJob::JobIdCallback>::Connect},
        {"ns3::JobManager::JobIdCallback", &Connector<JobManager::JobIdCallback>::Connect},
        {"ns3::VclosNetDevice::PfcTracedCallback",
         &Connector<VclosNetDevice::PfcTracedCallback>::Connect},
        {"ns3::VclosNetDevice::DropTracedCallback",
         &Connector<VclosNetDevice::DropTracedCallback>::Connect},
        {"ns3::OcsChannel::ReconfigurationTracedCallback",
         &Connector<OcsChannel::ReconfigurationTracedCallback>::Connect},
        {"ns3::OcsChannel::LightLostTracedCallback",
         &Connector<OcsChannel::LightLostTracedCallback>::Connect},
        {"ns3::VclosSwitch::EcnMarkTracedCallback",
         &Connector<VclosSwitch::EcnMarkTracedCallback>::Connect},
        {"ns3::VclosSwitch::PfcTracedCallback",
         &Connector<VclosSwitch::PfcTracedCallback>::Connect},
        {"ns3::TrainingJob::IterationTracedCallback",
         &Connector<TrainingJob::IterationTracedCallback>::Connect},
        {"ns3::CollectiveExecutor::TransferDoneTracedCallback",
         &Connector<CollectiveExecutor::TransferDoneTracedCallback>::Connect},
        {"ns3::CongestionMonitor::QueueSampleCallback",
         &Connector<CongestionMonitor::QueueSampleCallback>::Connect},
        {"ns3::CongestionMonitor::RateSampleCallback",
         &Connector<CongestionMonitor::RateSampleCallback>::Connect},
    };
    return sigs;
}

} // namespace

TEST(TraceSignatures, EveryTraceSourceNamesAnExistingMatchingSignature)
{
    uint32_t sources = 0;
    for (uint16_t i = 0; i < TypeId::GetRegisteredN(); ++i)
    {
        const TypeId tid = TypeId::GetRegistered(i);
        if (tid.GetGroupName() != "Vclos" || tid.GetTraceSourceN() == 0)
        {
            continue;
        }
        ASSERT_TRUE(tid.HasConstructor()) << tid.GetName();
        for (std::size_t k = 0; k < tid.GetTraceSourceN(); ++k)
        {
            const TypeId::TraceSourceInformation info = tid.GetTraceSource(k);
            SCOPED_TRACE(tid.GetName() + "::" + info.name + " (" + info.callback + ")");
            ++sources;
            const auto it = Signatures().find(info.callback);
            ASSERT_NE(it, Signatures().end()) << "no such signature typedef";
            ObjectFactory f;
            f.SetTypeId(tid);
            EXPECT_TRUE(it->second(f.Create(), info.name));
        }
    }
    EXPECT_GE(sources, 21u); // device 8, switch 5, NIC 3, DCQCN, executor, job 1 each, monitor 2
}
