// SPDX-License-Identifier: MIT
#include "control_socket.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace bsc::runtime {
namespace {

std::system_error system_error(const std::string &what) {
    return std::system_error(errno, std::generic_category(), what);
}

sockaddr_un address_of(const std::string &path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path)
        throw std::system_error(ENAMETOOLONG, std::generic_category(), path);
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    return address;
}

std::string directory_of(uid_t uid) { return "/tmp/bascule-" + std::to_string(uid); }

// This process's socket and its owner, as listen_on_control_socket made them: they stay
// what they were when the guest later changes its threads' user ids (setuid).
struct OwnSocket {
    pid_t pid = 0; // the process that listens; a forked child that made none has not
    uid_t uid = 0;
    std::string path;
} own;

// Removes the sockets, whole or half made, of runtimes that ended without removing
// theirs (killed): their process ids name no process.
void remove_stale_sockets(const std::string &dir) {
    std::error_code error;
    for (const auto &entry : std::filesystem::directory_iterator(dir, error)) {
        std::string name = entry.path().filename();
        pid_t pid = 0;
        auto [end, parsed] = std::from_chars(name.data(), name.data() + name.size(), pid);
        std::string_view rest(end, name.data() + name.size());
        bool socket_name = rest == ".sock" || rest == ".sock.new";
        if (parsed == std::errc() && pid > 0 && socket_name && ::kill(pid, 0) != 0 &&
            errno == ESRCH)
            ::unlink(entry.path().c_str());
    }
}

// The per-user directory, created 0700; refused if someone else owns it.
void make_private_directory(const std::string &dir) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw system_error("cannot create " + dir);
    struct stat st;
    if (::lstat(dir.c_str(), &st) != 0)
        throw system_error(dir);
    if (!S_ISDIR(st.st_mode) || st.st_uid != ::getuid() || (st.st_mode & 077))
        throw std::system_error(EPERM, std::generic_category(),
                                dir + " is not a private directory of this user");
}

} // namespace

std::string control_socket_path(pid_t pid, uid_t uid) {
    return directory_of(uid) + "/" + std::to_string(pid) + ".sock";
}

int listen_on_control_socket() {
    make_private_directory(directory_of(::getuid()));
    remove_stale_sockets(directory_of(::getuid()));
    std::string path = control_socket_path(::getpid(), ::getuid());
    // Bound under another name, and given its own once it listens (replacing a stale socket
    // of an earlier process with this pid): a client that finds the path can connect.
    std::string unready = path + ".new";
    sockaddr_un address = address_of(unready);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw system_error("control socket");
    ::unlink(unready.c_str());
    mode_t old_mask = ::umask(0177);
    int bound = ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address);
    ::umask(old_mask);
    if (bound != 0 || ::chmod(unready.c_str(), 0600) != 0 || ::listen(fd, 4) != 0 ||
        ::rename(unready.c_str(), path.c_str()) != 0) {
        int error = errno;
        ::close(fd);
        ::unlink(unready.c_str());
        throw std::system_error(error, std::generic_category(), "cannot listen on " + path);
    }
    own = {::getpid(), ::getuid(), path};
    return fd;
}

void remove_own_control_socket() {
    if (own.pid == ::getpid())
        ::unlink(own.path.c_str());
}

int connect_to_control_socket(const std::string &path) {
    sockaddr_un address = address_of(path);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw system_error("socket");
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        int error = errno;
        ::close(fd);
        throw std::system_error(error, std::generic_category(), path);
    }
    return fd;
}

bool peer_is_trusted(int connection) {
    ucred peer{};
    socklen_t length = sizeof peer;
    if (::getsockopt(connection, SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0)
        return false;
    return peer.uid == (own.pid == ::getpid() ? own.uid : ::getuid()) || peer.uid == 0;
}

} // namespace bsc::runtime
