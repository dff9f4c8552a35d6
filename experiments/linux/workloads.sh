# SPDX-License-Identifier: MIT
# The real programs overhead.sh times and profile.sh profiles, each as a command line
# (workloads[NAME]) with what must be done before every run (prepare[NAME]), in
# workload_order. Sourced after lib.sh, whose scratch directory ($work) they use.
{
  echo "create table t (a integer, b text); begin;"
  seq 1 10000 | sed "s/.*/insert into t values (&, 'row &');/"
  echo "commit; select count(*) from t;"
} >"$work/inserts.sql"
c_project "$work/project"

# A workload runs as "CONFIG WORKLOAD" (CONFIG: nothing, or `bascule run --` and the
# like). tar writes to a file: given /dev/null, GNU tar skips reading the files.
declare -A workloads=(
  [python3-startup]="/usr/bin/python3 -c pass"
  [python-loop]="/usr/bin/python3 -c 'print(sum(i * i for i in range(3_000_000)))'"
  [sqlite-10k-inserts]="/usr/bin/sqlite3 $work/db <$work/inserts.sql"
  [find-usr]="/usr/bin/find /usr -type f"
  [tar-usr-share-doc]="/usr/bin/tar cf $work/doc.tar /usr/share/doc"
  [make-j2]="/usr/bin/make -s -C $work/project -j2"
  [fork-shell]="/bin/bash -c 'for i in \$(seq 100); do /bin/true; done'"
)
declare -A prepare=(
  [sqlite-10k-inserts]="rm -f $work/db"
  [make-j2]="rm -f $work/project/*.o $work/project/prog"
)
workload_order=(python3-startup python-loop sqlite-10k-inserts find-usr tar-usr-share-doc make-j2 fork-shell)
