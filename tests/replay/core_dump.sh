# SPDX-License-Identifier: MIT
# A process that dumps core replays: the recording writes the core file (the LibOS's
# stream writes of its notes and memory) and its shell parent sees "core dumped"; each
# replay makes the same calls with the same bytes, touches no file (no core where it
# runs) and prints what the recording printed.
source "$(dirname "$0")/lib.sh"
cd "$work"
program=$build/tests/replay/replay_core_dumper_raw
record "$work/core.trace" /bin/sh -c "\"$program\"; echo status \$?"
grep -qx "status 134" "$work/core.trace.out" || fail "the recording printed $(cat "$work/core.trace.out")"
[[ -f "$work/core" ]] || fail "the recording wrote no core file"
head -c 4 "$work/core" | grep -q ELF || fail "the core file is not an ELF file"
replays_the_same "$work/core.trace"
[[ ! -e "$empty/core" ]] || fail "a replay wrote a core file"
