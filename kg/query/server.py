"""Run the SPARQL endpoint: worker processes, a watchdog per worker, and `kg serve`.

Model (as gunicorn's sync workers). The parent loads the store once, opens the
listening socket, and forks `workers` processes that share both (the store's
memory is shared copy-on-write). Each worker runs one asyncio loop and answers
queries inline. Its watchdog thread watches the running query: past the deadline
it writes a 503 to that client and ends the worker, which is the only way to stop
an engine call that has no timeout of its own; the parent starts a fresh worker.
Solutions are read one by one, so a query that streams is stopped at its next row
with an ordinary 503 and the worker lives on. For tests and benchmarks,
:func:`start` runs the same loop on a thread of the calling process (its watchdog
answers 503 but cannot end the engine call).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from pyoxigraph import Store
from rich.console import Console

from kg.errors import KGError
from kg.query.catalog import QUERIES_DIR, NamedQuery, named_queries
from kg.query.connection import accept_on, response_bytes
from kg.query.endpoint import Endpoint, ServerConfig
from kg.query.store import load_store

__all__ = ["RunningServer", "ServerConfig", "Watchdog", "listen", "serve_command", "start"]

#: exit status of a worker its watchdog ended (the parent replaces it)
TIMEOUT_EXIT = 75
_GRACE = 0.2  # seconds the evaluating thread gets to answer a late query itself


class Watchdog(threading.Thread):
    """Answers 503 for a query stuck past its deadline, then calls on_timeout."""

    def __init__(self, endpoint: Endpoint, on_timeout: Callable[[], None]) -> None:
        super().__init__(name="sparql-watchdog", daemon=True)
        self.endpoint = endpoint
        self.on_timeout = on_timeout
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.wait(0.05):
            running = self.endpoint.running
            if running is None or time.monotonic() < running.deadline + _GRACE:
                continue
            if not running.claim():
                continue
            reply = response_bytes(self.endpoint.timeout_answer(), keep_alive=False)
            if running.fd >= 0:
                with contextlib.suppress(OSError):
                    dup = socket.socket(fileno=os.dup(running.fd))
                    with dup:
                        dup.setblocking(True)
                        dup.settimeout(1.0)
                        dup.sendall(reply)
                        dup.shutdown(socket.SHUT_RDWR)
            self.on_timeout()

    def stop(self) -> None:
        self._stop.set()


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket (port 0 = any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def _serve_forever(
    endpoint: Endpoint,
    listener: socket.socket,
    on_timeout: Callable[[], None],
    ready: Callable[[asyncio.AbstractEventLoop], None] | None = None,
) -> None:
    """Run one worker's event loop until it is stopped."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    accept_on(loop, listener, endpoint)
    watchdog = Watchdog(endpoint, on_timeout)
    watchdog.start()
    if ready is not None:
        ready(loop)
    try:
        loop.run_forever()
    finally:
        watchdog.stop()
        loop.remove_reader(listener.fileno())
        loop.close()


class RunningServer:
    """An endpoint served from a thread of this process (tests, benchmarks)."""

    def __init__(self, endpoint: Endpoint, host: str = "127.0.0.1", port: int = 0) -> None:
        self.endpoint = endpoint
        self.host = host
        self.listener = listen(host, port)
        self.port: int = self.listener.getsockname()[1]
        self._loop: asyncio.AbstractEventLoop | None = None
        started = threading.Event()

        def ready(loop: asyncio.AbstractEventLoop) -> None:
            self._loop = loop
            started.set()

        self._thread = threading.Thread(
            target=_serve_forever,
            args=(endpoint, self.listener, lambda: None, ready),
            name="sparql-server",
            daemon=True,
        )
        self._thread.start()
        started.wait(10)

    @property
    def url(self) -> str:
        """The SPARQL endpoint's URL."""
        return f"http://{self.host}:{self.port}/query"

    def stop(self) -> None:
        """Stop the loop and close the listening socket."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self.listener.close()


def start(endpoint: Endpoint, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Serve endpoint on host:port (0 = any free port) from a background thread."""
    return RunningServer(endpoint, host, port)


def serve_command(
    config: ServerConfig, exports: Path, console: Console, queries_dir: Path = QUERIES_DIR
) -> None:
    """`kg serve`: load the graph and answer SPARQL on config.host:config.port until stopped."""
    if config.timeout <= 0 or config.max_rows <= 0 or config.workers <= 0:
        raise KGError("--timeout, --max-rows and --workers must be positive")
    store = load_store(exports)
    queries = named_queries(queries_dir) if queries_dir.is_dir() else []
    try:
        listener = listen(config.host, config.port)
    except OSError as exc:
        raise KGError(
            f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc} "
            "(is another server using it? choose another --port)"
        ) from None
    port = listener.getsockname()[1]
    graphs = len(list(store.named_graphs()))
    count = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    quads = int(next(iter(count))["n"].value)  # type: ignore[index, call-overload]
    console.print(
        f"SPARQL endpoint on [bold]http://{config.host}:{port}/query[/bold]: {quads:,} quads "
        f"in {graphs} named graphs, default graph = their union; {config.workers} "
        f"worker(s), timeout {config.timeout:g} s, at most {config.max_rows:,} rows. "
        f"Query page: http://{config.host}:{port}/ . Ctrl-C stops it.",
        highlight=False,
    )
    if config.host not in {"127.0.0.1", "localhost", "::1"}:
        console.print(f"[yellow]Listening on {config.host}: other machines can reach it.")
    with listener:
        if hasattr(os, "fork"):
            _supervise(store, config, queries, listener, console)
        else:  # no fork: one in-process worker whose watchdog cannot stop a stuck query
            with contextlib.suppress(KeyboardInterrupt):
                _serve_forever(Endpoint(store, config, queries), listener, lambda: None)


def _supervise(
    store: Store,
    config: ServerConfig,
    queries: Sequence[NamedQuery],
    listener: socket.socket,
    console: Console,
) -> None:
    """Fork the workers and replace any that ends, until SIGINT/SIGTERM."""
    children: dict[int, float] = {}
    quick_failures = 0

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                endpoint = Endpoint(store, config, queries)
                _serve_forever(endpoint, listener, lambda: os._exit(TIMEOUT_EXIT))
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        children[pid] = time.monotonic()

    def terminate(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        for _ in range(config.workers):
            spawn()
        while True:
            pid, status = os.wait()
            started = children.pop(pid, None)
            if started is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            if code == TIMEOUT_EXIT:
                console.print("[yellow]A query ran past --timeout; its worker was replaced.")
            elif time.monotonic() - started < 2:
                quick_failures += 1
                if quick_failures >= 5:
                    raise KGError("the server's workers keep failing at start; see above")
            spawn()
    except KeyboardInterrupt:
        console.print("Stopped.")
    finally:
        signal.signal(signal.SIGTERM, previous)
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in list(children):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
