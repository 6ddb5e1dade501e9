#!/usr/bin/env python3
"""An independent RFC 8441 peer for wsflow's HTTP/2 tests, on Python's `h2` package.

    peer.py client PORT   connect (cleartext, prior knowledge), open two WebSockets as
                          extended CONNECT streams, echo-check a message on each (sent in
                          small DATA frames), close both cleanly; exit 0 if all went right.
    peer.py server        listen on a free loopback port (printed on the first line),
                          advertise SETTINGS_ENABLE_CONNECT_PROTOCOL, accept WebSockets on
                          one connection and echo every message until each stream closes.

The WebSocket framing here is written from RFC 6455 alone, on purpose: nothing is shared
with wsflow except the wire.
"""

import os
import socket
import struct
import sys

import h2.config
import h2.connection
import h2.events
import h2.settings

CONNECT_PROTOCOL = h2.settings.SettingCodes.ENABLE_CONNECT_PROTOCOL


def fail(why):
    print(f"FAIL: {why}", flush=True)
    sys.exit(1)


def frame(opcode, payload, masked):
    """One final frame (RFC 6455 §5.2)."""
    head = bytes([0x80 | opcode])
    mask_bit = 0x80 if masked else 0
    n = len(payload)
    if n < 126:
        head += bytes([mask_bit | n])
    elif n < 65536:
        head += bytes([mask_bit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([mask_bit | 127]) + struct.pack("!Q", n)
    if masked:
        key = os.urandom(4)
        payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
        head += key
    return head + payload


def parse(buffer):
    """(opcode, payload, masked, rest) for the first complete frame, or None."""
    if len(buffer) < 2:
        return None
    opcode, masked, n = buffer[0] & 0x0F, bool(buffer[1] & 0x80), buffer[1] & 0x7F
    if not buffer[0] & 0x80:
        fail("this peer does not expect fragmented messages")
    at = 2
    if n == 126:
        if len(buffer) < 4:
            return None
        n, at = struct.unpack("!H", buffer[2:4])[0], 4
    elif n == 127:
        if len(buffer) < 10:
            return None
        n, at = struct.unpack("!Q", buffer[2:10])[0], 10
    key = b""
    if masked:
        if len(buffer) < at + 4:
            return None
        key, at = buffer[at:at + 4], at + 4
    if len(buffer) < at + n:
        return None
    payload = buffer[at:at + n]
    if masked:
        payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return opcode, payload, masked, buffer[at + n:]


class Peer:
    def __init__(self, sock, client):
        self.sock = sock
        config = h2.config.H2Configuration(client_side=client, header_encoding="utf-8")
        self.conn = h2.connection.H2Connection(config=config)
        # Bytes waiting for flow-control window, and streams to end once they are sent.
        self.pending = {}
        self.ending = set()

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def events(self):
        data = self.sock.recv(65536)
        if not data:
            fail("the connection closed")
        events = self.conn.receive_data(data)
        for event in events:
            if isinstance(event, h2.events.DataReceived):
                # The window opens as the data is consumed: at once, here.
                self.conn.acknowledge_received_data(
                    event.flow_controlled_length, event.stream_id)
        self.pump()
        return events

    def send_in_pieces(self, stream_id, data, piece=3):
        """Queues `data` to go out in DATA frames of `piece` bytes, as the window allows."""
        queue = self.pending.setdefault(stream_id, [])
        queue.extend(data[at:at + piece] for at in range(0, len(data), piece))
        self.pump()

    def end_stream(self, stream_id):
        self.ending.add(stream_id)
        self.pump()

    def pump(self):
        for stream_id, queue in self.pending.items():
            while queue:
                window = min(self.conn.local_flow_control_window(stream_id),
                             self.conn.max_outbound_frame_size)
                if window <= 0:
                    break
                piece = queue.pop(0)
                if len(piece) > window:
                    piece, rest = piece[:window], piece[window:]
                    queue.insert(0, rest)
                self.conn.send_data(stream_id, piece)
        for stream_id in list(self.ending):
            if not self.pending.get(stream_id):
                self.conn.end_stream(stream_id)
                self.ending.discard(stream_id)
        self.flush()


def client(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    peer = Peer(sock, client=True)
    peer.conn.initiate_connection()
    peer.flush()
    while peer.conn.remote_settings.get(CONNECT_PROTOCOL, 0) != 1:
        if not any(isinstance(e, h2.events.RemoteSettingsChanged) for e in peer.events()):
            continue
        if peer.conn.remote_settings.get(CONNECT_PROTOCOL, 0) != 1:
            fail("the server did not advertise SETTINGS_ENABLE_CONNECT_PROTOCOL")
    streams = {}
    for n in range(2):
        stream_id = peer.conn.get_next_available_stream_id()
        peer.conn.send_headers(stream_id, [
            (":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "http"),
            (":path", f"/python/{n}"), (":authority", f"127.0.0.1:{port}"),
            ("sec-websocket-version", "13"), ("sec-websocket-protocol", "chat"),
        ])
        streams[stream_id] = {"buffer": b"", "echoed": False, "closed": False, "ended": False}
    peer.flush()
    accepted = set()
    while not all(s["ended"] for s in streams.values()):
        for event in peer.events():
            state = streams.get(getattr(event, "stream_id", None))
            if isinstance(event, h2.events.ResponseReceived):
                headers = dict(event.headers)
                if headers.get(":status") != "200":
                    fail(f"stream {event.stream_id} answered {headers.get(':status')}")
                if "sec-websocket-accept" in headers or "upgrade" in headers:
                    fail("HTTP/1.1 upgrade headers in an HTTP/2 answer")
                if headers.get("sec-websocket-protocol") != "chat":
                    fail("subprotocol chat was not agreed")
                accepted.add(event.stream_id)
                text = f"hello from python h2 on stream {event.stream_id}".encode()
                peer.send_in_pieces(event.stream_id, frame(0x1, text, masked=True))
            elif isinstance(event, h2.events.DataReceived):
                state["buffer"] += event.data
                while (parsed := parse(state["buffer"])) is not None:
                    opcode, payload, masked, state["buffer"] = parsed
                    if masked:
                        fail("the server masked a frame")
                    if opcode == 0x1:
                        expected = f"hello from python h2 on stream {event.stream_id}"
                        if payload.decode() != expected:
                            fail(f"echo was {payload!r}")
                        state["echoed"] = True
                        close = frame(0x8, struct.pack("!H", 1000) + b"bye", masked=True)
                        peer.send_in_pieces(event.stream_id, close)
                    elif opcode == 0x8:
                        if struct.unpack("!H", payload[:2])[0] != 1000:
                            fail(f"close code {payload[:2]!r}")
                        state["closed"] = True
                        # The close handshake is done: our half-close is END_STREAM.
                        peer.end_stream(event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                if not state["closed"]:
                    fail("END_STREAM before the close frame")
                state["ended"] = True
            elif isinstance(event, h2.events.StreamReset):
                fail(f"stream {event.stream_id} reset ({event.error_code})")
    if accepted != set(streams) or not all(s["echoed"] for s in streams.values()):
        fail("not every stream echoed")
    peer.conn.close_connection()
    peer.flush()
    print("ok: two WebSockets over one HTTP/2 connection, echoed and closed cleanly", flush=True)


def server():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    print(listener.getsockname()[1], flush=True)
    sock, _ = listener.accept()
    sock.settimeout(10)
    peer = Peer(sock, client=False)
    peer.conn.initiate_connection()
    peer.conn.update_settings({CONNECT_PROTOCOL: 1})
    peer.flush()
    streams = {}
    served = 0
    while served == 0 or streams:
        for event in peer.events():
            stream_id = getattr(event, "stream_id", None)
            if isinstance(event, h2.events.RequestReceived):
                headers = dict(event.headers)
                if headers.get(":method") != "CONNECT" or headers.get(":protocol") != "websocket":
                    fail(f"not an extended CONNECT: {headers}")
                if headers.get("sec-websocket-version") != "13":
                    fail("Sec-WebSocket-Version is not 13")
                if "sec-websocket-key" in headers:
                    fail("a key in an HTTP/2 request")
                response = [(":status", "200")]
                if "chat" in headers.get("sec-websocket-protocol", ""):
                    response.append(("sec-websocket-protocol", "chat"))
                peer.conn.send_headers(stream_id, response)
                peer.flush()
                streams[stream_id] = b""
                served += 1
            elif isinstance(event, h2.events.DataReceived):
                streams[stream_id] += event.data
                while (parsed := parse(streams[stream_id])) is not None:
                    opcode, payload, masked, streams[stream_id] = parsed
                    if not masked:
                        fail("the client did not mask a frame")
                    peer.send_in_pieces(stream_id, frame(opcode, payload, masked=False), 1000)
                    if opcode == 0x8:
                        peer.end_stream(stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                streams.pop(stream_id, None)
            elif isinstance(event, h2.events.StreamReset):
                fail(f"stream {stream_id} reset ({event.error_code})")
    print("ok: served", served, "WebSocket(s)", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["client"]:
        client(int(sys.argv[2]))
    elif sys.argv[1:2] == ["server"]:
        server()
    else:
        sys.exit(__doc__)
