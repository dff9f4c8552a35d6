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

constexpr size_t kMaxLine = 8192;
constexpr size_t kMaxLines = 256;

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

} // namespace

std::string control_socket_path(pid_t pid, uid_t uid) {
    return directory_of(uid) + "/" + std::to_string(pid) + ".sock";
}

int listen_on_control_socket() {
    make_private_directory(directory_of(::getuid()));
    std::string path = control_socket_path(::getpid(), ::getuid());
    sockaddr_un address = address_of(path);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw system_error("control socket");
    ::unlink(path.c_str()); // a stale socket of an earlier process with this pid
    mode_t old_mask = ::umask(0177);
    int bound = ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address);
    ::umask(old_mask);
    if (bound != 0 || ::chmod(path.c_str(), 0600) != 0 || ::listen(fd, 4) != 0) {
        int error = errno;
        ::close(fd);
        throw std::system_error(error, std::generic_category(), "cannot listen on " + path);
    }
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

bool send_line(int fd, const std::string &line) {
    std::string text = line + "\n";
    const char *data = text.data();
    size_t left = text.size();
    while (left > 0) {
        ssize_t n = ::send(fd, data, left, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n, left -= static_cast<size_t>(n);
    }
    return true;
}

// Reads byte by byte: control messages are short and this never reads past a line.
std::optional<std::string> receive_line(int fd) {
    std::string line;
    for (;;) {
        char c;
        ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return std::nullopt;
        if (c == '\n')
            return line;
        if (line.size() >= kMaxLine)
            return std::nullopt;
        line += c;
    }
}

bool send_message(int fd, const ControlMessage &message) {
    for (const auto &[key, value] : message)
        if (key.find_first_of("=\n") != std::string::npos ||
            value.find('\n') != std::string::npos || !send_line(fd, key + "=" + value))
            return false;
    return send_line(fd, "");
}

std::optional<ControlMessage> receive_message(int fd) {
    ControlMessage message;
    while (message.size() <= kMaxLines) {
        auto line = receive_line(fd);
        if (!line)
            return std::nullopt;
        if (line->empty())
            return message;
        auto equals = line->find('=');
        if (equals == std::string::npos || equals == 0)
            return std::nullopt;
        message.emplace_back(line->substr(0, equals), line->substr(equals + 1));
    }
    return std::nullopt;
}

std::optional<std::string> find_value(const ControlMessage &message, const std::string &key) {
    for (const auto &[k, v] : message)
        if (k == key)
            return v;
    return std::nullopt;
}

} // namespace bsc::runtime
