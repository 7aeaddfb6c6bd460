/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Replays fuzzer inputs through the same entry points as the libFuzzer targets, in an
// ordinary (gcc, Release) build: every saved crash input and every seed is a regression test.
// Usage: vclos-fuzz-replay scenario|trace|sweep FILE_OR_DIR...

#include "fuzz-entry.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

namespace
{

int
Replay(const std::string& kind, const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
    {
        std::cerr << file.string() << ": cannot read\n";
        return 1;
    }
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
    if (kind == "scenario")
    {
        ns3::vclos::fuzz::ScenarioInput(bytes.data(), bytes.size());
    }
    else if (kind == "sweep")
    {
        ns3::vclos::fuzz::SweepInput(bytes.data(), bytes.size());
    }
    else
    {
        ns3::vclos::fuzz::TraceInput(bytes.data(), bytes.size());
    }
    return 0;
}

} // namespace

int
main(int argc, char** argv)
{
    const std::string k = argc > 1 ? argv[1] : "";
    if (argc < 3 || (k != "scenario" && k != "trace" && k != "sweep"))
    {
        std::cerr << "usage: vclos-fuzz-replay scenario|trace|sweep FILE_OR_DIR...\n";
        return 2;
    }
    const std::string kind = argv[1];
    std::vector<std::filesystem::path> files;
    for (int i = 2; i < argc; ++i)
    {
        const std::filesystem::path p(argv[i]);
        if (std::filesystem::is_directory(p))
        {
            for (const auto& e : std::filesystem::directory_iterator(p))
            {
                // .gitkeep keeps an empty folder in git; it is no input
                if (e.is_regular_file() && e.path().filename().string()[0] != '.')
                {
                    files.push_back(e.path());
                }
            }
        }
        else
        {
            files.push_back(p);
        }
    }
    std::sort(files.begin(), files.end());
    int failures = 0;
    for (const auto& f : files)
    {
        failures += Replay(kind, f);
    }
    std::cout << "replayed " << files.size() << " " << kind << " inputs\n";
    return (failures > 0 || files.empty()) ? 1 : 0;
}
