"""A real HTTP/1.1 server on 127.0.0.1 that records requests and answers with scripted responses."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Recorded:
    """One request as the server received it."""

    def __init__(self, method, target, headers, body):
        self.method = method
        self.target = target
        parts = urllib.parse.urlsplit(target)
        self.path = parts.path
        self.query_string = parts.query
        self.query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self):
        return "<%s %s>" % (self.method, self.target)


class RecordingServer:
    """Records every request; answers with the next scripted reply, else the default one."""

    def __init__(self):
        self.requests = []
        self.replies = []
        self.default = (200, {"Content-Type": "application/json"}, b"{}")
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with server._lock:
                    server.requests.append(Recorded(self.command, self.path, dict(self.headers.items()), body))
                    status, headers, payload = server.replies.pop(0) if server.replies else server.default
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if payload:
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def reply(self, status=200, body=None, headers=None):
        """Queue one reply; `body` is JSON-encoded unless it is bytes."""
        if body is None:
            payload = b""
        elif isinstance(body, bytes):
            payload = body
        else:
            payload = json.dumps(body).encode("utf-8")
        all_headers = {"Content-Type": "application/json"} if payload else {}
        all_headers.update(headers or {})
        with self._lock:
            self.replies.append((status, all_headers, payload))

    def reset(self):
        with self._lock:
            self.requests.clear()
            self.replies.clear()

    def close(self):
        self._httpd.shutdown()
        self._httpd.server_close()
