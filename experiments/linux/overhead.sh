#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The cost of running Linux programs under bascule: wall time natively, under `bascule run`
# with its system call sites patched (the default) and with every call trapped, and under
# proot (ptrace), each workload's output checked against the native one first (hyperfine
# means); and one system call (getppid) on each path. Writes RESULTS/table.md and
# RESULTS/overhead.png (plot.py). See experiments/README.md, issue 15.
# Usage: experiments/linux/overhead.sh [BUILD_DIR] [RUNS]   (default build/release, 5)
# Environment: RESULTS=DIR (default experiments/linux/results/overhead-YYYYmmdd-HHMMSS).
# Needs hyperfine and proot (scripts/install-deps --experiments installs both).
source "$(dirname "$0")/lib.sh"
needs hyperfine proot
results_in overhead

source "$here/workloads.sh"
declare -A configs=(
  [native]=""
  [patched]="$bascule run --syscall-path=patch --"
  [trapped]="$bascule run --syscall-path=trap --"
  [proot]="proot"
)
config_order=(native patched trapped proot)

for workload in "${workload_order[@]}"; do
  # Every configuration must give the native answer before it is timed.
  answer() { bash -c "${prepare[$workload]:-true}; ${configs[$1]} ${workloads[$workload]}" 2>&1 | sha256sum; }
  expected=$(answer native)
  for config in "${config_order[@]}"; do
    [[ $(answer "$config") == "$expected" ]] || echo "overhead.sh: $workload under $config differs from native" >&2
  done
  commands=()
  for config in "${config_order[@]}"; do
    commands+=(-n "$config" "${configs[$config]} ${workloads[$workload]} >/dev/null")
  done
  hyperfine --warmup 1 --runs "$runs" --prepare "${prepare[$workload]:-true}" \
    --export-json "$results/$workload.json" "${commands[@]}" >"$results/$workload.txt"
  echo "overhead.sh: $workload done"
done

# One system call: getppid 200,000 times in a C loop, per call.
cat >"$work/getppid.c" <<'C'
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
int main(void) {
    struct timespec a, b;
    const long n = 200000;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++)
        syscall(SYS_getppid);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%.3f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n / 1000);
    return 0;
}
C
cc -O2 "$work/getppid.c" -o "$work/getppid"
{
  for config in "${config_order[@]}"; do
    echo "$config $(${configs[$config]} "$work/getppid")"
  done
  for path in patch trap; do
    echo "$path-null $("$bascule" run --ext null --syscall-path=$path -- "$work/getppid")"
  done
} >"$results/getppid.txt"
{
  echo "machine: $(nproc) CPUs, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ), bascule $(git -C "$here" rev-parse --short HEAD), $runs runs after 1 warm-up"
  # What this machine allows changes the cost of every system call (experiments/README.md).
  "$bascule" host
} >"$results/machine.txt"
/usr/bin/python3 "$here/plot.py" "$results" "${workload_order[@]}"
echo "overhead.sh: results in $results"
