# SPDX-License-Identifier: MIT
# Process trees replay in the recorded order: each process writes its own trace
# (TRACE.<host pid> for a forked one) and every event has its place among those of all the
# processes, so a replay forks for real and runs each process from its own trace in turn.
# A shell pipeline with random order and the clock, python3 running a child with
# subprocess, a shell that writes, then runs a subshell that writes early in its own trace
# (its output is shown too) and commands in sequence, two children that take turns only at
# switch points (spinning_children.c), a child stopped and continued, and, where the recording runs with the privilege,
# the credentials test (processes that change their ids, drop root and fork: their traces
# go to a directory every user may write, since a child creates its own as whoever it is
# then) and the System V IPC tests; each replayed twice in an empty directory after its
# inputs changed.
source "$(dirname "$0")/lib.sh"
cd "$work"
seq 1 500 >numbers.txt
echo "first input" >input.txt

record "$work/pipeline.trace" /bin/bash -c \
  'sort -R numbers.txt | head -3; date +%s.%N | sha256sum; cat input.txt | tr a-z A-Z'
record "$work/subprocess.trace" /usr/bin/python3 -c '
import os, subprocess
out = subprocess.run(["/bin/cat", "input.txt"], capture_output=True, text=True).stdout
print(out.strip(), os.getpid(), subprocess.run(["/bin/date", "+%N"], capture_output=True).stdout)'
record "$work/sequence.trace" /bin/sh -c 'echo start; (echo subshell); for i in 1 2 3; do /bin/echo "step $i"; done; od -An -N4 -tx1 /dev/urandom'
record "$work/spinning.trace" "$build/tests/replay/replay_spinning_children"
# A child stopped and continued by its parent: the stopped process gives up its turn (it
# held it, and the recording hung with the parent waiting for the turn to continue it).
record "$work/stopped.trace" /bin/sh -c \
  'sleep 0.4 & child=$!; sleep 0.15; kill -STOP $child; sleep 0.05; kill -CONT $child
  wait $child; echo "continued: $?"'
traces=(pipeline subprocess sequence spinning stopped)
if [[ $(id -u) == 0 ]]; then
  chmod 0711 "$work"
  mkdir -m 1777 "$work/anyone"
  record "$work/anyone/credentials.trace" "$build/tests/syscalls/syscalls_credentials"
  grep -Eq "^[0-9]+ passed, 0 failed$" "$work/anyone/credentials.trace.out" ||
    fail "the recorded credentials test failed: $(cat "$work/anyone/credentials.trace.out")"
  traces+=(anyone/credentials)
  # System V IPC across forks (the permission cases drop root in a child, hence here):
  # the replay stands a segment of its own in for each recorded one.
  for family in sysv_shm sysv_sem sysv_msg; do
    record "$work/anyone/$family.trace" "$build/tests/syscalls/syscalls_$family"
    grep -Eq "^[0-9]+ passed, 0 failed$" "$work/anyone/$family.trace.out" ||
      fail "the recorded $family test failed: $(cat "$work/anyone/$family.trace.out")"
    traces+=("anyone/$family")
  done
fi

[[ $(ls "$work"/pipeline.trace.* | wc -l) -ge 5 ]] ||
  fail "the pipeline's processes did not each write a trace: $(ls "$work")"
rm numbers.txt
echo "changed" >input.txt
for trace in "${traces[@]}"; do
  replays_the_same "$work/$trace.trace"
done
grep -q "FIRST INPUT" "$work/pipeline.trace.replay1" || fail "the pipeline's replay lost its input"
echo "processes: ${#traces[@]} recorded process trees replay to the same output, twice"
