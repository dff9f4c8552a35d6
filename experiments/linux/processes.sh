#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Processes natively, under `bascule run` and under proot: fork + exec + wait of /bin/true
# from a C program and from bash, `make -j2` of a small C project (gcc's cc1, as and ld
# forked and exec'd), and a 10-stage shell pipeline (hyperfine means).
# Usage: experiments/linux/processes.sh [BUILD_DIR] [RUNS]   (default build/release, 5)
source "$(dirname "$0")/lib.sh"

# fork_exec N: microseconds per fork, exec of /bin/true and wait.
cat >"$work/fork_exec.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int n = atoi(argv[1]);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < n; i++) {
        pid_t p = fork();
        if (p == 0) {
            execl("/bin/true", "true", (char *)0);
            _exit(127);
        }
        int status;
        if (waitpid(p, &status, 0) != p || status != 0)
            return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%.0f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n / 1000);
    return 0;
}
C
cc -O2 "$work/fork_exec.c" -o "$work/fork_exec"

c_project "$work/project"

runner() {
  case $1 in
  native) echo "" ;;
  bascule) echo "$bascule run -- " ;;
  proot) echo "proot " ;;
  esac
}
sides=(native bascule proot)

declare -A result
loops=300
for side in "${sides[@]}"; do
  result[c-$side]=$($(runner "$side")"$work/fork_exec" "$loops")
done
pipeline='seq 1 200000 | cat | sed s/1/x/ | cat | tr 0-9 a-j | cat | sort | cat | uniq -c | wc -l'
for side in "${sides[@]}"; do
  prefix=$(runner "$side")
  hyperfine --style none --runs "$runs" --warmup 1 --export-json "$work/bash-$side.json" \
    "${prefix}/bin/bash -c 'for i in \$(seq 200); do /bin/true; done'" >/dev/null
  result[bash-$side]=$(python3 -c "print(round($(mean "$work/bash-$side.json") * 1e6 / 200))")
  hyperfine --style none --runs "$runs" --warmup 1 --prepare "rm -f $work/project/*.o $work/project/prog" \
    --export-json "$work/make-$side.json" "${prefix}/usr/bin/make -s -C $work/project -j2" >/dev/null
  result[make-$side]=$(mean "$work/make-$side.json")
  hyperfine --style none --runs "$runs" --warmup 1 --export-json "$work/pipe-$side.json" \
    "${prefix}/bin/bash -c '$pipeline'" >/dev/null
  result[pipe-$side]=$(mean "$work/pipe-$side.json")
done

echo "| workload | native | bascule | proot | bascule / native | proot / native |"
echo "|---|---:|---:|---:|---:|---:|"
row() {
  awk -v w="$1" -v u="$2" -v a="${result[$3-native]}" -v b="${result[$3-bascule]}" \
    -v c="${result[$3-proot]}" \
    'BEGIN { printf "| %s | %.3g %s | %.3g %s | %.3g %s | %.2fx | %.2fx |\n", w, a, u, b, u, c, u, b / a, c / a }'
}
row "fork + exec + wait of /bin/true, from C ($loops)" us c
row "the same from bash (200 in a loop, per command)" us bash
row "make -j2 of 9 C files (gcc: cc1, as, ld)" s make
row "10-stage pipeline, 200,000 lines" s pipe
