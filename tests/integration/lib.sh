# SPDX-License-Identifier: MIT
# Shared helpers of the integration test scripts. Each script gets the build directory
# as $1 and exits non-zero with a message on the first failure.
set -euo pipefail

build=$(cd "$1" && pwd)
bascule=$build/bascule
guests=$build/tests/guests
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
source "$(dirname "${BASH_SOURCE[0]}")/../machine.sh"

# run_status VAR CMD...: runs CMD, storing its exit status in VAR without tripping set -e.
run_status() {
  local -n status_var=$1
  shift
  status_var=0
  "$@" || status_var=$?
}

# The stacks every guest is compared through: none, one, and eight extensions.
stack_0=()
stack_1=(--ext null)
stack_8=(--ext null --ext "trace:file=$work/trace8a" --ext null --ext null
         --ext "trace:format=json,file=$work/trace8b" --ext null --ext null --ext null)
