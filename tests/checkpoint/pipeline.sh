# SPDX-License-Identifier: MIT
# A bash pipeline captured while data flows: a producer's first half waits in the pipe to
# a stage that waits for a file (polling with /bin/sleep, so processes come and go), then
# sort and sha256sum. The whole tree is captured, stops, and is restored: it finishes as
# a native run does. A capture of a member of the tree is refused; inspect and verify see
# every process.
source "$(dirname "$0")/lib.sh"
cp "$(dirname "$0")/programs/pipeline_producer.py" producer.py
pipeline='/usr/bin/python3 producer.py | { while [ ! -e go ]; do sleep 0.05; done; cat; } | sort | sha256sum'
touch go
bash -c "$pipeline" >native.out 2>/dev/null
rm go
start_guest run.out -- /bin/bash -c "$pipeline"
wait_for_line run.out.err "produced"
member=$(ps -o pid= --ppid "$guest_pid" | sed -n 1p | tr -d ' ')
[[ -n $member ]] || fail "the guest has no child process"
if "$snap" capture "$member" -o member.img 2>member.err; then
  fail "a member of the tree was captured alone"
fi
grep -q "belongs to the guest tree of process $guest_pid" member.err ||
  fail "the refusal does not name the tree: $(cat member.err)"
[[ ! -e member.img ]] || fail "a refused capture left an image"
image=tree-$$.img # a name of its own: the checks below see no other run's members
capture "$image"
! compgen -G ".$image.member-*" >/dev/null || fail "the members' images were left behind"
! compgen -G "/dev/shm/.$image.member-*" >/dev/null || fail "the members' images were left in /dev/shm"
"$snap" verify "$image" >verify.out || fail "verify: $(cat verify.out)"
grep -q "processes" verify.out || fail "verify did not check the tree: $(cat verify.out)"
"$snap" inspect "$image" >inspect.out
processes=$(grep -c "^== process" inspect.out)
[[ $processes -ge 4 ]] || fail "inspect shows $processes more processes, not at least 4 (bash, producer, the waiting stage, sort, sha256sum)"
grep -q "kind=pipe_read" inspect.out || fail "the image holds no pipe"
touch go
restore_guest "$image"
same run.out native.out
echo "pipeline: a bash pipeline's tree captured mid-flow and restored"
