// SPDX-License-Identifier: MIT
// The watch extension: counts the guest's writes whose bytes contain a word (watch:word=TEXT)
// and prints the count on stderr as the process exits. It reads what the guest writes
// through the SDK's guest memory (bascule::sdk): the buffer is the guest's pointer, so a
// bad one must become the guest's EFAULT from the layers below, never a crash here.
#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "bascule_extension.h"
#include "guest_memory.h"

namespace {

// Downcalls carry no context: the chain gives each instance its own copy of this module,
// so globals are per instance.
const bsc_downcalls *below;
std::string word;
std::atomic<unsigned long> matches; // any guest thread may write at the same time
constexpr size_t kLongestWord = 256;  // well inside a chunk, which must overlap the next

// Whether the guest's bytes hold the word, read in chunks that overlap by the word's
// length less one, so that a match across two chunks is found. A bad pointer holds none.
bool holds_word(const void *guest, uint64_t size) {
    static thread_local char chunk[4096];
    const size_t overlap = word.size() - 1;
    for (uint64_t at = 0; at < size; at += sizeof chunk - overlap) {
        size_t take = static_cast<size_t>(std::min<uint64_t>(sizeof chunk, size - at));
        if (bsc::copy_from_guest(chunk, static_cast<const char *>(guest) + at, take) != BSC_OK)
            return false;
        if (std::string_view(chunk, take).find(word) != std::string_view::npos)
            return true;
        if (at + take == size)
            break;
    }
    return false;
}

bsc_status watch_write(bsc_handle handle, uint64_t offset, const void *buffer, uint64_t size,
                       uint64_t *done) {
    if (holds_word(buffer, size))
        matches.fetch_add(1, std::memory_order_relaxed);
    return below->stream_write(handle, offset, buffer, size, done);
}

bsc_status init(const bsc_extension_context *context, void **, char *error, size_t error_size) {
    for (size_t i = 0; i < context->option_count; i++)
        word = context->options[i].value; // "word" is the only key the loader lets through
    if (word.empty() || word.size() > kLongestWord) {
        std::snprintf(error, error_size, "watch needs word=TEXT, of 1 to %zu bytes", kLongestWord);
        return BSC_E_INVALID;
    }
    bsc::adopt_guest_copy(context); // the runtime's guarded copy: no system call per read
    below = context->below;
    context->above->stream_write = watch_write;
    return BSC_OK;
}

// EXIT comes once per process, before it ends (a forked child counts its own).
void on_event(void *, uint32_t event) {
    if (event == BSC_EVENT_EXIT)
        std::fprintf(stderr, "watch: %lu\n", matches.load());
}

const char *const no_names[] = {nullptr};
const bsc_option_spec options[] = {{"word", "count the writes whose bytes contain TEXT"},
                                   {nullptr, nullptr}};

} // namespace

extern "C" __attribute__((visibility("default"))) const bsc_extension_descriptor
    bascule_extension = {
        .size = sizeof(bsc_extension_descriptor),
        .abi_version = BSC_ABI_VERSION,
        .name = "watch",
        .version = "1.0",
        .summary = "counts the guest's writes that contain a word; prints the count at exit",
        .must_be_below = no_names,
        .must_be_above = no_names,
        .options = options,
        .init = init,
        .on_event = on_event,
        .fini = nullptr,
        .control = nullptr,
};
