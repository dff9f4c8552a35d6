// SPDX-License-Identifier: MIT
#include "guest_tree.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <iterator>
#include <thread>
#include <fstream>
#include <string>

namespace bsc::runtime {
namespace {

// The children of every thread of `pid` (Linux lists a child under the thread that made it).
std::vector<pid_t> children_of(pid_t pid) {
    std::vector<pid_t> children;
    std::error_code error;
    auto tasks = "/proc/" + std::to_string(pid) + "/task";
    for (const auto &task : std::filesystem::directory_iterator(tasks, error)) {
        std::ifstream list(task.path() / "children");
        for (pid_t child; list >> child;)
            children.push_back(child);
    }
    return children;
}

// Whether `pid` has ended (or is gone): the state in /proc/PID/stat, after the command
// name's closing parenthesis.
bool has_ended(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line))
        return true;
    auto close = line.rfind(')');
    return close == std::string::npos || close + 2 >= line.size() || line[close + 2] == 'Z' ||
           line[close + 2] == 'X';
}

// Whether `pid` has let its memory go without being a zombie yet: do_exit drops the
// memory (and /proc/PID/exe with it, ENOENT) well before it makes the process a zombie,
// after closing its files, so that runs_program_of no longer knows it.
bool exiting(pid_t pid) {
    struct stat exe;
    return ::stat(("/proc/" + std::to_string(pid) + "/exe").c_str(), &exe) != 0 && errno == ENOENT;
}

// Whether `pid` is still ending: exiting, or its first thread has ended (a zombie) and
// others have not yet; Linux tells its parent of the end only once they all have.
bool still_ending(pid_t pid) {
    if (!has_ended(pid))
        return exiting(pid);
    std::error_code error;
    std::filesystem::directory_iterator tasks("/proc/" + std::to_string(pid) + "/task", error);
    return !error && std::distance(tasks, std::filesystem::directory_iterator()) > 1;
}

// Whether `pid` runs the same executable file as `root`.
bool runs_program_of(pid_t pid, pid_t root) {
    struct stat own, other;
    return ::stat(("/proc/" + std::to_string(root) + "/exe").c_str(), &own) == 0 &&
           ::stat(("/proc/" + std::to_string(pid) + "/exe").c_str(), &other) == 0 &&
           own.st_dev == other.st_dev && own.st_ino == other.st_ino;
}

// Every process below `root` (guest or not, ended or not), parents first.
std::vector<pid_t> all_descendants(pid_t root) {
    std::vector<pid_t> found{root};
    for (size_t next = 0; next < found.size(); next++)
        for (pid_t child : children_of(found[next]))
            found.push_back(child);
    found.erase(found.begin());
    return found;
}

} // namespace

bool wait_for_endings(pid_t root, std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        auto processes = all_descendants(root);
        if (std::ranges::none_of(processes, still_ending))
            return true;
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

std::vector<TreeProcess> guest_descendants(pid_t root) {
    std::vector<TreeProcess> found;
    std::vector<pid_t> parents{root};
    for (size_t next = 0; next < parents.size(); next++)
        for (pid_t child : children_of(parents[next]))
            if (!has_ended(child) && runs_program_of(child, root)) {
                found.push_back({child, parents[next]});
                parents.push_back(child);
            }
    return found;
}

} // namespace bsc::runtime
