# SPDX-License-Identifier: MIT
# For test scripts whose $build is the build directory: what this machine allows.

# machine_says FACT: whether `bascule host` reports FACT (fsgsbase, timestamps_trap) true.
machine_says() { [[ $("$build/bascule" host --json) == *"\"$1\": true"* ]]; }
