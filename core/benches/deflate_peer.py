"""permessage-deflate with Python's `websockets` (zlib in C), for core/benches/deflate.rs.

Usage: deflate_peer.py CORPUS SIZE... — prints one line per message size:
`size messages bytes_in bytes_out encode_seconds decode_seconds`, with the same parameters the
Rust side uses: context takeover, 15-bit windows, zlib level 6, memLevel 8.
"""

import sys
import time

from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.frames import Frame, Opcode


def main() -> None:
    corpus = open(sys.argv[1], "rb").read()
    for size in (int(arg) for arg in sys.argv[2:]):
        messages = [corpus[i : i + size] for i in range(0, len(corpus) - size + 1, size)]
        sender = PerMessageDeflate(False, False, 15, 15, {"level": 6, "memLevel": 8})
        receiver = PerMessageDeflate(False, False, 15, 15)
        started = time.perf_counter()
        frames = [sender.encode(Frame(Opcode.BINARY, message)) for message in messages]
        encode_seconds = time.perf_counter() - started
        started = time.perf_counter()
        decoded = [receiver.decode(frame).data for frame in frames]
        decode_seconds = time.perf_counter() - started
        assert decoded == messages, "round trip failed"
        bytes_out = sum(len(frame.data) for frame in frames)
        print(size, len(messages), size * len(messages), bytes_out, encode_seconds, decode_seconds)


if __name__ == "__main__":
    main()
