# SPDX-License-Identifier: MIT
# http.server in a thread and urllib fetching from it: a file of the fixture, a directory
# listing, and a missing file (404).
import http.server
import os
import threading
import urllib.error
import urllib.request


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the log has times and ports: not comparable
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
port = server.server_address[1]
thread = threading.Thread(target=server.serve_forever)
thread.start()
base = f"http://127.0.0.1:{port}"
with urllib.request.urlopen(f"{base}/docs/long.txt") as reply:
    body = reply.read()
    print(reply.status, reply.headers["Content-Type"], len(body), body.splitlines()[-1].decode())
with urllib.request.urlopen(f"{base}/docs/") as reply:
    print(reply.status, "sub/" in reply.read().decode())
try:
    urllib.request.urlopen(f"{base}/missing.txt")
except urllib.error.HTTPError as e:
    print("missing:", e.code)
server.shutdown()
thread.join()
server.server_close()
print("served from", os.path.basename(os.getcwd()))
