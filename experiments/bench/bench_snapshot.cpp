// SPDX-License-Identifier: MIT
// Image write and read throughput: 64 MiB of memory shaped like a program's (text-like
// pages that compress, random pages that do not, zero pages), on one thread and on every
// core. Writing includes the fsync and rename of a real file in the temporary directory;
// reading includes opening and checking the image.
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

constexpr size_t kBytes = 64 << 20;

// Of every four pages: one random, two text-like, one zero.
std::span<std::byte> guest_memory() {
    static std::span<std::byte> memory = [] {
        void *at = ::mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                          -1, 0);
        if (at == MAP_FAILED)
            throw std::runtime_error("mmap failed");
        std::span<std::byte> bytes(static_cast<std::byte *>(at), kBytes);
        std::mt19937_64 random(1);
        for (size_t page = 0; page < kBytes / kPageSize; page++) {
            auto contents = bytes.subspan(page * kPageSize, kPageSize);
            for (size_t i = 0; i < kPageSize && page % 4 != 3; i += 8) {
                uint64_t word = page % 4 == 0 ? random() : 0x20656c7563736162 + page + i / 64;
                std::memcpy(contents.data() + i, &word, 8);
            }
        }
        return bytes;
    }();
    return memory;
}

std::filesystem::path image_path() {
    return std::filesystem::temp_directory_path() /
           fmt::format("bench-snapshot-{}.img", ::getpid());
}

void write_image(unsigned threads) {
    WriteOptions options;
    options.threads = threads;
    auto writer = ImageWriter::create(image_path(), nullptr, options);
    auto memory = guest_memory();
    writer.add_region_pages(0, memory);
    ImageMetadata metadata;
    metadata.regions = {{reinterpret_cast<uint64_t>(memory.data()), memory.size(), 3, 0,
                         RegionOrigin::anonymous, "", 0, RegionContents::pages_in_image}};
    writer.commit(metadata);
}

void BM_write(benchmark::State &state) {
    for (auto _ : state)
        write_image(static_cast<unsigned>(state.range(0)));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBytes));
    state.counters["image_MiB"] = double(std::filesystem::file_size(image_path())) / (1 << 20);
    std::filesystem::remove(image_path());
}

void BM_read(benchmark::State &state) {
    write_image(0);
    std::vector<std::byte> destination(kBytes);
    for (auto _ : state) {
        auto chain = ImageChain::open(image_path(), {static_cast<unsigned>(state.range(0))});
        chain.read_region_pages(0, destination);
        benchmark::DoNotOptimize(destination.data());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBytes));
    std::filesystem::remove(image_path());
}

const int kAllCores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

void threads_one_and_all(benchmark::internal::Benchmark *benchmark) {
    benchmark->ArgName("threads")->Arg(1)->Arg(kAllCores);
    benchmark->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK(BM_write)->Apply(threads_one_and_all);
BENCHMARK(BM_read)->Apply(threads_one_and_all);

} // namespace

BENCHMARK_MAIN();
