#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checkpoint/restore with CRIU and with bascule-snap: capture time, frozen time, restore
# time and image size for heaps of 16 MiB, 256 MiB and 1 GiB, with compressible (pattern)
# and incompressible (random) content, held by one process, by the threads of one
# process or by a tree of processes (WORKLOAD). See experiments/README.md.
#
# Usage: experiments/checkpoint/compare.sh [BUILD_DIR] [REPS]   (default build/release, 5)
# Environment:
#   CRIU=PATH          the criu binary (default: criu on PATH); must be >= 4.1
#   WORKLOAD=single    single: heap_counter.c, one process, one thread;
#                      threads: heap_team.c --threads MEMBERS, the heap split among the
#                      threads of one process, each ticking;
#                      tree: heap_team.c --processes MEMBERS, a process and MEMBERS-1
#                      children it forks, each with its part of the heap, reporting to it
#                      through a pipe; both tools capture the tree by its first process
#   MEMBERS=4          threads or processes of the threads and tree workloads
#   SIZES="16 256 1024"    heap sizes in MiB
#   VARIANTS="pattern random"
#   TOOLS="criu bascule"   which sides to run; bascule-lazy: bascule-snap's capture and
#                      its `restore --lazy` (the guest resumes before its memory is in);
#                      criu-lazy: CRIU's dump and `criu restore --lazy-pages` served by a
#                      `criu lazy-pages` daemon reading the same local image
#   RESULTS=DIR        where runs.csv, summary.csv, compare.png go
#                      (default experiments/checkpoint/results/YYYYmmdd-HHMMSS, git-ignored)
#   IMAGES=DIR         where images are written (default a temporary directory under
#                      TMPDIR); each is deleted after its repetition
#   TICKS=200 PERIOD_MS=10  the workload's ticks (see heap_counter.c)
#   CACHE=warm         each restore reads the image just written, from wherever the tool
#                      left it (CRIU: the page cache; bascule-snap writes past it, so the
#                      disk); CACHE=cold empties the page cache before every restore, so
#                      that both read their image, and their programs, from the disk
#   BASCULE_SNAP=PATH  bascule-snap (default BUILD_DIR/bascule-snap, then PATH)
#
# Needs root (CRIU dumps and restores through ptrace and namespaces' privileges).
#
# One repetition, the same for both tools:
#   1. start the workload (fresh processes), wait until the heap is filled and it ticks;
#   2. capture: wall time of `criu dump -t PID -D DIR` / `bascule-snap capture --stats PID
#      -o IMAGE` of the first process (both leave every process of the workload dead: CRIU
#      kills them after the dump, bascule-snap stops them after a complete capture), then
#      wait until they are gone; frozen time as the tool reports it
#      (`criu dump --display-stats` "Frozen time", bascule-snap "frozen-ms:");
#      durable: until the image is on the disk, as a crash of the machine would find it:
#      CRIU's dump followed by `sync -f` of its image directory (CRIU writes through the
#      page cache and does not sync); bascule-snap's capture itself, which writes with
#      O_DIRECT and fsyncs the image before it returns;
#   3. image size: `du -sb` of the CRIU image directory / size of the bascule image file;
#   4. restore time: from just before the restore command is started (`date +%s%N`) to the
#      CLOCK_REALTIME timestamp the restored program writes with its first tick after the
#      restore, i.e. until the program runs its own code again. (`criu restore -d` returns
#      when the tree is resumed: its wall time is reported too, as restore_cmd_ms;
#      `bascule-snap restore` becomes the guest and does not return: its restore_cmd_ms
#      ends at the `resumed-unix-ns:` its --stats prints once it has given the guest its
#      threads back, the time to the guest's first instruction; for a tree, each process
#      prints one and the last counts, when the whole tree runs.
#      With criu-lazy the clock starts before the lazy-pages daemon is started, and
#      restore_cmd_ms counts the daemon's start-up and `criu restore -d --lazy-pages`.)
#   5. the restored program runs to the end; its standard output must match a run that
#      was never checkpointed (pattern) or carry a checksum marked ok (random).
# With CACHE=warm (the default) nothing is dropped between capture and restore: CRIU's
# image, written through the page cache and not fsync'ed, is read back from it; the one
# bascule-snap wrote with O_DIRECT and fsync'ed is read from the disk.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build_arg=${1:-$here/../../build/release}
reps=${2:-5}
workload=${WORKLOAD:-single}
members=${MEMBERS:-4}
sizes=${SIZES:-16 256 1024}
variants=${VARIANTS:-pattern random}
tools=${TOOLS:-criu bascule}
ticks=${TICKS:-200}
period_ms=${PERIOD_MS:-10}
cache=${CACHE:-warm}
results=${RESULTS:-$here/results/$(date +%Y%m%d-%H%M%S)}

die() { echo "compare.sh: $*" >&2; exit 1; }
note() { echo "compare.sh: $*" >&2; }
now_ns() { date +%s%N; }
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }

# --- what is there -----------------------------------------------------------------
run_criu=0 run_criu_lazy=0 run_eager=0 run_lazy=0
case " $tools " in *" criu "*) run_criu=1 ;; esac
case " $tools " in *" criu-lazy "*) run_criu_lazy=1 ;; esac
case " $tools " in *" bascule "*) run_eager=1 ;; esac
case " $tools " in *" bascule-lazy "*) run_lazy=1 ;; esac
run_bascule=$((run_eager || run_lazy))
run_any_criu=$((run_criu || run_criu_lazy))
case $workload in
  single) program=heap_counter program_args=() ;;
  threads) program=heap_team program_args=(--threads "$members") ;;
  tree) program=heap_team program_args=(--processes "$members") ;;
  *) die "WORKLOAD must be single, threads or tree, not '$workload'" ;;
esac

if ((run_any_criu)); then
  [[ $(id -u) -eq 0 ]] || die "CRIU needs root: run this script as root (or TOOLS=bascule)"
  criu=${CRIU:-$(command -v criu || true)}
  [[ -n $criu && -x $criu ]] || die "no criu: set CRIU=/path/to/criu (CRIU >= 4.1; Debian 12's 3.17 fails on kernels >= 6.13)"
  criu_version=$("$criu" --version 2>/dev/null | awk '/^Version:/ { print $2 }')
  [[ -n $criu_version ]] || die "$criu --version says no version"
  if [[ $(printf '%s\n4.1\n' "$criu_version" | sort -V | head -n1) != 4.1 ]]; then
    die "$criu is CRIU $criu_version; need >= 4.1 (set CRIU=/path/to/criu)"
  fi
  if ! check_out=$("$criu" check 2>&1); then
    die "'$criu check' fails on this kernel:
$check_out"
  fi
fi

if ((run_bascule)); then
  build=$(cd "$build_arg" 2>/dev/null && pwd || true)
  bascule=${build:+$build/bascule}
  snap=${BASCULE_SNAP:-}
  [[ -z $snap && -n $build && -x $build/bascule-snap ]] && snap=$build/bascule-snap
  [[ -z $snap ]] && snap=$(command -v bascule-snap || true)
  if [[ -z $snap || ! -x $snap ]]; then
    note "bascule side skipped: no bascule-snap (not in ${build:-$build_arg}, not on PATH)"
    run_bascule=0
  elif [[ -z $bascule || ! -x $bascule ]]; then
    note "bascule side skipped: no bascule in ${build:-$build_arg}"
    run_bascule=0
  fi
fi
((run_any_criu || run_bascule)) || die "nothing to run"
case $cache in
  warm) ;;
  cold) [[ $(id -u) -eq 0 ]] || die "CACHE=cold drops the page cache: run this script as root" ;;
  *) die "CACHE must be warm or cold, not '$cache'" ;;
esac

python=
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import matplotlib' 2>/dev/null; then
    python=$candidate
    break
  fi
done

work=$(mktemp -d)
images=${IMAGES:-$work}
live_pid=  # the workload or restore process of the current repetition, if any
lazy_daemon=  # CRIU's lazy-pages daemon of the current repetition, if any
cleanup() {
  local pid
  for pid in $live_pid $(descendants "$live_pid") $lazy_daemon; do
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

cc -O2 -std=c11 -Wall -Wextra -pthread "$here/$program.c" -o "$work/$program"
hc=$work/$program
mkdir -p "$results"
runs_csv=$results/runs.csv
echo "workload,tool,variant,heap_mib,rep,capture_ms,durable_ms,frozen_ms,restore_ms,restore_cmd_ms,image_bytes,output" >"$runs_csv"
{
  echo "date: $(date -Is)"
  echo "kernel: $(uname -r)"
  echo "cpu: $(nproc) x $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "workload: $workload ($program ${program_args[*]})"
  ((run_any_criu)) && echo "criu: $criu ($criu_version)"
  ((run_bascule)) && echo "bascule-snap: $snap"
  echo "reps: $reps ticks: $ticks period_ms: $period_ms images: $images ($(df --output=fstype "$images" | tail -n1)) cache: $cache"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$results/machine.txt"

# --- helpers -----------------------------------------------------------------------
# descendants PID: the pids of every live descendant of PID (none if PID is empty).
descendants() {
  [[ -n ${1:-} ]] || return 0
  local child
  for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

# wait_for FILE AWK-CONDITION TIMEOUT_S [PID]: poll until a line of FILE satisfies the
# awk condition; print that line. Gives up early once process PID, if given, has ended.
# The times measured are those the program logs, not when this sees them: it first looks
# 50 ms after it is called, then every 50 ms, so that it takes little CPU from the restore
# it waits for (this machine has 2 cores; looking at once and every 5 ms added about
# 10 ms to a lazy restore's time to its first instruction).
wait_for() {
  local file=$1 cond=$2 deadline=$((SECONDS + $3)) pid=${4:-} line gone=0
  while :; do
    sleep 0.05
    line=$(awk "$cond { print; exit }" "$file" 2>/dev/null || true)
    [[ -n $line ]] && { echo "$line"; return 0; }
    ((gone)) && return 1
    ((SECONDS < deadline)) || return 1
    [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null && gone=1  # one last look
  done
}

# check_output VARIANT MIB FILE: the restored run's standard output is whole.
check_output() {
  local variant=$1 mib=$2 file=$3
  if [[ $variant == pattern ]]; then
    cmp -s "$file" "$work/reference-$mib.txt"
  else
    # Random content differs run to run: every counter once, in order, and checksum ok.
    awk -v n="$ticks" '
      /^counter / { if ($2 != seen) bad = 1; seen++ ; next }
      /^checksum .* ok$/ { ok = 1; next }
      { bad = 1 }
      END { exit !(ok && !bad && seen == n) }' "$file"
  fi
}

# start_workload TOOL VARIANT MIB DIR: starts the workload (under bascule for the
# bascule side) in the background, sets live_pid, waits for its third tick.
start_workload() {
  local tool=$1 variant=$2 mib=$3 dir=$4
  local args=("${program_args[@]}" --ticks "$ticks" --period-ms "$period_ms" --log "$4/log.txt")
  [[ $variant == random ]] && args+=(--random)
  # Started from a command substitution, so that the workload is not a job of this shell
  # (no "Killed" notices; it is reaped by init, like a restored process).
  if [[ $tool == criu ]]; then
    # A session leader with no terminal: no --shell-job needed. (A background child of a
    # non-interactive shell is no group leader, so setsid execs without forking.)
    live_pid=$(setsid "$hc" "${args[@]}" "$mib" >"$dir/out.txt" 2>"$dir/err.txt" </dev/null & echo $!)
    sleep 0.05
    [[ $(cat "/proc/$live_pid/comm" 2>/dev/null) == "$program" ]] ||
      die "process $live_pid is not $program (setsid forked?)"
  else
    live_pid=$("$bascule" run --ext checkpoint -- "$hc" "${args[@]}" "$mib" \
      >"$dir/out.txt" 2>"$dir/err.txt" </dev/null & echo $!)
  fi
  wait_for "$dir/log.txt" '$1 == "tick" && $2 >= 2' 300 >/dev/null ||
    die "$tool/$variant/$mib: the workload did not start ticking (see $dir)"
}

# wait_gone PID...: until the processes have exited and been reaped (their pids are free
# again).
wait_gone() {
  local deadline=$((SECONDS + 60)) pid
  for pid in "$@"; do
    while kill -0 "$pid" 2>/dev/null; do
      ((SECONDS < deadline)) || die "process $pid did not go away"
      sleep 0.005
    done
  done
}

# after_restore DIR LAST_TICK T0 [PID]: restore time (ms) from T0 to the first tick after
# LAST_TICK stamped after T0; then waits for the program to finish. (A tick stamped before
# the capture, whose write the capture interrupted, is written after the restore.) PID:
# the restoring process, if it must stay alive until then.
after_restore() {
  local dir=$1 last=$2 t0=$3 pid=${4:-} line
  if ! line=$(wait_for "$dir/log.txt" "\$1 == \"tick\" && \$2 > $last && \$3 > $t0" 300 "$pid"); then
    keep_failure "$dir"
    die "no tick after the restore (see $results/failed/$(basename "$dir")): $(tail -n 3 "$dir/restore.txt" 2>/dev/null)"
  fi
  ms_between "$t0" "$(awk '{ print $3 }' <<<"$line")"
  wait_for "$dir/out.txt" '/^checksum /' $((ticks * period_ms / 1000 + 120)) >/dev/null ||
    die "the restored program did not finish (see $dir)"
}

# before_restore: with CACHE=cold, empties the page cache, as a restore long after the
# capture, or on another machine, finds it.
before_restore() {
  [[ $cache == cold ]] || return 0
  sync
  echo 3 >/proc/sys/vm/drop_caches
}

keep_failure() {  # copy a failed repetition's logs and output (images live elsewhere)
  mkdir -p "$results/failed"
  cp -r "$1" "$results/failed/" 2>/dev/null || true
}

criu_once() {  # VARIANT MIB REP TOOL (criu, or criu-lazy: restore --lazy-pages)
  local variant=$1 mib=$2 rep=$3 tool=$4 dir=$work/$4-$1-$2-$3
  local img=$images/criu-img-$1-$2-$3
  mkdir -p "$dir" "$img"
  start_workload criu "$variant" "$mib" "$dir"
  local pid=$live_pid t0 t1 t2 t3 members_now
  members_now=$(descendants "$pid")
  t0=$(now_ns)
  if ! "$criu" dump -t "$pid" -D "$img" -o "$dir/dump.log" -v2 --display-stats >"$dir/dump-stats.txt" 2>&1; then
    keep_failure "$dir"
    die "criu dump failed: see $results/failed/$(basename "$dir")/dump.log"
  fi
  t1=$(now_ns)
  sync -f "$img"
  local t1_durable
  t1_durable=$(now_ns)
  # CRIU killed them; their pids must be free for the restore
  # shellcheck disable=SC2086
  wait_gone "$pid" $members_now
  local frozen last bytes
  frozen=$(awk '/^Frozen time:/ { printf "%.1f", $3 / 1000 }' "$dir/dump-stats.txt")
  last=$(awk '$1 == "tick" { k = $2 } END { print k }' "$dir/log.txt")
  [[ $last -lt $((ticks - 1)) ]] || die "the workload finished before the dump: raise TICKS"
  bytes=$(du -sb "$img" | cut -f1)
  # The program's output files must not change until the restore: CRIU checks their size.
  before_restore
  local lazy_flags=()
  t2=$(now_ns)
  if [[ $tool == criu-lazy ]]; then
    # The daemon forks into the background once its socket for the restore is ready.
    if ! "$criu" lazy-pages -D "$img" -d --pidfile "$dir/lazy.pid" -o "$dir/lazy-pages.log" -v2 \
      >"$dir/lazy-stats.txt" 2>&1; then
      keep_failure "$dir"
      die "criu lazy-pages failed: see $results/failed/$(basename "$dir")/lazy-pages.log"
    fi
    lazy_daemon=$(cat "$dir/lazy.pid")
    lazy_flags=(--lazy-pages)
  fi
  if ! "$criu" restore -D "$img" -d "${lazy_flags[@]}" -o "$dir/restore.log" -v2 --display-stats >"$dir/restore-stats.txt" 2>&1; then
    keep_failure "$dir"
    die "criu restore failed: see $results/failed/$(basename "$dir")/restore.log"
  fi
  t3=$(now_ns)
  live_pid=$pid  # restored under its old pid, a child of init now: we cannot wait for it
  local restore_ms output=ok
  restore_ms=$(after_restore "$dir" "$last" "$t2")
  wait_gone "$pid"
  live_pid=
  if [[ -n $lazy_daemon ]]; then
    # It ends once every page is in, or its tasks are gone.
    local deadline=$((SECONDS + 60))
    while kill -0 "$lazy_daemon" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.01; done
    if kill -0 "$lazy_daemon" 2>/dev/null; then
      note "criu lazy-pages $lazy_daemon still running after its tasks ended: killed"
      kill -KILL "$lazy_daemon" 2>/dev/null || true
    fi
    lazy_daemon=
  fi
  check_output "$variant" "$mib" "$dir/out.txt" || { output=BAD; keep_failure "$dir"; }
  echo "$workload,$tool,$variant,$mib,$rep,$(ms_between "$t0" "$t1"),$(ms_between "$t0" "$t1_durable"),$frozen,$restore_ms,$(ms_between "$t2" "$t3"),$bytes,$output" >>"$runs_csv"
  rm -rf "$img" "$dir"
}

bascule_once() {  # VARIANT MIB REP TOOL (bascule, or bascule-lazy: restore --lazy)
  local variant=$1 mib=$2 rep=$3 tool=$4 dir=$work/$4-$1-$2-$3
  local restore_flags=()
  [[ $tool == bascule-lazy ]] && restore_flags=(--lazy)
  local img=$images/bascule-img-$1-$2-$3.snap
  mkdir -p "$dir"
  start_workload bascule "$variant" "$mib" "$dir"
  local pid=$live_pid t0 t1 t2 members_now
  members_now=$(descendants "$pid")
  t0=$(now_ns)
  if ! "$snap" capture --stats "$pid" -o "$img" 2>"$dir/capture.txt"; then
    keep_failure "$dir"
    die "bascule-snap capture failed: see $results/failed/$(basename "$dir")/capture.txt"
  fi
  t1=$(now_ns)
  # The guest stops after a complete capture.
  # shellcheck disable=SC2086
  wait_gone "$pid" $members_now
  live_pid=
  local frozen last bytes
  frozen=$(awk '/^frozen-ms:/ { print $2 }' "$dir/capture.txt")
  last=$(awk '$1 == "tick" { k = $2 } END { print k }' "$dir/log.txt")
  [[ $last -lt $((ticks - 1)) ]] || die "the workload finished before the capture: raise TICKS"
  bytes=$(stat -c %s "$img")
  before_restore
  t2=$(now_ns)
  "$snap" restore --stats "${restore_flags[@]}" "$img" >>"$dir/out.txt" 2>>"$dir/restore.txt" </dev/null &
  live_pid=$!
  local restore_ms resume_ms output=ok
  restore_ms=$(after_restore "$dir" "$last" "$t2" "$live_pid")
  resume_ms=$(ms_between "$t2" "$(awk '/^resumed-unix-ns:/ { print $2 }' "$dir/restore.txt" | sort -n | tail -1)")
  wait "$live_pid" || output=BAD
  live_pid=
  check_output "$variant" "$mib" "$dir/out.txt" || output=BAD
  [[ $output == ok ]] || keep_failure "$dir"
  local capture_ms
  capture_ms=$(ms_between "$t0" "$t1")  # on the disk when the capture returns: durable too
  echo "$workload,$tool,$variant,$mib,$rep,$capture_ms,$capture_ms,$frozen,$restore_ms,$resume_ms,$bytes,$output" >>"$runs_csv"
  rm -rf "$img" "$dir"
}

# --- the runs ----------------------------------------------------------------------
for mib in $sizes; do
  # What a run that was never checkpointed prints (pattern content is the same every run).
  "$hc" "${program_args[@]}" --ticks "$ticks" --period-ms 0 "$mib" >"$work/reference-$mib.txt" 2>/dev/null
  for variant in $variants; do
    for ((rep = 1; rep <= reps; rep++)); do
      if ((run_criu)); then
        note "criu    $workload $variant $mib MiB, repetition $rep/$reps"
        criu_once "$variant" "$mib" "$rep" criu
      fi
      if ((run_criu_lazy)); then
        note "criu-lazy $workload $variant $mib MiB, repetition $rep/$reps"
        criu_once "$variant" "$mib" "$rep" criu-lazy
      fi
      if ((run_bascule && run_eager)); then
        note "bascule $workload $variant $mib MiB, repetition $rep/$reps"
        bascule_once "$variant" "$mib" "$rep" bascule
      fi
      if ((run_bascule && run_lazy)); then
        note "bascule-lazy $workload $variant $mib MiB, repetition $rep/$reps"
        bascule_once "$variant" "$mib" "$rep" bascule-lazy
      fi
    done
  done
done

# --- summary: medians --------------------------------------------------------------
summary_csv=$results/summary.csv
/usr/bin/env python3 - "$runs_csv" "$summary_csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
groups = {}
for r in rows:
    groups.setdefault((r["workload"], r["tool"], r["variant"], int(r["heap_mib"])), []).append(r)
def med(rs, key):
    xs = [float(r[key]) for r in rs if r[key] != ""]
    return statistics.median(xs) if xs else None
fields = ["workload", "tool", "variant", "heap_mib", "reps", "capture_ms", "durable_ms", "frozen_ms", "restore_ms",
          "restore_cmd_ms", "image_mib", "outputs_ok"]
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(fields)
    print("| workload | tool | content | heap (MiB) | capture (s) | durable (s) | frozen (s) | restore (s) | restore cmd (s) | image (MiB) | output ok |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    order = {"criu": 0, "criu-lazy": 1, "bascule": 2, "bascule-lazy": 3}
    for key in sorted(groups, key=lambda k: (k[0], order.get(k[1], 9), k[2], k[3])):
        rs = groups[key]
        vals = [med(rs, k) for k in ("capture_ms", "durable_ms", "frozen_ms", "restore_ms", "restore_cmd_ms")]
        image = med(rs, "image_bytes") / 2**20
        ok = sum(r["output"] == "ok" for r in rs)
        w.writerow([*key, len(rs), *["" if v is None else f"{v:.1f}" for v in vals],
                    f"{image:.1f}", ok])
        s = ["–" if v is None else f"{v / 1000:.3f}" for v in vals]
        print(f"| {key[0]} | {key[1]} | {key[2]} | {key[3]} | {' | '.join(s)} | {image:.1f} | {ok}/{len(rs)} |")
PY
((run_bascule)) || echo "| $workload | bascule-snap | – | – | skipped: no bascule-snap | | | | | | |"

if [[ -n $python ]]; then
  "$python" "$here/plot.py" "$runs_csv" "$results/compare.png" "$workload"
else
  note "no plot: matplotlib is missing (Debian: apt-get install python3-matplotlib)"
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$results/machine.txt"
note "results in $results"
