# SPDX-License-Identifier: MIT
# A checkpoint test workload with threads, each stopped in a different way when the
# capture comes: workers waiting on a Condition (futex), one blocked reading a pipe, one
# sleeping, one computing, and the main thread polling for the hold file. After the
# release each finishes its part; the output is the same whatever the interleaving.
import hashlib
import os
import threading
import time

condition = threading.Condition()
released = False
results = {}
lock = threading.Lock()


def note(name, value):
    with lock:
        results[name] = value


def waiter(n):
    with condition:
        condition.wait_for(lambda: released)
    note(f"waiter {n}", hashlib.sha256(f"w{n}".encode()).hexdigest()[:8])


def reader(fd):
    data = b""
    while chunk := os.read(fd, 4096):
        data += chunk
    note("reader", (len(data), hashlib.sha256(data).hexdigest()[:8]))


def sleeper():
    time.sleep(0.5)
    note("sleeper", "woke")


def computer():
    """Repeats one fixed computation until the release, so it is computing at the capture
    whatever the machine's speed; the result does not depend on how often it ran."""
    while True:
        h = hashlib.sha256()
        for i in range(100_000):
            h.update(i.to_bytes(4, "little"))
        if released:
            break
    note("computer", h.hexdigest()[:8])


def hold(round):
    """With HOLD_AT listing `round`, waits until the test makes go.ROUND (programs/hold.h)."""
    if str(round) in os.environ.get("HOLD_AT", "").split(","):
        while not os.path.exists(f"go.{round}"):
            time.sleep(0.01)


read_end, write_end = os.pipe()
threads = [threading.Thread(target=waiter, args=(n,)) for n in range(3)]
threads += [threading.Thread(target=reader, args=(read_end,)), threading.Thread(target=sleeper),
            threading.Thread(target=computer)]
for t in threads:
    t.start()
os.write(write_end, b"before the capture\n" * 100)
# Counts the threads started, not threading.active_count(): a thread may already have
# finished here on a fast machine and not yet on a slow one.
print("threads started:", sum(t.ident is not None for t in threads), flush=True)
hold(1)
os.write(write_end, b"after the capture\n" * 100)
os.close(write_end)
with condition:
    released = True
    condition.notify_all()
for t in threads:
    t.join()
for name in sorted(results):
    print(name, results[name], flush=True)
print("threads left:", threading.active_count(), flush=True)
