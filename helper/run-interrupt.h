/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VCLOS_RUN_INTERRUPT_H
#define VCLOS_RUN_INTERRUPT_H

namespace ns3
{

/**
 * \ingroup vclos
 * SIGINT and SIGTERM for a run: the first signal only sets a flag (async-signal-safe),
 * which ScenarioRunner polls from a periodic event and answers by stopping the simulation
 * at that event boundary, so the run ends "interrupted" with every finished job committed.
 * A second signal exits at once with ExitCode() of that signal.
 */
class RunInterrupt
{
  public:
    /// Install the handlers of SIGINT and SIGTERM (idempotent).
    static void Install();
    /// \return true once Install() was called (ScenarioRunner polls only then)
    static bool IsInstalled();
    /// \return the first signal received since the last Reset() (0: none)
    static int Requested();
    /**
     * Ask for an interruption as if \p signal had arrived (a test hook).
     * \param signal SIGINT or SIGTERM
     */
    static void Request(int signal);
    /// Forget a requested interruption.
    static void Reset();
    /**
     * \param signal SIGINT or SIGTERM
     * \return the exit code of a run interrupted by it: 128 + signal (130, 143)
     */
    static int ExitCode(int signal);
};

} // namespace ns3

#endif // VCLOS_RUN_INTERRUPT_H
