// SPDX-License-Identifier: MIT
// XSAVE-format FPU state: sizes, saving, and the kernel's signal-frame conventions.
#include "xstate.h"

#include <cpuid.h>

#include <cstring>

namespace bsc::host {
namespace {

// Linux's marks for an extended FPU frame (arch/x86/include/uapi/asm/sigcontext.h).
constexpr uint32_t kMagic1 = 0x46505853;
constexpr uint32_t kMagic2 = 0x46505845;
constexpr uint32_t kLegacySize = 512;
constexpr uint32_t kSoftwareBytes = 464; // offset of the sw-reserved words in FXSAVE
constexpr uint32_t kHeaderOffset = 512;

struct SoftwareBytes {
    uint32_t magic1;
    uint32_t extended_size;
    uint64_t xfeatures;
    uint32_t xstate_size;
    uint32_t padding[7];
};

} // namespace

uint64_t enabled_features() {
    uint32_t lo, hi;
    asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t{hi} << 32) | lo;
}

uint32_t mxcsr_mask() {
    alignas(16) uint8_t area[kLegacySize] = {};
    asm volatile("fxsave64 %0" : "=m"(area));
    uint32_t mask;
    std::memcpy(&mask, area + 28, 4);
    return mask ? mask : 0xffbf; // 0: the CPU's default mask
}

uint32_t xstate_size() {
    static const uint32_t size = [] {
        unsigned eax, ebx, ecx, edx;
        __cpuid_count(0xd, 0, eax, ebx, ecx, edx);
        return ebx;
    }();
    return size;
}

uint32_t xstate_size_in_frame(const void *fpregs) {
    SoftwareBytes sw;
    std::memcpy(&sw, static_cast<const char *>(fpregs) + kSoftwareBytes, sizeof sw);
    return sw.magic1 == kMagic1 ? sw.xstate_size : kLegacySize;
}

void save_xstate(void *area) {
    std::memset(area, 0, xstate_size());
    asm volatile("xsave64 (%0)" : : "r"(area), "a"(~0u), "d"(~0u) : "memory");
}

void prepare_xstate_for_sigreturn(void *area, uint32_t size) {
    auto *bytes = static_cast<char *>(area);
    // MXCSR (offset 24) may only hold bits the CPU supports (MXCSR_MASK, offset 28).
    uint32_t mxcsr, mask;
    std::memcpy(&mxcsr, bytes + 24, 4);
    std::memcpy(&mask, bytes + 28, 4);
    mxcsr &= mask ? mask : 0xffbf;
    std::memcpy(bytes + 24, &mxcsr, 4);
    SoftwareBytes sw{};
    if (size > kLegacySize) {
        uint64_t features = enabled_features();
        sw = {kMagic1, size + 4, features, size, {}};
        uint64_t header[8];
        std::memcpy(header, bytes + kHeaderOffset, sizeof header);
        header[0] &= features; // XSTATE_BV
        std::memset(&header[1], 0, sizeof header - 8); // XCOMP_BV and reserved
        std::memcpy(bytes + kHeaderOffset, header, sizeof header);
        std::memcpy(bytes + size, &kMagic2, 4);
    }
    std::memcpy(bytes + kSoftwareBytes, &sw, sizeof sw);
}

} // namespace bsc::host
