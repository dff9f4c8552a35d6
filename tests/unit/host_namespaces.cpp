// SPDX-License-Identifier: MIT
// The host's namespace calls (ABI 1.25): namespace_unshare and namespace_enter. What
// changes a namespace runs in a forked child, so that the test process keeps its own; the
// child reports by its exit status which check failed (0: none).
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "host_fixtures.h"

using namespace bsc::test;

namespace {

// The inode that names the namespace of kind `name` of the calling thread, or of process
// `pid` (0 if it cannot be read).
ino_t ns_inode_of(const std::string &path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}
ino_t own_ns_inode(const char *name) { return ns_inode_of(std::string("/proc/thread-self/ns/") + name); }

// Runs `body` in a forked child: its exit status (-1 if it did not exit).
template <class Body> int ns_status_in_child(Body body) {
    pid_t pid = ::fork();
    if (pid == 0)
        ::_exit(body());
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

bool ns_privileged() { return ::geteuid() == 0; }

} // namespace

TEST_CASE("namespace_unshare and namespace_enter refuse what they do not take",
          "[host][namespaces]") {
    host_ready();
    CHECK(host_namespace_unshare(0) == BSC_E_INVALID);
    CHECK(host_namespace_unshare(BSC_NAMESPACE_USER << 1) == BSC_E_INVALID);
    CHECK(host_namespace_enter(BSC_NO_HANDLE, BSC_NAMESPACE_UTS) == BSC_E_BAD_HANDLE);
    CHECK(host_namespace_enter(12345, 0) == BSC_E_BAD_HANDLE);
    bsc_handle self = BSC_NO_HANDLE;
    GuestPage page;
    auto *handle = page.at<bsc_handle>(0);
    REQUIRE(host_process_open(0, handle) == BSC_OK);
    self = *handle;
    CHECK(host_namespace_enter(self, 0) == BSC_E_INVALID); // a pidfd needs the kinds
    CHECK(host_namespace_enter(self, BSC_NAMESPACE_USER << 1) == BSC_E_INVALID);
    host_object_close(self);
}

TEST_CASE("namespace_unshare makes new namespaces, namespace_enter enters them",
          "[host][namespaces]") {
    host_ready();
    if (!ns_privileged()) { // the kernel's answer to a caller without CAP_SYS_ADMIN
        CHECK(ns_status_in_child([] {
                  return host_namespace_unshare(BSC_NAMESPACE_UTS) == BSC_E_NOT_PERMITTED ? 0 : 1;
              }) == 0);
        return;
    }
    pid_t parent = ::getpid();
    CHECK(ns_status_in_child([parent] {
              ino_t uts = own_ns_inode("uts"), net = own_ns_inode("net");
              if (host_namespace_unshare(BSC_NAMESPACE_UTS | BSC_NAMESPACE_NETWORK) != BSC_OK)
                  return 1;
              if (own_ns_inode("uts") == uts || own_ns_inode("net") == net)
                  return 2;
              // Back into the parent's UTS namespace by its file, its network one by its pidfd.
              GuestPage page;
              std::string uri = "file:/proc/" + std::to_string(parent) + "/ns/uts";
              std::memcpy(page.at<char>(64), uri.c_str(), uri.size() + 1);
              auto *handle = page.at<bsc_handle>(0);
              if (host_stream_open(page.at<const char>(64), BSC_ACCESS_READ, 0, BSC_CREATE_NEVER,
                                   0, handle) != BSC_OK)
                  return 3;
              if (host_namespace_enter(*handle, BSC_NAMESPACE_NETWORK) != BSC_E_INVALID ||
                  host_namespace_enter(*handle, 0) != BSC_OK || own_ns_inode("uts") != uts)
                  return 4;
              host_object_close(*handle);
              if (host_process_open(static_cast<uint64_t>(parent), handle) != BSC_OK ||
                  host_namespace_enter(*handle, BSC_NAMESPACE_NETWORK) != BSC_OK ||
                  own_ns_inode("net") != net)
                  return 5;
              return 0;
          }) == 0);
    // A new time namespace is for the children: the caller's own stays.
    CHECK(ns_status_in_child([] {
              ino_t time = own_ns_inode("time");
              if (host_namespace_unshare(BSC_NAMESPACE_TIME) != BSC_OK)
                  return 1;
              return own_ns_inode("time") == time && own_ns_inode("time_for_children") != time
                         ? 0
                         : 2;
          }) == 0);
}
