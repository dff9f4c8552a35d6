// SPDX-License-Identifier: MIT
// The native guest image loader: maps each PT_LOAD segment of an ELF shared object with
// stream_map / vm_alloc through the chain, applies its relative relocations, and reads
// the exported upcall table.
#include "guest_image.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <span>
#include <vector>

#include "elf_file.h"
#include "guest_memory.h"

namespace bsc::runtime {
namespace {

uint64_t page_down(uint64_t v) { return v & ~uint64_t{4095}; }

void check(bsc_status status, const std::string &what) {
    if (status != BSC_OK)
        throw LaunchError(what + ": " + bsc_status_name(status));
}

// The image file opened as a stream through the chain, closed when done.
class ImageStream {
public:
    ImageStream(const bsc_downcalls &abi, const std::string &path) : abi_(abi) {
        std::string uri = "file:" + std::filesystem::absolute(path).string();
        check(abi.stream_open(uri.c_str(), BSC_ACCESS_READ, 0, BSC_CREATE_NEVER, 0, &handle_),
              "cannot open " + path);
    }
    ~ImageStream() { abi_.object_close(handle_); }
    ImageStream(const ImageStream &) = delete;
    ImageStream &operator=(const ImageStream &) = delete;

    elf::Reader reader() { return {read_at, this}; }
    bsc_handle handle() const { return handle_; }

private:
    static bool read_at(void *self, uint64_t offset, void *out, uint64_t size) {
        auto &stream = *static_cast<ImageStream *>(self);
        auto *bytes = static_cast<char *>(out);
        while (size > 0) {
            uint64_t done = 0;
            if (stream.abi_.stream_read(stream.handle_, offset, bytes, size, &done) != BSC_OK ||
                done == 0)
                return false;
            offset += done, bytes += done, size -= done;
        }
        return true;
    }

    const bsc_downcalls &abi_;
    bsc_handle handle_ = BSC_NO_HANDLE;
};

// Applies R_X86_64_RELATIVE relocations; an image needing anything else is refused,
// since a native guest links against nothing. Every address the file names is checked
// to lie inside the image before the loader touches it.
void relocate(const elf::Image &elf, const GuestImage &image, uint64_t bias) {
    auto inside = [&](uint64_t addr, uint64_t size) {
        return addr >= image.base && size <= image.size && addr - image.base <= image.size - size;
    };
    for (const auto &seg : std::span(elf.segments, elf.segment_count)) {
        if (seg.p_type != PT_DYNAMIC)
            continue;
        if (!inside(bias + seg.p_vaddr, seg.p_memsz) || seg.p_memsz < sizeof(Elf64_Dyn))
            throw LaunchError("PT_DYNAMIC outside the image");
        uint64_t rela = 0, rela_size = 0, plt_size = 0;
        std::vector<Elf64_Dyn> dynamic(seg.p_memsz / sizeof(Elf64_Dyn));
        check(copy_from_guest(dynamic.data(), reinterpret_cast<void *>(bias + seg.p_vaddr),
                              dynamic.size() * sizeof(Elf64_Dyn)),
              "cannot read PT_DYNAMIC");
        for (auto *d = dynamic.data(); d < dynamic.data() + dynamic.size() && d->d_tag != DT_NULL;
             d++) {
            if (d->d_tag == DT_RELA)
                rela = d->d_un.d_ptr;
            else if (d->d_tag == DT_RELASZ)
                rela_size = d->d_un.d_val;
            else if (d->d_tag == DT_PLTRELSZ)
                plt_size = d->d_un.d_val;
            else if (d->d_tag == DT_REL || d->d_tag == DT_NEEDED || d->d_tag == DT_TEXTREL)
                throw LaunchError("the image needs a dynamic linker (REL, NEEDED or TEXTREL)");
        }
        if (plt_size)
            throw LaunchError("the image imports functions (PLT relocations)");
        if (rela_size && !inside(bias + rela, rela_size))
            throw LaunchError("relocation table outside the image");
        std::vector<Elf64_Rela> relocations(rela_size / sizeof(Elf64_Rela));
        check(copy_from_guest(relocations.data(), reinterpret_cast<void *>(bias + rela),
                              relocations.size() * sizeof(Elf64_Rela)),
              "cannot read the relocation table");
        for (const auto &r : relocations) {
            if (ELF64_R_TYPE(r.r_info) != R_X86_64_RELATIVE)
                throw LaunchError("unsupported relocation type " +
                                  std::to_string(ELF64_R_TYPE(r.r_info)));
            if (!inside(bias + r.r_offset, 8))
                throw LaunchError("relocation outside the image");
            check(write_guest(reinterpret_cast<uint64_t *>(bias + r.r_offset),
                              bias + r.r_addend),
                  "relocation target not writable");
        }
    }
}

void protect_relro(const bsc_downcalls &abi, const elf::Image &elf, uint64_t bias) {
    for (const auto &seg : std::span(elf.segments, elf.segment_count)) {
        if (seg.p_type != PT_GNU_RELRO)
            continue;
        uint64_t start = page_down(bias + seg.p_vaddr);
        uint64_t end = page_down(bias + seg.p_vaddr + seg.p_memsz);
        if (end > start)
            check(abi.vm_protect(start, end - start, BSC_PROT_READ), "cannot protect RELRO");
    }
}

} // namespace

namespace {

bool read_fd(void *fd, uint64_t offset, void *out, uint64_t size) {
    return ::pread(static_cast<int>(reinterpret_cast<intptr_t>(fd)), out, size,
                   static_cast<off_t>(offset)) == static_cast<ssize_t>(size);
}

} // namespace

bool is_native_guest(const std::string &path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    elf::Reader reader{read_fd, reinterpret_cast<void *>(static_cast<intptr_t>(fd))};
    elf::Image image;
    bool native = elf::parse(reader, image) == 0 &&
                  find_dynamic_symbol(reader, image.header, BSC_GUEST_UPCALLS_SYMBOL);
    ::close(fd);
    return native;
}

GuestImage load_guest_image(const bsc_downcalls &abi, const std::string &path) {
    ImageStream file(abi, path);
    elf::Reader reader = file.reader();
    elf::Image elf;
    if (int error = elf::parse(reader, elf))
        throw LaunchError(path + ": " + elf::error_text(error));
    if (elf.header.e_type != ET_DYN)
        throw LaunchError(path + ": a native guest must be position-independent (ET_DYN)");
    auto upcalls_at = find_dynamic_symbol(reader, elf.header, BSC_GUEST_UPCALLS_SYMBOL);
    if (!upcalls_at)
        throw LaunchError(path + ": does not export " BSC_GUEST_UPCALLS_SYMBOL);
    bsc_status status = BSC_OK;
    if (int error = elf::map(abi, file.handle(), elf, &status))
        throw LaunchError(path + ": " + elf::error_text(error) + ": " + bsc_status_name(status));

    GuestImage image{elf.low, elf.high - elf.low, {}, 0};
    relocate(elf, image, elf.bias);
    protect_relro(abi, elf, elf.bias);
    uint64_t upcalls = *upcalls_at + elf.bias;
    if (!(upcalls >= image.base && upcalls + sizeof(bsc_upcalls) <= image.base + image.size))
        throw LaunchError(path + ": " BSC_GUEST_UPCALLS_SYMBOL " lies outside the image");
    image.upcalls_address = upcalls;
    check(read_guest(reinterpret_cast<const bsc_upcalls *>(upcalls), image.upcalls),
          "cannot read " BSC_GUEST_UPCALLS_SYMBOL);
    if (image.upcalls.size < sizeof(bsc_upcalls) ||
        BSC_ABI_VERSION_MAJOR(image.upcalls.version) != BSC_ABI_MAJOR)
        throw LaunchError(path + ": built for an incompatible ABI version");
    return image;
}

} // namespace bsc::runtime
