#!/bin/bash
# SPDX-License-Identifier: MIT
# Tools that run tools: xargs running two sha256sum at once, a tar | gzip | gzip -d | tar
# pipeline, find -exec, and flock(1) between the shell and its children, compared with a
# native run.
set -euo pipefail
find . -type f | sort | xargs -P2 -n4 sha256sum | sort
tar c docs lines.txt table.csv | gzip | gzip -d | tar t | sort
tar c docs | gzip -9 | gzip -dc | tar x -C empty
find empty -type f | sort
find docs -name '*.txt' -exec wc -l {} + | sort
seq 1 20 | xargs -n 5 echo
# The shell holds an exclusive lock on descriptor 9: a child's own open of the file is
# refused, a child sharing descriptor 9 holds the same lock, and after the unlock a child
# gets it.
exec 9> lock
flock 9
flock -n lock -c 'echo never' || echo "refused while held: $?"
flock -n 9 && echo "the shared descriptor holds it"
flock -u 9
flock -n lock -c 'echo "got it after the unlock"'
flock -s 9
flock -s -n lock -c 'echo "a shared lock beside a shared one"'
exec 9>&-
