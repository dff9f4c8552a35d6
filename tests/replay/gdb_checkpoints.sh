#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# gdb going back from the replay's checkpoints (replay/README.md, "Checkpoints"), on the
# replay of debuggee.c with one every 10 events: `monitor checkpoints` lists them with the
# memory each holds; `monitor goto N` back lands where a session that stops first before
# call N is (the same registers), also once they have been thinned out; a reverse-continue across several of them stops where a
# replay without checkpoints (started again from the start) does, with the same values,
# also from a breakpoint's stop, where going back then starts (from a checkpoint near it);
# a shell's forked processes are made again, their output shown once.
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

# One every event: more than the table's 64, so every other one goes as it fills (and the
# rest are twice as far apart); going back still lands on the same registers.
gdb_on thinned.out "$debuggee" "$target --checkpoint-every 1 $trace" "monitor goto $last_write" \
  'monitor checkpoints' "monitor goto $middle" 'maint flush register-cache' \
  'info registers rip rsp rax' 'kill'
kept=$(grep -c '^in call ' thinned.out || true)
[[ $kept -ge 20 && $kept -lt 64 ]] ||
  fail "$kept checkpoints kept of one every event over $last_write calls: $(cat thinned.out)"
diff <(grep -E '^(rip|rsp|rax) ' thinned.out) <(grep -E '^(rip|rsp|rax) ' stop-at.out) ||
  fail "going back to call $middle among thinned checkpoints left other registers"
none_left "gdb killed the program"

# From the last write back to the deposit, over most checkpoints: as a replay without
# checkpoints goes.
session=('break deposit' 'reverse-continue' 'bt' 'print *account' 'print amount' 'monitor call'
         'kill')
gdb_on back.out "$debuggee" "$target $often --stop-at $last_write $trace" "${session[@]}"
none_left "gdb killed the program"
gdb_on back-from-start.out "$debuggee" "$target --checkpoint-every 0 --stop-at $last_write $trace" \
  "${session[@]}"
expect back.out '^Breakpoint 1, deposit \(account=.*amount=5\) at .*debuggee\.c:17$' \
  '^\$1 = \{name = "alice\\000\\000", balance = 100\}$'
diff back.out back-from-start.out ||
  fail "reverse-continue from the checkpoints stopped elsewhere than from the start"

# gdb detaches there (over TCP: the replay's output is its own, not gdb's to relay): the
# replay goes on to the program's end without it, and ends the session with its status.
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$empty" && bounded "$replay_tool" replay $often --stop-at "$last_write" "$trace" \
  --gdb "$port" >"$work/tcp.replay" 2>&1) &
replay=$!
wait_for_output "$work/tcp.replay" "waiting for gdb on port $port" $replay
gdb_on detached.out "$debuggee" "target remote :$port" 'break deposit' 'reverse-continue' 'detach'
wait "$replay" || fail "the replay gdb detached from ended with status $?: $(cat "$work/tcp.replay")"
expect detached.out '^Breakpoint 1, deposit \(account=.*amount=5\) at .*debuggee\.c:17$'
[[ $(grep -c '^alice-and-bob has 422775500132$' "$work/tcp.replay") == 1 ]] ||
  fail "the replay did not show the program's output once after gdb detached: $(cat "$work/tcp.replay")"
none_left "gdb detached"

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

# A checkpoint in the call just before the deposit (one in each stretch of N events: its
# first place where one may be taken; a call's event is its number + 1 here): going back
# from the deposit finds nothing after that checkpoint, nor before its call.
first_write=$("$replay_tool" dump "$trace" | grep 'stream_write(handle=3' | sed -n '1s/^#\([0-9]*\) .*/\1/p')
gdb_on just-after.out "$debuggee" "$target --checkpoint-every $first_write $trace" \
  'break deposit' 'continue' 'monitor checkpoints' 'reverse-continue' 'continue' 'kill'
expect just-after.out "^in call $((first_write - 1)) \\(event $first_write\\): " \
  '^No more reverse-execution history\.$'
[[ $(grep -c '^Breakpoint 1, deposit ' just-after.out) == 2 ]] ||
  fail "going back from the deposit did not reach the start: $(cat just-after.out)"

# A shell whose subshells write: going back kills the forked processes of the future it
# leaves, a replay from a checkpoint forks them again, and each line is shown once.
shell_trace=$work/shell.trace
(cd "$work" && record "$shell_trace" /bin/sh -c 'echo first; (echo child); echo parent; (echo again); echo last')
gdb_on shell.out /bin/sh "$target $often $shell_trace" 'set breakpoint pending on' 'break write' \
  'continue' 'continue' 'continue' 'reverse-continue' 'reverse-continue' 'print $rdx' 'delete' \
  'continue'
none_left "the shell's replay ended"
expect shell.out '^\$1 = 6$' '^\[Inferior 1 \(.*\) exited normally\]$'
for line in first child parent again last; do
  [[ $(grep -c "^$line\$" shell.out) == 1 ]] ||
    fail "the replay did not show '$line' once: $(cat shell.out)"
done

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
