#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tools/completion/bascule.bash, called as bash calls it: the subcommands and every option
# each --help lists (and no other), option values, extension names and keys after --ext
# (from the build tree and from BASCULE_EXT_PATH), paths, and the pid of a running
# runtime. Arguments: the completion file, the bascule, bascule-snap and bascule-replay
# binaries, and the directory of the tests' own extensions.
set -euo pipefail
export LC_ALL=C

source "$1"
bascule=$2
tools=("$2" "$3" "$4")
test_extensions=$5
work=$(mktemp -d)
guest=""
trap '[[ -z $guest ]] || kill "$guest" 2>/dev/null; rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# complete LINE: sets COMPREPLY as bash would for the end of LINE. Bash splits the line at
# blanks and at ':' and '=' (COMP_WORDBREAKS), each run of those a word of its own, and
# completes the last word ("" after a blank).
complete_line() {
  local line=$1 part
  local -a parts
  COMP_WORDS=()
  read -ra parts <<<"$line"
  [[ $line != *" " ]] || parts+=("")
  for part in "${parts[@]}"; do
    if [[ -z $part ]]; then
      COMP_WORDS+=("")
      continue
    fi
    while [[ $COMP_WORDBREAKS == *:* && $part =~ ^([^:=]*)([:=]+)(.*)$ ]]; do
      [[ -z ${BASH_REMATCH[1]} ]] || COMP_WORDS+=("${BASH_REMATCH[1]}")
      COMP_WORDS+=("${BASH_REMATCH[2]}")
      part=${BASH_REMATCH[3]}
    done
    [[ -z $part ]] || COMP_WORDS+=("$part")
  done
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  # As bash calls it: without errexit (its tests may fail), compopt complaining outside
  # a real completion.
  _bascule 2>/dev/null || :
}

offered() { printf '%s\n' "${COMPREPLY[@]}" | sort -u; }

# expect LINE WORD...: completing LINE offers each WORD (among others, maybe).
expect() {
  local line=$1 word
  shift
  complete_line "$line"
  for word in "$@"; do
    offered | grep -qxF -- "$word" || fail "'$line' does not offer '$word': $(offered | paste -sd' ')"
  done
}

# expect_only LINE WORD...: completing LINE offers exactly the WORDs.
expect_only() {
  local line=$1
  shift
  complete_line "$line"
  [[ $(offered) == "$(printf '%s\n' "$@" | sort -u)" ]] ||
    fail "'$line' offers '$(offered | paste -sd' ')', not '$*'"
}

# The options a --help lists, "NAME ARGUMENT" a line, ARGUMENT 1 when it takes one
# ("-o,--output TEXT  help" gives "-o 1" and "--output 1"): the names and their argument
# end at a run of blanks, and "Excludes:" or "Needs:" after the names is no argument.
help_options() {
  "$@" --help | awk '/^  -/ {
    field = substr($0, 3); sub(/  .*/, "", field)
    k = split(field, words, " "); n = split(words[1], names, ",")
    for (i = 1; i <= n; i++) print names[i], (k > 1 && words[2] !~ /:$/)
  }' | sort -u
}

help_subcommands() {
  "$1" --help | awk '/^Subcommands:/ { listing = 1; next } listing && /^  [a-z]/ { print $1 }'
}

# Every tool's subcommands, and every option of it and of each subcommand, exactly ("--"
# too where a program follows); an option's argument is completed exactly when it takes one.
for tool in "${tools[@]}"; do
  subcommands=$(help_subcommands "$tool")
  [[ -n $subcommands ]] || fail "$tool --help lists no subcommands"
  expect_only "$tool " $subcommands
  expect_only "$tool -" $(help_options "$tool" | cut -d' ' -f1)
  for sub in $subcommands; do
    options=$(help_options "$tool" "$sub")
    names=$(cut -d' ' -f1 <<<"$options")
    [[ $sub != run && $sub != record ]] || names+=$'\n--'
    expect_only "$tool $sub -" $names
    while read -r option argument; do
      completed=0
      [[ -z ${_bascule_arguments[${tool##*/} $sub $option]+set} ]] || completed=1
      ((completed == argument)) ||
        fail "${tool##*/} $sub $option: takes an argument: $argument in --help, $completed in the completion"
    done <<<"$options"
  done
done
expect_only "$bascule r" run
expect_only "${tools[1]} capture --le" --leave-running
expect_only "${tools[2]} replay --gdb-" --gdb-stdio

# Values: a choice, paths, and the same after "=".
cd "$work"
mkdir some-dir
touch stack.txt trace.bin
expect_only "$bascule run --syscall-path t" trap
expect_only "$bascule run --syscall-path=t" trap
expect_only "$bascule run --manifest st" stack.txt
expect_only "$bascule run --manifest=st" stack.txt
expect_only "$bascule run --working-directory s" some-dir
expect_only "${tools[2]} dump tr" trace.bin
expect_only "${tools[1]} capture 1 -o stack.txt --to " # a URI: nothing to offer

# After --: a program, then its arguments.
expect "$bascule run --ext null -- tru" true
expect "$bascule run -- /bin/true st" stack.txt

# Extension names after --ext, from the build tree beside the tool being completed and
# from BASCULE_EXT_PATH; then their keys, and paths as values.
expect "$bascule run --ext " null trace checkpoint fs-translate record
expect_only "$bascule run --ext tr" trace
expect_only "${tools[1]} restore --ext chec" checkpoint
expect_only "${tools[2]} record --ext nu" null
complete_line "$bascule run --ext cou"
[[ ${#COMPREPLY[@]} -eq 0 ]] || fail "an extension off the search path is offered: ${COMPREPLY[*]}"
BASCULE_EXT_PATH=$test_extensions expect_only "$bascule run --ext cou" counting
expect_only "$bascule run --ext trace:f" file= format= families=
expect_only "$bascule run --ext trace:file=x,fo" x,format= # readline replaces "x,fo"
expect_only "$bascule run --ext fs-translate:c" case-insensitive=
expect_only "$bascule run --ext trace:file=st" stack.txt
expect_only "$bascule run --ext fs-translate:bind=/etc:/etc:ro,overlay=some-dir:s" some-dir stack.txt
# The same where ':' and '=' break no words: whole words in, whole words out.
COMP_WORDBREAKS=$' \t\n"\'><;|&(' expect_only "$bascule run --ext trace:fo" trace:format=

# The pid of a running runtime, by its control socket, after capture.
"$bascule" run -- /bin/sleep 60 >/dev/null 2>&1 &
guest=$!
for _ in $(seq 100); do
  [[ -S /tmp/bascule-$UID/$guest.sock ]] && break
  sleep 0.1
done
expect "${tools[1]} capture " "$guest"

echo "completion: ${#tools[@]} tools' subcommands and options, values, extension specs and pids offered"
