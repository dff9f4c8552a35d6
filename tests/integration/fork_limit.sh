# SPDX-License-Identifier: MIT
# A fork the host refuses for a resource limit returns EAGAIN to the guest, which goes on:
# the guest and a native run, each in a pids cgroup that allows 16 tasks, print the same.
# Needs root and a pids cgroup hierarchy (v1, or v2 with the pids controller).
source "$(dirname "$0")/lib.sh"
script=$(dirname "$0")/fork_limit.py

# The directory of a pids hierarchy new cgroups may be made in, or nothing.
pids_hierarchy() {
  if [[ -w /sys/fs/cgroup/pids/cgroup.procs ]]; then
    echo /sys/fs/cgroup/pids
    return
  fi
  local v2
  v2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
  if [[ -n $v2 ]] && grep -qw pids "$v2/cgroup.controllers" 2>/dev/null &&
     echo +pids > "$v2/cgroup.subtree_control" 2>/dev/null; then
    echo "$v2"
  fi
}

hierarchy=$( [[ $(id -u) == 0 ]] && pids_hierarchy || true)
if [[ -z $hierarchy ]]; then
  echo "fork_limit: no pids cgroup this user may make (needs root): not run"
  exit 0
fi
cgroup=$hierarchy/bascule-fork-limit-$$
mkdir "$cgroup"
trap 'rmdir "$cgroup" 2>/dev/null; rm -rf "$work"' EXIT
echo 16 > "$cgroup/pids.max"

# limited CMD...: runs CMD in the cgroup.
limited() { bash -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cgroup" "$@"; }

expected=$(limited /usr/bin/python3 "$script")
actual=$(limited "$bascule" run -- /usr/bin/python3 "$script")
[[ $expected == *"failed with EAGAIN"*"all exited: True"*"exit code 7" ]] ||
  fail "the native run printed: $expected"
[[ $actual == "$expected" ]] || fail "under bascule: $actual (native: $expected)"
echo "fork_limit: a refused fork gives EAGAIN under bascule as natively"
