# SPDX-License-Identifier: MIT
# Reading a trace: dump (text and JSON, a range of calls, one thread), stats (text and
# JSON), verify; and a replay that stops at a chosen call (--to).
source "$(dirname "$0")/lib.sh"
cd "$work"
echo "some input" >input.txt
record "$work/cat.trace" cat input.txt

"$replay_tool" dump cat.trace >dump.txt
grep -q 'stream_open(uri="file:'"$work"'/input.txt"' dump.txt ||
  fail "dump does not show the opened file: $(grep input dump.txt)"
grep -q "^-- the process ends with status 0" dump.txt || fail "dump does not show the end"
"$replay_tool" dump --json cat.trace | python3 -c '
import json, sys
calls = [json.loads(line) for line in sys.stdin]
assert all("call" in c or c["kind"] in ("interrupt", "end", "thread_start", "switch", "turn") for c in calls), calls[:3]
assert any(c.get("call") == "stream_read" for c in calls)' || fail "dump --json is not JSON lines"
[[ $("$replay_tool" dump --from 3 --to 5 cat.trace | wc -l) -eq 3 ]] || fail "dump --from 3 --to 5"
[[ $("$replay_tool" dump --thread 1 cat.trace | grep -c '^#') -eq 0 ]] || fail "dump --thread 1"
[[ $("$replay_tool" dump --thread 0 cat.trace | grep -c '^#') -gt 10 ]] || fail "dump --thread 0"

"$replay_tool" stats cat.trace >stats.txt
grep -q "1 thread(s)" stats.txt || fail "stats: $(cat stats.txt)"
grep -q "complete" stats.txt || fail "stats: $(cat stats.txt)"
"$replay_tool" stats --json cat.trace | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["calls"] > 10 and s["per_call"]["stream_read"]["count"] >= 1 and s["file_bytes"] > 0, s' ||
  fail "stats --json"
"$replay_tool" verify cat.trace | grep -c "every checksum matches" >/dev/null || fail "verify"

# --to N stops after call N.
(cd "$empty" && bounded "$replay_tool" replay --to 5 "$work/cat.trace" >to.out 2>"$work/to.err") ||
  fail "replay --to 5 ended with $?"
grep -q "stopped after call 5" to.err || fail "replay --to 5 said: $(cat to.err)"
echo "inspect: dump, stats, verify and replay --to read the trace"
