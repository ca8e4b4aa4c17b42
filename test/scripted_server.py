"""A raw HTTP/1.1 server on 127.0.0.1 whose answers the test writes byte by byte.

For every request read from a connection (the head, then as many body bytes as
its Content-Length says) the server calls `handler(connection, request)`. The
handler writes whatever it likes to the socket (interim answers, bad framing,
endless bodies, a pause) and returns True to read the next request on the same
connection, or False to close it. Requests are recorded in `server.requests`
(in arrival order) and every accepted connection counts in `server.connections`.

    def answer(connection, request):
        connection.sendall(b"HTTP/1.1 103 Early Hints\\r\\n\\r\\n" + ok(request.body))
        return True

    with ScriptedServer(answer) as server:
        ...

A handler that waits must wait on `server.stopping`, so that the server stops
promptly at the end of the test.
"""

import socket
import threading

__all__ = ["ScriptedServer", "ScriptedRequest", "response_bytes", "read_requests"]

_MAX_HEAD = 1 << 20


def read_requests(connection, stopping, read_bodies=True):
    """(head, body) bytes of each request read from `connection`, until it closes or `stopping` is
    set; the body is as long as the head's Content-Length says (empty unless `read_bodies`)."""
    buffer = b""
    while not stopping.is_set():
        while b"\r\n\r\n" not in buffer:
            chunk = connection.recv(65536)
            if not chunk or len(buffer) > _MAX_HEAD:
                return
            buffer += chunk
        head, buffer = buffer.split(b"\r\n\r\n", 1)
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if read_bodies and name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(buffer) < length:
            chunk = connection.recv(65536)
            if not chunk:
                return
            buffer += chunk
        body, buffer = buffer[:length], buffer[length:]
        yield head, body


class ScriptedRequest:
    """One request as received: method, target, headers (lower-case names) and body bytes."""

    def __init__(self, head, body, connection_number):
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        self.method = parts[0]
        self.target = parts[1] if len(parts) > 1 else ""
        self.headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()
        self.body = body
        self.connection_number = connection_number

    def __repr__(self):
        return "<ScriptedRequest %s %s on connection %d>" % (self.method, self.target, self.connection_number)


def response_bytes(status=200, body=b"{}", headers=(), reason=None, content_type="application/json"):
    """A complete HTTP/1.1 answer with a Content-Length, as bytes."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    lines = ["HTTP/1.1 %d %s" % (status, reason or ("OK" if status < 400 else "Error"))]
    if content_type:
        lines.append("Content-Type: %s" % content_type)
    lines += ["%s: %s" % item for item in headers]
    lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class ScriptedServer:
    """Use as a context manager (or start() and stop()); `url` is 'http://127.0.0.1:<port>'.
    `request_class(head, body, connection_number)` makes what `requests` records."""

    request_class = ScriptedRequest

    def __init__(self, handler, read_bodies=True):
        self.handler = handler
        self.read_bodies = read_bodies
        self.requests = []
        self.connections = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._sockets = []
        self._threads = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port

    def _accept_loop(self):
        while not self.stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                number = self.connections
                self._sockets.append(connection)
            thread = threading.Thread(target=self._serve, args=(connection, number), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, connection, number):
        connection.settimeout(10)
        try:
            for head, body in read_requests(connection, self.stopping, self.read_bodies):
                request = self.request_class(head, body, number)
                with self._lock:
                    self.requests.append(request)
                if not self.handler(connection, request):
                    return
        except (OSError, ValueError):
            return
        finally:
            connection.close()

    def start(self):
        thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._threads.append(thread)
        thread.start()
        return self

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def stop(self):
        self.stopping.set()
        self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for connection in sockets:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in list(self._threads):
            thread.join(5)
