# SPDX-License-Identifier: MIT
# sqlite3 in the middle of a script on a file database: the first half of the script has
# run when the guest is captured; the restored sqlite3 reads the second half and the
# database ends as a native run leaves it.
source "$(dirname "$0")/lib.sh"
{
  echo "create table t(a integer primary key, b text);"
  echo "begin;"
  for i in $(seq 5000); do echo "insert into t(b) values('first $i');"; done
  echo "commit;"
  echo "select count(*), sum(a) from t;"
  echo ".print half"
} >part1.sql
{
  echo "begin;"
  for i in $(seq 5000); do echo "insert into t(b) values('second $i');"; done
  echo "commit;"
  echo "select count(*), sum(a), max(b) from t;"
  echo "select b from t where a % 997 = 0;"
} >part2.sql
cat part1.sql part2.sql | sqlite3 native.db >native.out
# The guest reads the first half from a pipe whose writer stays open, so it is waiting
# for more when it is captured. The writer ends once told to, or once this script has
# (else it would hold ctest's output open, waiting in a deleted directory).
mkfifo feed
{ cat part1.sql; while [[ ! -e fed ]] && kill -0 $$ 2>/dev/null; do sleep 0.1; done; } >feed &
feeder=$!
"$bascule" run --ext checkpoint -- sqlite3 run.db <feed >run.out 2>run.out.err &
guest_pid=$!
wait_for_line run.out "half"
capture sqlite.img
touch fed
wait "$feeder"
"$snap" restore sqlite.img <part2.sql 2>>restore.err || fail "restore ended with status $?"
same run.out native.out
[[ $(sqlite3 run.db .dump) == "$(sqlite3 native.db .dump)" ]] || fail "the databases differ"
echo "sqlite_script: output and database match the native run"
