#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `bascule exts` lists the built extensions with their descriptors.
source "$(dirname "$0")/lib.sh"
"$bascule" exts >"$work/list"
for name in null trace fs-translate; do
  grep -q "^$name " "$work/list" || fail "exts does not list $name: $(cat "$work/list")"
done
"$bascule" exts --json | grep -c '"name": *"trace"' >/dev/null || fail "exts --json lacks trace"
"$bascule" --version | grep -c '^bascule ' >/dev/null || fail "--version"
echo "exts_listing: null, trace and fs-translate listed"
