"""A minimal HTTP/1.1 keep-alive server answering every request with canned bytes.

Run as its own process (`python -m benchmarks.server`) so it does not share the
GIL with the client being measured. It prints its port on the first line of
stdout and serves until stdin closes. Requests to a customer session path get
the realistic ~30 KB IntegrationStateV2 of benchmarks.data; any other path
gets `{}`. It reads each request fully (head and Content-Length body) and
answers with a precomputed response: no routing tables, no JSON work.
"""

import asyncio
import json
import sys

from benchmarks import data


def _response(payload):
    head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
            "Connection: keep-alive\r\n\r\n" % len(payload)).encode("ascii")
    return head + payload


STATE = _response(json.dumps(data.integration_state(1), separators=(",", ":")).encode("utf-8"))
EMPTY = _response(b"{}")


class Protocol(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buffer = b""

    def data_received(self, chunk):
        self.buffer += chunk
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            total = end + 4 + length
            if len(self.buffer) < total:
                return
            request_line = head.split(b"\r\n", 1)[0]
            self.buffer = self.buffer[total:]
            self.transport.write(STATE if b"customer_sessions" in request_line else EMPTY)


async def serve():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Protocol, "127.0.0.1", 0, backlog=128)
    print(server.sockets[0].getsockname()[1], flush=True)
    # Serve until the parent closes our stdin (or dies).
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(serve())
