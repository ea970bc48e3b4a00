"""SPARQL speed: store load time, competency-query latency, endpoint throughput side by side.

    .venv/bin/python benchmarks/bench_sparql.py [--exports exports] [--nt full.nt]
        [--repeats 20] [--duration 20] [--connections 8] [--servers "kg serve,..."]

1. Load: `load_store(exports)` (kg.nq into memory, named graphs + their union), and
   what `kg query` does instead: make the on-disk store once per build
   (`store_location`), then open it read-only on every call (`open_store`); medians of 3.
2. Latency: every named query (kg/queries/), run `--repeats` times after 2 warm-ups,
   answer fully read and serialized as SPARQL JSON; median and max. Target <= 20 ms.
   With `--nt PATH` (or exports/full/*.nt), the same on the full-merge graph, plus the
   two hierarchy queries of the performance anchors.
3. Endpoints on loopback, same data, same queries (label, ancestors), 8 connections:
   `kg serve` (Oxigraph's server over the store `kg` makes; as shipped, with a 10 s
   query timeout, and with `--timeout 0`), `oxigraph serve-read-only`
   started by hand over a store the `oxigraph load` command makes from the same dataset
   (named graphs + union default graph), and `rdflib-endpoint serve` (union as
   N-Triples) when installed. Load by `wrk` (POST, Lua script as in the performance
   anchors) when installed, else a Python keep-alive client (which then measures
   itself more than the server). Reports queries/s, p50, p99, errors and the server's
   CPU (cores, from /proc).
Numbers are printed as Markdown tables; `--json PATH` also writes them as JSON.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pyoxigraph import (  # noqa: E402
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    parse,
    serialize,
)

from kg.query.catalog import QUERIES_DIR, QueryText, named_queries  # noqa: E402
from kg.query.server import oxigraph_program  # noqa: E402
from kg.query.sparql import execute  # noqa: E402
from kg.query.store import (  # noqa: E402
    graph_file,
    load_file,
    load_store,
    open_store,
    store_location,
)

PROLOGUE = (
    "PREFIX obo: <http://purl.obolibrary.org/obo/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)
ENDPOINT_QUERIES = {
    "label": PROLOGUE + "SELECT ?label WHERE { obo:MONDO_0007915 rdfs:label ?label }",
    "ancestors": PROLOGUE + "SELECT DISTINCT ?a WHERE { obo:MONDO_0007915 rdfs:subClassOf* ?a }",
}
ANCHOR_QUERIES = {
    "Q1 MONDO:0007179 descendants": PROLOGUE
    + "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d rdfs:subClassOf* obo:MONDO_0007179 }",
    "Q2 CL:0000815 ancestors": PROLOGUE
    + "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { obo:CL_0000815 rdfs:subClassOf* ?a }",
}


# ---- 1 + 2: load and per-query latency ---------------------------------------------------


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def consume(store: Store, text: str) -> int:
    """Run a query and read its whole answer as SPARQL JSON (what a client would get)."""
    result = execute(store, QueryText(text, "<bench>"))
    if isinstance(result, QuerySolutions | QueryBoolean):
        return len(result.serialize(format=QueryResultsFormat.JSON) or b"")
    return sum(1 for _ in result)


def latencies(store: Store, queries: dict[str, str], repeats: int) -> list[dict[str, object]]:
    rows = []
    for name, text in queries.items():
        for _ in range(2):
            consume(store, text)
        times = [timed(lambda t=text: consume(store, t)) * 1000 for _ in range(repeats)]
        rows.append({"query": name, "median_ms": statistics.median(times), "max_ms": max(times)})
    return rows


def load_times(load: Callable[[], Store], runs: int = 3) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        store = load()
        times.append(time.perf_counter() - start)
        size = len(store)
        del store
    return statistics.median(times), size


def store_times(exports: Path, runs: int = 3) -> tuple[float, float]:
    """(seconds to make the on-disk store, seconds to open it read-only), medians.

    The store is made in a copy of the exports folder's graph files, so the user's own
    exports/.store is left alone.
    """
    made, opened = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
            copy = Path(tmp)
            for name in ("kg.nq", "manifest.json"):
                if (exports / name).exists():
                    shutil.copyfile(exports / name, copy / name)
            made.append(timed(lambda c=copy: store_location(c)))
            opened.append(timed(lambda c=copy: open_store(c)))
    return statistics.median(made), statistics.median(opened)


# ---- 3: endpoints --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


@contextmanager
def running(cmd: list[str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        wait_for_port(port, proc)
        yield proc
    finally:
        if proc.poll() is None:  # the server's own session: itself and its workers
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def cpu_seconds(pid: int) -> float:
    """User+system CPU of a process and its live descendants, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        stats[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += stats.get(p, 0.0)
        todo += children.get(p, [])
    return total


def ask(url: str, query: str) -> int:
    """Rows in the JSON answer of one POSTed query (to check servers agree before timing)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request(
        "POST",
        parts.path or "/",
        query.encode(),
        {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    if resp.status != 200:
        raise RuntimeError(f"{url}: HTTP {resp.status}: {body[:200]!r}")
    return len(json.loads(body)["results"]["bindings"])


def wrk_run(url: str, query: str, duration: int, connections: int, work: Path) -> dict[str, float]:
    script = work / "query.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/sparql-query"\n'
        'wrk.headers["Accept"] = "application/sparql-results+json"\n'
        f"wrk.body = {json.dumps(query)}\n",
        "utf-8",
    )
    base = ["wrk", "-t1", f"-c{connections}", "--timeout", "30s", "-s", str(script)]
    subprocess.run([*base, "-d3s", url], capture_output=True, check=True)  # warm-up
    out = subprocess.run(
        [*base, f"-d{duration}s", "--latency", url], capture_output=True, text=True, check=True
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)

    def pct(p: str) -> float:
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)  # type: ignore[union-attr]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {
        "qps": rate,
        "p50_ms": pct("50"),
        "p99_ms": pct("99"),
        "errors": float(errors.group(1)) if errors else 0.0,
        "socket_errors": 1.0 if socket_errors else 0.0,
    }


def python_run(url: str, query: str, duration: int, connections: int) -> dict[str, float]:
    """Keep-alive POST loops on `connections` threads (when wrk is not installed)."""
    parts = urllib.parse.urlsplit(url)
    headers = {
        "Content-Type": "application/sparql-query",
        "Accept": "application/sparql-results+json",
    }
    body = query.encode()
    stop = time.monotonic() + duration
    samples: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        local: list[float] = []
        while time.monotonic() < stop:
            start = time.perf_counter()
            conn.request("POST", parts.path or "/", body, headers)
            resp = conn.getresponse()
            resp.read()
            local.append((time.perf_counter() - start) * 1000)
            if resp.status != 200:
                errors[0] += 1
        conn.close()
        with lock:
            samples.extend(local)

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    samples.sort()
    return {
        "qps": len(samples) / duration,
        "p50_ms": samples[len(samples) // 2],
        "p99_ms": samples[int(len(samples) * 0.99)],
        "errors": float(errors[0]),
        "socket_errors": 0.0,
    }


def servers(args: argparse.Namespace, work: Path) -> dict[str, tuple[list[str], str, int]]:
    """name -> (command, query URL, port) for every server that is available."""
    nq = graph_file(args.exports)
    union_nt = work / "union.nt"
    union_nq = work / "dataset.nq"
    quads = list(parse(path=str(nq), format=RdfFormat.N_QUADS))
    triples = sorted({Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
    serialize(triples, str(union_nt), format=RdfFormat.N_TRIPLES)
    default = [Quad(t.subject, t.predicate, t.object) for t in triples]
    serialize(quads + default, str(union_nq), format=RdfFormat.N_QUADS)  # graphs + union
    found: dict[str, tuple[list[str], str, int]] = {}
    for name, extra in (("kg serve", []), ("kg serve --timeout 0", ["--timeout", "0"])):
        port = free_port()
        found[name] = (
            [sys.executable, "-m", "kg.cli", "serve", "--exports", str(args.exports),
             "--port", str(port), *extra],
            f"http://127.0.0.1:{port}/query",
            port,
        )  # fmt: skip
    oxigraph = str(oxigraph_program())
    if Path(oxigraph).exists():
        db = work / "oxdb"
        subprocess.run(
            [oxigraph, "load", "--location", str(db), "--file", str(union_nq), "--lenient"],
            check=True,
            capture_output=True,
        )
        port = free_port()
        found["oxigraph serve-read-only"] = (
            [oxigraph, "serve-read-only", "--location", str(db), "--bind", f"127.0.0.1:{port}"],
            f"http://127.0.0.1:{port}/query",
            port,
        )
    endpoint = args.rdflib_endpoint or shutil.which("rdflib-endpoint")
    if endpoint and Path(endpoint).exists():
        port = free_port()
        found["rdflib-endpoint"] = (
            [endpoint, "serve", str(union_nt), "--host", "127.0.0.1", "--port", str(port)],
            f"http://127.0.0.1:{port}/",
            port,
        )
    wanted = [s.strip() for s in args.servers.split(",")] if args.servers else None
    return {k: v for k, v in found.items() if wanted is None or k in wanted}


def bench_server(
    name: str, cmd: list[str], url: str, port: int, args: argparse.Namespace, work: Path
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    use_wrk = shutil.which("wrk") is not None and not args.python_client
    with running(cmd, port) as proc:
        for qname, query in ENDPOINT_QUERIES.items():
            try:
                answer_rows = ask(url, query)
                cpu0, wall0 = cpu_seconds(proc.pid), time.monotonic()
                if use_wrk:
                    result = wrk_run(url, query, args.duration, args.connections, work)
                else:
                    result = python_run(url, query, args.duration, args.connections)
            except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
                # a server that fails one query keeps the rows of the others
                rows.append({"server": name, "query": qname, "rows": f"failed: {exc}"})
                print(f"  {name:26} {qname:9} failed: {exc}", file=sys.stderr)
                continue
            cores = (cpu_seconds(proc.pid) - cpu0) / (time.monotonic() - wall0)
            rows.append(
                {"server": name, "query": qname, "rows": answer_rows, **result,
                 "server_cores": round(cores, 2)}
            )  # fmt: skip
            print(f"  {name:26} {qname:9} {result['qps']:>9,.0f} q/s", file=sys.stderr)
    return rows


def bench_endpoints(args: argparse.Namespace) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="bench-sparql-") as tmp:
        work = Path(tmp)
        for name, (cmd, url, port) in servers(args, work).items():
            try:
                rows += bench_server(name, cmd, url, port, args, work)
            except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
                print(f"  {name}: {exc}; skipped", file=sys.stderr)
    return rows


def full_merge_files(args: argparse.Namespace) -> list[Path]:
    """The N-Triples files of the full-merge graph: --nt, else a default directory."""
    given = (
        args.nt
        or [d for d in (args.exports / "full", args.exports / "ontologies-full") if d.is_dir()][:1]
    )
    files: list[Path] = []
    for path in given:
        files += sorted(path.glob("*.nt")) if path.is_dir() else [path]
    return files


# ---- main ----------------------------------------------------------------------------------


def table(rows: list[dict[str, object]], columns: list[str]) -> str:
    def cell(v: object) -> str:
        if isinstance(v, float):
            return f"{v:,.2f}" if v < 100 else f"{v:,.0f}"
        return str(v)

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(r.get(c, "")) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--exports", type=Path, default=ROOT / "exports")
    parser.add_argument("--queries", type=Path, default=QUERIES_DIR)
    parser.add_argument(
        "--nt",
        type=Path,
        action="append",
        help="full-merge N-Triples file or directory of them (repeatable); default: "
        "exports/full/ or exports/ontologies-full/ when present",
    )
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--duration", type=int, default=20, help="seconds per endpoint run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--servers", help="comma-separated subset of the servers to run")
    parser.add_argument("--rdflib-endpoint", help="path of the rdflib-endpoint executable")
    parser.add_argument("--python-client", action="store_true", help="do not use wrk")
    parser.add_argument("--skip-endpoints", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()
    report: dict[str, object] = {"machine": f"{os.cpu_count()} CPUs", "python": sys.version}

    seconds, quads = load_times(lambda: load_store(args.exports))
    made, opened = store_times(args.exports)
    report["load"] = {
        "file": str(graph_file(args.exports)),
        "seconds": seconds,
        "quads": quads,
        "store_made_seconds": made,
        "store_opened_seconds": opened,
    }
    print(
        f"## Load\n\n{graph_file(args.exports)}: {quads:,} quads in the store "
        f"(named graphs + union default graph): into memory {seconds * 1000:.0f} ms; "
        f"on-disk store made once per build {made * 1000:.0f} ms, then opened read-only "
        f"{opened * 1000:.1f} ms (medians of 3)\n"
    )

    store = load_store(args.exports)
    competency = {q.name: q.text for q in named_queries(args.queries)}
    rows = latencies(store, competency, args.repeats)
    report["latency"] = rows
    print(f"## Competency queries, default graph ({args.repeats} runs each)\n")
    print(table(rows, ["query", "median_ms", "max_ms"]))
    worst = max(float(r["median_ms"]) for r in rows)  # type: ignore[arg-type]
    print(f"\nslowest median: {worst:.2f} ms (target <= 20 ms)\n")

    full = full_merge_files(args)
    if full:
        names = ", ".join(p.name for p in full)

        def load_all() -> Store:
            store = Store()
            for path in full:
                load_file(path, store)
            return store

        seconds, size = load_times(load_all, runs=1)
        big = load_all()
        queries = {**competency, **ANCHOR_QUERIES}
        rows = latencies(big, queries, max(3, args.repeats // 4))
        report["full_merge"] = {"files": names, "seconds": seconds, "triples": size,
                                "latency": rows}  # fmt: skip
        print(f"## Full merge: {names} ({size:,} triples, loaded in {seconds:.1f} s)\n")
        print(table(rows, ["query", "median_ms", "max_ms"]) + "\n")
        del big
    del store

    if not args.skip_endpoints:
        rows = bench_endpoints(args)
        report["endpoints"] = rows
        print(f"## Endpoints ({args.connections} connections, {args.duration} s, loopback)\n")
        print(table(rows, ["server", "query", "rows", "qps", "p50_ms", "p99_ms", "errors",
                           "server_cores"]))  # fmt: skip
        by = {(r["server"], r["query"]): float(r["qps"]) for r in rows if "qps" in r}  # type: ignore[arg-type]
        print()
        for q in ENDPOINT_QUERIES:
            ours = [(s, v) for (s, qq), v in by.items() if qq == q and s.startswith("kg serve")]
            ox = by.get(("oxigraph serve-read-only", q))
            rl = by.get(("rdflib-endpoint", q))
            for server, value in ours:
                ratios = []
                if ox:
                    ratios.append(f"{value / ox:.2f}x oxigraph (target >= 0.5)")
                if rl:
                    ratios.append(f"{value / rl:.1f}x rdflib-endpoint (target >= 10)")
                print(f"- {q}, {server}: " + ", ".join(ratios))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str) + "\n", "utf-8")


if __name__ == "__main__":
    main()
