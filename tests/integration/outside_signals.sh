#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Signals from outside the guest, and the guest's processes dying with `bascule run`:
#  - python3 with handlers for SIGTERM, SIGINT and SIGUSR1 runs each one a native `kill`
#    sends, as natively;
#  - `timeout` ends a guest with SIGTERM (exit 124, as natively);
#  - an interactive bash on a pseudo-terminal: Ctrl-C interrupts the foreground `sleep`,
#    not the shell; Ctrl-Z stops one, `fg` continues it in the foreground and Ctrl-C
#    ends it; the shell goes on and exits 0;
#  - SIGKILL of `bascule run` leaves none of the guest's processes running.
source "$(dirname "$0")/lib.sh"
python=/usr/bin/python3

# 1. Handlers run for what `kill` sends from outside; each is sent once the one before
#    was handled.
cat >"$work/handlers.py" <<'PY'
import signal, time
seen = set()
def handler(number, frame):
    print("got", number, flush=True)
    seen.add(number)
for number in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1):
    signal.signal(number, handler)
print("ready", flush=True)
# Not signal.pause(): a signal whose Python handler runs just before the call leaves it
# waiting for one more.
while len(seen) < 3:
    time.sleep(0.01)
PY
: >"$work/handlers.out"
"$bascule" run -- "$python" "$work/handlers.py" >"$work/handlers.out" &
guest=$!
wait_for_line() { # FILE TEXT: until FILE has the line TEXT, while the guest lives
  until grep -qx "$2" "$1"; do
    kill -0 $guest 2>/dev/null || fail "the guest ended early: $(cat "$1")"
    sleep 0.02
  done
}
wait_for_line "$work/handlers.out" ready
for name in TERM:15 INT:2 USR1:10; do
  kill -"${name%:*}" $guest
  wait_for_line "$work/handlers.out" "got ${name#*:}"
done
run_status status wait $guest
[[ $status == 0 ]] || fail "the handlers' guest exited $status"

# 2. timeout's SIGTERM ends a guest with no handler, as it ends a native program.
run_status native timeout 0.5 /bin/sleep 30
run_status guest timeout 0.5 "$bascule" run -- /bin/sleep 30
[[ $native == 124 && $guest == 124 ]] || fail "timeout: native $native, bascule $guest"

# 3. Ctrl-C and Ctrl-Z at an interactive shell's terminal.
cat >"$work/terminal.py" <<'PY'
import os, pty, select, subprocess, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.environ["PS1"] = "PROMPT> "
    os.execv(sys.argv[1], sys.argv[1:])
seen = b""
def until(token):
    global seen
    while True:
        if token in seen:
            seen = seen[seen.index(token) + len(token):]
            return
        ready, _, _ = select.select([fd], [], [], 60)
        if not ready:
            sys.exit(f"no {token!r} in {seen!r}")
        seen += os.read(fd, 4096)
until(b"PROMPT> ")
def sleep_state():
    # The state of the terminal session's process named sleep ("" while there is none).
    found = subprocess.run(["pgrep", "-s", str(os.getsid(pid)), "-x", "sleep"],
                           capture_output=True, text=True).stdout.split()
    if not found:
        return ""
    return subprocess.run(["ps", "-o", "stat=", "-p", found[0]],
                          capture_output=True, text=True).stdout.strip()
def await_running_sleep():
    while sleep_state()[:1] in ("", "T"):
        time.sleep(0.02)
def interrupt_sleep():
    # Ctrl-C once the foreground sleep runs: the shell's prompt comes back long before the
    # sleep would have ended.
    started = time.monotonic()
    await_running_sleep()
    os.write(fd, b"\x03")
    until(b"PROMPT> ")
    if time.monotonic() - started > 20:
        sys.exit("the sleep was not interrupted")
os.write(fd, b"sleep 30\n")
interrupt_sleep()
os.write(fd, b"echo alive\n")
until(b"alive\r\n")
# Job control: Ctrl-Z stops the foreground sleep, jobs lists it, fg continues it in the
# foreground, where Ctrl-C ends it.
os.write(fd, b"sleep 31\n")
await_running_sleep()
os.write(fd, b"\x1a")
until(b"Stopped")
until(b"PROMPT> ")
os.write(fd, b"jobs\n")
until(b"Stopped")
until(b"PROMPT> ")
os.write(fd, b"fg\n")
until(b"sleep 31")
interrupt_sleep()
os.write(fd, b"jobs; echo done-$?\n")
until(b"done-0")
os.write(fd, b"exit\n")
_, status = os.waitpid(pid, 0)
sys.exit(0 if status == 0 else f"the shell exited with {status}")
PY
"$python" "$work/terminal.py" /bin/bash --norc -i || fail "Ctrl-C natively"
"$python" "$work/terminal.py" "$bascule" run -- /bin/bash --norc -i || fail "Ctrl-C under bascule"

# 4. SIGKILL of `bascule run` ends the guest's processes with it.
"$bascule" run -- /bin/bash -c 'sleep 100 & (sleep 101; true) & echo started; wait' \
  >"$work/tree.out" &
top=$!
until grep -q started "$work/tree.out"; do sleep 0.02; done
children() { # the host processes below $top that still run (not zombies)
  ps -eo pid=,ppid=,stat= | awk -v top="$top" '
    { parent[$1] = $2; state[$1] = $3 }
    END { for (p in parent) { q = p; while (q in parent && q != top && q > 1) q = parent[q]
                              if (q == top && p != top && state[p] !~ /^Z/) print p } }'
}
# Its sleep, and the subshell with its own sleep, once the subshell has forked it.
tree=$(children)
while [[ $(wc -w <<<"$tree") -lt 3 ]]; do
  kill -0 $top 2>/dev/null || fail "the guest ended early: $(cat "$work/tree.out")"
  sleep 0.02
  tree=$(children)
done
kill -KILL $top
wait $top 2>/dev/null || true
for pid in $tree; do
  while state=$(ps -o stat= -p "$pid" 2>/dev/null) && [[ $state != Z* ]]; do sleep 0.02; done
done
echo "outside_signals: handlers, timeout, Ctrl-C at a shell, and a killed tree all as expected"
