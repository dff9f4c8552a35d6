# SPDX-License-Identifier: MIT
# An asyncio server and client in one event loop (epoll, non-blocking sockets, its
# socket pair for wake-ups) captured mid-exchange over a loopback connection and
# restored: the exchange finishes as an uninterrupted native run does.
source "$(dirname "$0")/lib.sh"
capture_before_go "$(dirname "$0")/programs/asyncio_exchange.py" paused exchange.img
touch go
restore_guest exchange.img
same run.out native.out
echo "asyncio_connection: a loopback exchange resumes after a restore"
