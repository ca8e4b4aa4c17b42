"""A raw HTTP/1.1 server on 127.0.0.1 that records every request byte for byte.

Unlike http.server, nothing is parsed before it is recorded: `RawRequest.head`
holds the request line and header lines exactly as received, so a test can see
an injected header line or a path that was not sent as one segment. Each
request is answered with the next scripted `RawReply` (status, headers, body
bytes), else with the default reply (200, application/json, `{}`).

    with RawServer() as server:
        server.script(RawReply(body=b'[1, 2]'))
        ...
        request = server.requests[0]
        request.target         # '/v2/customer_sessions/a%2Fb?dry=true'
        request.header_lines   # ['Host: 127.0.0.1:4711', 'Authorization: ...', ...]
"""

import collections
import urllib.parse

from scripted_server import ScriptedServer

__all__ = ["RawServer", "RawReply", "RawRequest"]

class RawRequest:
    """One request as received: the head (request line + header lines) and the body, as bytes."""

    def __init__(self, head, body):
        self.head = head
        self.body = body
        lines = head.decode("latin-1").split("\r\n")
        self.request_line = lines[0]
        self.header_lines = [line for line in lines[1:] if line]
        parts = self.request_line.split(" ")
        self.method = parts[0]
        self.target = parts[1] if len(parts) > 1 else ""
        self.version = parts[2] if len(parts) > 2 else ""
        self.request_line_parts = len(parts)

    @property
    def path(self):
        return self.target.split("?", 1)[0]

    @property
    def query(self):
        return self.target.split("?", 1)[1] if "?" in self.target else None

    @property
    def segments(self):
        """The raw (still percent-encoded) path segments, without the leading empty one."""
        return self.path.split("/")[1:]

    def decoded_segments(self):
        return [urllib.parse.unquote(segment, errors="strict") for segment in self.segments]

    def query_pairs(self):
        """[(name, value)] percent-decoded, '+' kept as '+' (the SDK encodes spaces as %20)."""
        if self.query is None:
            return []
        pairs = []
        for part in self.query.split("&"):
            name, _, value = part.partition("=")
            pairs.append((urllib.parse.unquote(name, errors="strict"), urllib.parse.unquote(value, errors="strict")))
        return pairs

    def header_names(self):
        return [line.split(":", 1)[0] for line in self.header_lines]

    def header(self, name):
        for line in self.header_lines:
            key, _, value = line.partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return None

    def __repr__(self):
        return "<RawRequest %r>" % self.request_line


class RawReply:
    """The response to send: `body` is bytes (or str, encoded as UTF-8) sent exactly as given."""

    def __init__(self, status=200, body=b"{}", content_type="application/json", headers=None):
        self.status = status
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.headers = [("Content-Type", content_type)] if content_type else []
        self.headers += list((headers or {}).items())

    def encode(self):
        lines = ["HTTP/1.1 %d %s" % (self.status, "OK" if self.status < 400 else "Error")]
        lines += ["%s: %s" % item for item in self.headers]
        lines.append("Content-Length: %d" % len(self.body))
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


class RawServer(ScriptedServer):
    """Records raw requests; answers each with the next scripted reply. Use as a context manager."""

    def __init__(self):
        super().__init__(self._answer)
        self.default = RawReply()
        self._replies = collections.deque()

    @staticmethod
    def request_class(head, body, connection_number):
        return RawRequest(head, body)

    # -- scripting --------------------------------------------------------------

    def script(self, *replies):
        with self._lock:
            self._replies.extend(replies)

    def reset(self):
        with self._lock:
            self.requests.clear()
            self._replies.clear()

    def _answer(self, connection, request):
        with self._lock:
            reply = self._replies.popleft() if self._replies else self.default
        connection.sendall(reply.encode())
        return True
