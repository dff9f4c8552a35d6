#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# gdb on a replay: Debian's gdb, in batch mode, debugs the replay of a recorded program
# with a bug (debuggee.c) over `--gdb-stdio` and over TCP, and its output is compared with
# the lines a debugger must show: breakpoints on functions, arguments and locals, a
# backtrace through main, stepping over lines and over a system call, the corrupted value,
# a watchpoint that finds the corrupting write, read and access watchpoints, changes to
# memory and registers refused or, when allowed, diverging, going backwards to the writes
# before it and over a system call, `monitor` commands, the program's output and its exit;
# gdb's interrupt stopping a program that computes; the threads of a multi-threaded replay
# with their stacks, python3's interpreter frames in the middle of its replay; a forked
# process goes on without gdb. A port in use is refused.
source "$(dirname "$0")/lib.sh"

debuggee=$build/tests/replay/replay_debuggee
trace=$work/debuggee.trace
(cd "$work" && record "$trace" "$debuggee")
grep -q "alice-and-bob has 422775500132" "$trace.out" || fail "the recording printed $(cat "$trace.out")"

# debug OUTPUT TARGET GDB-COMMAND...: gdb on the debuggee, connected with TARGET.
debug() { gdb_on "$1" "$debuggee" "${@:2}"; }

session=(
  'break deposit' 'continue' 'info args' 'bt'
  'next' 'next' 'print account->balance'
  'break rename_account' 'continue' 'print savings'
  'finish' 'print savings.balance'
  'next' 'monitor call' 'continue'
)
checks=(
  '^Breakpoint 1, deposit \(account=0x[0-9a-f]+ <savings>, amount=5\) at .*debuggee\.c:17'
  '^amount = 5$'
  '^#0  deposit \(account=0x[0-9a-f]+ <savings>, amount=5\) at .*debuggee\.c:17'
  '^#1  0x[0-9a-f]+ in main \(\) at .*debuggee\.c:26'
  '^\$1 = 105$'
  '^Breakpoint 2, rename_account \(account=0x[0-9a-f]+ <savings>, name=0x[0-9a-f]+ "alice-and-bob"\)'
  '^\$2 = \{name = "alice\\000\\000", balance = 105\}$'
  '^main \(\) at .*debuggee\.c:3[01]$'
  '^\$3 = 422775500132$'
  '^before call [0-9]+; the calls before it:$'
  '^\[Inferior 1 \(.*\) exited normally\]$'
)
debug "$work/stdio.out" "target remote | $replay_tool replay --gdb-stdio $trace" "${session[@]}"
expect "$work/stdio.out" "${checks[@]}"
# The guest's output reaches gdb's terminal (the replay's stderr), not the protocol.
expect "$work/stdio.out" '^deposited$' '^alice-and-bob has 422775500132$'

# The same session over TCP, on a port the kernel chose free a moment before.
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$empty" && bounded "$replay_tool" replay "$trace" --gdb "$port" >"$work/tcp.replay" 2>&1) &
replay=$!
for _ in $(seq 100); do grep -q "waiting for gdb on port $port" "$work/tcp.replay" 2>/dev/null && break; sleep 0.1; done
# A second replay on the same port: a clear error, at once.
if "$replay_tool" replay "$trace" --gdb "$port" 2>"$work/in-use.err"; then
  fail "a second replay listened on port $port in use"
fi
expect "$work/in-use.err" "--gdb $port: cannot listen on localhost:$port: Address already in use"
debug "$work/tcp.out" "target remote :$port" "${session[@]}"
expect "$work/tcp.out" "${checks[@]}"
wait "$replay" || fail "the replay gdb debugged over TCP ended with status $?"
expect "$work/tcp.replay" '^deposited$' '^alice-and-bob has 422775500132$'

# Going back starts from the nearest checkpoint before: with one every 10 events, the
# sessions that go back below start from many (the default, 1000, leaves only the start's
# in this short trace).
often="--checkpoint-every 10"

# --stop-at N: the first stop is before call N (the debuggee's write of "deposited"),
# where `monitor call` says it is, in the program's system call. Back from there to a
# breakpoint passed before it.
# The call's number comes from the trace: the loader's calls before main differ by machine.
write=$("$replay_tool" dump "$trace" | grep 'stream_write(handle=3, .*size=10)' | sed -n '1s/^#\([0-9]*\) .*/\1/p')
[[ -n $write ]] || fail "the debuggee's trace has no write of \"deposited\""
debug "$work/stop-at.out" "target remote | $replay_tool replay --gdb-stdio $often --stop-at $write $trace" \
  'monitor call' 'monitor dump' 'bt' 'break deposit' 'reverse-continue' 'continue'
expect "$work/stop-at.out" "^before call $write; the calls before it:\$" \
  "^#$((write - 1)) p0 t0 " "^#$write p0 t0 stream_write\\(handle=3, .*size=10\\) = BSC_OK done=10" \
  '^#[0-9]+ +0x[0-9a-f]+ in main \(\) at .*debuggee\.c:28$' \
  '^Breakpoint 1, deposit \(account=.*amount=5\) at .*debuggee\.c:17$' \
  '^\[Inferior 1 \(.*\) exited normally\]$'
# A watchpoint (page protection, README.md): the deposit's write, then the corrupting one
# inside strcpy, with the backtrace to the function that called it.
debug "$work/watch.out" "target remote | $replay_tool replay --gdb-stdio $trace" \
  'break main' 'continue' 'watch savings.balance' 'continue' 'continue' 'bt' 'continue'
expect "$work/watch.out" '^Hardware watchpoint 2: savings.balance$' \
  '^Old value = 100$' '^New value = 105$' '^deposit \(account=.*\) at .*debuggee\.c:19$' \
  '^Old value = 105$' '^New value = 422775500132$' \
  '^#1  0x[0-9a-f]+ in rename_account \(account=0x[0-9a-f]+ <savings>, name=0x[0-9a-f]+ "alice-and-bob"\) at .*debuggee\.c:22$' \
  '^\[Inferior 1 \(.*\) exited normally\]$'

# gdb's changes to memory and registers: refused with a message, the replay unchanged;
# with --allow-divergence made, the replay goes on to the first call that differs (printf's
# write of the changed balance), which ends it; it cannot go backwards after a change.
debug "$work/refused.out" "target remote | $replay_tool replay --gdb-stdio $trace" \
  'break deposit' 'continue' 'set var account->balance = 7' 'set $rax = 1' \
  'print account->balance' 'continue'
expect "$work/refused.out" \
  "^bascule-replay: gdb may not change the memory of a replay: it would no longer replay the recording \(\`replay --allow-divergence\` lets it\)$" \
  '^Cannot access memory at address 0x[0-9a-f]+$' \
  '^bascule-replay: gdb may not change the registers of a replay' '^\$1 = 100$' \
  '^alice-and-bob has 422775500132$' '^\[Inferior 1 \(.*\) exited normally\]$'
debug "$work/diverged.out" "target remote | $replay_tool replay --gdb-stdio --allow-divergence $trace" \
  'break deposit' 'continue' 'set $rax = 0x1234' 'print/x $rax' 'break 31' 'continue' \
  'set var savings.balance = 7' 'print savings.balance' 'reverse-continue' 'continue'
expect "$work/diverged.out" '^bascule-replay: gdb changed the registers: the replay goes on' \
  '^\$1 = 0x1234$' '^\$2 = 7$' \
  '^bascule-replay: the replay diverged from the recording at gdb.s change: it cannot go backwards$' \
  '^bascule-replay: the replay diverged from the recording at call [0-9]+ \(thread 0\): ' \
  '^\[Inferior 1 \(.*\) exited with code 03\]$'

# Read and access watchpoints (the page inaccessible): the deposit's read of the balance
# stops a read watchpoint with the value read; an access watchpoint stops at the deposit's
# write, at the corrupting one, back before it, and at printf's read in main.
debug "$work/rwatch.out" "target remote | $replay_tool replay --gdb-stdio $often $trace" \
  'break main' 'continue' 'rwatch savings.balance' 'continue' 'bt 1' 'delete 2' \
  'awatch savings.balance' 'continue' 'continue' 'reverse-continue' 'continue' 'continue'
expect "$work/rwatch.out" '^Hardware read watchpoint 2: savings.balance$' '^Value = 100$' \
  '^#0  0x[0-9a-f]+ in deposit \(account=.*\) at .*debuggee\.c:17$' \
  '^Hardware access \(read/write\) watchpoint 3: savings.balance$' \
  '^Old value = 100$' '^New value = 105$' '^Old value = 105$' '^New value = 422775500132$' \
  '^Old value = 422775500132$' '^Value = 422775500132$' \
  '^0x[0-9a-f]+ in main \(\) at .*debuggee\.c:31$'

# Going backwards (README.md, "Going backwards"): from the corrupting write, reverse-continue
# stops before it (the value as it was), then before the deposit's write, then at main's
# breakpoint; forwards again, the same writes.
debug "$work/reverse-watch.out" "target remote | $replay_tool replay --gdb-stdio $often $trace" \
  'break main' 'continue' 'watch savings.balance' 'continue' 'continue' \
  'reverse-continue' 'bt' 'reverse-continue' 'reverse-continue' 'continue' 'continue' 'continue'
expect "$work/reverse-watch.out" \
  '^Old value = 422775500132$' '^New value = 105$' \
  '^#1  0x[0-9a-f]+ in rename_account \(account=0x[0-9a-f]+ <savings>, name=0x[0-9a-f]+ "alice-and-bob"\) at .*debuggee\.c:22$' \
  '^Old value = 105$' '^New value = 100$' '^0x[0-9a-f]+ in deposit \(account=.*\) at .*debuggee\.c:18$' \
  '^18	    account->balance = before \+ amount;$' \
  '^Old value = 100$' '^\[Inferior 1 \(.*\) exited normally\]$'
[[ $(grep -c '^Breakpoint 1, main ()' "$work/reverse-watch.out") == 2 ]] ||
  fail "reverse-continue did not stop at main's breakpoint again: $(cat "$work/reverse-watch.out")"
[[ $(grep -c '^alice-and-bob has 422775500132$' "$work/reverse-watch.out") == 1 ]] ||
  fail "the guest's output was shown again after going back: $(cat "$work/reverse-watch.out")"

# Stepping backwards: reverse-next over the write system call, reverse-step into the
# function that returned before it, reverse-finish to its call, reverse-stepi; and
# `monitor goto` to an earlier call.
debug "$work/reverse-step.out" "target remote | $replay_tool replay --gdb-stdio $often $trace" \
  'break 28' 'continue' 'next' 'print $pc == &main' 'reverse-next' 'info line *$pc' \
  'reverse-step' 'reverse-finish' 'reverse-stepi' 'info line *$pc' 'monitor goto 100' \
  'monitor call' 'continue' 'continue'
expect "$work/reverse-step.out" '^29	' '^Line 28 of ".*debuggee\.c" starts at address' \
  '^deposit \(account=.*\) at .*debuggee\.c:19$' '^Run till exit|^0x[0-9a-f]+ in main \(\) at .*debuggee\.c:26$' \
  '^Line 26 of ".*debuggee\.c"' '^before call 100 ' '^before call 100; the calls before it:$' \
  '^#99 p0 t0 ' '^Breakpoint 1, main \(\) at .*debuggee\.c:28$' \
  '^\[Inferior 1 \(.*\) exited normally\]$'

# gdb's interrupt (SIGINT, as Ctrl-C sends it) stops a replay that computes without system
# calls, where it is: once the program has said it spins. That place cannot be found
# again: going backwards waits for a stop before a call (here the write of the sum, which
# `monitor goto` reaches).
spin_trace=$work/spinner.trace
(cd "$work" && record "$spin_trace" "$build/tests/replay/replay_spinner")
sum_write=$("$replay_tool" dump "$spin_trace" | grep 'stream_write(handle=3, .*size=20)' | sed -n '1s/^#\([0-9]*\) .*/\1/p')
# `timeout --foreground` passes the signal on once; without it, timeout also signals its
# process group, and a second SIGINT makes gdb give up on the target.
(cd "$empty" && exec timeout --foreground -s KILL 120 gdb -q -nx -batch -ex 'set remotetimeout 60' \
  -ex "target remote | $replay_tool replay --gdb-stdio $often $spin_trace" -ex 'continue' \
  -ex 'bt 1' -ex 'reverse-stepi' -ex "monitor goto $sum_write" -ex 'kill' \
  "$build/tests/replay/replay_spinner") >"$work/interrupt.out" 2>&1 &
interrupted=$!
for _ in $(seq 600); do grep -q '^spinning$' "$work/interrupt.out" && break; sleep 0.1; done
kill -INT "$interrupted"
wait "$interrupted" || fail "gdb interrupting the replay ended with status $?: $(cat "$work/interrupt.out")"
expect "$work/interrupt.out" '^Program received signal SIGINT, Interrupt\.$' \
  '^#0  (0x[0-9a-f]+ in )?main \(\) at .*spinner\.c:1[23]$' \
  '^bascule-replay: an interrupt stopped the program between calls, a place the replay cannot find again' \
  "^before call $sum_write "
if grep -q '^1999999999000000000$' "$work/interrupt.out"; then
  fail "the replay computed to its end before gdb's interrupt: $(cat "$work/interrupt.out")"
fi

# Threads: the replay stopped at a call of the fourth thread it started; gdb lists the
# five, and each shows its own stack (replay_threads: four workers and main, which joins).
threads_trace=$work/threads.trace
(cd "$work" && record "$threads_trace" "$build/tests/replay/replay_threads")
call=$("$replay_tool" dump "$threads_trace" | grep ' t3 ' | sed -n 5p | sed 's/^#\([0-9]*\) .*/\1/')
gdb_on "$work/threads.out" "$build/tests/replay/replay_threads" \
  "target remote | $replay_tool replay --gdb-stdio --stop-at $call $threads_trace" \
  'info threads' 'bt' 'thread 1' 'bt' 'kill'
expect "$work/threads.out" '^\* 4    Thread 4 ' '^  5    Thread 5 ' '^  1    Thread 1 ' \
  '^#[0-9]+ +0x[0-9a-f]+ in work \(\) at .*threads\.c:[0-9]+$' '^#[0-9]+ +0x[0-9a-f]+ in start_thread ' \
  '^\[Switching to thread 1 \(Thread 1\)\]$' '^#[0-9]+ +0x[0-9a-f]+ in main \(\) at .*threads\.c:[0-9]+$'

# python3 stopped at a call in the middle of its replay: the interpreter's frames.
python_trace=$work/python.trace
(cd "$work" && record "$python_trace" /usr/bin/python3 -c 'import os
def greet(): os.write(1, b"hello\n")
greet()')
call=$("$replay_tool" dump "$python_trace" | grep 'stream_write(handle=3' | tail -1 | sed 's/^#\([0-9]*\) .*/\1/')
gdb_on "$work/python.out" /usr/bin/python3 \
  "target remote | $replay_tool replay --gdb-stdio --stop-at $call $python_trace" 'bt' 'kill'
expect "$work/python.out" '^#0 .* in __GI___libc_write \(fd=1, .*nbytes=6\)' ' in _PyEval_EvalFrameDefault '

# A forked process runs without gdb: its copy of memory loses gdb's breakpoint (in the
# shell's write, which the subshell calls too) and its replay goes on.
shell_trace=$work/shell.trace
(cd "$work" && record "$shell_trace" /bin/sh -c '(echo child); echo parent')
gdb_on "$work/fork.out" /bin/sh "target remote | $replay_tool replay --gdb-stdio $shell_trace" \
  'set breakpoint pending on' 'break write' 'continue' 'continue'
expect "$work/fork.out" '^child$' '^Breakpoint 1, .*write' '^parent$' \
  '^\[Inferior 1 \(.*\) exited normally\]$'
echo "gdb on a replay: breakpoints, locals, backtraces, steps, watchpoints (writes, reads, accesses), changes refused or diverging, reverse execution, monitor commands, interrupts, threads, python3, TCP and stdio"
