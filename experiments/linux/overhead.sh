#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Wall time of real programs natively and under `bascule run` with no extensions, its
# system call sites patched (the default) and every call trapped (hyperfine), and the
# cost of one system call natively, patched, trapped, and patched under the null
# extension.
# Usage: experiments/linux/overhead.sh [BUILD_DIR] [RUNS]   (default build/release, 5)
source "$(dirname "$0")/lib.sh"

{
  echo "create table t (a integer, b text); begin;"
  seq 1 10000 | sed "s/.*/insert into t values (&, 'row &');/"
  echo "commit; select count(*) from t;"
} >"$work/inserts.sql"

declare -A workloads=(
  [python-loop]="/usr/bin/python3 -c 'print(sum(i * i for i in range(3_000_000)))'"
  [sqlite-10k-inserts]="rm -f $work/db; /usr/bin/sqlite3 $work/db <$work/inserts.sql"
  [find-usr]="/usr/bin/find /usr -type f"
  [tar-usr-share-doc]="/usr/bin/tar cf $work/doc.tar /usr/share/doc"
)
# (tar writes to a file: given /dev/null, GNU tar skips reading the files.)
# Each workload as a shell command, natively and under bascule (sqlite3 reads stdin and
# rm runs natively in both, so only the program itself is compared).
bascule_form() { # NAME PATH
  case $1 in
  sqlite-10k-inserts) echo "rm -f $work/db; $bascule run --syscall-path=$2 -- /usr/bin/sqlite3 $work/db <$work/inserts.sql" ;;
  *) echo "$bascule run --syscall-path=$2 -- ${workloads[$1]}" ;;
  esac
}

# What this machine allows changes the cost of every system call (experiments/README.md).
"$bascule" host
echo
printf '| workload | native (s) | patched (s) | ratio | trapped (s) | ratio |\n'
printf '|---|---:|---:|---:|---:|---:|\n'
for name in python-loop sqlite-10k-inserts find-usr tar-usr-share-doc; do
  hyperfine --style none --runs "$runs" --warmup 1 --export-json "$work/$name.json" \
    --command-name native "${workloads[$name]} >/dev/null" \
    --command-name patch "$(bascule_form "$name" patch) >/dev/null" \
    --command-name trap "$(bascule_form "$name" trap) >/dev/null" >/dev/null
  read -r native patched trapped < <(python3 -c '
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
print(r["native"], r["patch"], r["trap"])' "$work/$name.json")
  awk -v n="$name" -v a="$native" -v p="$patched" -v t="$trapped" \
    'BEGIN { printf "| %s | %.3f | %.3f | %.1fx | %.3f | %.1fx |\n", n, a, p, p / a, t, t / a }'
done

# One system call: getppid a million times, natively and trapped.
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
echo
echo "one getppid: native $("$work/getppid") us; under bascule patched $("$bascule" run -- "$work/getppid") us," \
  "trapped $("$bascule" run --syscall-path=trap -- "$work/getppid") us," \
  "patched under --ext null $("$bascule" run --ext null -- "$work/getppid") us"
