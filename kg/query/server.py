"""`kg serve`: Oxigraph's own SPARQL server, read-only, over the build's on-disk store.

The server is the `oxigraph` program of the PyPI package `oxigraph` (the Oxigraph CLI,
installed with this package), run as `oxigraph serve-read-only`: it opens the store
read-only, so SPARQL UPDATE is refused by construction (403 on /update, and an update
sent as a query is a syntax error); it streams answers, so there is no row cap; it
cancels a query past `--timeout-s`; it answers many idle connections (one thread per
connection, up to 128 per core). This module only prepares the store
(kg.query.store), checks the address is free, and runs the program until Ctrl-C.

A cost of Oxigraph 0.5's timeout: every query starts a timer thread that sleeps for the
whole timeout, so at thousands of queries a second the threads pile up (16,000 after
a few seconds at 10 s), new ones cannot start, queries fail with 500, and the server
may abort. `--timeout 0` runs without a timeout (and without those threads); and if
the server dies of a signal it did not get from us, it is started again (at most
RESTARTS times a minute).

What Oxigraph's server does differently from `kg query` is documented in docs/sparql.md:
the project's prefixes are not predeclared (`kg query NAME --show` prints a named query
with its PREFIX lines), and it runs SERVICE clauses (federated queries), fetching the
URLs they name.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from kg.errors import KGError
from kg.query.store import store_location

__all__ = ["LOCAL_HOSTS", "ServerConfig", "oxigraph_program", "serve_command", "server_arguments"]

#: Addresses only this machine can reach.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_PROGRAMS = frozenset({"oxigraph", "oxigraph.exe"})


@dataclass(frozen=True)
class ServerConfig:
    """Where to listen, how long a query may run (seconds; 0: no limit), and whether
    browsers of other origins may read the answers (CORS)."""

    host: str = "127.0.0.1"
    port: int = 7878
    timeout: int = 10
    cors: bool = False

    @property
    def bind(self) -> str:
        """host:port as Oxigraph's --bind wants it (an IPv6 address in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def url(self) -> str:
        """The SPARQL endpoint's URL."""
        return f"http://{self.bind}/query"


def oxigraph_program() -> Path:
    """The `oxigraph` executable of the installed PyPI package `oxigraph`.

    Found through the package's own file list (so it is the one installed beside this
    package, even when its bin folder is not on PATH), else on PATH. Raises KGError
    if neither has it.
    """
    with contextlib.suppress(importlib.metadata.PackageNotFoundError):
        for entry in importlib.metadata.files("oxigraph") or ():
            if entry.name in _PROGRAMS and entry.parent.name in {"bin", "Scripts"}:
                located = Path(str(entry.locate())).resolve()
                if located.is_file():
                    return located
    found = shutil.which("oxigraph")
    if found:
        return Path(found)
    raise KGError(
        "Oxigraph's server is not installed: `pip install oxigraph` (the package that ships "
        "the `oxigraph` program; it is a dependency of il2-sle-kg)"
    )


def server_arguments(config: ServerConfig, location: Path, program: Path) -> list[str]:
    """The command line that serves the store at location read-only."""
    args = [str(program), "serve-read-only", "--location", str(location), "--bind", config.bind]
    if config.timeout > 0:
        args += ["--timeout-s", str(config.timeout)]
    if config.cors:
        args.append("--cors")
    return args


def serve_command(
    config: ServerConfig, exports: Path, console: Console, full: bool = False
) -> None:
    """`kg serve`: serve the build in exports read-only until Ctrl-C (or SIGTERM).

    Raises KGError for a bad option, a missing build, an address in use, or a server
    that stops by itself.
    """
    if config.timeout < 0:
        raise KGError("--timeout must be 0 (no limit) or more seconds")
    if not 0 < config.port < 65536:
        raise KGError(f"--port must be between 1 and 65535, got {config.port}")
    program = oxigraph_program()
    _check_free(config)
    with console.status("Preparing the store…"):
        location = store_location(exports, full)
    version = _oxigraph_version()
    limit = f"queries stop after {config.timeout} s" if config.timeout else "no time limit"
    console.print(
        f"SPARQL endpoint on [bold]{config.url}[/bold] (Oxigraph {version}, read-only), "
        f"serving {exports / ('full/kg-full.nq' if full else 'kg.nq')}; default graph = the "
        f"union of the named graphs; {limit}. Query page: "
        f"http://{config.bind}/ . The project's prefixes are not predeclared here: "
        "`kg query NAME --show` prints a named query with its PREFIX lines. Ctrl-C stops it.",
        highlight=False,
        soft_wrap=True,
    )
    if config.host not in LOCAL_HOSTS:
        console.print(
            f"[yellow]Listening on {config.host}: other machines can reach it; put a reverse "
            "proxy in front of it to limit who can, and how much.[/yellow]",
            soft_wrap=True,
        )
    if config.cors:
        console.print(
            "[yellow]CORS is on: any web page open in this browser can read its answers.[/yellow]",
            soft_wrap=True,
        )
    _run(server_arguments(config, location, program), console)


def _check_free(config: ServerConfig) -> None:
    """A KGError now, rather than Oxigraph's panic later, if the address is taken."""
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((config.host, config.port))
    except OSError as exc:
        raise KGError(
            f"cannot listen on {config.bind}: {exc.strerror or exc} "
            "(is another server using it? choose another --port)"
        ) from None


def _oxigraph_version() -> str:
    try:
        return importlib.metadata.version("oxigraph")
    except importlib.metadata.PackageNotFoundError:
        return "(version unknown)"


#: restarts of a server that died of a signal, allowed within one minute
RESTARTS = 3
_STOPPED_BY_USER = frozenset({-signal.SIGINT, -signal.SIGTERM})


def _run(args: list[str], console: Console) -> None:
    """Run the server in the foreground; Ctrl-C or SIGTERM stops it (and us).

    A server killed by a signal we did not send (Oxigraph aborts when it cannot start a
    thread) is started again, RESTARTS times a minute at most. Raises KGError when the
    server exits with an error or keeps dying.
    """

    def terminate(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    deaths: list[float] = []
    try:
        while True:
            process = subprocess.Popen(args)
            try:
                code = process.wait()
                if code in _STOPPED_BY_USER:  # Ctrl-C reached both processes
                    raise KeyboardInterrupt
            except KeyboardInterrupt:
                _stop(process)
                console.print("Stopped.")
                return
            if code >= 0:
                break
            now = time.monotonic()
            deaths = [t for t in deaths if now - t < 60] + [now]
            if len(deaths) > RESTARTS:
                break
            console.print(
                f"[yellow]Oxigraph's server died of signal {-code}; starting it again.[/yellow]",
                soft_wrap=True,
            )
    finally:
        signal.signal(signal.SIGTERM, previous)
    if code != 0:
        raise KGError(f"Oxigraph's server stopped with exit code {code} (its message is above)")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
