#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The lifecycle events as abi/guide/events/start.md shows them: event-log above and below
# a null, around /bin/true. Arguments: bascule, the test extensions' directory.
set -euo pipefail
bascule=$1
export BASCULE_EXT_PATH=$2
seen=$("$bascule" run --ext event-log:label=top --ext null --ext event-log:label=bottom \
  -- /bin/true 2>&1 | sed 's/ p[0-9]* t[0-9]* / /')
expected="bottom: init at position 2
top: init at position 0
top: START
bottom: START
top: process_exec /usr/bin/true
bottom: process_exec /usr/bin/true
top: EXIT
bottom: EXIT"
if [[ $seen != "$expected" ]]; then
  echo "FAIL: events came as"$'\n'"$seen"$'\n'"not as"$'\n'"$expected"
  exit 1
fi
echo "events: init bottom-up; START, process_exec, EXIT top to bottom"
