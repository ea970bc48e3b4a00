"""HTTP/1.1 over asyncio for the endpoint: keep-alive, pipelining, CORS, bounded requests.

Why not `http.server`: its per-request cost (email-based header parsing, a thread
per connection) caps it at a few thousand requests a second, well below what the
engine can answer. This protocol parses only what the SPARQL Protocol needs
(request line, headers, a Content-Length body); requests on one connection are
answered in order. Chunked request bodies are refused with 411.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

from kg.query.endpoint import Answer, Endpoint, error_answer
from kg.query.protocol import HTTPError, Request

__all__ = ["Connection", "accept_on", "response_bytes"]

_MAX_HEAD = 64 * 1024
_REASONS = {
    200: "OK", 204: "No Content", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 406: "Not Acceptable", 411: "Length Required",
    413: "Content Too Large", 415: "Unsupported Media Type", 431: "Request Header Fields Too Large",
    500: "Internal Server Error", 503: "Service Unavailable",
}  # fmt: skip
_COMMON = (
    b"Access-Control-Allow-Origin: *\r\n"
    b"Access-Control-Expose-Headers: Content-Type, Content-Length\r\n"
    b"Vary: Accept, Origin\r\n"
    b"X-Content-Type-Options: nosniff\r\n"
    b"Server: il2-sle-kg\r\n"
)
_PREFLIGHT = Answer(
    204,
    "",
    b"",
    b"Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n"
    b"Access-Control-Allow-Headers: Content-Type, Accept\r\n"
    b"Access-Control-Max-Age: 86400\r\n"
    b"Allow: GET, POST, OPTIONS\r\n",
)


def response_bytes(answer: Answer, keep_alive: bool = True) -> bytes:
    """The whole HTTP/1.1 response for an answer."""
    head = (
        f"HTTP/1.1 {answer.status} {_REASONS.get(answer.status, 'Error')}\r\n"
        f"Content-Length: {len(answer.body)}\r\n"
    )
    if answer.content_type:
        head += f"Content-Type: {answer.content_type}\r\n"
    if not keep_alive:
        head += "Connection: close\r\n"
    return head.encode("latin-1") + _COMMON + answer.extra + b"\r\n" + answer.body


class Connection(asyncio.Protocol):
    """One client connection: parse requests in order, answer each in order."""

    def __init__(self, endpoint: Endpoint, on_close: Callable[[], None] | None = None) -> None:
        self.endpoint = endpoint
        self.on_close = on_close
        self.transport: asyncio.Transport | None = None
        self.fd = -1
        self.buffer = bytearray()
        self.keep_alive = True
        self.continued = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        self.fd = sock.fileno() if sock is not None else -1

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.on_close is not None:
            self.on_close()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.buffer and self.transport is not None:
            try:
                request = self._parse()
            except HTTPError as exc:
                self.keep_alive = False
                self._send(error_answer(exc))
                return
            if request is None:
                return
            if request.method == "OPTIONS":
                self._send(_PREFLIGHT)
                continue
            answer = self.endpoint.answer(request, self.fd)
            if answer is None:  # the watchdog answered (timeout) and closed the connection
                if self.transport is not None:
                    self.transport.abort()
                return
            self._send(answer)

    def _send(self, answer: Answer) -> None:
        if self.transport is None:
            return
        self.transport.write(response_bytes(answer, self.keep_alive))
        if not self.keep_alive:
            self.transport.close()
            self.transport = None

    def _parse(self) -> Request | None:
        buf = self.buffer
        while buf.startswith(b"\r\n"):
            del buf[:2]
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            if len(buf) > _MAX_HEAD:
                raise HTTPError(431, "request headers too large")
            return None
        request_line, _, head = buf[:end].decode("latin-1").partition("\r\n")
        parts = request_line.split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise HTTPError(400, "malformed HTTP request line")
        method, target, version = parts
        headers: dict[str, str] = {}
        for line in head.split("\r\n") if head else ():
            name, sep, value = line.partition(":")
            if not sep:
                raise HTTPError(400, "malformed HTTP header line")
            name = name.strip().lower()
            value = value.strip()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        if "transfer-encoding" in headers:
            raise HTTPError(411, "chunked request bodies are not supported: send Content-Length")
        length = headers.get("content-length")
        total = end + 4
        if length is not None:
            if not length.isdigit():
                raise HTTPError(400, "bad Content-Length")
            if int(length) > self.endpoint.config.max_body:
                raise HTTPError(413, f"request body over {self.endpoint.config.max_body:,} bytes")
            total += int(length)
        if len(buf) < total:
            if not self.continued and headers.get("expect", "").lower() == "100-continue":
                self.continued = True
                if self.transport is not None:
                    self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            return None
        body = bytes(buf[end + 4 : total])
        del buf[:total]
        self.continued = False
        connection = headers.get("connection")
        if version == "HTTP/1.0":
            self.keep_alive = connection is not None and "keep-alive" in connection.lower()
        elif connection is not None and "close" in connection.lower():
            self.keep_alive = False
        path, _, query_string = target.partition("?")
        return Request(method, path, query_string, headers, body)


def accept_on(loop: asyncio.AbstractEventLoop, listener: socket.socket, endpoint: Endpoint) -> None:
    """Accept connections from a listening socket that other worker processes share.

    One connection per wake-up (asyncio's own server accepts a whole backlog at
    once), and a worker that already holds k connections waits k milliseconds
    before it takes another, so an idle worker takes the next one: the load spreads.
    """
    active = 0
    fd = listener.fileno()

    def closed() -> None:
        nonlocal active
        active -= 1

    def factory() -> Connection:
        return Connection(endpoint, closed)

    def take() -> None:
        nonlocal active
        try:
            conn, _ = listener.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return
        active += 1
        conn.setblocking(False)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        loop.create_task(loop.connect_accepted_socket(factory, conn))

    def resume() -> None:
        loop.add_reader(fd, on_readable)

    def on_readable() -> None:
        if active == 0:
            take()
            return
        loop.remove_reader(fd)
        loop.call_later(0.001 * min(active, 50), lambda: (take(), resume()))

    listener.setblocking(False)
    loop.add_reader(fd, on_readable)
