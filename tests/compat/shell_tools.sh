#!/bin/bash
# SPDX-License-Identifier: MIT
# Tools that run tools: xargs running two sha256sum at once, a tar | gzip | gzip -d | tar
# pipeline, and find -exec, compared with a native run.
set -euo pipefail
find . -type f | sort | xargs -P2 -n4 sha256sum | sort
tar c docs lines.txt table.csv | gzip | gzip -d | tar t | sort
tar c docs | gzip -9 | gzip -dc | tar x -C empty
find empty -type f | sort
find docs -name '*.txt' -exec wc -l {} + | sort
seq 1 20 | xargs -n 5 echo
