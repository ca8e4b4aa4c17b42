"""The HTTP side of the fake: a threaded HTTP/1.1 server on 127.0.0.1 and :class:`FakeTalonOne`."""

import dataclasses
import json
import socket
import socketserver
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Set, Tuple, Union
from urllib.parse import urlsplit

from .app import Application, parse_query
from .auth import Credentials, content_signature
from .engine import Engine
from .faults import DROP_AFTER_BODY, DROP_BEFORE_BODY, Fault, FaultQueue
from .promotions import Promotions
from .responses import Response
from .spec import _load_spec

DEFAULT_API_KEY = "test-api-key"
DEFAULT_APPLICATION_ID = 1
DEFAULT_APPLICATION_KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
_POLL_INTERVAL = 0.05  # how quickly serve_forever notices stop()
_JOIN_TIMEOUT = 5.0


@dataclasses.dataclass
class RecordedRequest:
    """One request the fake received.

    ``status`` is the status answered (None when the connection was dropped),
    ``fault`` the kind of injected fault applied (see :attr:`Fault.kind`).
    Headers and body are left out of ``repr`` because they carry credentials.
    """

    method: str
    path: str
    query: Dict[str, str]
    headers: Dict[str, str] = dataclasses.field(repr=False)
    body: bytes = dataclasses.field(default=b"", repr=False)
    operation_id: Optional[str] = None
    status: Optional[int] = None
    fault: Optional[str] = None

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None when empty or not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


class _Recorder:
    """Thread-safe list of received requests."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._lock = threading.Lock()
        self._requests: List[RecordedRequest] = []

    def add(self, request: RecordedRequest) -> None:
        if self.enabled:
            with self._lock:
                self._requests.append(request)

    def snapshot(self) -> List[RecordedRequest]:
        with self._lock:
            return [dataclasses.replace(r, query=dict(r.query), headers=dict(r.headers)) for r in self._requests]

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()


class _BadRequestBody(Exception):
    """The request body could not be read (bad framing); the connection is closed."""


class _RequestHandler(BaseHTTPRequestHandler):
    """Handles requests on one (keep-alive) connection."""

    protocol_version = "HTTP/1.1"
    server_version = "FakeTalonOne/1.0"
    sys_version = ""
    wbufsize = -1  # buffer the status line, headers and body; flushed once per response
    disable_nagle_algorithm = True
    server: "_HTTPServer"

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = do_GET

    def version_string(self) -> str:
        return self.server_version

    def handle_expect_100(self) -> bool:
        """Send "100 Continue" right away (writes are buffered), so clients like curl do not stall."""
        result = super().handle_expect_100()
        self.wfile.flush()
        return result

    def send_error(self, code: int, message: Optional[str] = None, explain: Optional[str] = None) -> None:
        """Malformed HTTP (bad request line, oversized headers...): an ErrorResponse instead of HTML."""
        self.close_connection = True
        self._send(Response(code, {"message": message or HTTPStatus(code).phrase}))

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server signature
        """Silent: no per-request logging (and so no secrets in logs)."""

    def _serve(self) -> None:
        """Record the request, apply a pending fault if any, otherwise answer through the application."""
        target = urlsplit(self.path)
        record = RecordedRequest(
            method=self.command,
            path=target.path,
            query=parse_query(target.query),
            headers=dict(self.headers.items()),
        )
        self.server.recorder.add(record)
        generation = self.server.generation
        fault = self.server.faults.take()
        if fault is not None:
            record.fault = fault.kind
        if fault is not None and fault.drop == DROP_BEFORE_BODY:
            self._pause(fault.delay)
            self._drop_connection()
            return
        try:
            record.body = self._read_body()
        except _BadRequestBody as error:
            self.close_connection = True
            record.status = 400
            self._send(Response(400, {"message": f"Invalid request: {error}"}))
            return
        if fault is not None:
            self._pause(fault.delay)
            if self.server.generation != generation:
                # reset() ran while this request was delayed: it belongs to the state that was
                # cleared (usually to a test that has ended), so it must not change the new one.
                self._drop_connection()
                return
            if fault.drop == DROP_AFTER_BODY:
                self._drop_connection()
                return
            if fault.status is not None:
                record.status = fault.status
                self._send(self._fault_response(fault))
                return
        response = self.server.app.handle(self.command, target.path, record.query, self.headers, record.body)
        record.operation_id = response.operation_id
        record.status = response.status
        self._send(response)

    def _pause(self, seconds: float) -> None:
        """Wait, but return at once when the server stops."""
        if seconds:
            self.server.stopping.wait(seconds)

    @staticmethod
    def _fault_response(fault: Fault) -> Response:
        assert fault.status is not None  # only faults with a status answer
        headers = {}
        retry_after = fault.retry_after_header()
        if retry_after is not None:
            headers["Retry-After"] = retry_after
        return Response(fault.status, {"message": fault.message}, headers)

    def _drop_connection(self) -> None:
        """Close the socket without a response (the client sees a reset or an empty reply)."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked_body()
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            return b""
        try:
            length = int(length_header)
        except ValueError:
            raise _BadRequestBody("Content-Length is not a number") from None
        if length < 0:
            raise _BadRequestBody("Content-Length is negative")
        body = self.rfile.read(length)
        if len(body) != length:
            raise _BadRequestBody("the body is shorter than Content-Length")
        return body

    def _read_chunked_body(self) -> bytes:
        chunks: List[bytes] = []
        while True:
            size_line = self.rfile.readline(65537)
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _BadRequestBody("bad chunk size") from None
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # skip trailers
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(65537)  # CRLF after the chunk

    def _send(self, response: Response) -> None:
        payload = response.payload()
        self.send_response(response.status)
        if response.status != 204:
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)


class _HTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that tracks its connections so that stop() can close idle keep-alive ones."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self, address: Tuple[str, int], app: Application, faults: FaultQueue, recorder: _Recorder, ipv6: bool
    ) -> None:
        self.address_family = socket.AF_INET6 if ipv6 else socket.AF_INET
        self.app = app
        self.faults = faults
        self.recorder = recorder
        self.stopping = threading.Event()
        self.generation = 0  # incremented by FakeTalonOne.reset()
        self._connections_lock = threading.Lock()
        self._connections: Set[socket.socket] = set()
        self._connection_threads: Set[threading.Thread] = set()
        super().__init__(address, _RequestHandler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the host name."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name="FakeTalonOne-connection",
            daemon=True,
        )
        with self._connections_lock:
            self._connections.add(request)
            self._connection_threads.add(thread)
        thread.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except OSError:
            pass  # the client went away or stop() closed the connection
        finally:
            self.shutdown_request(request)
            with self._connections_lock:
                self._connections.discard(request)
                self._connection_threads.discard(threading.current_thread())

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet: a fake used in tests should not print tracebacks for broken connections."""

    def close_connections(self) -> None:
        """Shut down every open connection and wait for their threads."""
        with self._connections_lock:
            connections = list(self._connections)
            threads = list(self._connection_threads)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in threads:
            thread.join(_JOIN_TIMEOUT)


class FakeTalonOne:
    """A local stand-in for the Talon.One Integration API, served over HTTP on 127.0.0.1.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`::

        with FakeTalonOne(api_key="k") as fake:
            configuration = fake.configuration()   # talon_one.Configuration for fake.base_url
            ...

    It serves the 15 operations of the spec from in-memory state,
    authenticates requests (``Authorization: ApiKey-v1 <api_key>``, or a
    ``Content-Signature`` made with ``application_id``/``application_key``
    where the operation allows it), validates request bodies against the
    spec and evaluates the configured ``promotions`` (default:
    :meth:`Promotions.default`).  ``port=0`` picks a free port.

    State can be inspected (:attr:`profiles`, :attr:`sessions`,
    :attr:`requests`, ...), cleared with :meth:`reset`, and failures
    simulated with :meth:`inject_faults`.  ``record_requests=False`` keeps
    :attr:`requests` empty, for long benchmarks.
    """

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        application_id: int = DEFAULT_APPLICATION_ID,
        application_key: str = DEFAULT_APPLICATION_KEY,
        promotions: Optional[Promotions] = None,
        host: str = "127.0.0.1",
        port: int = 0,
        record_requests: bool = True,
    ) -> None:
        self._credentials = Credentials(api_key, application_id, application_key)
        self._promotions = promotions if promotions is not None else Promotions.default()
        self.host = host
        self._requested_port = port
        self._engine = Engine(self._promotions, application_id)
        self._app = Application(_load_spec(), self._engine, self._credentials)
        self._faults = FaultQueue()
        self._recorder = _Recorder(record_requests)
        self._server: Optional[_HTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    def __repr__(self) -> str:
        where = self.base_url if self.running else "not running"
        return f"<FakeTalonOne {where} application_id={self.application_id}>"

    # --- lifecycle ----------------------------------------------------------

    def start(self) -> "FakeTalonOne":
        """Bind the socket and serve in a background thread; returns self."""
        if self._server is not None:
            raise RuntimeError("FakeTalonOne is already running")
        server = _HTTPServer(
            (self.host, self._requested_port), self._app, self._faults, self._recorder, ipv6=":" in self.host
        )
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL},
            name="FakeTalonOne-server",
            daemon=True,
        )
        self._server = server
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: close every connection, join all threads, close the socket.  Idempotent."""
        server, thread = self._server, self._thread
        if server is None:
            return
        server.stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join(_JOIN_TIMEOUT)
        self._server = None
        self._thread = None

    def __enter__(self) -> "FakeTalonOne":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the server is serving (between start() and stop())."""
        return self._server is not None

    @property
    def port(self) -> int:
        """The port being served (only while running)."""
        if self._server is None:
            raise RuntimeError("FakeTalonOne is not running; call start() first")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``: the ``host`` to give the SDK."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    # --- credentials --------------------------------------------------------

    @property
    def api_key(self) -> str:
        """The API key clients must send as ``Authorization: ApiKey-v1 <api_key>``."""
        return self._credentials.api_key

    @property
    def application_id(self) -> int:
        """The application ID a ``Content-Signature`` must name as ``signer``."""
        return self._credentials.application_id

    @property
    def application_key(self) -> str:
        """The hex application key for ``Content-Signature`` (HMAC-MD5) signing."""
        return self._credentials.application_key

    def content_signature(self, body: bytes) -> str:
        """The ``Content-Signature`` header value this fake accepts for ``body``."""
        return content_signature(self.application_id, self.application_key, body)

    def configuration(self) -> Any:
        """A ``talon_one.Configuration`` pointing at this fake with its API key."""
        from talon_one.configuration import Configuration

        return Configuration(host=self.base_url, api_key_v1=self.api_key)

    # --- state --------------------------------------------------------------

    @property
    def promotions(self) -> Promotions:
        """The promotion setup in use (restored by reset())."""
        return self._promotions

    def reset(self, promotions: Optional[Promotions] = None) -> None:
        """Clear all state, recorded requests and pending faults; reload the promotions.

        With ``promotions``, that setup replaces the configured one from now on.
        """
        if promotions is not None:
            self._promotions = promotions
        if self._server is not None:
            self._server.generation += 1
        self._faults.clear()
        self._recorder.clear()
        self._engine.reset(self._promotions)

    @property
    def requests(self) -> List[RecordedRequest]:
        """A copy of the requests received so far, oldest first."""
        return self._recorder.snapshot()

    @property
    def profiles(self) -> Dict[str, Dict[str, Any]]:
        """Customer profiles by integration ID, as CustomerProfile JSON (a copy)."""
        return self._engine.snapshot("profiles")

    @property
    def sessions(self) -> Dict[str, Dict[str, Any]]:
        """Customer sessions by ID, as CustomerSessionV2 JSON (a copy)."""
        return self._engine.sessions_v2()

    @property
    def events(self) -> List[Dict[str, Any]]:
        """Recorded events (Event JSON), oldest first (a copy)."""
        return list(self._engine.snapshot("events").values())

    @property
    def coupons(self) -> Dict[str, Dict[str, Any]]:
        """Coupons by code, as Coupon JSON with current usage counters (a copy)."""
        return self._engine.snapshot("coupons")

    @property
    def referrals(self) -> Dict[str, Dict[str, Any]]:
        """Referrals by code, as Referral JSON (a copy)."""
        return self._engine.snapshot("referrals")

    @property
    def reservations(self) -> Dict[str, List[str]]:
        """Coupon code -> integration IDs holding a reservation (a copy)."""
        return self._engine.snapshot("reservations")

    def loyalty_points(self, integration_id: str) -> float:
        """The customer's current loyalty balance (0 when they have none)."""
        ledger = self._engine.snapshot("loyalty").get(integration_id)
        return ledger["points"] if ledger else 0

    # --- faults -------------------------------------------------------------

    def inject_faults(self, *faults: Union[Fault, int], times: int = 1) -> None:
        """Make the next requests fail: each fault is queued ``times`` times, in the order given.

        A plain int is a status, e.g. ``fake.inject_faults(503, times=2)``.
        Each request consumes one fault, whatever its path.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        for fault in faults:
            self._faults.add(fault if isinstance(fault, Fault) else Fault(status=fault), times)

    @property
    def pending_faults(self) -> int:
        """Faults not yet consumed."""
        return self._faults.pending

    @property
    def faults_served(self) -> int:
        """Faults applied since the last reset."""
        return self._faults.served
