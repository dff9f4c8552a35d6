#!/bin/bash
# SPDX-License-Identifier: MIT
# bash's ways of making processes, compared with a native run: pipelines, command and
# process substitution, subshells, here-documents, redirections, background jobs with
# wait, traps, set -e, a child killed by a signal, and a `while read` loop whose body
# reads the same stdin (one file offset shared between the shell and its children).
set -u
seq 1 100000 | sort -rn | head -3
echo "substituted: $(echo inner | tr a-z A-Z) $(( $(seq 1 10 | wc -l) * 2 ))"
names=$(cd docs && ls)
echo "names: $names"
( echo "in a subshell"; exit 3 )
echo "subshell status $?"
cat <<EOF
here-document $((6 * 7)) ${HOME:+has-home}
EOF
cat <<'EOF' | wc -l
a $not_expanded
b
EOF
cat <(echo "process substitution")
echo out >out.txt
echo "to stderr" 1>&2
cat <out.txt >>appended.txt 2>&1
cat <out.txt >>appended.txt
cat appended.txt
{ echo a; echo b >&2; } 2>&1 | sort
exec 3>fd3.txt
echo "through fd 3" >&3
exec 3>&-
cat fd3.txt
for i in 1 2 3 4; do (echo "job $i" >job$i.txt) & done
wait
cat job1.txt job2.txt job3.txt job4.txt
yes | head -n 2
echo "pipestatus ${PIPESTATUS[*]}"
false | true
echo "pipestatus ${PIPESTATUS[*]}"
set -o pipefail
false | true || echo "pipefail $?"
set +o pipefail
sleep 1000 &
kill $!
wait $! || echo "killed job status $?"
bash -c 'trap "echo trap on exit" EXIT; echo body'
bash -c 'set -e; echo before; false; echo not reached' || echo "set -e status $?"
trap 'echo got USR1' USR1
kill -USR1 $$
echo "after USR1"
printf '1\n2\n3\n4\n5\n6\n7\n' >numbers.txt
while read -r line; do
  echo "read $line, head $(head -n1)"
done <numbers.txt
(read -r first; echo "first $first"; cat) <numbers.txt
sh -c 'exit 7' || echo "sh status $?"
x=0; for i in $(seq 1 50); do x=$((x + $(echo $i))); done; echo "sum $x"
