# SPDX-License-Identifier: MIT
# Every kind of socket a checkpoint restores, each holding something: a TCP listener, a
# loopback connection with bytes unread in both directions, a socket pair with bytes
# unread both ways and one end shut for writing, and a pair of UDP sockets, one bound and
# one connected to it. It stops when it has set them up (printing "ready") until a file
# named "go" appears, then uses each and prints what it got.
import os, socket, time

listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(4)
port = listener.getsockname()[1]
client = socket.create_connection(("127.0.0.1", port))
client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
server, _ = listener.accept()
client.sendall(b"request-1")
server.sendall(b"reply-1")
a, b = socket.socketpair()
a.sendall(b"pair bytes")
b.sendall(b"to a")
b.shutdown(socket.SHUT_WR)
bound = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
bound.bind(("127.0.0.1", 0))
sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sender.connect(bound.getsockname())
server.setblocking(False)


def names():
    return (client.getsockname(), client.getpeername(), server.getsockname(),
            server.getpeername(), bound.getsockname(), sender.getpeername())


before = names()
print("ready", flush=True)
while not os.path.exists("go"):
    time.sleep(0.05)
print("same addresses:", names() == before)
print("no delay:", client.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0)
print("non-blocking:", not server.getblocking(), client.getblocking())
print("server got:", server.recv(100))
print("client got:", client.recv(100))
print("b got:", b.recv(100))
print("a got:", a.recv(100), a.recv(100))
sender.send(b"datagram")
print("bound got:", bound.recv(100))
late = socket.create_connection(("127.0.0.1", port))
accepted, _ = listener.accept()
late.sendall(b"after")
print("a new connection:", accepted.recv(100))
client.sendall(b"request-2")
server.setblocking(True)
print("server got:", server.recv(100))
server.close()
print("client at the end:", client.recv(100))
