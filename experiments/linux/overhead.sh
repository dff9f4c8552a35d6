#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Wall time of real programs natively and under `bascule run` with no extensions
# (hyperfine), and the cost of one trapped system call against a native one.
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
bascule_form() {
  case $1 in
  sqlite-10k-inserts) echo "rm -f $work/db; $bascule run -- /usr/bin/sqlite3 $work/db <$work/inserts.sql" ;;
  *) echo "$bascule run -- ${workloads[$1]}" ;;
  esac
}

# What this machine allows changes the cost of every system call (experiments/README.md).
"$bascule" host
echo
printf '| workload | native (s) | bascule (s) | ratio |\n|---|---:|---:|---:|\n'
for name in python-loop sqlite-10k-inserts find-usr tar-usr-share-doc; do
  hyperfine --style none --runs "$runs" --warmup 1 --export-json "$work/$name.json" \
    --command-name native "${workloads[$name]} >/dev/null" \
    --command-name bascule "$(bascule_form "$name") >/dev/null" >/dev/null
  read -r native bascule_time < <(python3 -c '
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
print(r["native"], r["bascule"])' "$work/$name.json")
  awk -v n="$name" -v a="$native" -v b="$bascule_time" \
    'BEGIN { printf "| %s | %.3f | %.3f | %.1fx |\n", n, a, b, b / a }'
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
echo "one getppid: native $("$work/getppid") us, trapped under bascule $("$bascule" run -- "$work/getppid") us"
