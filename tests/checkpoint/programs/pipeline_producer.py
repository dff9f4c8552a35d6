# SPDX-License-Identifier: MIT
# The first stage of checkpoint.pipeline: writes lines in two halves, the second once a
# file "go" exists in its working directory; says on stderr when the first half is out.
import os
import sys
import time


def half(start):
    for i in range(start, start + 3000):
        sys.stdout.write(f"{(i * 7919) % 10007:05d} line {i}\n")
    sys.stdout.flush()


half(0)
print("produced", file=sys.stderr, flush=True)
while not os.path.exists("go"):
    time.sleep(0.05)
half(3000)
