#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# gdb going back from the replay's checkpoints (replay/README.md, "Checkpoints"), on the
# replay of debuggee.c with one every 10 events: `monitor checkpoints` lists them with the
# memory each holds; `monitor goto N` back lands where a session that stops first before
# call N is (the same registers); a reverse-continue across several of them stops where a
# replay without checkpoints (started again from the start) does, with the same values,
# also from a breakpoint's stop, where going back then starts (from a checkpoint near it).
# No process of the replay outlives its session, whether gdb kills the program, detaches
# or dies; when the process serving gdb dies, gdb hears the connection end.
source "$(dirname "$0")/lib.sh"
cd "$work"
debuggee=$build/tests/replay/replay_debuggee
trace=$work/debuggee.trace
(cd "$work" && record "$trace" "$debuggee")
often="--checkpoint-every 10"
target="target remote | $replay_tool replay --gdb-stdio"
last_write=$("$replay_tool" dump "$trace" | grep 'stream_write(handle=3' | tail -1 | sed 's/^#\([0-9]*\) .*/\1/')
middle=$((last_write / 2))

# The session's processes are gone (5 s at most: the last ones end as the root ends).
none_left() {
  for _ in $(seq 50); do
    pgrep -f -- "$trace" >/dev/null || return 0
    sleep 0.1
  done
  fail "processes of the replay outlived its session ($1): $(pgrep -af -- "$trace")"
}

# Forwards to the last write, with checkpoints on the way; back to the middle.
gdb_on goto.out "$debuggee" "$target $often $trace" "monitor goto $last_write" \
  'monitor checkpoints' "monitor goto $middle" 'maint flush register-cache' \
  'info registers rip rsp rax' 'kill'
none_left "gdb killed the program"
expect goto.out '^at the start: process [0-9]+, [0-9]+ KiB of its own \([0-9]+ KiB proportional\)$' \
  '^in call [0-9]+ \(event [0-9]+\): process [0-9]+, [0-9]+ KiB of its own' \
  '^[0-9]+ KiB held by the checkpoints alone; process [0-9]+ serves gdb$' "^before call $middle "
[[ $(grep -c '^in call ' goto.out) -ge 5 ]] ||
  fail "fewer than 5 checkpoints on the way to call $last_write: $(cat goto.out)"
gdb_on stop-at.out "$debuggee" "$target --stop-at $middle $trace" 'info registers rip rsp rax' 'kill'
diff <(grep -E '^(rip|rsp|rax) ' goto.out) <(grep -E '^(rip|rsp|rax) ' stop-at.out) ||
  fail "going back to call $middle left other registers than stopping there first"

# From the last write back to the deposit, over most checkpoints: as a replay without
# checkpoints goes. gdb detaches there, and the replay goes on without it.
session=('break deposit' 'reverse-continue' 'bt' 'print *account' 'print amount' 'monitor call'
         'detach')
gdb_on back.out "$debuggee" "$target $often --stop-at $last_write $trace" "${session[@]}"
none_left "gdb detached"
gdb_on back-from-start.out "$debuggee" "$target --checkpoint-every 0 --stop-at $last_write $trace" \
  "${session[@]}"
none_left "gdb detached" # and the replay has shown the rest of the program's output
expect back.out '^Breakpoint 1, deposit \(account=.*amount=5\) at .*debuggee\.c:17$' \
  '^\$1 = \{name = "alice\\000\\000", balance = 100\}$'
diff back.out back-from-start.out ||
  fail "reverse-continue from the checkpoints stopped elsewhere than from the start"

# A session from the program's start: the breakpoint it stops at is where going back
# starts from (a checkpoint near it, not the start), and finds what a replay from the start
# finds.
session=('break rename_account' 'continue' 'break deposit' 'reverse-continue' 'bt'
         'print *account' 'monitor checkpoints' 'reverse-continue' 'continue' 'continue' 'kill')
gdb_on anchored.out "$debuggee" "$target $often $trace" "${session[@]}"
gdb_on anchored-from-start.out "$debuggee" "$target --checkpoint-every 0 $trace" "${session[@]}"
expect anchored.out '^Breakpoint 2, deposit \(account=.*amount=5\) at .*debuggee\.c:17$' \
  '^this replay started from the checkpoint in call [1-9][0-9]*$' \
  '^Breakpoint 1, rename_account \(account=' '^No more reverse-execution history\.$'
diff <(grep -Ev '^(at the start|in call|[0-9]+ KiB|this replay|no checkpoints)' anchored.out) \
  <(grep -Ev '^(at the start|in call|[0-9]+ KiB|this replay|no checkpoints)' anchored-from-start.out) ||
  fail "going back from a breakpoint's checkpoint differs from going back from the start"

# gdb dies: the replay's processes end.
mkfifo "$work/hold"
gdb_run "$debuggee" "$target $often --stop-at $last_write $trace" 'monitor checkpoints' \
  "shell read line < $work/hold" >dies.out 2>&1 &
session_pid=$!
wait_for_output dies.out 'serves gdb$' $session_pid
pkill -KILL -f -- "gdb -q -nx -batch .*$trace" || fail "no gdb to kill"
echo >"$work/hold"
wait $session_pid 2>/dev/null || true # killed
none_left "gdb died"

# The process serving gdb dies: the others end, and gdb hears the connection end.
gdb_run "$debuggee" "$target $often --stop-at $last_write $trace" 'monitor checkpoints' \
  "shell read line < $work/hold" 'monitor call' >served.out 2>&1 &
session_pid=$!
wait_for_output served.out 'serves gdb$' $session_pid
served=$(sed -n 's/.* process \([0-9]*\) serves gdb$/\1/p' served.out)
kill -KILL "$served"
echo >"$work/hold"
wait $session_pid || true # its last command fails
none_left "the process serving gdb died"
expect served.out 'Remote connection closed|Remote communication error|connection closed'
echo "gdb from checkpoints: listed with their memory; goto and reverse-continue (also from a breakpoint's stop) as from the start; no process left after the session"
