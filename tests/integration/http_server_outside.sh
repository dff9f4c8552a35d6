#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A server under bascule is reachable from outside: `python3 -m http.server` runs under
# `bascule run` on a loopback port the kernel chooses, and native clients (four at once)
# fetch a file and a listing from it; what they get must match the files.
source "$(dirname "$0")/lib.sh"
python=/usr/bin/python3
mkdir -p "$work/site/sub"
head -c 300000 /dev/urandom >"$work/site/blob.bin"
echo "hello from outside" >"$work/site/sub/note.txt"

: >"$work/server.out" # read below before the server may have opened it
"$bascule" run -- "$python" -u -m http.server 0 --bind 127.0.0.1 --directory "$work/site" \
  >"$work/server.out" 2>"$work/server.err" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
# The server says where it listens once it does.
port=""
while [[ -z $port ]]; do
  kill -0 $server 2>/dev/null || fail "the server ended: $(cat "$work/server.out" "$work/server.err")"
  port=$(sed -n 's/^Serving HTTP on 127.0.0.1 port \([0-9]*\).*/\1/p' "$work/server.out")
  [[ -n $port ]] || sleep 0.05
done

"$python" - "$port" "$work/site" <<'PY' || fail "a native client got something else"
import concurrent.futures, hashlib, pathlib, sys, urllib.request
port, site = sys.argv[1], pathlib.Path(sys.argv[2])
def fetch(path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=60) as reply:
        return reply.status, reply.read()
with concurrent.futures.ThreadPoolExecutor(4) as pool:
    replies = list(pool.map(fetch, ["blob.bin"] * 4 + ["sub/note.txt", "sub/"]))
expected = hashlib.sha256((site / "blob.bin").read_bytes()).hexdigest()
for status, body in replies[:4]:
    assert status == 200 and hashlib.sha256(body).hexdigest() == expected, "blob differs"
assert replies[4] == (200, b"hello from outside\n"), replies[4]
assert replies[5][0] == 200 and b'href="note.txt"' in replies[5][1], replies[5]
PY
echo "http_server_outside: 4 concurrent fetches of a 300 kB file and a listing from port $port"
