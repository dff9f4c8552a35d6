# SPDX-License-Identifier: MIT
# Recorded programs replay to the same output, twice, in an empty directory, after the
# files they read were deleted or changed: python3 (a file, random numbers, the clock,
# os.urandom; sockets of every kind), coreutils (sort -R, date, od of /dev/urandom, sha256sum of small files, of
# a large one and of a pipe, ls -l), sqlite3,
# a C program that prints clocks, rdtsc and getrandom bytes, and how far a loop got
# before five SIGALRMs of an interval timer (and five signals of a POSIX timer), and one
# that maps a file again after changing it (remapped.c), tests/syscalls/mount_api.c,
# tests/syscalls/namespaces.c, and a userfaultfd refused while recording.
source "$(dirname "$0")/lib.sh"
cd "$work"
mkdir data
seq 1 200 >data/numbers.txt
echo "recorded input" >data/input.txt

record "$work/python.trace" /usr/bin/python3 -c '
import os, random, time
print(open("data/input.txt").read().strip(), random.random(), time.time(), os.urandom(8).hex())
with open("data/out.txt", "w") as f:
    f.write("written while recording\n")
print(sorted(os.listdir("data")))'
# Sockets of every kind, their bytes sent and received (its "go" file says not to wait).
touch go
record "$work/sockets.trace" /usr/bin/python3 "$(dirname "$0")/../checkpoint/programs/socket_kinds.py"
rm go
record "$work/sort.trace" sort -R data/numbers.txt
record "$work/date.trace" date +%s.%N
record "$work/od.trace" od -An -tx1 -N16 /dev/urandom
record "$work/sha.trace" sha256sum data/numbers.txt data/input.txt
record "$work/ls.trace" ls -l --time-style=+%s.%N data
# rdtsc only where the machine traps it (`bascule host`); see the end for the others.
nondeterminism=("$build/tests/replay/replay_nondeterminism")
if machine_says timestamps_trap; then nondeterminism+=(--rdtsc); fi
record "$work/nondeterminism.trace" "${nondeterminism[@]}"
record "$work/alarms.trace" "${nondeterminism[@]}" --alarms
record "$work/posix_timer.trace" "${nondeterminism[@]}" --posix-timer
record "$work/remapped.trace" "$build/tests/replay/replay_remapped" data/remapped
# The new mount API: a context's and a detached mount's handles, statmount's report and
# listmount's ids (as root; else the test sees EPERM, which replays as well).
record "$work/mount_api.trace" "$build/tests/syscalls/syscalls_mount_api"
# A userfaultfd is refused while recording (ENOSYS), and the refusal replays as well.
record "$work/userfaultfd.trace" /usr/bin/python3 -c '
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
print("userfaultfd", libc.syscall(323, os.O_CLOEXEC | 1), os.strerror(ctypes.get_errno()))'
grep -q "userfaultfd -1 Function not implemented" "$work/userfaultfd.trace.out" ||
  fail "a recorded userfaultfd was not ENOSYS: $(cat "$work/userfaultfd.trace.out")"
# Namespaces (ABI 1.25): made, entered by descriptor and pidfd, a time namespace's offsets
# (as root; else the refusals), replayed without making any.
record "$work/namespaces.trace" "$build/tests/syscalls/syscalls_namespaces"
# What a stream gives past its first 16 KiB is kept in the content store, out of the trace:
# a file read whole, and the same bytes through a pipe between two processes.
head -c 300000 /dev/urandom >data/big.bin
record "$work/big_file.trace" sha256sum data/big.bin
record "$work/big_pipe.trace" /bin/sh -c 'cat data/big.bin | sha256sum'
size=$(stat -c %s "$work/big_file.trace")
[[ $size -lt 100000 ]] || fail "a 300000-byte file read whole left a trace of $size bytes"
if [[ -x /usr/bin/sqlite3 ]]; then
  /usr/bin/sqlite3 data/db.sqlite 'create table t(a); insert into t values (1), (2), (40);'
  record "$work/sqlite.trace" /usr/bin/sqlite3 data/db.sqlite 'select sum(a), random() from t;'
fi

# What they read is gone or changed: a replay reads none of it.
rm -rf data
mkdir data
echo "changed" >data/input.txt

for trace in "$work"/*.trace; do
  replays_the_same "$trace"
done
grep -q "recorded input" "$work/python.trace.replay1" || fail "python's replay lost its input"
[[ ! -e "$work/data/out.txt" ]] || fail "a replay wrote a file"

# Where rdtsc runs untrapped, a replay of a program that reads it reports a divergence; it
# never prints another number as if it were the recorded one.
if ! machine_says timestamps_trap; then
  record "$work/rdtsc.untrapped" "$build/tests/replay/replay_nondeterminism" --rdtsc
  status=0
  (cd "$empty" && bounded "$replay_tool" replay "$work/rdtsc.untrapped" >/dev/null \
    2>"$work/rdtsc.report") || status=$?
  [[ $status -eq 3 ]] && grep -q "diverged from the recording" "$work/rdtsc.report" ||
    fail "replaying untrapped rdtsc ended with status $status: $(cat "$work/rdtsc.report")"
fi
echo "record_replay: $(ls "$work"/*.trace | wc -l) recordings replay to the same output, twice"
