#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A directory swapped for a link to outside the root while the guest opens a file through
# it: fs-translate checks that the host opened the object its walk saw, and walks again
# if not, so the guest reads the file inside or finds none, never the one outside.
source "$(dirname "$0")/fs_translate_lib.sh"
root=$work/root
make_root "$root"
mkdir -p "$root/swap" "$work/outside"
echo inside >"$root/swap/f"
echo SECRET >"$work/outside/f"

# The host side: swaps /swap between the directory and a link to the outside directory
# until told to stop (the guest has finished), leaving the directory in place for a few
# looks at it each time, so that the guest finds it too.
/usr/bin/python3 -c '
import os, sys
swap, outside, stop = sys.argv[1:]
while not os.path.exists(stop):
    os.rename(swap, swap + ".real")
    os.symlink(outside, swap)
    os.unlink(swap)
    os.rename(swap + ".real", swap)
    for _ in range(20):
        os.stat(swap)
' "$root/swap" "$work/outside" "$work/stop" &
swapper=$!

run_status status in_root "$root" -- /usr/bin/python3 -c '
import collections, errno
seen = collections.Counter()
for _ in range(3000):
    try:
        with open("/swap/f") as f:
            seen[f.read().strip()] += 1
    except OSError as e:
        seen[errno.errorcode[e.errno]] += 1
print(dict(seen))
' >"$work/out"
touch "$work/stop"
wait "$swapper"
[[ $status -eq 0 ]] || fail "the guest ended with status $status"
! grep -q SECRET "$work/out" || fail "the guest read the file outside the root: $(cat "$work/out")"
grep -q "'inside'" "$work/out" || echo "(the guest never found the directory in place)"
echo "fs_translate_race: $(cat "$work/out"); nothing outside the root was read"
