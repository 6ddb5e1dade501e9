"""An Autobahn TestSuite client testee on Python's `websockets` (asyncio API), for
`wsflow-conformance client`.

    python autobahn_client.py ws://127.0.0.1:PORT AGENT
"""

import asyncio
import sys

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed


async def main(base, agent):
    async with connect(f"{base}/getCaseCount") as ws:
        count = int(await ws.recv())
    for case in range(1, count + 1):
        try:
            async with connect(
                f"{base}/runCase?case={case}&agent={agent}", max_size=2**26
            ) as ws:
                async for message in ws:
                    await ws.send(message)
        except Exception as error:  # a failed case is the fuzzing server's verdict
            print(f"case {case}: {error!r}", file=sys.stderr)
    async with connect(f"{base}/updateReports?agent={agent}") as ws:
        try:
            await ws.recv()
        except ConnectionClosed:
            pass


asyncio.run(main(sys.argv[1], sys.argv[2]))
