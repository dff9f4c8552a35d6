# SPDX-License-Identifier: MIT
# A tree of processes (programs/family.c) captured while a child waits to read a pipe
# holding bytes, two others have ended unwaited (zombies: an exit, a SIGTERM) and a
# grandchild waits: first
# letting it run on (it finishes as a native run does), then stopping it; restored, the
# tree finishes as the native run does — the same pids as its processes know them, the
# bytes, the exit statuses. A second capture of the restored tree restores as well,
# lazily. A copy of the image whose member's page index is corrupt is refused before any
# guest runs.
source "$(dirname "$0")/lib.sh"
"$programs/family" >native.out
HOLD_AT=1 start_guest run.out -- "$programs/family"
wait_for_line run.out "tick 1"
capture running.img --leave-running
release 1
wait "$guest_pid" || fail "the tree that ran on ended with status $?"
guest_pid=""
same run.out native.out

rm -f go.1
HOLD_AT=1 start_guest run.out -- "$programs/family"
wait_for_line run.out "tick 1"
capture tree.img
"$snap" inspect tree.img >inspect.out
grep -q "^processes (3)" inspect.out || fail "the image holds not 3 process handles"
grep -q "ended=true end_kind=1 end_code=3" inspect.out || fail "the image holds no zombie: $(grep -A3 '^processes' inspect.out)"
grep -q "ended=true end_kind=2 end_code=15" inspect.out || fail "the image holds no killed zombie: $(grep -A4 '^processes' inspect.out)"
# A member whose page index fails its checksum: that member finds it after the fork (the
# first reads only the members' metadata), and the restore fails before any guest runs.
/usr/bin/python3 - tree.img bad-member.img <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
def sections(base):  # kind -> (offset from the image's start, size): image_format.h
    count, = struct.unpack_from("<I", data, base + 16)
    table, = struct.unpack_from("<Q", data, base + 24)
    entries = (struct.unpack_from("<IIQQ", data, base + table + 32 * i) for i in range(count))
    return {kind: (offset, size) for kind, _, offset, size in entries}
members, _ = sections(0)[3]           # member_images: the first member's image starts there
index, size = sections(members)[1]    # its page_index
data[members + index + size // 2] ^= 0xFF
open(sys.argv[2], "wb").write(data)
PY
cp run.out before-bad.out
if timeout 60 "$snap" restore bad-member.img </dev/null 2>bad-member.err; then
  fail "a tree whose member's page index is corrupt was restored"
fi
grep -q "checksum" bad-member.err || fail "the member's refusal names no checksum: $(cat bad-member.err)"
grep -q "another process of the tree could not be restored" bad-member.err ||
  fail "the first process did not fail the restore: $(cat bad-member.err)"
same run.out before-bad.out
restore_guest tree.img --background
capture again.img
release 1
# Lazily: each of the three live processes resumes before its pages are in and fills
# them through its own userfaultfd (a forked member once filled its pages through its
# parent's and failed).
"$snap" restore --lazy -v again.img </dev/null 2>>restore.err ||
  fail "restore --lazy of again.img ended with status $?: $(tail -3 restore.err)"
lazily=$(grep -c "its pages follow lazily" restore.err || true)
[[ $lazily == 3 ]] || fail "$lazily processes of the tree said they restored lazily, not 3: $(tail -5 restore.err)"
same run.out native.out
echo "process_tree: a tree with a pipe, a zombie and a grandchild captured and restored twice"
