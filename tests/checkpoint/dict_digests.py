# SPDX-License-Identifier: MIT
# A checkpoint test workload: builds a large dict, then changes it and prints a digest of
# it ten times, sleeping in between.
import hashlib
import json
import os
import time

table = {f"key-{i}": [i, i * i, str(i)[::-1]] for i in range(200_000)}


def digest():
    return hashlib.sha256(json.dumps(table, sort_keys=True).encode()).hexdigest()[:16]


def hold(round):
    """With HOLD_AT listing `round`, waits until the test makes go.ROUND (programs/hold.h)."""
    if str(round) in os.environ.get("HOLD_AT", "").split(","):
        while not os.path.exists(f"go.{round}"):
            time.sleep(0.01)


print("built", len(table), flush=True)
for round in range(1, 11):
    for i in range(round, 200_000, 1000):
        table[f"key-{i}"][0] += round
    print("round", round, digest(), flush=True)
    hold(round)
    time.sleep(0.2)
print("done", flush=True)
