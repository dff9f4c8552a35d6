#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Where overhead.sh's workloads spend their time under bascule (issue 15: a row that
# misses its target comes with the profile that says why). For each workload, RUNS runs
# natively and under `bascule run` (sites patched) are sampled by perf (cpu-clock, which
# needs no hardware counter), and the CPU time of a run is split by where it ran: the
# kernel, the runtime (bascule and the C++ library it uses), the LibOS image, code outside
# any file (the entry page's gates, the LibOS's trampolines and vDSO, its decoder) and
# the program with its own libraries. The kernel and runtime functions that take most, and
# the host system calls of one run (strace -f -c), say what the difference is made of.
# Writes RESULTS/summary.md and RESULTS/WORKLOAD.txt.
# Usage: experiments/linux/profile.sh [BUILD_DIR] [RUNS]   (default build/release, 5)
# Environment: RESULTS=DIR (default experiments/linux/results/profile-YYYYmmdd-HHMMSS),
# WORKLOADS="NAME ..." (default: all of workloads.sh). Needs perf (linux-perf) and strace.
source "$(dirname "$0")/lib.sh"
needs perf strace
results_in profile
source "$here/workloads.sh"
read -r -a chosen <<<"${WORKLOADS:-${workload_order[*]}}"
frequency=4000 # samples a second: one is 0.25 ms of CPU

# record WORKLOAD CONFIG OUT: perf data of RUNS runs of WORKLOAD under CONFIG.
record() {
  local script="for i in \$(seq $runs); do ${prepare[$1]:-true}; $2 ${workloads[$1]} >/dev/null; done"
  perf record -q -e cpu-clock -F $frequency -o "$3" -- bash -c "$script" 2>/dev/null
}

# by_object DATA: "MS<tab>OBJECT" lines, the CPU ms a run in each object perf resolved.
by_object() {
  perf report -i "$1" --no-children --sort dso -F sample,dso --stdio -q 2>/dev/null |
    awk -v runs="$runs" -v per=$frequency \
      'NF >= 2 { n = $1; $1 = ""; sub(/^ /, ""); printf "%.1f\t%s\n", n * 1000 / per / runs, $0 }'
}

# split DATA: CPU ms a run in the kernel, the runtime, the LibOS, code outside files and
# the program, tab-separated.
split() {
  by_object "$1" | awk -F'\t' '
    { if ($2 ~ /kernel/) k += $1
      else if ($2 ~ /^bascule *$|libstdc\+\+|libgcc_s/) r += $1
      else if ($2 ~ /libos\.guest/) l += $1
      else if ($2 ~ /^\[JIT\]|^\[unknown\]|anon/) a += $1
      else p += $1 }
    END { printf "%.1f\t%.1f\t%.1f\t%.1f\t%.1f\n", k, r, l, a, p }'
}

# top DATA DSO N: the N functions of DSO with the most samples, as "NAME (MS ms)".
top() {
  perf report -i "$1" --no-children --sort sym -F sample,sym --stdio -q --dsos "$2" 2>/dev/null |
    sort -rn | head -"$3" |
    awk -v runs="$runs" -v per=$frequency '{ n = $1; $1 = ""; $2 = ""; sub(/^ +/, "");
      printf "%s%s (%.1f ms)", sep, $0, n * 1000 / per / runs; sep = ", " } END { print "" }'
}

{
  echo "machine: $(nproc) CPUs, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ), bascule $(git -C "$here" rev-parse --short HEAD), $runs runs profiled each"
  echo
  echo "CPU ms a run (perf cpu-clock samples at $frequency Hz), native and under \`bascule run\`;"
  echo "bascule's split: kernel / runtime / LibOS / code outside files / program and its libraries."
  echo
  echo "| workload | native: kernel | native: program | bascule: kernel | runtime | LibOS | outside files | program | host system calls a run (most frequent) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
} >"$results/summary.md"

for workload in "${chosen[@]}"; do
  record "$workload" "" "$work/native.data"
  record "$workload" "$bascule run --" "$work/bascule.data"
  IFS=$'\t' read -r nk _ _ _ np < <(split "$work/native.data")
  IFS=$'\t' read -r bk br bl ba bp < <(split "$work/bascule.data")
  bash -c "${prepare[$workload]:-true}"
  strace -f -c -o "$work/strace.txt" bash -c "$bascule run -- ${workloads[$workload]} >/dev/null" 2>/dev/null || true
  # strace -c's columns: % time, seconds, usecs/call, calls, [errors,] syscall.
  calls=$(awk '$NF != "total" && $4 ~ /^[0-9]+$/ { print $4, $NF }' "$work/strace.txt" |
    sort -rn | head -4 | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')
  total=$(awk '$NF == "total" { print $4 }' "$work/strace.txt")
  echo "| $workload | $nk | $np | $bk | $br | $bl | $ba | $bp | $total: $calls |" >>"$results/summary.md"
  {
    echo "== $workload: ${workloads[$workload]}"
    echo "native, CPU ms a run by object:"; by_object "$work/native.data"
    echo "bascule, CPU ms a run by object:"; by_object "$work/bascule.data"
    echo "bascule, kernel functions: $(top "$work/bascule.data" '[kernel.kallsyms]' 8)"
    echo "native, kernel functions: $(top "$work/native.data" '[kernel.kallsyms]' 8)"
    echo "bascule, runtime functions: $(top "$work/bascule.data" bascule 8)"
    echo "bascule, LibOS functions: $(top "$work/bascule.data" libos.guest 8)"
    echo "host system calls of one bascule run (strace -f -c):"; cat "$work/strace.txt"
  } >"$results/$workload.txt"
  echo "profile.sh: $workload done"
done
echo "profile.sh: results in $results"
