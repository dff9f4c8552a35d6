#!/bin/bash
# SPDX-License-Identifier: MIT
# gcc and make -j2 (cc1, as and ld forked and exec'd) build a small C project, and gcc
# builds a hello world; the programs' output and the exit codes are compared with a
# native run, not make's order of work. The built files are removed: only output counts.
set -u
project=$(dirname "$0")/programs/make_project
cp "$project"/*.c "$project"/*.h "$project"/Makefile .
make -s -j2
echo "make status $?"
./app 7
echo "app status $?"
make -s -j2
echo "make again status $?"
touch b.c
make -s -j2 && ./app 3
cat >hello.c <<'EOF'
#include <stdio.h>
int main(void) { printf("hello, world\n"); return 0; }
EOF
gcc hello.c -o hello && ./hello
echo "hello status $?"
printf 'int main(void) { return }\n' >broken.c
gcc broken.c -o broken 2>/dev/null
echo "broken status $?"
rm -f ./*.o app hello hello.c broken.c ./*.h ./*.c Makefile
