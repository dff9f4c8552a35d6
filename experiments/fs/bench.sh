#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fs-translate against proot: the same workloads natively, under `bascule run` without
# and with fs-translate (root= with read-only binds, and an overlay as the root), and
# under proot with the same mapping (-r ROOT -b ...). Wall time with hyperfine; a table
# (table.md) and a plot (fs.png) from plot.py. See experiments/README.md.
#
# Usage: experiments/fs/bench.sh [BUILD_DIR] [RUNS]   (default build/release, 5)
# Environment: TREE (default /usr/share/doc), the tree find, tar and ls -R walk;
#              RESULTS=DIR (default experiments/fs/results/YYYYmmdd-HHMMSS, git-ignored).
# Needs hyperfine and proot (scripts/install-deps --experiments installs both).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build/release}" && pwd)
runs=${2:-5}
tree=${TREE:-/usr/share/doc}
results=${RESULTS:-$here/results/$(date +%Y%m%d-%H%M%S)}
bascule=$build/bascule
for tool in hyperfine proot; do
  command -v $tool >/dev/null || { echo "bench.sh: $tool is missing (scripts/install-deps --experiments)" >&2; exit 1; }
done
mkdir -p "$results"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The root: the host's top-level links copied, /usr and /etc (and real /lib* directories)
# bound read-only; the same mapping for fs-translate and for proot.
source "$here/../../extensions/fs-translate/host_root.sh"
root=$work/root
host_root_make "$root"
binds=$(host_root_binds)
proot_binds=(-b /dev -b /proc)
while read -r directory; do
  proot_binds+=(-b "$directory")
done < <(host_root_bound)
mkdir -p "$work/upper"

declare -A configs=(
  [native]=""
  [bascule]="$bascule run --"
  [fs-root]="$bascule run --ext fs-translate:root=$root,$binds --"
  [fs-overlay]="$bascule run --ext fs-translate:overlay=$root:$work/upper,$binds --"
  [proot]="proot -r $root ${proot_binds[*]}"
)
order=(native bascule fs-root fs-overlay proot)
declare -A workloads=(
  [find]="find $tree"
  [tar]="tar cf /dev/null $tree"
  [python3-startup]="/usr/bin/python3 -c pass"
  [ls-R]="ls -R $tree"
)
workload_order=(find tar python3-startup ls-R)

for workload in "${workload_order[@]}"; do
  commands=()
  names=()
  for config in "${order[@]}"; do
    commands+=("${configs[$config]} ${workloads[$workload]} >/dev/null")
    names+=(-n "$config")
  done
  # Every configuration must give the native answer before it is timed.
  expected=$(bash -c "${workloads[$workload]}" 2>&1 | sha256sum)
  for config in "${order[@]}"; do
    got=$(bash -c "${configs[$config]} ${workloads[$workload]}" 2>&1 | sha256sum)
    [[ $got == "$expected" ]] || echo "bench.sh: $workload under $config differs from native" >&2
  done
  hyperfine --warmup 1 --runs "$runs" --export-json "$results/$workload.json" "${names[@]}" \
    "${commands[@]}" >"$results/$workload.txt"
  echo "bench.sh: $workload done"
done
{
  echo "machine: $(nproc) CPUs, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ), bascule $(git -C "$here" rev-parse --short HEAD)"
  echo "tree: $tree ($(find "$tree" | wc -l) names), $runs runs after 1 warm-up"
} >"$results/machine.txt"
/usr/bin/python3 "$here/plot.py" "$results" "${workload_order[@]}"
echo "bench.sh: results in $results"
