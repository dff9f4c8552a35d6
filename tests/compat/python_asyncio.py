# SPDX-License-Identifier: MIT
# asyncio: a TCP echo server and three clients in one program over loopback, with the
# event loop's epoll, its self-pipe and the default executor's threads (getaddrinfo).
import asyncio


async def echo(reader, writer):
    while line := await reader.readline():
        writer.write(line.upper())
        await writer.drain()
    writer.close()
    await writer.wait_closed()


async def client(port, name):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    replies = []
    for i in range(3):
        writer.write(f"{name} says {i}\n".encode())
        await writer.drain()
        replies.append((await reader.readline()).decode().strip())
    writer.close()
    await writer.wait_closed()
    return replies


async def main():
    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        replies = await asyncio.gather(*(client(port, n) for n in ("a", "b", "c")))
    for r in replies:
        print(r)
    addresses = await asyncio.get_running_loop().getaddrinfo("localhost", 80, proto=6)
    print("localhost resolves:", sorted({a[4][0] for a in addresses}))
    await asyncio.sleep(0.01)
    print("done")


asyncio.run(main())
