#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# case-insensitive=GUEST_PATH: below it a name in any case finds the stored one (Unicode
# simple case folding), a create in another case opens the existing entry, listings show
# names as stored, a rename can change a name's case; above it names stay exact.
source "$(dirname "$0")/fs_translate_lib.sh"

tree=$work/tree
mkdir -p "$tree/Docs/Sub" "$tree/exact"
echo "the readme" >"$tree/Docs/readme.txt"
echo "foo" >"$tree/Docs/foo"
echo "ä" >"$tree/Docs/ärger"
echo "deep" >"$tree/Docs/Sub/Deep.txt"
echo "exact" >"$tree/exact/name"

ext="fs-translate:case-insensitive=$tree/Docs"
out=$(cd "$tree" && "$bascule" run --ext "$ext" -- /bin/bash -c \
  'echo $(<Docs/README.TXT) $(<Docs/SUB/deep.TXT) $(<Docs/ÄRGER); echo $(<exact/name)')
[[ $out == $'the readme deep \xc3\xa4\nexact' ]] || fail "case-insensitive reads printed '$out'"
# Above the tree and beside it names stay exact, as on the host.
for path in docs/readme.txt exact/NAME; do
  run_status status bash -c "cd '$tree' && '$bascule' run --ext '$ext' -- /bin/bash -c 'echo \$(<$path)'" \
    >/dev/null 2>"$work/err"
  grep -qF "$path: No such file or directory" "$work/err" || fail "$path was found: $(cat "$work/err")"
done

out=$("$bascule" run --ext "$ext" -- /usr/bin/python3 -c '
import os, sys
d = sys.argv[1]
with open(d + "/Foo", "w") as f:
    f.write("written as Foo\n")
try:
    os.mkdir(d + "/SUB")
except FileExistsError:
    print("mkdir SUB: exists")
print(sorted(os.listdir(d)))
print(open(d + "/FOO").read().strip(), os.path.exists(d + "/sub/DEEP.txt"))
os.rename(d + "/README.txt", d + "/ReadMe.TXT")
print(sorted(os.listdir(d)))
' "$tree/Docs")
expected="mkdir SUB: exists
['Sub', 'foo', 'readme.txt', 'ärger']
written as Foo True
['ReadMe.TXT', 'Sub', 'foo', 'ärger']"
[[ $out == "$expected" ]] || fail "python3 printed '$out', expected '$expected'"
[[ $(cat "$tree/Docs/foo") == "written as Foo" && ! -e $tree/Docs/Foo ]] ||
  fail "creating Foo did not open foo: $(ls "$tree/Docs")"

run_status status "$bascule" run --ext "fs-translate:case-insensitive=$tree/Docs/readme.txt" -- /bin/true 2>"$work/err"
[[ $status -eq 2 ]] && grep -qF "is no directory in the namespace" "$work/err" ||
  fail "a file as the case-insensitive tree gave $status: $(cat "$work/err")"
echo "fs_translate_case: lookups below the tree ignore case, creates open the stored entry"
