"""Differential test: every competency query gives the same answer on a second engine.

Oxigraph (what `kg query` and `kg serve` use) is checked against rdflib's own SPARQL
engine over an rdflib Dataset parsed from kg.nq (default graph = union of all
graphs), and, when Java and Debian's Jena are installed, against Apache Jena ARQ.
Answers are compared as multisets of rows after normalising terms: numbers by value
(so "30.0"^^xsd:decimal equals "30"^^xsd:decimal), blank nodes by kind only.

Writing the queries against two engines found an rdflib difference: a
`{ BIND(<x> AS ?v) }` branch of a UNION does not constrain ?v there, so the queries
say `FILTER(?v = <x> || EXISTS {...})` instead; and rdflib evaluates a GRAPH block
with two unconnected patterns as a cross product, so each label has its own block.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QuerySolutions, Store
from rdflib import BNode, Dataset, URIRef
from rdflib import Literal as RLiteral

from kg.namespaces import PREFIXES
from kg.query.catalog import QUERIES_DIR, named_queries
from kg.query.sparql import execute
from kg.query.store import graph_file, load_store

ROOT = Path(__file__).resolve().parents[1]
QUERIES = named_queries(QUERIES_DIR)
XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long")}
_JENA_LIB = Path("/usr/share/java")

Norm = tuple[object, ...]

# rdflib's own SPARQL code calls its deprecated Dataset.default_context
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def norm(kind: str, value: str, datatype: str | None = None, lang: str | None = None) -> Norm:
    """One RDF term, engine-independent."""
    if kind == "bnode":
        return ("bnode",)
    if kind == "iri":
        return ("iri", value)
    if lang:
        return ("lit", value, "@" + lang.lower())
    if datatype in _NUMERIC:
        try:
            return ("num", Decimal(value).normalize())
        except InvalidOperation:
            return ("lit", value, datatype)
    if datatype == XSD + "boolean":
        return ("bool", value in ("true", "1"))
    return ("lit", value, None if datatype in (None, XSD + "string") else datatype)


def ox_term(term: object) -> Norm | None:
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return norm("iri", term.value)
    if isinstance(term, BlankNode):
        return norm("bnode", term.value)
    assert isinstance(term, Literal)
    return norm("lit", term.value, term.datatype.value, term.language)


def rdflib_term(term: object) -> Norm | None:
    if term is None:
        return None
    if isinstance(term, URIRef):
        return norm("iri", str(term))
    if isinstance(term, BNode):
        return norm("bnode", str(term))
    assert isinstance(term, RLiteral)
    return norm("lit", str(term), str(term.datatype) if term.datatype else None, term.language)


Answer = tuple[str, object]  # ("bool", True) | ("rows", (vars, Counter)) | ("graph", Counter)


def oxigraph_answer(store: Store, text: str, origin: str) -> Answer:
    from kg.query.catalog import QueryText

    result = execute(store, QueryText(text, origin))
    if isinstance(result, QueryBoolean):
        return ("bool", bool(result))
    if isinstance(result, QuerySolutions):
        names = tuple(v.value for v in result.variables)
        rows = Counter(tuple(ox_term(s[n]) for n in names) for s in result)
        return ("rows", (names, rows))
    triples = Counter((ox_term(t.subject), ox_term(t.predicate), ox_term(t.object)) for t in result)
    return ("graph", triples)


def rdflib_answer(dataset: Dataset, text: str) -> Answer:
    result = dataset.query(text, initNs=PREFIXES)
    if result.type == "ASK":
        return ("bool", bool(result.askAnswer))
    if result.type == "SELECT":
        names = tuple(str(v) for v in result.vars or ())
        rows = Counter(tuple(rdflib_term(row[n]) for n in names) for row in result)  # type: ignore[index]
        return ("rows", (names, rows))
    triples = Counter(tuple(rdflib_term(x) for x in t) for t in result)  # type: ignore[union-attr]
    return ("graph", triples)


@pytest.fixture(scope="module")
def store(exports: Path) -> Store:
    return load_store(exports)


@pytest.fixture(scope="module")
def dataset(exports: Path, exports_union_dataset: Dataset) -> Dataset:
    assert graph_file(exports).name == "kg.nq"  # the file the session's dataset was read from
    return exports_union_dataset


#: queries rdflib's engine takes more than 0.2 s over (one many seconds; CI runs them all, the
#: fast tier the other 30-odd, each well under 0.2 s)
RDFLIB_SLOW = {
    "trials_he2020_arms_side_by_side",
    "graph_sizes",
    "cell_types_expanded",
    "cell_types_reduced",
    "treg_claims",
}


@pytest.mark.parametrize(
    "name",
    [pytest.param(q.name, marks=pytest.mark.slow if q.name in RDFLIB_SLOW else ())
     for q in QUERIES],
)  # fmt: skip
def test_rdflib_agrees_with_oxigraph(store: Store, dataset: Dataset, name: str) -> None:
    query = next(q for q in QUERIES if q.name == name)
    expected = oxigraph_answer(store, query.text, str(query.path))
    assert rdflib_answer(dataset, query.text) == expected


def test_the_normalisation_distinguishes_what_matters() -> None:
    """Guard against a vacuous comparison: different values stay different."""
    assert norm("lit", "30.0", XSD + "decimal") == norm("lit", "30", XSD + "decimal")
    assert norm("lit", "30", XSD + "decimal") != norm("lit", "31", XSD + "decimal")
    assert norm("lit", "30", None) != norm("lit", "30", XSD + "decimal")
    assert norm("lit", "a", None, "EN") == norm("lit", "a", XSD + "string", "en")
    assert norm("iri", "http://a") != norm("lit", "http://a")


# ---- Apache Jena ARQ (optional: Debian's libapache-jena-java) --------------------------------

#: One JVM runs every query: loads kg.nq, copies each quad's triple into the default
#: graph (default = union, as in `kg query`), and writes <query>.out next to each query.
_RUNNER = """
import java.io.*;
import java.nio.file.*;
import java.util.*;
import org.apache.jena.query.*;
import org.apache.jena.riot.*;
import org.apache.jena.sparql.core.*;

public class RunQueries {
  public static void main(String[] args) throws Exception {
    Dataset ds = DatasetFactory.create();
    RDFDataMgr.read(ds, args[0]);
    DatasetGraph dsg = ds.asDatasetGraph();
    List<Quad> quads = new ArrayList<>();
    dsg.find().forEachRemaining(quads::add);
    for (Quad q : quads) dsg.getDefaultGraph().add(q.asTriple());
    for (int i = 1; i < args.length; i++) {
      Query query = QueryFactory.create(Files.readString(Path.of(args[i])));
      try (QueryExecution qe = QueryExecutionFactory.create(query, ds);
           OutputStream out = new FileOutputStream(args[i] + ".out")) {
        if (query.isSelectType()) ResultSetFormatter.outputAsJSON(out, qe.execSelect());
        else if (query.isAskType()) ResultSetFormatter.outputAsJSON(out, qe.execAsk());
        else RDFDataMgr.write(out, query.isConstructType() ? qe.execConstruct()
                                                          : qe.execDescribe(), Lang.NTRIPLES);
      }
    }
  }
}
"""

_JENA_DEPENDENCIES = (
    "commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io",
    "commons-lang3", "dexx.collection", "gson", "guava", "httpclient", "httpcore",
    "jackson-annotations", "jackson-core", "jackson-databind", "jakarta.json-api",
    "jsonld-java", "protobuf", "thrift", "titanium-json-ld", "slf4j-api", "slf4j-nop",
)  # fmt: skip


def _jena_classpath(work: Path) -> str | None:
    """A classpath for Debian's Jena jars, or None when a JDK or Jena is missing.

    Only Jena's own dependencies go on it (all of /usr/share/java clashes: two SLF4J
    bindings). Debian relocates Jena's Xerces to the package `xerces` but leaves its
    message bundles under org/apache/jena/ext/xerces in jena-core.jar; they are
    copied to xerces/ here, or XSD datatypes fail to initialise.
    """
    if shutil.which("java") is None or shutil.which("javac") is None:
        return None
    if not (_JENA_LIB / "jena-arq.jar").exists():
        return None
    import zipfile

    bundles = work / "xerces-bundles"
    prefix = "org/apache/jena/ext/xerces/"
    with zipfile.ZipFile(_JENA_LIB / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith(prefix) and name.endswith(".properties"):
                target = bundles / "xerces" / name[len(prefix) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    jars = sorted(str(p) for p in _JENA_LIB.glob("jena-*.jar") if p.stem.count("-") <= 3)
    jars = [j for j in jars if not Path(j).stem.split("-")[-1][:1].isdigit()]
    jars += [str(_JENA_LIB / f"{n}.jar") for n in _JENA_DEPENDENCIES]
    return os.pathsep.join([str(bundles), *(j for j in jars if Path(j).exists())])


@pytest.fixture(scope="module")
def jena_answers(exports: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Answer]:
    """Every competency query's answer from Jena ARQ, or a skip saying what to install."""
    work = tmp_path_factory.mktemp("jena")
    classpath = _jena_classpath(work)
    if classpath is None:
        pytest.skip(
            "Apache Jena not installed: `apt-get install libapache-jena-java` (plus a JDK "
            "for `java`/`javac`) runs the competency queries on Jena ARQ too"
        )
    prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    files = []
    for q in QUERIES:
        path = work / f"{q.name}.rq"
        path.write_text(prologue + q.text, "utf-8")
        files.append(str(path))
    runner = work / "RunQueries.java"
    runner.write_text(_RUNNER, "utf-8")
    proc = subprocess.run(
        ["java", "-cp", classpath, str(runner), str(graph_file(exports)), *files],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {q.name: _read_jena(Path(f + ".out")) for q, f in zip(QUERIES, files, strict=True)}


def _read_jena(path: Path) -> Answer:
    text = path.read_text("utf-8")
    if not text.lstrip().startswith("{"):
        from pyoxigraph import RdfFormat, parse

        triples = Counter(
            (ox_term(t.subject), ox_term(t.predicate), ox_term(t.object))
            for t in parse(text, format=RdfFormat.N_TRIPLES)
        )
        return ("graph", triples)
    doc = json.loads(text)
    if "boolean" in doc:
        return ("bool", bool(doc["boolean"]))
    names = tuple(doc["head"]["vars"])

    def term(b: dict[str, str] | None) -> Norm | None:
        if b is None:
            return None
        kind = {"uri": "iri", "bnode": "bnode"}.get(b["type"], "lit")
        return norm(kind, b["value"], b.get("datatype"), b.get("xml:lang"))

    rows = Counter(tuple(term(r.get(n)) for n in names) for r in doc["results"]["bindings"])
    return ("rows", (names, rows))


@pytest.mark.slow
@pytest.mark.parametrize("name", [q.name for q in QUERIES])
def test_jena_agrees_with_oxigraph(
    store: Store, jena_answers: dict[str, Answer], name: str
) -> None:
    query = next(q for q in QUERIES if q.name == name)
    assert jena_answers[name] == oxigraph_answer(store, query.text, str(query.path))
