# SPDX-License-Identifier: MIT
# checkpoint.thread_pool's workload: a ThreadPoolExecutor of four threads digesting
# sixteen items. Each item hashes half its data, then the items from 8 on wait for a file
# "go" before hashing the rest, so a capture after "waiting" finds four threads in the
# middle of their items and four more items queued. The results print in item order.
import concurrent.futures
import hashlib
import os
import time


def digest(n):
    h = hashlib.sha256()
    for i in range(2000):
        h.update(f"{n}:{i}".encode() * 50)
    if n >= 8:
        while not os.path.exists("go"):
            time.sleep(0.02)
    for i in range(2000, 4000):
        h.update(f"{n}:{i}".encode() * 50)
    return h.hexdigest()[:16]


with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
    for n, result in zip(range(16), pool.map(digest, range(16))):
        print(n, result, flush=True)
        if n == 7:
            print("waiting", flush=True)
