# SPDX-License-Identifier: MIT
# Sockets from Python in one thread: a socketpair exchange, a UDP exchange on loopback,
# and a TCP client and server driven by non-blocking sockets and select.
import select
import socket

a, b = socket.socketpair()
a.sendall(b"pair ping")
print("socketpair:", b.recv(100).decode())
b.close()
print("socketpair after close:", a.recv(100))
a.close()

receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
receiver.bind(("127.0.0.1", 0))
sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sender.sendto(b"udp datagram", receiver.getsockname())
data, origin = receiver.recvfrom(100)
print("udp:", data.decode(), origin[0], origin[1] == sender.getsockname()[1])
receiver.close()
sender.close()

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(4)
server.setblocking(False)
client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client.setblocking(False)
print("connect:", client.connect_ex(server.getsockname()) in (0, 115))
request, reply, answer = b"x" * 100000, b"", None
conn, sent = None, 0
while answer is None or len(answer) < len(request):
    readers = [server] if conn is None else [conn, client]
    writers = [client] if sent < len(request) else []
    readable, writable, _ = select.select(readers, writers, [], 10)
    if not readable and not writable:
        raise SystemExit("select timed out")
    for s in readable:
        if s is server:
            conn, _ = server.accept()
            conn.setblocking(False)
        elif s is conn:
            chunk = conn.recv(65536)
            if chunk:
                conn.sendall(chunk.upper())
        else:
            answer = (answer or b"") + client.recv(65536)
    for s in writable:
        sent += s.send(request[sent:sent + 8192])
print("tcp echo:", len(answer), answer == request.upper())
print("peer:", client.getpeername() == server.getsockname())
client.close()
conn.close()
server.close()
