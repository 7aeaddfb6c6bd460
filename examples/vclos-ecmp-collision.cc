/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The paper's 32-GPU motivation from pure paths (vclos-core only, no packets): over many
// run seeds, how often does ECMP put flows of two concurrent jobs on one fabric link?
//
// Cluster: 8 servers x 4 GPUs, one 100 Gbps NIC per GPU, 4 leaves x 8 GPUs (two servers
// per leaf) and 8 spines: every leaf has 8 ports down and 8 up (1:1, non-blocking).
// Jobs (--jobs):
//   two     two identical 8-GPU ring all-reduce jobs, each one server on leaf 0 and one
//           on leaf 1 (the placement of scenarios/default.json)
//   four    four such jobs filling the cluster: two on leaves 0/1, two on leaves 2/3
//   random  four 8-GPU ring jobs on a random pairing of the 8 servers (new per seed)
// For each seed the program builds the switches' tables (vclos::Routing, the seed's ECMP
// hash seeds) and follows every queue pair (UDP source port QpSourcePort(seed, job, ranks))
// over its path, as the packet simulation would.
//
//   vclos-ecmp-collision [--jobs=two|four|random|all] [--seeds=1000] [--first-seed=1]
//                        [--leaves=4] [--spines=8] [--gpus-per-leaf=8] [--gpus-per-server=4]
//                        [--collective=ring] [--csv=FILE] [--summary-csv=FILE]
//
// Prints, per job set, the probability of each kind of collision with its 95% Wilson
// interval beside the ideal-hashing value (exact count) and the paper's 31.5%.

#include "ns3/cluster-topology.h"
#include "ns3/collective-schedule.h"
#include "ns3/ecmp-collision-census.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace ns3::vclos;

namespace
{

/// The paper's reported chance that ECMP produces contention on its 32-GPU testbed.
constexpr double kPaperProbability = 0.315;
/// z of a two-sided 95% interval.
constexpr double kZ95 = 1.959964;
/// Largest run seed of a scenario (Scenario::seed).
constexpr uint64_t kMaxRunSeed = 0xFFFFFFFFULL;

/// Wilson score interval of k successes in n trials.
std::pair<double, double>
Wilson(uint64_t k, uint64_t n)
{
    const double p = double(k) / n;
    const double z2 = kZ95 * kZ95;
    const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    const double half = kZ95 * std::sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / (1 + z2 / n);
    return {centre - half, centre + half};
}

/// Options of the command line.
struct Options
{
    std::string jobs{"all"};
    uint64_t seeds{1000};
    uint64_t firstSeed{1};
    LeafSpineShape shape;
    std::string collective{"ring"};
    std::string csv;
    std::string summaryCsv;
};

[[noreturn]] void
Usage(const std::string& why)
{
    std::cerr << "vclos-ecmp-collision: " << why << "\n"
              << "usage: vclos-ecmp-collision [--jobs=two|four|random|all] [--seeds=N>=1]\n"
                 "       [--first-seed=S>=1] [--leaves=L>=2] [--spines=U>=1]\n"
                 "       [--gpus-per-leaf=G] [--gpus-per-server=g] [--collective=ring]\n"
                 "       [--csv=FILE] [--summary-csv=FILE]\n";
    std::exit(2);
}

uint64_t
ParseCount(const std::string& key, const std::string& value, uint64_t lo, uint64_t hi)
{
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || errno != 0 || value[0] == '-' || v < lo || v > hi)
    {
        Usage("--" + key + "=" + value + ": expected an integer in " + std::to_string(lo) + ".." +
              std::to_string(hi));
    }
    return v;
}

Options
Parse(int argc, char* argv[])
{
    Options o;
    o.shape.leaves = 4;
    o.shape.spines = 8;
    o.shape.gpusPerLeaf = 8;
    o.shape.gpusPerServer = 4;
    for (int i = 1; i < argc; ++i)
    {
        const std::string arg = argv[i];
        const auto eq = arg.find('=');
        if (arg.rfind("--", 0) != 0 || eq == std::string::npos)
        {
            Usage("unknown argument " + arg);
        }
        const std::string key = arg.substr(2, eq - 2);
        const std::string value = arg.substr(eq + 1);
        if (key == "jobs")
        {
            if (value != "two" && value != "four" && value != "random" && value != "all")
            {
                Usage("--jobs=" + value + ": expected two, four, random or all");
            }
            o.jobs = value;
        }
        else if (key == "seeds")
        {
            o.seeds = ParseCount(key, value, 1, 10000000);
        }
        else if (key == "first-seed")
        {
            o.firstSeed = ParseCount(key, value, 1, kMaxRunSeed);
        }
        else if (key == "leaves")
        {
            o.shape.leaves = ParseCount(key, value, 2, 1024);
        }
        else if (key == "spines")
        {
            o.shape.spines = ParseCount(key, value, 1, 1024);
        }
        else if (key == "gpus-per-leaf")
        {
            o.shape.gpusPerLeaf = ParseCount(key, value, 1, 1024);
        }
        else if (key == "gpus-per-server")
        {
            o.shape.gpusPerServer = ParseCount(key, value, 1, 1024);
        }
        else if (key == "collective")
        {
            const auto names = CollectiveAlgorithms();
            if (std::find(names.begin(), names.end(), value) == names.end())
            {
                Usage("--collective=" + value + ": unknown collective algorithm");
            }
            o.collective = value;
        }
        else if (key == "csv")
        {
            o.csv = value;
        }
        else if (key == "summary-csv")
        {
            o.summaryCsv = value;
        }
        else
        {
            Usage("unknown option --" + key);
        }
    }
    if (o.firstSeed + o.seeds - 1 > kMaxRunSeed)
    {
        Usage("--first-seed + --seeds - 1 must be at most " + std::to_string(kMaxRunSeed));
    }
    if (o.shape.gpusPerLeaf % o.shape.gpusPerServer != 0 ||
        o.shape.gpusPerLeaf / o.shape.gpusPerServer < 2 || o.shape.leaves < 4)
    {
        Usage("the job sets need at least 4 leaves of at least 2 servers each");
    }
    return o;
}

/// GPUs of servers a and b, in rank order.
std::vector<uint32_t>
TwoServers(uint32_t a, uint32_t b, uint32_t gpusPerServer)
{
    std::vector<uint32_t> gpus;
    for (uint32_t s : {a, b})
    {
        for (uint32_t i = 0; i < gpusPerServer; ++i)
        {
            gpus.push_back(s * gpusPerServer + i);
        }
    }
    return gpus;
}

/// The jobs of a job set for one seed (only "random" depends on the seed).
std::vector<std::vector<uint32_t>>
JobSet(const std::string& name, const LeafSpineShape& shape, uint64_t seed)
{
    const uint32_t g = shape.gpusPerServer;
    const uint32_t spl = shape.gpusPerLeaf / g; // servers per leaf
    std::vector<std::vector<uint32_t>> jobs;
    if (name == "two" || name == "four")
    {
        const uint32_t pairs = name == "two" ? 1 : 2;
        for (uint32_t p = 0; p < pairs; ++p)
        {
            const uint32_t leafA = 2 * p;
            const uint32_t leafB = 2 * p + 1;
            jobs.push_back(TwoServers(leafA * spl, leafB * spl, g));
            jobs.push_back(TwoServers(leafA * spl + 1, leafB * spl + 1, g));
        }
    }
    else
    {
        // four jobs of two servers on the first four leaves' first two servers each
        std::vector<uint32_t> servers;
        for (uint32_t l = 0; l < 4; ++l)
        {
            servers.push_back(l * spl);
            servers.push_back(l * spl + 1);
        }
        std::mt19937_64 rng(seed);
        std::shuffle(servers.begin(), servers.end(), rng);
        for (uint32_t j = 0; j < 4; ++j)
        {
            jobs.push_back(TwoServers(servers[2 * j], servers[2 * j + 1], g));
        }
    }
    return jobs;
}

/// Counters of one job set.
struct Tally
{
    uint64_t interJob{0};
    uint64_t anyTwo{0};
    uint64_t interJobUplink{0};
    uint64_t anyTwoUplink{0};
    uint64_t interJobControl{0};
    double exactInterJob{0};
    double exactAnyTwo{0};
    double exactInterJobUplink{0};
    double exactAnyTwoUplink{0};
    uint64_t firstCollision{0};
    uint64_t firstClean{0};
};

} // namespace

int Run(const Options& o);

int
main(int argc, char* argv[])
{
    const Options o = Parse(argc, argv);
    try
    {
        return Run(o);
    }
    catch (const std::exception& e)
    {
        std::cerr << "vclos-ecmp-collision: " << e.what() << "\n";
        return 2;
    }
}

/// Run the census of the chosen job sets. \return the exit code
int
Run(const Options& o)
{
    auto topo = std::make_shared<const ClusterTopology>(ClusterTopology::LeafSpine(o.shape));
    std::vector<std::string> sets;
    if (o.jobs == "all")
    {
        sets = {"two", "four", "random"};
    }
    else
    {
        sets = {o.jobs};
    }
    std::ofstream csv;
    if (!o.csv.empty())
    {
        csv.open(o.csv);
        if (!csv)
        {
            std::cerr << "vclos-ecmp-collision: cannot write " << o.csv << "\n";
            return 1;
        }
        csv << "jobs,seed,inter_job,any_two,inter_job_uplink,any_two_uplink,"
               "inter_job_control,max_flows_per_link,colliding_jobs\n";
    }
    std::ostringstream summary;
    summary << "jobs,spines,seeds,metric,measured,ci_low,ci_high,ideal_hashing,paper\n";
    std::cout << "cluster: " << o.shape.leaves << " leaves x " << o.shape.gpusPerLeaf << " GPUs ("
              << o.shape.gpusPerServer << " per server), " << o.shape.spines
              << " spines, one link per leaf-spine pair; " << o.collective << " jobs; seeds "
              << o.firstSeed << ".." << o.firstSeed + o.seeds - 1 << "\n";
    for (const std::string& set : sets)
    {
        Tally t;
        uint64_t crossFlows = 0;
        for (uint64_t seed = o.firstSeed; seed < o.firstSeed + o.seeds; ++seed)
        {
            const EcmpCollisionCensus census(topo, JobSet(set, o.shape, seed), o.collective);
            const CensusOutcome r = census.Evaluate(seed);
            t.interJob += r.interJob;
            t.anyTwo += r.anyTwo;
            t.interJobUplink += r.interJobUplink;
            t.anyTwoUplink += r.anyTwoUplink;
            t.interJobControl += r.interJobControl;
            if (r.interJob && t.firstCollision == 0)
            {
                t.firstCollision = seed;
            }
            if (!r.anyTwo && t.firstClean == 0)
            {
                t.firstClean = seed;
            }
            // ideal-hashing reference (the same for every seed unless the placement moves)
            if (set == "random" || seed == o.firstSeed)
            {
                const double w = set == "random" ? 1.0 / o.seeds : 1.0;
                crossFlows = census.GetCrossLeafFlows().size();
                try
                {
                    t.exactInterJob += w * census.ExactProbability(true, false);
                    t.exactAnyTwo += w * census.ExactProbability(false, false);
                    t.exactInterJobUplink += w * census.ExactProbability(true, true);
                    t.exactAnyTwoUplink += w * census.ExactProbability(false, true);
                }
                catch (const std::invalid_argument& e)
                {
                    // too many interacting flows to count: no ideal-hashing column
                    t.exactInterJob = t.exactAnyTwo = -1e9;
                    t.exactInterJobUplink = t.exactAnyTwoUplink = -1e9;
                }
            }
            if (csv.is_open())
            {
                csv << set << "," << seed << "," << r.interJob << "," << r.anyTwo << ","
                    << r.interJobUplink << "," << r.anyTwoUplink << "," << r.interJobControl << ","
                    << r.maxFlowsPerLink << ",";
                for (size_t i = 0; i < r.collidingJobs.size(); ++i)
                {
                    csv << (i ? " " : "") << r.collidingJobs[i];
                }
                csv << "\n";
            }
        }
        std::cout << "\njobs=" << set << " (cross-leaf flows: " << crossFlows
                  << (set == "random" ? " for the first seed" : "") << ")\n";
        std::printf("  %-34s %9s  %-17s %9s  %s\n",
                    "collision on a fabric link",
                    "measured",
                    "95% CI",
                    "ideal",
                    "paper");

        struct Row
        {
            const char* metric;
            const char* label;
            uint64_t k;
            double ideal;
        };

        const Row rows[] = {
            {"inter_job", "data of two jobs", t.interJob, t.exactInterJob},
            {"any_two", "two data flows (any jobs)", t.anyTwo, t.exactAnyTwo},
            {"inter_job_uplink",
             "data of two jobs, leaf->spine",
             t.interJobUplink,
             t.exactInterJobUplink},
            {"any_two_uplink", "two data flows, leaf->spine", t.anyTwoUplink, t.exactAnyTwoUplink},
            {"inter_job_control", "packets of two jobs (with ACKs)", t.interJobControl, -1},
        };
        for (const Row& row : rows)
        {
            const auto [lo, hi] = Wilson(row.k, o.seeds);
            const double p = double(row.k) / o.seeds;
            char ideal[32] = "-";
            if (row.ideal >= 0)
            {
                std::snprintf(ideal, sizeof(ideal), "%.4f", row.ideal);
            }
            std::printf("  %-34s %9.4f  [%.4f, %.4f] %9s  %.3f\n",
                        row.label,
                        p,
                        lo,
                        hi,
                        ideal,
                        kPaperProbability);
            summary << set << "," << o.shape.spines << "," << o.seeds << "," << row.metric << ","
                    << p << "," << lo << "," << hi << ",";
            if (row.ideal >= 0)
            {
                summary << row.ideal;
            }
            summary << "," << kPaperProbability << "\n";
        }
        std::cout << "  first seed with an inter-job collision: " << t.firstCollision
                  << "; first seed with no shared fabric link: " << t.firstClean << "\n";
    }
    if (!o.summaryCsv.empty())
    {
        std::ofstream out(o.summaryCsv);
        if (!out)
        {
            std::cerr << "vclos-ecmp-collision: cannot write " << o.summaryCsv << "\n";
            return 1;
        }
        out << summary.str();
    }
    return 0;
}
