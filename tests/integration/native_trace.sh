#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The trace of a guest lists every call it made: the guest records its own downcalls
# (BSC_NATIVE_CALL_LOG) and each must appear in the trace after the start upcall; the
# only extra calls are the ones writing that record.
source "$(dirname "$0")/lib.sh"

mkdir "$work/scratch"
run_status status env BSC_NATIVE_CALL_LOG="$work/calls" \
  "$bascule" run --ext "trace:format=json,file=$work/trace.json" -- \
  "$guests/abi_tour.guest" "$work/scratch" >/dev/null
[[ $status -eq 3 ]] || fail "exit status $status"
grep -q '^exit 3$' "$work/calls" || fail "the guest's call record is incomplete"

# Downcalls after the start upcall, by name.
sed -n '/"call":"start"/,$p' "$work/trace.json" | grep '"kind":"downcall"' |
  sed 's/.*"call":"\([a-z_]*\)".*/\1/' | sort >"$work/traced"
grep -v '^exit ' "$work/calls" | sort >"$work/made"
[[ -s $work/made ]] || fail "the guest recorded no calls"
missing=$(comm -23 "$work/made" "$work/traced")
[[ -z $missing ]] || fail "calls the guest made but the trace lacks: $(echo $missing)"
extra=$(comm -13 "$work/made" "$work/traced" | sort -u | tr '\n' ' ')
[[ $extra == "" || $extra =~ ^(object_close |stream_open |stream_write )+$ ]] ||
  fail "calls in the trace the guest did not make: $extra"
echo "native_trace: all $(wc -l <"$work/made") calls of abi_tour are in the trace"
