#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Programs run in a root assembled from the host's files: `/` lists the new root, bash,
# ls, python3 and sqlite3 work, and the working directory is the guest's.
source "$(dirname "$0")/fs_translate_lib.sh"
root=$work/root
make_root "$root"

expected=$(ls -A "$root")
out=$(in_root "$root" -- /bin/ls -A /)
[[ $out == "$expected" ]] || fail "ls / printed '$out', expected '$expected'"
out=$(in_root "$root" -- /usr/bin/ls -A /usr/../../..)
[[ $out == "$expected" ]] || fail "ls /usr/../../.. printed '$out'"

out=$(in_root "$root" -- /bin/bash -c 'echo hi; cd /; pwd; cd ..; pwd; echo $(</marker)')
[[ $out == $'hi\n/\n/\ninside the root' ]] || fail "bash printed '$out'"

# The runtime's working directory, as the guest sees it: inside the root, or / outside.
mkdir -p "$root/tmp/here"
out=$(cd "$root/tmp/here" && in_root "$root" -- /bin/bash -c 'pwd; echo $(<../../marker)')
[[ $out == $'/tmp/here\ninside the root' ]] || fail "a working directory in the root gave '$out'"
out=$(cd "$work" && in_root "$root" -- /bin/bash -c 'pwd')
[[ $out == / ]] || fail "a working directory outside the root gave '$out'"

python=/usr/bin/python3
out=$(in_root "$root" -- $python -c '
import os, sys
print(sorted(os.listdir("/")) == sorted(os.listdir("/proc/self/root")))
print(os.getcwd(), sys.executable, os.path.realpath("/bin/ls"))
print(os.readlink("/proc/self/exe"))
print(open("/marker").read().strip())
fd = os.open("/marker", os.O_RDONLY)
print(os.readlink("/proc/self/fd/%d" % fd))
')
bin_ls=$(realpath /bin/ls)
python_real=$(realpath $python)
expected="True
/ $python $bin_ls
$python_real
inside the root
/marker"
[[ $out == "$expected" ]] || fail "python3 printed '$out', expected '$expected'"

# Unix socket paths are translated both ways: bound and connected by guest path, the
# socket made in the root, its name read back as the guest's.
out=$(in_root "$root" -- $python -c '
import socket
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind("/tmp/server.sock")
server.listen()
client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
client.connect("/tmp/../tmp/server.sock")
peer, _ = server.accept()
client.sendall(b"over a unix socket")
print(peer.recv(64).decode(), server.getsockname(), client.getpeername())
')
[[ $out == "over a unix socket /tmp/server.sock /tmp/server.sock" ]] || fail "unix sockets: '$out'"
[[ -S $root/tmp/server.sock ]] || fail "the socket was not made in the root"

# The program's path and a #! interpreter are the guest's: the script the namespace has at
# that path runs, not the host's file of the same name (which the runtime needs to find).
mkdir -p "$root$work"
printf '#!/bin/sh\necho the host file\n' >"$work/script"
printf '#!/bin/bash\necho the guest file, $(</marker)\n' >"$root$work/script"
chmod +x "$work/script" "$root$work/script"
out=$(in_root "$root" -- "$work/script")
[[ $out == "the guest file, inside the root" ]] || fail "the script printed '$out'"

# Descriptors from outside keep working: stdin and stdout are the host's.
out=$(echo "from the host" | in_root "$root" -- /bin/bash -c 'read line; echo "$line, back"')
[[ $out == "from the host, back" ]] || fail "stdin and stdout gave '$out'"

# /proc/self/maps names a mapped file of the root by its guest path.
out=$(in_root "$root" -- $python -c '
import mmap
marker = open("/marker", "rb")
mapped = mmap.mmap(marker.fileno(), 0, prot=mmap.PROT_READ)
print([line.split()[-1] for line in open("/proc/self/maps") if "marker" in line])')
[[ $out == "['/marker']" ]] || fail "/proc/self/maps shows '$out'"

if [[ -x /usr/bin/sqlite3 ]]; then
  out=$(echo 'create table t(a); insert into t values (20),(22); select sum(a) from t;' |
    in_root "$root" -- /usr/bin/sqlite3 :memory:)
  [[ $out == 42 ]] || fail "sqlite3 printed '$out'"
fi
echo "fs_translate_root: ls, bash, python3 and sqlite3 run in an assembled root"
