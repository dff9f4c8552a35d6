# SPDX-License-Identifier: MIT
# An asyncio server and client in one loop exchanging numbered lines; the exchange
# pauses mid-way (the client has sent a line whose echo it has not read yet) until a file
# named "go" appears.
import asyncio, os

async def serve(reader, writer):
    while line := await reader.readline():
        writer.write(b"echo " + line)
        await writer.drain()
    writer.close()

async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for i in range(1, 6):
        writer.write(b"line %d\n" % i)
        await writer.drain()
        print((await reader.readline()).decode().strip(), flush=True)
    writer.write(b"line 6\n")
    print("paused", flush=True)
    while not os.path.exists("go"):
        await asyncio.sleep(0.05)
    print((await reader.readline()).decode().strip(), flush=True)
    for i in range(7, 10):
        writer.write(b"line %d\n" % i)
        await writer.drain()
        print((await reader.readline()).decode().strip(), flush=True)
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()
    print("done")

asyncio.run(main())
