// SPDX-License-Identifier: MIT
// Opening extension objects with dlopen, one private copy per concurrent owner (see
// object_file.h for why).
#include "object_file.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

#include <fmt/core.h>

#include "chain_error.h"

namespace bsc::chain {
namespace {

// How many owners hold each file open right now, by device and inode: that is how the
// dynamic linker recognises a file it has loaded, whatever path names it. Never
// destroyed: a chain may be torn down during static destruction.
struct OpenFiles {
    std::mutex mutex;
    std::map<std::pair<dev_t, ino_t>, int> owners;
};

OpenFiles &open_files() {
    static auto *files = new OpenFiles;
    return *files;
}

std::pair<dev_t, ino_t> file_id(const std::string &path) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        throw ChainError(fmt::format("cannot load {}: {}", path, std::strerror(errno)));
    return {st.st_dev, st.st_ino};
}

// Returns true if the caller is the first owner of the file.
bool acquire(std::pair<dev_t, ino_t> id) {
    auto &files = open_files();
    std::lock_guard lock(files.mutex);
    return files.owners[id]++ == 0;
}

void release(std::pair<dev_t, ino_t> id) {
    auto &files = open_files();
    std::lock_guard lock(files.mutex);
    if (--files.owners[id] == 0)
        files.owners.erase(id);
}

[[noreturn]] void fail_copy(const std::string &path, int source, int copy) {
    int error = errno;
    if (source >= 0)
        ::close(source);
    if (copy >= 0)
        ::close(copy);
    throw ChainError(fmt::format("cannot copy {} for a second instance: {}", path,
                                 std::strerror(error)));
}

// Copies the file into a new memfd and returns its descriptor.
int copy_to_memfd(const std::string &path) {
    int source = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (source < 0)
        fail_copy(path, -1, -1);
    std::string base = path.substr(path.rfind('/') + 1);
    int copy = ::memfd_create(base.c_str(), MFD_CLOEXEC);
    struct stat st;
    if (copy < 0 || ::fstat(source, &st) != 0)
        fail_copy(path, source, copy);
    off_t offset = 0;
    while (offset < st.st_size)
        if (::sendfile(copy, source, &offset, static_cast<size_t>(st.st_size - offset)) <= 0)
            fail_copy(path, source, copy);
    ::close(source);
    return copy;
}

} // namespace

ObjectFile::ObjectFile(std::string path) : path_(std::move(path)), id_(file_id(path_)) {
    bool first = acquire(id_);
    try {
        // The memfd must stay open while the copy is loaded: its /proc/self/fd name is
        // how the dynamic linker tells the copies apart, and a reused name would make
        // dlopen return the earlier copy.
        if (!first)
            copy_fd_ = copy_to_memfd(path_);
        std::string open_path =
            first ? path_ : fmt::format("/proc/self/fd/{}", copy_fd_);
        handle_ = ::dlopen(open_path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle_) {
            const char *why = ::dlerror();
            throw ChainError(fmt::format("cannot load {}: {}", path_, why ? why : "dlopen failed"));
        }
    } catch (...) {
        if (copy_fd_ >= 0)
            ::close(copy_fd_);
        release(id_);
        throw;
    }
}

ObjectFile::~ObjectFile() {
    ::dlclose(handle_);
    if (copy_fd_ >= 0)
        ::close(copy_fd_);
    release(id_);
}

void *ObjectFile::symbol(const char *name) const { return ::dlsym(handle_, name); }

} // namespace bsc::chain
