# SPDX-License-Identifier: MIT
# capture -> restore -> capture -> restore: a restored guest is captured again, and an
# incremental image of a guest that changed about 1% of its pages is about 1% of the full one.
source "$(dirname "$0")/lib.sh"
"$programs/heap_counter" 256 16 150 1 >native.out
HOLD_AT=3,4,8 start_guest run.out -- "$programs/heap_counter" 256 16 150 1
wait_for_line run.out "tick 3"
capture first.img --leave-running
before=$(wc -l <run.out)
release 3
wait_for_line run.out "tick 4"
capture delta.img --parent first.img
read_mib=$(sed -n 's/.*wrote [^ ]*delta.img.*read \([0-9.]*\) of \([0-9.]*\) MiB of memory.*/\1 \2/p' capture.err)
ticks=$(($(wc -l <run.out) - before + 1)) # each rewrote 1% of the heap's pages
release 4
restore_guest delta.img --background
wait_for_line run.out "tick 8"
capture second.img
release 8
restore_guest second.img
same run.out native.out
full=$(stat -c %s first.img)
delta=$(stat -c %s delta.img)
echo "capture_chain: full image $full bytes, incremental $delta bytes after $ticks ticks"
# Each tick between the captures rewrote 1% of the pages; allow 0.2% more for the index
# and the metadata (1 tick: 0.99% here).
((delta * 1000 < full * (ticks * 10 + 2))) ||
  fail "the incremental image is $delta bytes, over $ticks.2% of $full after $ticks ticks"
"$snap" verify delta.img >/dev/null || fail "verify refused the incremental image"
# Where the host counts writes (Linux >= 6.7: vm_written_query), the incremental capture
# of the process that took the first image reads only the pages written since.
[[ -n $read_mib ]] || fail "the capture did not say how much memory it read"
echo "capture_chain: the incremental capture read $read_mib MiB (read, of all)"
if printf '%s\n6.7\n' "$(uname -r | cut -d- -f1)" | sort -V -C -r; then
  read -r read_part all <<<"$read_mib"
  awk -v r="$read_part" -v a="$all" 'BEGIN { exit !(r * 10 < a) }' ||
    fail "the incremental capture read $read_part of $all MiB: the pages not written were read"
fi
