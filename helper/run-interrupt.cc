/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "run-interrupt.h"

#include <csignal>
#include <unistd.h>

namespace ns3
{

namespace
{
/// Exit codes of a signal follow the shell's convention: 128 + the signal number.
constexpr int kSignalExitBase = 128;

volatile std::sig_atomic_t g_signal = 0;    //!< first signal received (0: none)
volatile std::sig_atomic_t g_installed = 0; //!< Install() was called

extern "C" void
OnSignal(int signal)
{
    if (g_signal != 0)
    {
        _exit(kSignalExitBase + signal); // the second signal: at once
    }
    g_signal = signal;
}
} // namespace

void
RunInterrupt::Install()
{
    struct sigaction sa = {};
    sa.sa_handler = &OnSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    g_installed = 1;
}

bool
RunInterrupt::IsInstalled()
{
    return g_installed != 0;
}

int
RunInterrupt::Requested()
{
    return g_signal;
}

void
RunInterrupt::Request(int signal)
{
    g_signal = signal;
}

void
RunInterrupt::Reset()
{
    g_signal = 0;
}

int
RunInterrupt::ExitCode(int signal)
{
    return kSignalExitBase + signal;
}

} // namespace ns3
