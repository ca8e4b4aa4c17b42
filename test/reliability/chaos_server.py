"""A misbehaving HTTP/1.1 server for the reliability tests, run in its own process.

    python chaos_server.py ROUTES.json SEED [--stall SECONDS] [--large BYTES]

prints ``PORT <n>`` and serves until its stdin closes. ROUTES.json lists the
15 operations as ``{"method", "pattern", "status", "body"}``: canned answers
of the right shape (recorded from FakeTalonOne by the tests).

Every request carries a unique id (``rq`` + 8 digits) somewhere in its path or
body. For attempt number ``n`` of request ``uid`` the server draws a fault from
``FAULTS`` with ``random.Random("SEED:uid:n")``, so the faults a logical call
meets do not depend on thread timing, and logs ``(kind, detail, processed,
client port)``. ``processed`` says whether the request could have taken effect
(it was read and not refused with a 429/503 carrying Retry-After): what the at-most-once checks for
POST use. Every answer carries ``X-Chaos-Uid`` and ``X-Chaos-Attempt`` so the
client can check that it got the answer to its own request.

Control requests (no id): ``GET /__chaos__/log`` (and clear it),
``POST /__chaos__/mode?faults=on|off|<kind>``.

The server reads each request with MSG_PEEK before deciding, so
``reset_before_read`` really resets a connection whose request is still unread.
Standard library only; a separate process so that its work never delays the
client's reads (no shared GIL) and its sockets never count as the client's.
"""

import email.utils
import gzip
import json
import random
import re
import select
import socket
import struct
import sys
import threading
import time
import urllib.parse

UID = re.compile(rb"rq\d{8}")
HTML = (b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
        b"<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>")

# kind: (weight, processed, retried for "any" method / "idem"potent only / None, outcome)
# outcome: "ok" (the model, or None for the 204 operations), "too_large" (ResponseTooLargeError:
# the client runs with max_response_bytes=TOO_LARGE_LIMIT), "decode" (ApiDecodeError, or None
# for the 204 operations, which decode nothing), "connection" (ApiConnectionError, not a
# timeout), "timeout" (ApiTimeoutError), "ok_or_decode" (JSON whose grammar is valid but whose text is
# not valid Unicode: either is fine), or an HTTP status (the exception for it).
FAULTS = {
    "none": (100, True, None, "ok"),
    "status_429": (6, True, "idem", 429),
    "status_429_retry_after": (6, False, "any", 429),
    "status_429_retry_after_date": (3, False, "any", 429),
    "status_429_retry_after_garbage": (3, True, "idem", 429),
    "status_429_retry_after_day": (3, False, None, 429),
    "status_503": (4, True, "idem", 503),  # a proxy's 503: the service may have applied it
    "status_503_retry_after": (4, False, "any", 503),
    "status_500": (5, True, "idem", 500),
    "status_502": (5, True, "idem", 502),
    "status_504": (5, True, "idem", 504),
    "html_502": (3, True, "idem", 502),
    "deep_json_500": (1, True, "idem", 500),
    "reset_before_read": (5, False, "idem", "connection"),
    "reset_after_read": (5, True, "idem", "connection"),
    "close_after_read": (4, True, "idem", "connection"),
    "truncated_body": (5, True, "idem", "connection"),
    "truncated_chunked": (3, True, "idem", "connection"),
    "bad_status_line": (2, True, "idem", "connection"),
    "too_many_headers": (1, True, "idem", "connection"),
    "corrupt_gzip": (1, True, None, "connection"),
    "stall_before_headers": (1.5, True, "idem", "timeout"),
    "stall_mid_body": (1.5, True, "idem", "timeout"),
    "invalid_json": (4, True, None, "decode"),
    "html_200": (3, True, None, "decode"),
    "wrong_content_type": (4, True, None, "decode"),
    "empty_200": (4, True, None, "decode"),
    "deep_json": (2, True, None, "decode"),
    "wrong_shape": (3, True, None, "decode"),
    "lone_surrogate": (1, True, None, "ok_or_decode"),
    "large_body": (0.6, True, None, "ok"),
    "gzip_body": (2, True, None, "ok"),
    "interim_100_continue": (1, True, None, "ok"),
    "interim_103_early_hints": (2, True, None, "ok"),
    "smuggled_after_chunked": (1.5, True, None, "ok"),
    "smuggled_after_204": (1, True, None, "ok"),
    "http10_body_until_close": (1, True, None, "ok"),
    "overlong_body": (2, True, None, "ok"),
    "gzip_bomb": (0.5, True, None, "too_large"),
    "oversized_declared": (0.5, True, None, "too_large"),
    "endless_chunked": (0.3, True, None, "too_large"),
    "redirect": (2, True, None, 302),
    "status_400": (1, False, None, 400),
    "status_401": (1, False, None, 401),
    "echoed_key_401": (1, False, None, 401),
    "status_404": (1, False, None, 404),
    "status_409": (1, False, None, 409),
    "status_418": (1, False, None, 418),
}
# The client's max_response_bytes in the chaos run; the "too_large" faults send more.
TOO_LARGE_LIMIT = 8 * 1024 * 1024

_KINDS = list(FAULTS)
_WEIGHTS = [FAULTS[kind][0] for kind in _KINDS]
SMALL_RETRY_AFTER = ("0", "1", "2.5", "4")
DAY = "86400"


def choose(seed, uid, attempt):
    """(kind, detail) for attempt `attempt` of request `uid`: the same in every run with `seed`."""
    rng = random.Random("%s:%s:%d" % (seed, uid, attempt))
    kind = rng.choices(_KINDS, _WEIGHTS)[0]
    return kind, draw_detail(kind, rng)


def draw_detail(kind, rng):
    """The detail of a fault of `kind` (a Retry-After value, the bad body...), or None."""
    detail = None
    if kind in ("status_429_retry_after", "status_503_retry_after"):
        detail = rng.choice(SMALL_RETRY_AFTER)
    elif kind == "status_429_retry_after_date":
        detail = str(rng.randint(1, 5))  # seconds ahead; the header is an HTTP date
    elif kind == "status_429_retry_after_garbage":
        detail = rng.choice(("soon", "-5", "1e999", "Fri, 99 Foo 2024", "nan", "  "))
    elif kind == "status_429_retry_after_day":
        detail = DAY
    elif kind == "invalid_json":
        detail = rng.choice(('{"effects": [, "createdCoupons": }', '{"a": NaN}', '{"a": Infinity}', "\xff\xfe{}",
                             "1e999999", '{"a": 1} trailing'))
    elif kind == "wrong_shape":
        detail = rng.choice(("[]", '"text"', "null", "42", "true", "[{}]"))
    elif kind == "large_body":
        detail = rng.choice(("whitespace", "string"))
    elif kind == "bad_status_line":
        detail = rng.choice(("HTTP/1.1 TWOHUNDRED OK", "SSH-2.0-OpenSSH_9.6", "HTTP/1.1 2000 Huge"))
    return detail


class ChaosServer:
    def __init__(self, routes, seed, stall=0.8, large=3 * 1024 * 1024):
        self.routes = [(route["method"], re.compile(route["pattern"]), route["status"],
                        route["body"].encode()) for route in routes]
        self.seed = seed
        self.stall = stall
        self.large = large
        self.mode = "on"
        # About 1 MB of gzip that expands to 1 GiB, made before the first request.
        self.gzip_bomb = gzip.compress(b"\0" * (64 << 20), 9) * 16
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.log = {}
        self.connections = 0
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(256)
        self.port = self.listener.getsockname()[1]

    # -- connections ----------------------------------------------------------------------------

    def serve_forever(self):
        while not self.stopping.is_set():
            try:
                conn, address = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
            threading.Thread(target=self.serve_connection, args=(conn, address[1]), daemon=True).start()

    def serve_connection(self, conn, client_port):
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while not self.stopping.is_set():
                request = self.peek_request(conn)
                if request is None:
                    return
                if not self.handle(conn, client_port, *request):
                    return
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def peek_request(self, conn):
        """(method, target, headers, body, size) of the next request, still unread; None at EOF."""
        size = 65536
        while not self.stopping.is_set():
            readable, _, _ = select.select([conn], [], [], 0.5)
            if not readable:
                continue
            data = conn.recv(size, socket.MSG_PEEK)
            if not data:
                return None
            end = data.find(b"\r\n\r\n")
            if end >= 0:
                head = data[:end].decode("latin-1").split("\r\n")
                method, target = head[0].split(" ")[:2]
                headers = {}
                for line in head[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                total = end + 4 + int(headers.get("content-length") or 0)
                if len(data) >= total:
                    return method, target, headers, data[end + 4:total], total
                size = max(size, total)
            time.sleep(0.001)  # the rest of the request is on its way
        return None

    # -- one request --------------------------------------------------------------------------------

    def handle(self, conn, client_port, method, target, headers, body, size):
        """Answer one request; False when the connection is finished."""
        path = target.split("?", 1)[0]
        if path.startswith("/__chaos__/"):
            _consume(conn, size)
            return self.control(conn, method, target)
        found = UID.search(target.encode("latin-1")) or UID.search(body)
        uid = found.group(0).decode() if found else "?"
        with self.lock:
            attempts = self.log.setdefault(uid, [])
            attempt = len(attempts)
            if self.mode == "on":
                kind, detail = choose(self.seed, uid, attempt)
            elif self.mode == "off":
                kind, detail = "none", None
            else:  # one kind for every request, its detail drawn as in a random run
                kind = self.mode
                detail = draw_detail(kind, random.Random("%s:%s:%d" % (self.seed, uid, attempt)))
            attempts.append([method, kind, detail, FAULTS[kind][1], client_port])
        echo = [("X-Chaos-Uid", uid), ("X-Chaos-Attempt", str(attempt)), ("X-Chaos-Client-Port", str(client_port))]
        if kind == "reset_before_read":
            _reset(conn)  # the request is still unread in the socket buffer
            return False
        _consume(conn, size)
        status, canned = self.route(method, path)
        if kind == "echoed_key_401":
            detail = headers.get("authorization", "")
        return getattr(self, "fault_" + kind, self.fault_status)(conn, kind, detail, echo, status, canned)

    def route(self, method, path):
        for route_method, pattern, status, body in self.routes:
            if route_method == method and pattern.match(path):
                return status, body
        return 404, b'{"message": "no such operation"}'

    # -- the faults ----------------------------------------------------------------------------

    def fault_none(self, conn, kind, detail, echo, status, canned):
        return _send(conn, status, canned if status != 204 else b"", echo)

    def fault_status(self, conn, kind, detail, echo, status, canned):
        code = int(kind.split("_")[1])
        headers = list(echo)
        if kind == "status_429_retry_after_date":
            headers.append(("Retry-After", email.utils.formatdate(time.time() + int(detail), usegmt=True)))
        elif detail is not None:
            headers.append(("Retry-After", detail))
        message = json.dumps({"message": "injected %s" % kind, "errors": []}).encode()
        return _send(conn, code, message, headers)

    def fault_echoed_key_401(self, conn, kind, detail, echo, status, canned):
        """The credential sent, echoed in the body, the reason phrase and a header."""
        body = json.dumps({"message": "Invalid API key: %s" % detail, "errors": [{"title": detail}]}).encode()
        head = ("HTTP/1.1 401 Bad key %s\r\n" % detail).encode("latin-1")
        headers = echo + [("X-Rejected-Key", detail), ("Content-Type", "application/json"),
                          ("Content-Length", str(len(body)))]
        conn.sendall(head + _head(401, headers).split(b"\r\n", 1)[1] + body)
        return True

    def fault_html_502(self, conn, kind, detail, echo, status, canned):
        return _send(conn, 502, HTML, echo, content_type="text/html")

    def fault_deep_json_500(self, conn, kind, detail, echo, status, canned):
        return _send(conn, 500, b'{"a":' * 50000 + b"1" + b"}" * 50000, echo)

    def fault_redirect(self, conn, kind, detail, echo, status, canned):
        return _send(conn, 302, b"", echo + [("Location", "http://127.0.0.1:9/elsewhere")])

    def fault_reset_after_read(self, conn, kind, detail, echo, status, canned):
        _reset(conn)
        return False

    def fault_close_after_read(self, conn, kind, detail, echo, status, canned):
        return False

    def fault_truncated_body(self, conn, kind, detail, echo, status, canned):
        body = canned or b'{"message": "partial"}'
        _send(conn, 200, body[: len(body) // 2], echo + [("Connection", "close")], length=len(body) + 100)
        return False

    def fault_truncated_chunked(self, conn, kind, detail, echo, status, canned):
        body = canned or b'{"message": "partial"}'
        half = body[: max(1, len(body) // 2)]
        head = _head(200, echo + [("Transfer-Encoding", "chunked"), ("Content-Type", "application/json")])
        conn.sendall(head + b"%x\r\n" % len(half) + half + b"\r\n")
        return False

    def fault_bad_status_line(self, conn, kind, detail, echo, status, canned):
        conn.sendall(detail.encode() + b"\r\nContent-Length: 2\r\n\r\n{}")
        return False

    def fault_too_many_headers(self, conn, kind, detail, echo, status, canned):
        extra = [("X-Noise-%d" % n, "x") for n in range(120)]
        _send(conn, 200, canned or b"{}", echo + extra + [("Connection", "close")])
        return False

    def fault_corrupt_gzip(self, conn, kind, detail, echo, status, canned):
        _send(conn, 200, b"\x1f\x8b\x08\x00garbage, not deflate data", echo + [("Content-Encoding", "gzip"),
                                                                              ("Connection", "close")])
        return False

    def fault_gzip_body(self, conn, kind, detail, echo, status, canned):
        return _send(conn, 200, gzip.compress(canned or b"{}"), echo + [("Content-Encoding", "gzip")])

    def fault_overlong_body(self, conn, kind, detail, echo, status, canned):
        """More bytes than Content-Length says: they must not be read as the next answer."""
        body = canned or b"{}"
        return _send(conn, 200, body + b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]", echo, length=len(body))

    def fault_stall_before_headers(self, conn, kind, detail, echo, status, canned):
        self.stopping.wait(self.stall)
        return False

    def fault_stall_mid_body(self, conn, kind, detail, echo, status, canned):
        body = canned or b'{"message": "stalled"}'
        code = status if status != 204 else 200
        conn.sendall(_head(code, echo + [("Content-Type", "application/json"),
                                         ("Content-Length", str(len(body)))]) + body[: len(body) // 2])
        self.stopping.wait(self.stall)
        return False

    def fault_invalid_json(self, conn, kind, detail, echo, status, canned):
        return _send(conn, 200, detail.encode("latin-1"), echo)

    def fault_interim_100_continue(self, conn, kind, detail, echo, status, canned):
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        return self.fault_none(conn, kind, detail, echo, status, canned)

    def fault_interim_103_early_hints(self, conn, kind, detail, echo, status, canned):
        """Early hints (twice, and a 102), the final answer a moment later."""
        conn.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </app.css>; rel=preload\r\n\r\n"
                     b"HTTP/1.1 102 Processing\r\n\r\n")
        self.stopping.wait(0.002)
        conn.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </app.js>; rel=preload\r\n\r\n")
        return self.fault_none(conn, kind, detail, echo, status, canned)

    def fault_smuggled_after_chunked(self, conn, kind, detail, echo, status, canned):
        """A chunked answer that also has a Content-Length, followed by a forged answer: on a reused
        connection, the next call would read the forged answer as its own."""
        body = canned if status != 204 else b""
        head = _head(status, echo + [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked"),
                                     ("Content-Length", "5")])
        chunks = (b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + b"0\r\n\r\n"
        conn.sendall(head + chunks + _forged_answer())
        return True

    def fault_smuggled_after_204(self, conn, kind, detail, echo, status, canned):
        """A 204 that announces a body, the body being a forged answer."""
        if status != 204:
            return self.fault_smuggled_after_chunked(conn, kind, detail, echo, status, canned)
        forged = _forged_answer()
        conn.sendall(_head(204, echo + [("Content-Length", str(len(forged)))]) + forged)
        return True

    def fault_gzip_bomb(self, conn, kind, detail, echo, status, canned):
        return _send(conn, 200, self.gzip_bomb, echo + [("Content-Encoding", "gzip")])

    def fault_oversized_declared(self, conn, kind, detail, echo, status, canned):
        """A Content-Length of 500 MB; the start of a body, then the connection stays open."""
        conn.sendall(_head(200, echo + [("Content-Type", "application/json"), ("Content-Length", "500000000")])
                     + b'{"padding": "')
        self.stopping.wait(0.5)
        return False

    def fault_endless_chunked(self, conn, kind, detail, echo, status, canned):
        """Chunks with no end (bounded here at twice the client's limit), then the connection closes."""
        conn.sendall(_head(200, echo + [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")]))
        block = b" " * 65536
        piece = b"%x\r\n%s\r\n" % (len(block), block)
        for _ in range(2 * TOO_LARGE_LIMIT // len(block)):
            conn.sendall(piece)
        return False

    def fault_http10_body_until_close(self, conn, kind, detail, echo, status, canned):
        head = ("HTTP/1.0 %d %s\r\n" % (status, _REASONS[status])).encode()
        head += b"".join(b"%s: %s\r\n" % (name.encode(), value.encode()) for name, value in echo)
        conn.sendall(head + b"Content-Type: application/json\r\n\r\n" + (canned if status != 204 else b""))
        return False

    def fault_html_200(self, conn, kind, detail, echo, status, canned):
        return _send(conn, 200, b"<html><body>Please log in to the captive portal</body></html>", echo,
                     content_type="text/html; charset=utf-8")

    def fault_wrong_content_type(self, conn, kind, detail, echo, status, canned):
        return _send(conn, 200, canned or b"{}", echo, content_type="text/plain")

    def fault_empty_200(self, conn, kind, detail, echo, status, canned):
        return _send(conn, 200, b"", echo)

    def fault_deep_json(self, conn, kind, detail, echo, status, canned):
        return _send(conn, 200, b"[" * 100000 + b"]" * 100000, echo)

    def fault_lone_surrogate(self, conn, kind, detail, echo, status, canned):
        if canned.startswith(b"{") and len(canned) > 2:
            return _send(conn, 200, b'{"note": "\\ud800 alone", ' + canned[1:], echo)
        return _send(conn, 200, b'{"note": "\\udfff"}', echo)

    def fault_wrong_shape(self, conn, kind, detail, echo, status, canned):
        return _send(conn, 200, detail.encode(), echo)

    def fault_large_body(self, conn, kind, detail, echo, status, canned):
        body = canned if canned.startswith(b"{") else b"{}"
        if detail == "whitespace":
            large = b"{" + b" \n" * (self.large // 2) + body[1:]
        else:
            large = b'{"padding": "' + b"x" * self.large + b'"' + (b", " if body != b"{}" else b"") + body[1:]
        return _send(conn, 200, large, echo)

    # -- control ------------------------------------------------------------------------------

    def control(self, conn, method, target):
        parts = urllib.parse.urlsplit(target)
        if parts.path == "/__chaos__/log":
            with self.lock:
                answer = {"log": self.log, "connections": self.connections}
                self.log = {}
                self.connections = 0
        elif parts.path == "/__chaos__/mode":
            mode = urllib.parse.parse_qs(parts.query).get("faults", ["on"])[0]
            if mode not in ("on", "off") and mode not in FAULTS:
                return _send(conn, 400, b'{"message": "unknown mode"}', [])
            self.mode = mode
            answer = {"mode": mode}
        else:
            return _send(conn, 404, b'{"message": "unknown control"}', [])
        return _send(conn, 200, json.dumps(answer).encode(), [])


def _consume(conn, size):
    while size > 0:
        chunk = conn.recv(size)
        if not chunk:
            raise OSError("client went away")
        size -= len(chunk)


def _reset(conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def _forged_answer():
    body = b'{"message": "forged"}'
    return _head(200, [("X-Chaos-Uid", "forged"), ("X-Chaos-Attempt", "0"), ("Content-Type", "application/json"),
                       ("Content-Length", str(len(body)))]) + body


def _head(status, headers):
    lines = ["HTTP/1.1 %d %s" % (status, _REASONS.get(status, "Whatever"))]
    lines.extend("%s: %s" % pair for pair in headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _send(conn, status, body, headers, content_type="application/json", length=None):
    headers = list(headers)
    if status != 204:
        headers.append(("Content-Type", content_type))
        headers.append(("Content-Length", str(len(body) if length is None else length)))
    conn.sendall(_head(status, headers) + body)
    return True


_REASONS = {200: "OK", 204: "No Content", 302: "Found", 400: "Bad Request", 401: "Unauthorized",
            404: "Not Found", 409: "Conflict", 418: "I'm a teapot", 429: "Too Many Requests",
            500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
            504: "Gateway Timeout"}


def main(argv):
    routes_path, seed = argv[0], argv[1]
    options = dict(zip(argv[2::2], argv[3::2]))
    with open(routes_path, encoding="utf-8") as handle:
        routes = json.load(handle)
    server = ChaosServer(routes, seed, stall=float(options.get("--stall", 0.8)),
                         large=int(options.get("--large", 3 * 1024 * 1024)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdout.write("PORT %d\n" % server.port)
    sys.stdout.flush()
    sys.stdin.read()  # until the test process closes our stdin (or dies)
    server.stopping.set()
    server.listener.close()


if __name__ == "__main__":
    main(sys.argv[1:])
