/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// vclos-sweep: expand a sweep file into runs, run them with GNU parallel (on local cores or
// over ssh) or as a Slurm job array, and merge their results databases (doc/sweeps.rst).
//
//   vclos-sweep expand SWEEP --out DIR
//   vclos-sweep run SWEEP --out DIR [--jobs N] [--sshloginfile F] [--resume-failed] [--sim P]
//   vclos-sweep slurm SWEEP --out DIR [--sim P]
//   vclos-sweep merge DIR --db MERGED.db
//   vclos-sweep status DIR
//   vclos-sweep run-one DIR KEY [--sim P]      (one run; what parallel and Slurm call)
//
// DIR holds keys.txt (one run key a line, in expansion order), axes.json (each key's
// values), runs/<key>.json (the run's scenario), db/<key>.db (its results), logs/<key>.log,
// joblog (GNU parallel's) and sweep.sbatch (the Slurm script).
//
// Exit codes: 0 success; 2 bad command line or sweep; 3 file or database error; 4 merge:
// some runs are not complete (not merged); run: GNU parallel's exit code (the number of
// failed runs, up to 100); run-one: vclos-sim's.

#include "ns3/scenario.h"
#include "ns3/sweep-merge.h"
#include "ns3/sweep-spec.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace ns3::vclos;
namespace fs = std::filesystem;

namespace
{

/// Exit code: bad command line or sweep.
constexpr int kExitUsage = 2;
/// Exit code: file or database error.
constexpr int kExitIo = 3;
/// Exit code: some runs are not complete.
constexpr int kExitIncomplete = 4;

/// Usage text.
const char* const kUsage =
    "usage:\n"
    "  vclos-sweep expand SWEEP --out DIR\n"
    "  vclos-sweep run SWEEP --out DIR [--jobs N] [--sshloginfile FILE] [--resume-failed]"
    " [--sim VCLOS_SIM]\n"
    "  vclos-sweep slurm SWEEP --out DIR [--sim VCLOS_SIM]\n"
    "  vclos-sweep merge DIR --db MERGED.db\n"
    "  vclos-sweep status DIR\n"
    "  vclos-sweep run-one DIR KEY [--sim VCLOS_SIM]\n"
    "See doc/sweeps.rst.\n";

/// A command-line error (exit 2).
struct UsageError : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

/// A file error (exit 3).
struct IoError : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

/// Parsed command line: positional arguments and --options.
struct Args
{
    std::vector<std::string> positional;      //!< in order
    std::map<std::string, std::string> value; //!< --name VALUE or --name=VALUE
    bool resumeFailed{false};                 //!< --resume-failed
};

/**
 * \param argv the arguments after the subcommand
 * \param allowed options that take a value
 * \return the parsed arguments
 */
Args
ParseArgs(const std::vector<std::string>& argv, const std::vector<std::string>& allowed)
{
    Args a;
    for (std::size_t i = 0; i < argv.size(); ++i)
    {
        const std::string& s = argv[i];
        if (s.rfind("--", 0) != 0)
        {
            a.positional.push_back(s);
            continue;
        }
        if (s == "--resume-failed")
        {
            a.resumeFailed = true;
            continue;
        }
        const std::size_t eq = s.find('=');
        const std::string name = s.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
        {
            throw UsageError("unknown option " + s);
        }
        if (eq != std::string::npos)
        {
            a.value[name] = s.substr(eq + 1);
        }
        else if (i + 1 < argv.size())
        {
            a.value[name] = argv[++i];
        }
        else
        {
            throw UsageError("option --" + name + " needs a value");
        }
    }
    return a;
}

/// \return the absolute, normal form of \p p
std::string
Absolute(const std::string& p)
{
    return fs::absolute(p).lexically_normal().string();
}

/// \return the text of \p path
std::string
ReadText(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        throw IoError(path + ": cannot read: " + std::strerror(errno));
    }
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Write \p text to \p path (through a temporary file and a rename), unless it holds it.
void
WriteText(const std::string& path, const std::string& text)
{
    std::error_code ec;
    if (fs::is_regular_file(path, ec) && fs::file_size(path, ec) == text.size() &&
        ReadText(path) == text)
    {
        return;
    }
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out.flush())
        {
            throw IoError(tmp + ": cannot write: " + std::strerror(errno));
        }
    }
    fs::rename(tmp, path, ec);
    if (ec)
    {
        throw IoError(path + ": cannot write: " + ec.message());
    }
}

/// Create directory \p dir (and parents).
void
MakeDir(const std::string& dir)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
    {
        throw IoError(dir + ": cannot create directory: " + ec.message());
    }
}

/// \return the keys of DIR/keys.txt
std::vector<std::string>
ReadKeys(const std::string& dir)
{
    std::vector<std::string> keys;
    std::istringstream in(ReadText(dir + "/keys.txt"));
    std::string line;
    while (std::getline(in, line))
    {
        if (!line.empty())
        {
            keys.push_back(line);
        }
    }
    return keys;
}

/// \return the vclos-sim beside this program, or --sim
std::string
SimPath(const Args& a)
{
    auto it = a.value.find("sim");
    if (it != a.value.end())
    {
        return Absolute(it->second);
    }
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("vclos-sim") : (self.parent_path() / "vclos-sim").string();
}

/// \return this program's absolute path
std::string
SelfPath()
{
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("vclos-sweep") : self.string();
}

/**
 * Expand \p sweepPath into \p dir: runs/<key>.json, keys.txt, axes.json.
 * \return the run keys
 */
std::vector<std::string>
Expand(const std::string& sweepPath, const std::string& dir)
{
    const SweepSpec spec = LoadSweepFile(sweepPath);
    const std::vector<SweepRun> runs = ExpandSweep(spec, true);
    MakeDir(dir + "/runs");
    std::string keys;
    nlohmann::ordered_json axes = nlohmann::ordered_json::object();
    for (const SweepRun& r : runs)
    {
        WriteText(dir + "/runs/" + r.key + ".json", r.scenarioJson);
        keys += r.key + "\n";
        nlohmann::ordered_json values = nlohmann::ordered_json::object();
        for (const auto& [k, v] : r.values)
        {
            values[k] = nlohmann::ordered_json::parse(v);
        }
        axes[r.key] = values;
    }
    WriteText(dir + "/keys.txt", keys);
    WriteText(dir + "/axes.json", axes.dump(1) + "\n");
    std::cout << "sweep '" << spec.name << "': " << runs.size() << " runs (base " << spec.baseHash
              << ", " << spec.baseSource << ") in " << dir << "\n";
    std::vector<std::string> out;
    for (const SweepRun& r : runs)
    {
        out.push_back(r.key);
    }
    return out;
}

/// \return true if \p key can be a run key (no path separators or shell specials)
bool
SafeKey(const std::string& key)
{
    if (key.empty() || key.size() > kMaxRunKeyBytes || key[0] == '.' || key[0] == '-')
    {
        return false;
    }
    for (char c : key)
    {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '+' || c == '-' ||
                        c == '=';
        if (!ok)
        {
            return false;
        }
    }
    return true;
}

/// vclos-sweep run-one DIR KEY: skip a complete run, else start it afresh.
int
RunOne(const Args& a)
{
    if (a.positional.size() != 2)
    {
        throw UsageError("run-one needs DIR and KEY");
    }
    const std::string dir = Absolute(a.positional[0]);
    const std::string& key = a.positional[1];
    if (!SafeKey(key))
    {
        throw UsageError("'" + key + "' is not a run key");
    }
    const std::string scenario = dir + "/runs/" + key + ".json";
    const std::string text = ReadText(scenario);
    const std::string db = dir + "/db/" + key + ".db";
    const std::string status = RunDbStatus(db, &text);
    if (status == "done")
    {
        std::cout << key << ": done already, skipped\n";
        return 0;
    }
    // A partial database (interrupted, killed, failed, another scenario) is redone whole:
    // nothing of it is kept, so no row is ever counted twice.
    MakeDir(dir + "/db");
    MakeDir(dir + "/logs");
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    {
        std::error_code ec;
        fs::remove(db + suffix, ec);
        if (ec)
        {
            throw IoError(db + suffix + ": cannot remove: " + ec.message());
        }
    }
    const std::string log = dir + "/logs/" + key + ".log";
    std::cout << key << ": " << (status == "missing" ? "running" : "redoing (was " + status + ")")
              << ", log " << log << std::endl;
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
    {
        throw IoError(log + ": cannot write: " + std::strerror(errno));
    }
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
    const std::string sim = SimPath(a);
    std::vector<std::string> args = {sim, "--scenario=" + scenario, "--db=" + db, "--quiet"};
    std::vector<char*> argv;
    for (std::string& s : args)
    {
        argv.push_back(s.data());
    }
    argv.push_back(nullptr);
    // exec: the run is this process, so a signal to it (from parallel or Slurm) reaches
    // vclos-sim, which stops at an event boundary and marks the run interrupted.
    ::execv(sim.c_str(), argv.data());
    std::cerr << "error: cannot run " << sim << ": " << std::strerror(errno)
              << " (give --sim PATH_OF_vclos-sim)\n";
    return kExitUsage;
}

/// vclos-sweep run SWEEP --out DIR: expand, then hand the runs to GNU parallel.
int
Run(const Args& a)
{
    if (a.positional.size() != 1 || !a.value.count("out"))
    {
        throw UsageError("run needs SWEEP and --out DIR");
    }
    const std::string dir = Absolute(a.value.at("out"));
    Expand(a.positional[0], dir);
    std::vector<std::string> args = {"parallel",
                                     "--joblog",
                                     dir + "/joblog",
                                     "--jobs",
                                     a.value.count("jobs") ? a.value.at("jobs") : "100%"};
    if (a.value.count("sshloginfile"))
    {
        args.push_back("--sshloginfile");
        args.push_back(Absolute(a.value.at("sshloginfile")));
    }
    if (a.resumeFailed)
    {
        args.push_back("--resume-failed");
    }
    for (const std::string& s : {SelfPath(),
                                 std::string("run-one"),
                                 dir,
                                 std::string("{}"),
                                 std::string("--sim"),
                                 SimPath(a),
                                 std::string("::::"),
                                 dir + "/keys.txt"})
    {
        args.push_back(s);
    }
    std::vector<char*> argv;
    for (std::string& s : args)
    {
        argv.push_back(s.data());
    }
    argv.push_back(nullptr);
    std::cout.flush();
    // exec: this process becomes GNU parallel, so a signal to it is parallel's to handle.
    ::execvp("parallel", argv.data());
    std::cerr << "error: cannot run GNU parallel: " << std::strerror(errno)
              << " (Debian: apt-get install parallel)\n";
    return kExitUsage;
}

/// \return \p s in single quotes for bash (s must not hold a quote or a newline)
std::string
ShellQuote(const std::string& s)
{
    if (s.find_first_of("'\n") != std::string::npos)
    {
        throw UsageError("path '" + s + "' holds a quote or a newline");
    }
    return "'" + s + "'";
}

/// vclos-sweep slurm SWEEP --out DIR: expand and write DIR/sweep.sbatch.
int
Slurm(const Args& a)
{
    if (a.positional.size() != 1 || !a.value.count("out"))
    {
        throw UsageError("slurm needs SWEEP and --out DIR");
    }
    const std::string dir = Absolute(a.value.at("out"));
    const std::vector<std::string> keys = Expand(a.positional[0], dir);
    MakeDir(dir + "/logs");
    const std::string script = dir + "/sweep.sbatch";
    std::ostringstream s;
    s << "#!/bin/bash\n"
      << "# Slurm job array of a vclos sweep: " << keys.size() << " runs, written by vclos-sweep "
      << "slurm.\n"
      << "# Submit with: sbatch " << script << "\n"
      << "# Every node needs " << dir << ", vclos-sweep and vclos-sim at these paths (a shared\n"
      << "# filesystem). A task whose run is already done exits at once; re-submit to redo the\n"
      << "# incomplete ones. Slurm refuses arrays larger than its MaxArraySize (default 1001).\n"
      << "#SBATCH --job-name=vclos-sweep\n"
      << "#SBATCH --array=0-" << keys.size() - 1 << "\n"
      << "#SBATCH --ntasks=1\n"
      << "#SBATCH --cpus-per-task=1\n"
      << "#SBATCH --output=" << dir << "/logs/slurm-%A_%a.out\n"
      << "set -euo pipefail\n"
      << ": \"${SLURM_ARRAY_TASK_ID:?run this script with sbatch (or set SLURM_ARRAY_TASK_ID)}\"\n"
      << "KEY=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" " << ShellQuote(dir + "/keys.txt") << ")\n"
      << "if [ -z \"$KEY\" ]; then\n"
      << "    echo \"no run $SLURM_ARRAY_TASK_ID in " << dir << "/keys.txt\" >&2\n"
      << "    exit " << kExitUsage << "\n"
      << "fi\n"
      << "exec " << ShellQuote(SelfPath()) << " run-one " << ShellQuote(dir) << " \"$KEY\" --sim "
      << ShellQuote(SimPath(a)) << "\n";
    WriteText(script, s.str());
    fs::permissions(script,
                    fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add);
    std::cout << "Slurm script: " << script << " (sbatch " << script << ")\n";
    return 0;
}

/// vclos-sweep merge DIR --db MERGED: merge every complete run.
int
Merge(const Args& a)
{
    if (a.positional.size() != 1 || !a.value.count("db"))
    {
        throw UsageError("merge needs DIR and --db MERGED.db");
    }
    const std::string dir = Absolute(a.positional[0]);
    const nlohmann::json axes = nlohmann::json::parse(ReadText(dir + "/axes.json"));
    std::vector<SweepMergeInput> inputs;
    for (const std::string& key : ReadKeys(dir))
    {
        if (!SafeKey(key))
        {
            throw IoError(dir + "/keys.txt: '" + key + "' is not a run key");
        }
        SweepMergeInput in;
        in.key = key;
        in.dbPath = dir + "/db/" + key + ".db";
        in.scenarioJson = ReadText(dir + "/runs/" + key + ".json");
        in.axesJson = axes.contains(key) ? axes[key].dump() : "{}";
        inputs.push_back(std::move(in));
    }
    const SweepMergeReport r = MergeSweepDatabases(inputs, a.value.at("db"));
    std::cout << "merged " << r.merged.size() << " runs into " << a.value.at("db") << " ("
              << r.already.size() << " were there already, " << r.skipped.size()
              << " not complete)\n";
    for (const auto& [key, why] : r.skipped)
    {
        std::cout << "  not merged: " << key << " (" << why << ")\n";
    }
    return r.skipped.empty() ? 0 : kExitIncomplete;
}

/// vclos-sweep status DIR: each run's state.
int
Status(const Args& a)
{
    if (a.positional.size() != 1)
    {
        throw UsageError("status needs DIR");
    }
    const std::string dir = Absolute(a.positional[0]);
    std::map<std::string, int> count;
    for (const std::string& key : ReadKeys(dir))
    {
        const std::string text = ReadText(dir + "/runs/" + key + ".json");
        const std::string status = RunDbStatus(dir + "/db/" + key + ".db", &text);
        ++count[status];
        std::cout << key << " " << status << "\n";
    }
    for (const auto& [status, n] : count)
    {
        std::cerr << status << ": " << n << "\n";
    }
    return count.size() == 1 && count.count("done") ? 0 : kExitIncomplete;
}

} // namespace

int
main(int argc, char* argv[])
{
    if (argc < 2)
    {
        std::cerr << kUsage;
        return kExitUsage;
    }
    const std::string cmd = argv[1];
    const std::vector<std::string> rest(argv + 2, argv + argc);
    try
    {
        if (cmd == "expand")
        {
            const Args a = ParseArgs(rest, {"out"});
            if (a.positional.size() != 1 || !a.value.count("out"))
            {
                throw UsageError("expand needs SWEEP and --out DIR");
            }
            Expand(a.positional[0], Absolute(a.value.at("out")));
            return 0;
        }
        if (cmd == "run")
        {
            return Run(ParseArgs(rest, {"out", "jobs", "sshloginfile", "sim"}));
        }
        if (cmd == "slurm")
        {
            return Slurm(ParseArgs(rest, {"out", "sim"}));
        }
        if (cmd == "merge")
        {
            return Merge(ParseArgs(rest, {"db"}));
        }
        if (cmd == "status")
        {
            return Status(ParseArgs(rest, {}));
        }
        if (cmd == "run-one")
        {
            return RunOne(ParseArgs(rest, {"sim"}));
        }
        if (cmd == "-h" || cmd == "--help" || cmd == "help")
        {
            std::cout << kUsage;
            return 0;
        }
        throw UsageError("unknown command '" + cmd + "'");
    }
    catch (const UsageError& e)
    {
        std::cerr << "error: " << e.what() << "\n" << kUsage;
        return kExitUsage;
    }
    catch (const SweepError& e)
    {
        std::cerr << "error: " << e.what() << "\n";
        return kExitUsage;
    }
    catch (const std::exception& e)
    {
        std::cerr << "error: " << e.what() << "\n";
        return kExitIo;
    }
}
