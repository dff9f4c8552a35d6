#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The fixture, and inputs large enough for programs to use their threads: 150,000 lines
# (GNU sort sorts in parallel from 131,072 lines) and an xz file of several blocks.
set -euo pipefail
bash "$(dirname "$0")/fixture.sh"
seq 1 150000 | mawk '{ print ($1 * 7919) % 150001, "line", $1 }' >numbers.txt
xz -T2 --block-size=256KiB -c numbers.txt >blocks.xz
