// SPDX-License-Identifier: MIT
#include "control_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
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

// The socket this process listens on, and the process that listens (a forked child
// inherits the variables, not the socket).
std::string listening_path;
pid_t listening_pid;

} // namespace

std::string listening_control_socket_path() {
    return listening_pid == ::getpid() ? listening_path
                                       : control_socket_path(::getpid(), ::getuid());
}

std::string control_socket_path(pid_t pid, uid_t uid) {
    return directory_of(uid) + "/" + std::to_string(pid) + ".sock";
}

int listen_on_control_socket() {
    make_private_directory(directory_of(::getuid()));
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
    listening_path = path;
    listening_pid = ::getpid();
    return fd;
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
    return peer.uid == ::getuid() || peer.uid == 0;
}

} // namespace bsc::runtime
