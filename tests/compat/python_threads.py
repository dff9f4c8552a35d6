# SPDX-License-Identifier: MIT
# Threads from Python: a pool of 8 workers hashing, a producer and consumer over a Queue,
# a Condition handing work back and forth, thread-local data, a Barrier, and a daemon thread
# still blocked when the program ends. Every line printed is the same whatever the
# interleaving.
import concurrent.futures
import hashlib
import queue
import threading


def digest(i):
    return hashlib.sha256(f"block {i}".encode() * 4096).hexdigest()[:12]


with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
    digests = list(pool.map(digest, range(64)))
print("pool:", len(digests), digests[0], digests[63])
print("pool threads seen:", threading.active_count() == 1)

jobs = queue.Queue(maxsize=16)
results = queue.Queue()


def producer():
    for i in range(2000):
        jobs.put(i)
    for _ in range(4):
        jobs.put(None)


def consumer():
    total = 0
    while (item := jobs.get()) is not None:
        total += item * item
    results.put(total)


threads = [threading.Thread(target=producer)] + [threading.Thread(target=consumer) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("queue sum of squares:", sum(results.get() for _ in range(4)))

condition = threading.Condition()
turn = ["ping"]
log = []


def player(me, other, rounds):
    for _ in range(rounds):
        with condition:
            condition.wait_for(lambda: turn[0] == me)
            log.append(me)
            turn[0] = other
            condition.notify_all()


a = threading.Thread(target=player, args=("ping", "pong", 50))
b = threading.Thread(target=player, args=("pong", "ping", 50))
a.start()
b.start()
a.join()
b.join()
print("condition:", len(log), log[:4], all(log[i] != log[i + 1] for i in range(len(log) - 1)))

local = threading.local()
barrier = threading.Barrier(4)
seen = []
seen_lock = threading.Lock()


def with_local(n):
    local.value = n
    barrier.wait()  # every thread has set its own before any reads
    with seen_lock:
        seen.append(local.value)


workers = [threading.Thread(target=with_local, args=(n,)) for n in range(4)]
for w in workers:
    w.start()
for w in workers:
    w.join()
print("thread-local:", sorted(seen))

names = []
named = threading.Thread(target=lambda: names.append(threading.current_thread().name), name="worker-7")
named.start()
named.join()
print("names:", names, threading.main_thread().name)

forever = threading.Event()
threading.Thread(target=forever.wait, daemon=True).start()
print("exit with a daemon thread blocked")
