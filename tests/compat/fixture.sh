#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The fixture every compatibility case starts from: a small tree of text files.
set -euo pipefail
mkdir -p docs/sub empty
printf 'one\ntwo\nthree\ntwo\nfour\n' >lines.txt
printf 'b,2\na,1\nc,3\na,1\n' >table.csv
for i in $(seq 1 200); do echo "line $i of the long file $((i * 7919 % 1000))"; done >docs/long.txt
printf 'hello from sub\n' >docs/sub/hello.txt
ln -s lines.txt link-to-lines
# Archives with fixed names and times, so both copies of the fixture are identical.
gzip -nc lines.txt >lines.gz
tar --mtime=@1600000000 --owner=0 --group=0 --numeric-owner -cf bundle.tar docs
# 10,000 inserts in one transaction for sqlite3
{
  echo "create table t (a integer, b text);"
  echo "begin;"
  seq 1 10000 | sed "s/.*/insert into t values (&, 'row &');/"
  echo "commit;"
} >inserts.sql
