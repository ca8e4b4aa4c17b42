"""A small scriptable HTTP/1.1 server on 127.0.0.1 for the runtime tests.

It records every request (method, raw target, headers, body, client port,
connection number) and answers each one with the next scripted action, or
by default with 200 and a JSON echo of the request:

    server.script(Reply(503, headers={"Retry-After": "1"}), Reply(200, {"ok": True}))
    server.script(Drop())            # read the request, close without answering
    server.script(Reset())           # read the request, answer with a TCP reset
    server.script(Hang(5))           # never answer (until the test ends)
    server.script(Truncated(b'{"a"', declared=100))
"""

import collections
import json
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["RuntimeServer", "Reply", "Drop", "Reset", "Hang", "Truncated", "Recorded",
           "unresponsive_port", "closed_port"]


class Recorded:
    """One request as the server received it."""

    def __init__(self, method, target, headers, body, client_port, connection, peer_certificate=None):
        self.method = method
        self.target = target          # the raw request target, e.g. '/v1/x%2Fy?dry=true'
        self.headers = headers        # email.message.Message: case-insensitive .get()
        self.body = body
        self.client_port = client_port
        self.connection = connection  # the server's number for the TCP connection
        self.peer_certificate = peer_certificate  # the client's TLS certificate, when it sent one

    @property
    def path(self):
        return self.target.split("?", 1)[0]

    @property
    def query(self):
        return self.target.split("?", 1)[1] if "?" in self.target else ""

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<Recorded %s %s conn=%d>" % (self.method, self.target, self.connection)


# --------------------------------------------------------------------------
# Actions
# --------------------------------------------------------------------------

class Reply:
    """Answer with `status`, `body` (bytes, or JSON-encoded when a dict/list) and `headers`."""

    ECHO = object()

    def __init__(self, status=200, body=ECHO, headers=None, delay=0.0):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.delay = delay

    def perform(self, handler, record):
        if self.delay and handler.server.stopping.wait(self.delay):
            handler.close_connection = True
            return
        headers = dict(self.headers)
        body = self.body
        if body is Reply.ECHO:
            body = _echo(record)
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        body = body or b""
        handler.send_response(self.status)
        for name, value in headers.items():
            handler.send_header(name, value)
        if "Content-Length" not in headers:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if record.method != "HEAD":
            handler.wfile.write(body)


class Drop:
    """Read the request, then close the connection without answering."""

    def perform(self, handler, record):
        handler.close_connection = True


class Reset:
    """Read the request, then reset the connection (RST)."""

    def perform(self, handler, record):
        handler.close_connection = True
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.rfile.close()
        handler.connection.close()


class Hang:
    """Never answer (waits `seconds` at most, or until the server stops), then close."""

    def __init__(self, seconds=10.0):
        self.seconds = seconds

    def perform(self, handler, record):
        handler.server.stopping.wait(self.seconds)
        handler.close_connection = True


class Truncated:
    """Send headers promising `declared` bytes, send `body` (fewer), close."""

    def __init__(self, body, declared, status=200):
        self.body = body
        self.declared = declared
        self.status = status

    def perform(self, handler, record):
        handler.send_response(self.status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(self.declared))
        handler.end_headers()
        handler.wfile.write(self.body)
        handler.close_connection = True


def _echo(record):
    try:
        body = record.json() if record.body else None
    except ValueError:
        body = record.body.decode("utf-8", "replace")
    return {
        "method": record.method,
        "target": record.target,
        "headers": {name: value for name, value in record.headers.items()},
        "body": body,
        "clientPort": record.client_port,
        "connection": record.connection,
    }


# --------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # idle keep-alive connections end on their own
    disable_nagle_algorithm = True

    def setup(self):
        super().setup()
        self.connection_number = self.server.register_connection(self.connection)

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass
        self.server.unregister_connection(self.connection)

    def log_message(self, format, *args):
        pass

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (OSError, ValueError):
            self.close_connection = True

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        peer = getattr(self.connection, "getpeercert", None)
        record = Recorded(self.command, self.path, self.headers, body, self.client_address[1],
                          self.connection_number, peer() if peer else None)
        action = self.server.take_action(record)
        action.perform(self, record)

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle


class RuntimeServer(ThreadingHTTPServer):
    """The scriptable server; `url` is its base URL. Use as a context manager or call stop()."""

    daemon_threads = True
    block_on_close = False

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests = []
        self.stopping = threading.Event()
        self._actions = collections.deque()
        self._lock = threading.Lock()
        self._connections = {}
        self._connection_count = 0
        self.default_action = Reply()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.01},
                                        name="runtime-server", daemon=True)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server_port

    def start(self):
        self._thread.start()
        return self

    def script(self, *actions):
        """Answer the next requests with `actions`, in order; then the default action."""
        with self._lock:
            self._actions.extend(actions)

    def take_action(self, record):
        with self._lock:
            self.requests.append(record)
            return self._actions.popleft() if self._actions else self.default_action

    def register_connection(self, sock):
        with self._lock:
            self._connection_count += 1
            self._connections[id(sock)] = sock
            return self._connection_count

    def unregister_connection(self, sock):
        with self._lock:
            self._connections.pop(id(sock), None)

    def stop(self):
        self.stopping.set()
        self.shutdown()
        with self._lock:
            connections = list(self._connections.values())
        for sock in connections:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.server_close()
        self._thread.join(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def closed_port():
    """A local port with nothing listening: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class unresponsive_port:
    """A local port whose accept queue is full, so new connections time out (Linux).

    Yields the port, or None when the kernel accepts the connection anyway.
    """

    def __enter__(self):
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(0)
        port = self._listener.getsockname()[1]
        self._fillers = []
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            try:
                filler.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            self._fillers.append(filler)
        probe = socket.socket()
        probe.settimeout(0.3)
        try:
            probe.connect(("127.0.0.1", port))
            port = None  # the queue did not fill: cannot simulate a connect timeout here
        except OSError:
            pass
        finally:
            probe.close()
        return port

    def __exit__(self, *exc_info):
        for filler in self._fillers:
            filler.close()
        self._listener.close()
