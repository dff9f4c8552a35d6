# SPDX-License-Identifier: MIT
# make -j2 captured mid-build: one recipe waits for a file while the other objects are
# compiled (gcc runs cc1 and as under it: processes come and go, and make's jobserver pipe
# holds its tokens); the tree is captured, stops, and is restored, and the build finishes:
# the same lines as a native build (in the order the waiting recipe allows) and a program
# that runs.
source "$(dirname "$0")/lib.sh"
for i in 1 2 3 4 5 6; do
  printf 'int f%d(void) { return %d; }\n' "$i" "$i" >"f$i.c"
done
printf 'int f3(void);\nint main(void) { return f3() == 3 ? 0 : 1; }\n' >main.c
cat >Makefile <<'MAKE'
OBJS = f1.o f2.o f3.o f4.o f5.o f6.o main.o
prog: $(OBJS)
	gcc -o $@ $(OBJS)
	@echo linked
%.o: %.c
	@while [ ! -e go ] && [ "$*" = f3 ]; do sleep 0.05; done
	gcc -c -o $@ $<
	@echo built $@
MAKE
touch go
make -j2 >native.out 2>&1
./prog || fail "the native build's program failed"
rm -f ./*.o prog
rm go
start_guest run.out -- /usr/bin/make -j2
wait_for_line run.out "built main.o"
capture build.img
[[ ! -e prog ]] || fail "the build linked before the capture"
touch go
restore_guest build.img
./prog || fail "the restored build's program failed"
sort run.out >run.sorted
sort native.out >native.sorted
same run.sorted native.sorted
tail -1 run.out | grep -cx linked >/dev/null || fail "the restored build did not end linking: $(tail -3 run.out)"
echo "make_build: make -j2 captured mid-build, restored, and the build finished"
