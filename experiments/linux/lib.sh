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
# needs TOOL...: stops the script, naming the first TOOL that is missing.
needs() {
  for tool; do
    command -v "$tool" >/dev/null ||
      { echo "$(basename "$0"): $tool is missing (scripts/install-deps --experiments)" >&2; exit 1; }
  done
}
# results_in NAME: $RESULTS, or a new results/NAME-DATE folder, made; the script's output.
results_in() {
  results=${RESULTS:-$here/results/$1-$(date +%Y%m%d-%H%M%S)}
  mkdir -p "$results"
}
# mean JSON: the mean time of hyperfine's first command in its --export-json file.
mean() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$1"; }

# c_project DIR: a small C project in DIR, eight files and a program linked from them, with
# a Makefile (`make -C DIR -j2` forks and execs gcc's cc1, as and ld for each).
c_project() {
  mkdir -p "$1"
  for i in 1 2 3 4 5 6 7 8; do
    printf 'int f%d(int x) { return x * %d + %d; }\n' "$i" "$i" "$i" >"$1/f$i.c"
  done
  {
    for i in 1 2 3 4 5 6 7 8; do printf 'int f%d(int);\n' "$i"; done
    printf '#include <stdio.h>\nint main(void) { int s = 0;\n'
    for i in 1 2 3 4 5 6 7 8; do printf '    s += f%d(%d);\n' "$i" "$i"; done
    printf '    printf("%%d\\n", s); return 0; }\n'
  } >"$1/main.c"
  printf 'OBJS = main.o f1.o f2.o f3.o f4.o f5.o f6.o f7.o f8.o\nprog: $(OBJS)\n\tcc -o $@ $(OBJS)\n%%.o: %%.c\n\tcc -O2 -c $< -o $@\n' \
    >"$1/Makefile"
}
