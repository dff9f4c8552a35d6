#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The manual pages in docs/man against the tools they describe, so that neither drifts:
# each subcommand's options in `--help` and in its page section, each extension's option
# keys in `bascule exts` and in bascule-extensions(7), the version, and a render without
# warnings. Arguments: the pages' directory, then the bascule, bascule-snap and
# bascule-replay binaries. Reports every disagreement, then fails if there was one.
set -euo pipefail
export LC_ALL=C # one collation for sort and comm

pages=$1
bascule=$2
tools=("$2" "$3" "$4")
problems=0

problem() {
  echo "FAIL: $*" >&2
  problems=$((problems + 1))
}

# A page's structure: "S<TAB>SECTION" for each .SS heading and "T<TAB>SECTION<TAB>TAG"
# for each .TP tag, SECTION being ".SH" or ".SH/.SS" and the text plain (fonts dropped,
# \- as -).
page_structure() {
  awk '
    function plain(s) {
      gsub(/\\f[BIRP]/, "", s); gsub(/\\-/, "-", s); gsub(/\\&/, "", s); gsub(/"/, "", s)
      return s
    }
    /^\.SH / { sh = plain(substr($0, 5)); section = sh; next }
    /^\.SS / { section = sh "/" plain(substr($0, 5)); print "S\t" section; next }
    /^\.TP/ { tag = 1; next }
    tag { tag = 0; print "T\t" section "\t" plain($0) }
  ' "$1"
}

# An option as "NAMES ARGUMENT", for comparing: NAMES sorted and joined by commas,
# ARGUMENT 1 if it takes one. Given the text that names it, "-o, --output IMAGE" in a
# page or "-o,--output TEXT REQUIRED" in --help (where "Excludes:" or "Needs:" after the
# names is no argument).
signature='
  function signature(text,    words, n, names, k, i, j, t) {
    gsub(/, /, ",", text)
    n = split(text, words, " ")
    k = split(words[1], names, ",")
    for (i = 2; i <= k; i++)
      for (j = i; j > 1 && names[j - 1] > names[j]; j--) { t = names[j]; names[j] = names[j - 1]; names[j - 1] = t }
    t = names[1]
    for (i = 2; i <= k; i++) t = t "," names[i]
    return t " " (n > 1 && words[2] !~ /:$/)
  }'

# The signatures of the option tags (those starting with "-") read on stdin.
option_signatures() {
  awk "$signature"' /^-/ { print signature($0) }' | sort
}

# The signatures of the options a `--help` lists, each on a line "  -o,--output TEXT  help"
# whose names and argument end at a run of blanks (CLI11 pads to the help column).
help_signatures() {
  "$@" --help | awk "$signature"'
    /^  -/ { field = substr($0, 3); sub(/  .*/, "", field); print signature(field) }' | sort
}

help_subcommands() {
  "$1" --help | awk '/^Subcommands:/ { listing = 1; next } listing && /^  [a-z]/ { print $1 }' | sort
}

# Reports what one list has and the other lacks: LABEL, then the two sorted lists, the
# tool's and the page's, one item a line.
compare() {
  local label=$1 line
  while IFS= read -r line; do
    problem "$label: in the tool, not in the page: $line"
  done < <(comm -23 <(sed '/^$/d' <<<"$2") <(sed '/^$/d' <<<"$3"))
  while IFS= read -r line; do
    problem "$label: in the page, not in the tool: $line"
  done < <(comm -13 <(sed '/^$/d' <<<"$2") <(sed '/^$/d' <<<"$3"))
}

# The tags of one section of the page whose structure is in $structure.
tags_of() {
  awk -F'\t' -v s="$1" '$1 == "T" && $2 == s { print $3 }' <<<"$structure"
}

check_render() {
  local warnings
  warnings=$(groff -man -Tutf8 -ww -z "$1" 2>&1) || problem "$1: groff failed"
  [[ -z $warnings ]] || problem "$1: groff warns: $warnings"
}

check_version() {
  local page=$1 tool=$2 printed
  printed=$("$tool" --version | awk '{ print $2 }')
  grep -q "^\.TH .*\"Bascule $printed\"" "$page" ||
    problem "$page: .TH does not name version $printed, which $(basename "$tool") --version prints"
}

for tool in "${tools[@]}"; do
  name=$(basename "$tool")
  page=$pages/$name.1
  structure=$(page_structure "$page")
  check_render "$page"
  check_version "$page" "$tool"
  compare "$name" "$(help_signatures "$tool")" \
    "$(tags_of OPTIONS | option_signatures)"
  subcommands=$(help_subcommands "$tool")
  sections=$(awk -F'\t' -v prefix="COMMANDS/$name " '
    $1 == "S" && index($2, prefix) == 1 { print substr($2, length(prefix) + 1) }' <<<"$structure" | sort)
  [[ -n $subcommands ]] || problem "$name --help lists no subcommands"
  compare "$name subcommands" "$subcommands" "$sections"
  for sub in $subcommands; do
    # -h, --help is described once, under OPTIONS, not in every subcommand's section.
    compare "$name $sub" "$(help_signatures "$tool" "$sub" | sed '/^--help,-h /d')" \
      "$(tags_of "COMMANDS/$name $sub" | option_signatures)"
  done
done

# bascule-extensions(7) against the extensions built in this tree: their names (from
# their files, as --ext takes them) and option keys (a repeatable key's "+" dropped).
page=$pages/bascule-extensions.7
check_render "$page"
check_version "$page" "$bascule"
structure=$(page_structure "$page")
listing=$(BASCULE_EXT_PATH='' "$bascule" exts | awk -v tree="$(cd "$(dirname "$bascule")" && pwd)/extensions/" '
  /^    file: / {
    file = substr($0, 11); ours = index(file, tree) == 1
    name = file; sub(/.*\/bascule-ext-/, "", name); sub(/\.so$/, "", name)
    if (ours) print name "\t"
  }
  /^    option / && ours { key = $2; sub(/:$/, "", key); sub(/\+$/, "", key); print name "\t" key }')
extensions=$(cut -f1 <<<"$listing" | sort -u)
[[ -n $extensions ]] || problem "bascule exts lists no extension of this tree"
compare "extensions" "$extensions" \
  "$(awk -F'\t' '$1 == "S" && $2 ~ /^EXTENSIONS\// { sub(/^EXTENSIONS\//, "", $2); print $2 }' \
    <<<"$structure" | sort)"
for extension in $extensions; do
  compare "extension $extension" \
    "$(awk -F'\t' -v e="$extension" '$1 == e && $2 != "" { print $2 }' <<<"$listing" | sort)" \
    "$(tags_of "EXTENSIONS/$extension" | sed 's/[=[ ].*//' | sort)"
done

((problems == 0)) || exit 1
echo "man_pages: ${#tools[@]} tools' subcommands and options, $(wc -w <<<"$extensions") extensions' keys, and the renders agree"
