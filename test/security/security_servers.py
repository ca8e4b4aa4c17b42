"""Local servers for the security tests, all on 127.0.0.1.

Origin         an HTTP or HTTPS (ssl-wrapped http.server) front of FakeTalonOne: it records each
               request (headers, body, the client certificate) and TLS handshake failures, relays
               the request to the fake so the answers are the API's own JSON (and its credential
               checks apply), or answers with a canned response when one is queued.
ForwardProxy   an HTTP forward proxy: absolute-form requests ('POST http://127.0.0.1:PORT/v1/events')
               are forwarded, CONNECT opens a tunnel; it records what it saw (the Proxy-Authorization
               header, and the bytes it relayed through tunnels) and can require credentials (407).

Both refuse any target other than 127.0.0.1, and bound every wait.
"""

import base64
import collections
import http.client
import select
import socket
import ssl
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["Origin", "ForwardProxy", "Canned", "closed_port"]

_IO_TIMEOUT = 10.0
_HOP_BY_HOP = frozenset(("connection", "keep-alive", "proxy-authorization", "proxy-connection",
                         "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade"))


def closed_port():
    """A port on 127.0.0.1 nothing listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Canned:
    """A response an Origin sends instead of relaying to the fake."""

    def __init__(self, status, body=b"", headers=None):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


class Seen:
    """One request a server received."""

    def __init__(self, method, target, headers, body=b"", peer_certificate=None):
        self.method = method
        self.target = target
        self.headers = headers                    # email.message.Message: case-insensitive .get()
        self.body = body
        self.peer_certificate = peer_certificate  # the client's certificate (dict), if it sent one

    def __repr__(self):  # no headers: they carry credentials
        return "<Seen %s %s>" % (self.method, self.target)


class _Server(ThreadingHTTPServer):
    """A threaded server that tracks its connections, so stop() can close idle keep-alive ones."""

    daemon_threads = True

    def __init__(self, handler, context=None):
        self.context = context
        self.seen = []
        self.handshake_failures = []
        self.lock = threading.Lock()
        self._open = set()
        super().__init__(("127.0.0.1", 0), handler)

    def server_bind(self):
        import socketserver
        socketserver.TCPServer.server_bind(self)  # no reverse DNS lookup
        self.server_name, self.server_port = self.server_address[:2]

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, in the connection's thread, so a failing one is recorded
        # and never blocks the accept loop.
        request.settimeout(_IO_TIMEOUT)
        with self.lock:
            self._open.add(request)
        connection = request
        try:
            if self.context is not None:
                try:
                    connection = self.context.wrap_socket(request, server_side=True)
                except (ssl.SSLError, OSError) as error:
                    with self.lock:
                        self.handshake_failures.append("%s: %s" % (type(error).__name__, error))
                    return
                with self.lock:
                    self._open.add(connection)
            self.RequestHandlerClass(connection, client_address, self)
        finally:
            with self.lock:
                self._open.discard(request)
                self._open.discard(connection)
            if connection is not request:
                _close(connection)

    def handle_error(self, request, client_address):
        """Quiet: clients that go away mid-response are part of these tests."""

    def record(self, seen):
        with self.lock:
            self.seen.append(seen)

    def stop(self):
        self.shutdown()
        with self.lock:
            sockets = list(self._open)
        for sock in sockets:
            _close(sock)
        self.server_close()


def _close(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = _IO_TIMEOUT
    disable_nagle_algorithm = True  # headers and body go out in two writes

    def log_message(self, format, *args):  # noqa: A002 - http.server signature
        """Silent."""

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def reply(self, status, body=b"", headers=(), reason=None):
        self.send_response(status, reason)
        for name, value in headers:
            if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _relay(handler, host, port, path, body):
    """Send the handler's request to host:port (127.0.0.1 only) and write back the answer.

    Returns False when the upstream could not be reached at all.
    """
    assert host == "127.0.0.1", "these tests only talk to 127.0.0.1"
    headers = {name: value for name, value in handler.headers.items() if name.lower() not in _HOP_BY_HOP}
    headers["Host"] = "%s:%d" % (host, port)
    headers["Content-Length"] = str(len(body))
    upstream = http.client.HTTPConnection(host, port, timeout=_IO_TIMEOUT)
    try:
        try:
            upstream.connect()
        except OSError:
            return False
        try:
            upstream.request(handler.command, path, body=body, headers=headers)
            answer = upstream.getresponse()
            payload = answer.read()
        except (OSError, http.client.HTTPException):
            handler.drop()  # the upstream dropped the connection: so does this hop
            return True
        handler.reply(answer.status, payload, answer.getheaders(), answer.reason)
        return True
    finally:
        upstream.close()


class _OriginHandler(_Quiet):
    server_version = "SecurityOrigin/1.0"

    def do_GET(self):  # noqa: N802 - http.server naming
        body = self.read_body()
        certificate = None
        if isinstance(self.connection, ssl.SSLSocket):
            certificate = self.connection.getpeercert() or None
        self.server.record(Seen(self.command, self.path, self.headers, body, certificate))
        canned = self.server.origin.take_canned()
        if canned is not None:
            self.reply(canned.status, canned.body, canned.headers.items())
            return
        upstream = urllib.parse.urlsplit(self.server.origin.upstream)
        if not _relay(self, upstream.hostname, upstream.port, self.path, body):
            self.reply(502, b'{"message": "origin: the fake is not running"}',
                       [("Content-Type", "application/json")])

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET


class Origin:
    """An HTTP(S) server in front of the fake (see the module docstring)."""

    def __init__(self, upstream, context=None):
        self.upstream = upstream
        self._canned = collections.deque()
        self._server = _Server(_OriginHandler, context)
        self._server.origin = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="security-origin", daemon=True)
        self._thread.start()

    @property
    def url(self):
        scheme = "https" if self._server.context is not None else "http"
        return "%s://127.0.0.1:%d" % (scheme, self._server.server_port)

    @property
    def port(self):
        return self._server.server_port

    @property
    def requests(self):
        with self._server.lock:
            return list(self._server.seen)

    @property
    def handshake_failures(self):
        with self._server.lock:
            return list(self._server.handshake_failures)

    def queue(self, *canned):
        self._canned.extend(canned)

    def take_canned(self):
        try:
            return self._canned.popleft()
        except IndexError:
            return None

    def clear(self):
        self._canned.clear()
        with self._server.lock:
            self._server.seen.clear()
            self._server.handshake_failures.clear()

    def close(self):
        self._server.stop()
        self._thread.join(_IO_TIMEOUT)


class _ProxyHandler(_Quiet):
    server_version = "SecurityProxy/1.0"

    def _authorized(self):
        expected = self.server.proxy.expected_authorization
        return expected is None or self.headers.get("Proxy-Authorization") == expected

    def _refuse_unauthorized(self):
        self.reply(407, b'{"message": "proxy authentication required"}',
                   [("Proxy-Authenticate", 'Basic realm="security-proxy"'),
                    ("Content-Type", "application/json")])

    def do_GET(self):  # noqa: N802 - http.server naming
        body = self.read_body()
        seen = Seen(self.command, self.path, self.headers, body)
        self.server.record(seen)
        target = urllib.parse.urlsplit(self.path)
        if target.scheme != "http" or target.hostname != "127.0.0.1":
            self.reply(403, b'{"message": "proxy: only http://127.0.0.1 targets"}')
            return
        if not self._authorized():
            self._refuse_unauthorized()
            return
        path = target.path + ("?" + target.query if target.query else "")
        if not _relay(self, target.hostname, target.port, path, body):
            self.reply(502, b'{"message": "proxy: the target refused the connection"}',
                       [("Content-Type", "application/json")])

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def do_CONNECT(self):  # noqa: N802 - http.server naming
        seen = Seen(self.command, self.path, self.headers)
        seen.tunnelled = bytearray()
        self.server.record(seen)
        host, _, port = self.path.rpartition(":")
        if host != "127.0.0.1" or not port.isdigit():
            self.reply(403, b"only 127.0.0.1 targets")
            return
        if not self._authorized():
            self._refuse_unauthorized()
            return
        try:
            upstream = socket.create_connection((host, int(port)), timeout=_IO_TIMEOUT)
        except OSError:
            self.reply(502, b"the target refused the connection")
            return
        self.close_connection = True
        try:
            self.send_response(200, "Connection established")
            self.end_headers()
            self.wfile.flush()
            self._pipe(self.connection, upstream, seen.tunnelled)
        finally:
            _close(upstream)

    @staticmethod
    def _pipe(client, upstream, record):
        """Copy bytes both ways until either side closes; keep what the client sent."""
        sockets = [client, upstream]
        while True:
            readable, _, _ = select.select(sockets, [], [], _IO_TIMEOUT)
            if not readable:
                return
            for sock in readable:
                try:
                    data = sock.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                if sock is client:
                    record.extend(data)
                    upstream.sendall(data)
                else:
                    client.sendall(data)


class ForwardProxy:
    """An HTTP forward proxy on 127.0.0.1 (see the module docstring)."""

    def __init__(self, username=None, password=None):
        self.expected_authorization = None
        if username is not None:
            token = base64.b64encode(("%s:%s" % (username, password)).encode()).decode()
            self.expected_authorization = "Basic " + token
        self._server = _Server(_ProxyHandler)
        self._server.proxy = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="security-proxy", daemon=True)
        self._thread.start()

    @property
    def port(self):
        return self._server.server_port

    def url(self, userinfo=None):
        """'http://127.0.0.1:PORT', with 'userinfo@' when given (used as is, not encoded)."""
        return "http://%s127.0.0.1:%d" % (userinfo + "@" if userinfo else "", self.port)

    @property
    def requests(self):
        with self._server.lock:
            return list(self._server.seen)

    def clear(self):
        with self._server.lock:
            self._server.seen.clear()

    def close(self):
        self._server.stop()
        self._thread.join(_IO_TIMEOUT)
