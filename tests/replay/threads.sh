# SPDX-License-Identifier: MIT
# Threads replay in the recorded order: a C program whose threads take a mutex in an order
# that changes from run to run (threads.c), and python3's ThreadPoolExecutor whose results
# come in the order the workers finish. Three recordings each, every one replayed twice.
source "$(dirname "$0")/lib.sh"
cd "$work"

cat >pool.py <<'PY'
import concurrent.futures, random, threading, time
finished, lock = [], threading.Lock()
def work(i):
    time.sleep(random.random() / 100)
    total = sum(range(20000 * (i % 3 + 1)))
    with lock:
        finished.append(i)
    return total
with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
    futures = [pool.submit(work, i) for i in range(16)]
    print([futures.index(f) for f in concurrent.futures.as_completed(futures)])
print(finished)
PY

for run in 1 2 3; do
  record "$work/c$run.trace" "$build/tests/replay/replay_threads"
  record "$work/pool$run.trace" /usr/bin/python3 pool.py
done
for trace in "$work"/*.trace; do
  replays_the_same "$trace"
done
threads=$("$replay_tool" stats --json "$work/pool1.trace" | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["threads"])')
[[ $threads -ge 5 ]] || fail "the python recording has $threads threads, not the main one and four workers"
echo "threads: 6 recordings of threaded programs replay to the same output, twice"
