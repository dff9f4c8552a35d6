# SPDX-License-Identifier: MIT
# Traces that cannot be replayed are refused before anything runs, with exit code 1 and a
# message: another file, a damaged block, another format version, a process whose forked
# child has no trace, a content store object that is gone or changed. A trace cut by a
# kill replays up to its last whole block and says so. A trace is never overwritten.
source "$(dirname "$0")/lib.sh"
cd "$work"
echo input >input.txt
record "$work/good.trace" /usr/bin/python3 -c 'print(open("input.txt").read())'

refused() { # refused FILE WORDS [COMMANDS]: each says WORDS and ends with status 1
  local file=$1 words=$2 commands=${3:-replay verify} command status
  for command in $commands; do
    status=0
    bounded "$replay_tool" $command "$file" >out.txt 2>err.txt || status=$?
    [[ $status -eq 1 ]] || fail "$command of $file ended with $status: $(cat err.txt)"
    grep -q "$words" err.txt || fail "$command of $file said: $(cat err.txt)"
    [[ ! -s out.txt ]] || fail "$command of $file printed $(cat out.txt)"
  done
}

echo "not a trace at all" >foreign.trace
refused foreign.trace "not a bascule trace"
python3 - "$work/good.trace" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
damaged = bytearray(data); damaged[len(data) // 2] ^= 0xff
open(sys.argv[1] + ".damaged", "wb").write(damaged)
version = bytearray(data); version[8] = 99
open(sys.argv[1] + ".version", "wb").write(version)
open(sys.argv[1] + ".cut", "wb").write(data[: len(data) - 100])
PY
refused good.trace.damaged "checksum does not match"
refused good.trace.version "trace format version 99"

# A cut trace: verify and replay say so, and the replay goes as far as the trace does.
bounded "$replay_tool" verify good.trace.cut >verify.txt || fail "verify of a cut trace failed"
grep -q "cut" verify.txt || fail "verify did not say the trace was cut: $(cat verify.txt)"
status=0
(cd "$empty" && bounded "$replay_tool" replay "$work/good.trace.cut" >"$work/cut.out" 2>"$work/cut.err") ||
  status=$?
[[ $status -eq 0 ]] || fail "a cut trace's replay ended with $status: $(cat cut.err)"
grep -q "was cut" cut.err || fail "the cut trace's replay did not say so: $(cat cut.err)"

# A trace is never overwritten.
before=$(sha256sum <good.trace)
status=0
bounded "$replay_tool" record -o "$work/good.trace" -- /bin/true 2>exists.txt || status=$?
[[ $status -ne 0 ]] || fail "recording over an existing trace succeeded"
grep -q "exists already" exists.txt || fail "recording over a trace said: $(cat exists.txt)"
[[ $(sha256sum <good.trace) == "$before" ]] || fail "the existing trace changed"

# A process whose child's trace is gone: refused before anything runs.
record "$work/forked.trace" /bin/sh -c '/bin/true; echo forked'
rm "$work"/forked.trace.*
refused forked.trace "has no trace to replay" replay
bounded "$replay_tool" verify forked.trace >/dev/null || fail "a forked process's trace does not verify"
[[ $(stat -c %a good.trace) == 600 ]] || fail "a trace is readable by others"
# The content store: what a program mapped is stored once (a second recording adds no
# object); a trace whose object changed (after a replay noted it whole) or is gone is refused; one recorded with
# `--content-store none` holds its content itself and replays without the store.
objects=$(ls "$BASCULE_CONTENT_STORE" | wc -l)
[[ $objects -gt 0 ]] || fail "the recording stored nothing in the content store"
record "$work/again.trace" /usr/bin/python3 -c 'print(open("input.txt").read())'
[[ $(ls "$BASCULE_CONTENT_STORE" | wc -l) -eq $objects ]] ||
  fail "a second recording of the same program added objects to the content store"
cp -a "$BASCULE_CONTENT_STORE" "$work/store.saved"
largest=$(ls -S "$BASCULE_CONTENT_STORE" | sed -n 1p)
# A replay notes the objects it found whole (store_checks.h); a write to one makes the next
# replay read it again.
[[ -f "$BASCULE_CONTENT_STORE/checked/$largest" ]] ||
  fail "the replays left no check note of the store's largest object"
chmod u+w "$BASCULE_CONTENT_STORE/$largest"
printf 'X' | dd of="$BASCULE_CONTENT_STORE/$largest" bs=1 seek=4097 conv=notrunc status=none
refused good.trace "has changed"
rm "$BASCULE_CONTENT_STORE/$largest"
refused good.trace "cannot be read"
rm -rf "$BASCULE_CONTENT_STORE" && mv "$work/store.saved" "$BASCULE_CONTENT_STORE"
replays_the_same "$work/good.trace"
bounded "$replay_tool" record --content-store none -o "$work/whole.trace" -- \
  /usr/bin/python3 -c 'print(open("input.txt").read())' >"$work/whole.trace.out" ||
  fail "recording with --content-store none failed"
# `pack` copies a trace and its forked processes' into ones that hold their content, what
# they read from a stream out of line (in the store) too.
record "$work/tree.trace" /bin/sh -c '/bin/true; echo forked'
head -c 100000 /dev/urandom >big.bin
record "$work/read.trace" /bin/sh -c 'sha256sum big.bin; cat big.bin | sha256sum'
rm big.bin
for trace in good tree read; do
  bounded "$replay_tool" pack "$work/$trace.trace" -o "$work/$trace.packed" >/dev/null ||
    fail "pack of $trace.trace failed"
  cp "$work/$trace.trace.out" "$work/$trace.packed.out"
done
compgen -G "$work/tree.packed.[0-9]*" >/dev/null || fail "pack left out the forked process's trace"
rm -rf "$BASCULE_CONTENT_STORE"
replays_the_same "$work/whole.trace"
replays_the_same "$work/good.packed"
replays_the_same "$work/tree.packed"
replays_the_same "$work/read.packed"
echo "bad_traces: foreign, damaged, other-version traces, one without its child's and one whose content store object changed or is gone refused; a cut one replays; a trace without a store, or packed, holds its content"
