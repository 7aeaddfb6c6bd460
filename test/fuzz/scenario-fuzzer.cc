/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// libFuzzer target: the scenario loader (build with clang and -DVCLOS_FUZZ=ON).

#include "fuzz-entry.h"

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    ns3::vclos::fuzz::ScenarioInput(data, size);
    return 0;
}
