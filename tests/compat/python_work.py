# SPDX-License-Identifier: MIT
# A python3 workload for the compatibility suite: computation, json, re, hashlib, the
# sqlite3 module, and file and directory I/O, printing results a native run must match.
import hashlib
import json
import os
import re
import signal
import sqlite3
import time

primes = [n for n in range(2, 5000) if all(n % d for d in range(2, int(n ** 0.5) + 1))]
print("primes", len(primes), sum(primes))

document = {"name": "bascule", "values": list(range(10)), "nested": {"ok": True}}
text = json.dumps(document, sort_keys=True)
print("json", text, json.loads(text) == document)

print("re", re.findall(r"\b\w{5}\b", "quick brown foxes jumps over lazy dogs"))
print("sha256", hashlib.sha256(text.encode()).hexdigest())

db = sqlite3.connect("py.db")
db.execute("create table t (k integer primary key, v text)")
with db:
    db.executemany("insert into t values (?, ?)", ((i, f"value {i}") for i in range(2000)))
print("sqlite", db.execute("select count(*), sum(k), max(v) from t").fetchone())
db.close()

os.makedirs("made/deeper", exist_ok=True)
with open("made/deeper/file.txt", "w") as f:
    f.write("written by python\n" * 100)
with open("made/deeper/file.txt") as f:
    print("file", len(f.read()))
os.rename("made/deeper/file.txt", "made/moved.txt")
print("listing", sorted(os.listdir("made")), os.path.getsize("made/moved.txt"))

alarms = []
signal.signal(signal.SIGALRM, lambda number, frame: alarms.append(number))
signal.setitimer(signal.ITIMER_REAL, 0.02)
deadline = time.monotonic() + 10
while not alarms and time.monotonic() < deadline:
    sum(range(1000))
print("SIGALRM handled", alarms)
