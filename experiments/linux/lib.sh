# SPDX-License-Identifier: MIT
# What the experiments of this folder share: the build directory ($1, default
# build/release), the number of runs ($2, default 5), the runtime, and a scratch
# directory removed at exit. Sourced first by each script.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build/release}" && pwd)
runs=${2:-5}
bascule=$build/bascule
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# mean JSON: the mean time of hyperfine's first command in its --export-json file.
mean() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$1"; }
