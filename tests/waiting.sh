# SPDX-License-Identifier: MIT
# For test scripts that define fail(): waiting for a background guest's output.

# wait_for_output FILE PATTERN PID: until a line of FILE matches PATTERN (60 s at most);
# fails if process PID ends first.
wait_for_output() {
  for _ in $(seq 600); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || fail "the guest ended before printing '$2'"
    sleep 0.1
  done
  fail "no line '$2' in $1 after 60 s"
}
