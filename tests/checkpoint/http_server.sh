# SPDX-License-Identifier: MIT
# python3's http.server captured while it listens, restored in a fresh process: it serves
# a request made after the restore, on the same port.
source "$(dirname "$0")/lib.sh"
mkdir site
echo "served by a restored guest" >site/page.txt
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fetch() {
  /usr/bin/python3 - "$port" <<'FETCH'
import sys, time, urllib.request
for _ in range(300):
    try:
        print(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/page.txt", timeout=10).read().decode(), end="")
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("no answer in 30 s")
FETCH
}
start_guest server.out -- /usr/bin/python3 -m http.server --bind 127.0.0.1 --directory site "$port"
[[ $(fetch) == "served by a restored guest" ]] || fail "the server did not serve before the capture"
capture server.img
restore_guest server.img --background
[[ $(fetch) == "served by a restored guest" ]] || fail "the restored server did not serve"
echo "http_server: a restored http.server serves on its port"
