/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// libFuzzer target: the sweep parser and expander (build with clang and -DVCLOS_FUZZ=ON).

#include "fuzz-entry.h"

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    ns3::vclos::fuzz::SweepInput(data, size);
    return 0;
}
