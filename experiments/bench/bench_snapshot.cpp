// SPDX-License-Identifier: MIT
// Image write and read throughput on two kinds of memory: 64 MiB shaped like a program's
// (text-like pages that compress, random pages that do not, zero pages), on one thread and
// on every core; and the 1 GiB heap of tests/checkpoint/programs/heap_counter.c, the heap
// the CRIU comparison uses (experiments/README.md), on every core. Writing includes the
// fsync and rename of a real file in the temporary directory; reading includes opening and
// checking the image, in its pages already in the page cache (warm: the file read whole
// before each read) or not (cold: its cached pages dropped), into memory already faulted
// in. A read checks the blocks as it reads them, as a restore does, or (checked_at_open)
// reads them all at open first, as inspect does. Opening alone is what a lazy restore waits
// for.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "image_chain.h"
#include "image_writer.h"

namespace {

using namespace bsc::snapshot;

std::span<std::byte> anonymous_memory(size_t bytes) {
    void *at = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (at == MAP_FAILED)
        throw std::runtime_error("mmap failed");
    return {static_cast<std::byte *>(at), bytes};
}

void fill_words(std::span<std::byte> bytes, auto word_at) {
    for (size_t i = 0; i < bytes.size(); i += 8) {
        uint64_t word = word_at(i);
        std::memcpy(bytes.data() + i, &word, 8);
    }
}

// Of every four pages: one random, two text-like, one zero.
std::span<std::byte> program_memory() {
    static std::span<std::byte> memory = [] {
        auto bytes = anonymous_memory(64 << 20);
        std::mt19937_64 random(1);
        for (size_t page = 0; page < bytes.size() / kPageSize; page++) {
            auto contents = bytes.subspan(page * kPageSize, kPageSize);
            if (page % 4 != 3)
                fill_words(contents, [&](size_t i) {
                    return page % 4 == 0 ? random() : 0x20656c7563736162 + page + i / 64;
                });
        }
        return bytes;
    }();
    return memory;
}

// heap_counter's heap: each 64-byte line is one hash of the line's number, repeated.
std::span<std::byte> heap_counter_memory() {
    static std::span<std::byte> memory = [] {
        auto bytes = anonymous_memory(size_t{1} << 30);
        fill_words(bytes, [](size_t i) {
            uint64_t x = (i / 64 + 1) * 0x9e3779b97f4a7c15ull;
            return (x ^ (x >> 29)) & 0x0f0f0f0f0f0f0f0full;
        });
        return bytes;
    }();
    return memory;
}

using Memory = std::span<std::byte> (*)();

std::filesystem::path image_path() {
    return std::filesystem::temp_directory_path() /
           fmt::format("bench-snapshot-{}.img", ::getpid());
}

void write_image(std::span<const std::byte> memory, unsigned threads) {
    WriteOptions options;
    options.threads = threads;
    auto writer = ImageWriter::create(image_path(), nullptr, options);
    writer.add_region_pages(0, memory);
    ImageMetadata metadata;
    metadata.regions = {{reinterpret_cast<uint64_t>(memory.data()), memory.size(), 3, 0,
                         RegionOrigin::anonymous, "", 0, RegionContents::pages_in_image}};
    writer.commit(metadata);
}

enum class Cache { warm, cold };

// Puts the image's pages in the page cache (warm: read in place), or drops them (cold:
// read from the disk). The writer writes past the page cache, so neither is a given.
void prepare_image(Cache cache) {
    int fd = ::open(image_path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw std::runtime_error("cannot open the image");
    if (cache == Cache::cold && ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0)
        throw std::runtime_error("cannot drop the image from the page cache");
    std::vector<char> buffer(cache == Cache::warm ? 1 << 20 : 0);
    while (cache == Cache::warm && ::read(fd, buffer.data(), buffer.size()) > 0) {
    }
    ::close(fd);
}

void report(benchmark::State &state, size_t bytes) {
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
    state.counters["image_MiB"] = double(std::filesystem::file_size(image_path())) / (1 << 20);
    std::filesystem::remove(image_path());
}

void BM_write(benchmark::State &state, Memory memory) {
    auto bytes = memory(); // made before the clock starts
    for (auto _ : state)
        write_image(bytes, static_cast<unsigned>(state.range(0)));
    report(state, bytes.size());
}

void BM_read(benchmark::State &state, Memory memory, Cache cache, BlockChecks checks) {
    write_image(memory(), 0);
    auto destination = anonymous_memory(memory().size());
    std::ranges::fill(destination, std::byte{1}); // faulted in: only the read is measured
    for (auto _ : state) {
        state.PauseTiming();
        prepare_image(cache);
        state.ResumeTiming();
        auto chain = ImageChain::open(image_path(),
                                      {static_cast<unsigned>(state.range(0)), checks});
        chain.read_region_pages(0, destination);
        benchmark::DoNotOptimize(destination.data());
    }
    report(state, memory().size());
    ::munmap(destination.data(), destination.size());
}

// Opening the image alone, as a lazy restore does before the guest runs: the header, the
// metadata and the page index (an entry for every page), its blocks checked as read.
void BM_open(benchmark::State &state, Memory memory) {
    write_image(memory(), 0);
    prepare_image(Cache::warm);
    for (auto _ : state)
        benchmark::DoNotOptimize(ImageChain::open(
            image_path(), {.threads = 1, .block_checks = BlockChecks::as_read,
                           .check_page_hashes = false, .write_pages = {}}));
    report(state, memory().size());
}

const int kAllCores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

void threads_one_and_all(benchmark::internal::Benchmark *benchmark) {
    benchmark->ArgName("threads")->Arg(1)->Arg(kAllCores);
    benchmark->Unit(benchmark::kMillisecond)->UseRealTime();
}

// A 1 GiB write or read takes a few tenths of a second: a few repetitions are enough.
void all_cores_few_times(benchmark::internal::Benchmark *benchmark) {
    benchmark->ArgName("threads")->Arg(kAllCores)->Iterations(5);
    benchmark->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK_CAPTURE(BM_write, program_64MiB, program_memory)->Apply(threads_one_and_all);
BENCHMARK_CAPTURE(BM_read, program_64MiB, program_memory, Cache::cold, BlockChecks::as_read)
    ->Apply(threads_one_and_all);
BENCHMARK_CAPTURE(BM_write, heap_1GiB, heap_counter_memory)->Apply(all_cores_few_times);
BENCHMARK_CAPTURE(BM_read, heap_1GiB_warm, heap_counter_memory, Cache::warm,
                  BlockChecks::as_read)
    ->Apply(all_cores_few_times);
BENCHMARK_CAPTURE(BM_read, heap_1GiB_cold, heap_counter_memory, Cache::cold,
                  BlockChecks::as_read)
    ->Apply(all_cores_few_times);
BENCHMARK_CAPTURE(BM_read, heap_1GiB_cold_checked_at_open, heap_counter_memory, Cache::cold,
                  BlockChecks::at_open)
    ->Apply(all_cores_few_times);

} // namespace

BENCHMARK_CAPTURE(BM_open, heap_1GiB_warm, heap_counter_memory)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
