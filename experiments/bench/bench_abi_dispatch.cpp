// SPDX-License-Identifier: MIT
// What a downcall costs through the chain: per pass-through layer (0..16 null
// extensions), and for a call no extension interposes on (8 trace layers that trace only
// the memory family, measured on a stream call). The bottom table does nothing, so only
// dispatch is measured. After the runs it prints the cost per layer.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>

#include <fmt/core.h>

#include "chain.h"

namespace {

using bsc::chain::Chain;
using bsc::chain::ExtensionSpec;

// ---- A bottom table whose every call returns at once ------------------------------

template <class Fn> struct NoOp;
template <class... Args> struct NoOp<bsc_status (*)(Args...)> {
    [[gnu::noinline]] static bsc_status call(Args...) { return BSC_OK; }
};

const bsc_downcalls &no_op_bottom() {
    static const bsc_downcalls table = [] {
        bsc_downcalls t{};
        t.size = sizeof t;
        t.version = BSC_ABI_VERSION;
#define BENCH_NO_OP(family, name, params) t.name = NoOp<decltype(bsc_downcalls::name)>::call;
        BSC_DOWNCALLS(BENCH_NO_OP)
#undef BENCH_NO_OP
        return t;
    }();
    return table;
}

std::unique_ptr<Chain> stack_of(const char *spec, int64_t count) {
    std::vector<ExtensionSpec> specs(static_cast<size_t>(count),
                                     bsc::chain::parse_extension_spec(spec));
    return std::make_unique<Chain>(std::move(specs), no_op_bottom());
}

// ---- Benchmarks --------------------------------------------------------------------

// thread_yield through N null extensions: every layer interposes on it.
void null_layers(benchmark::State &state) {
    auto chain = stack_of("null", state.range(0));
    const bsc_downcalls &top = chain->top();
    for (auto _ : state)
        benchmark::DoNotOptimize(top.thread_yield());
}
BENCHMARK(null_layers)->Arg(0)->Arg(1)->Arg(2)->Arg(4)->Arg(8)->Arg(16);

// stream_flush through N trace extensions that wrap only the memory family: the slot is
// the bottom's own, so the call should cost what it costs with no extension at all.
void untouched_call(benchmark::State &state) {
    auto chain = stack_of("trace:families=memory", state.range(0));
    const bsc_downcalls &top = chain->top();
    if (top.stream_flush != no_op_bottom().stream_flush)
        state.SkipWithError("stream_flush was wrapped");
    for (auto _ : state)
        benchmark::DoNotOptimize(top.stream_flush(1, 0));
}
BENCHMARK(untouched_call)->Arg(0)->Arg(8);

// ---- The per-layer summary ---------------------------------------------------------

// The console report, plus the best time per call of every benchmark (the minimum over
// repetitions is the most stable figure for a few nanoseconds).
class SummaryReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run> &runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const auto &run : runs) {
            if (run.run_type != Run::RT_Iteration || run.error_occurred)
                continue;
            double ns = run.GetAdjustedRealTime() * unit_to_ns(run.time_unit);
            auto [it, fresh] = best_.emplace(run.benchmark_name(), ns);
            if (!fresh)
                it->second = std::min(it->second, ns);
        }
    }

    void print_summary() const {
        auto base = best_.find("null_layers/0");
        if (base == best_.end())
            return;
        fmt::print("\n{:>8} {:>10} {:>12}\n", "layers", "ns/call", "ns/layer");
        for (int layers : {0, 1, 2, 4, 8, 16}) {
            auto found = best_.find(fmt::format("null_layers/{}", layers));
            if (found == best_.end())
                continue;
            double per_layer = layers ? (found->second - base->second) / layers : 0;
            fmt::print("{:>8} {:>10.2f} {:>12}\n", layers, found->second,
                       layers ? fmt::format("{:.2f}", per_layer) : "-");
        }
        auto bare = best_.find("untouched_call/0");
        auto eight = best_.find("untouched_call/8");
        if (bare != best_.end() && eight != best_.end())
            fmt::print("untouched call: {:.2f} ns bare, {:.2f} ns through 8 trace layers "
                       "(families=memory): {:+.2f} ns\n",
                       bare->second, eight->second, eight->second - bare->second);
    }

private:
    static double unit_to_ns(benchmark::TimeUnit unit) {
        switch (unit) {
        case benchmark::kSecond: return 1e9;
        case benchmark::kMillisecond: return 1e6;
        case benchmark::kMicrosecond: return 1e3;
        case benchmark::kNanosecond: break;
        }
        return 1;
    }

    std::map<std::string, double> best_;
};

} // namespace

int main(int argc, char **argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    SummaryReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.print_summary();
    benchmark::Shutdown();
    return 0;
}
