"""An echo server on Python's `websockets` (asyncio API), for `wsflow-conformance server`.

    python echo_server.py PORT
"""

import asyncio
import sys

from websockets.asyncio.server import serve


async def echo(ws):
    async for message in ws:
        await ws.send(message)


async def main(port):
    # 64 MiB messages, like the wsflow testees.
    async with serve(echo, "127.0.0.1", port, max_size=2**26) as server:
        await server.serve_forever()


asyncio.run(main(int(sys.argv[1])))
