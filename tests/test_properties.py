"""Property-based tests: random valid curations round-trip through every export; random bad
input raises nothing but KGError.

Valid curations are drawn as schema records, written as YAML with tests/bad_input/miniproject
(which also declares every predicate and ECO code they may use), built with the real pipeline
(validation included), and every export is re-read with an independent reader: the counts must
equal the dataset's (RDF formats) or the projection's (property-graph formats).
"""

from __future__ import annotations

import csv
import shutil
import sys
import tempfile
from pathlib import Path
from typing import get_args

import networkx as nx
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples
from rdflib import Dataset

from kg.curation.load import load_curation
from kg.curation.schema import (
    Arm,
    Category,
    Curation,
    Design,
    Dose,
    Endpoint,
    Entity,
    Evidence,
    OutcomeMeasure,
    Publication,
    Registry,
    Result,
    Statement,
    Trial,
    Unit,
)
from kg.errors import KGError
from kg.export.ntriples import merged_graph
from kg.ontology.modules import iter_modules
from kg.pipeline import build
from kg.property_graph.projection import project
from kg.rdf.build import build_dataset

sys.path.insert(0, str(Path(__file__).parent / "bad_input"))
from miniproject import EVIDENCE_CODES, PREDICATES, sample_curation, write_project

# ---- strategies for valid curations ----

slugs = st.from_regex(r"[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,3})?", fullmatch=True)
words = (
    st.text(
        alphabet=st.sampled_from(list("abcxyzAB019 -:#'\"µé/()[]{},&*!%@`|>")),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(bool)
)
quotes = st.lists(
    st.sampled_from(["IL-2", "expands", "Treg", "in", "SLE", "cells", "µg"]),
    min_size=1,
    max_size=25,
).map(" ".join)
years = st.integers(1990, 2030)
numbers = st.floats(min_value=0.001, max_value=10_000, allow_nan=False).map(lambda x: round(x, 3))


@st.composite
def curations(draw: st.DrawFn) -> Curation:
    """A small, valid, referentially closed curation."""
    ent_slugs = draw(st.lists(slugs, min_size=2, max_size=5, unique=True))
    entities = [
        Entity(id=f"il2kg:concept/{s}", label=draw(words), category=draw(st.sampled_from(Category)))
        for s in ent_slugs
    ]
    entities += [
        Entity(id="MONDO:0007915", label="systemic lupus erythematosus", category="Disease")
    ]
    ids = [e.id for e in entities]
    pubs = [
        Publication(id=f"il2kg:publication/{s}", title=draw(words), year=draw(years))
        for s in draw(st.lists(slugs, min_size=1, max_size=3, unique=True))
    ]
    pub_ids = [p.id for p in pubs]

    def evidence() -> Evidence:
        return Evidence(
            source=draw(st.sampled_from(pub_ids)),
            eco=draw(st.sampled_from(sorted(EVIDENCE_CODES))),
            quote=draw(quotes),
            locator=draw(words),
        )

    statements = [
        Statement(
            id=s,
            subject=draw(st.sampled_from(ids)),
            predicate=draw(st.sampled_from(sorted(PREDICATES))),
            object=draw(st.sampled_from(ids)),
            negated=draw(st.booleans()),
            qualifiers=draw(st.dictionaries(slugs, words, max_size=2)),
            evidence=tuple(evidence() for _ in range(draw(st.integers(1, 2)))),
            status=draw(st.sampled_from(["verified", "unverified"])),
        )
        for s in draw(st.lists(slugs, max_size=4, unique=True))
    ]
    # a contradiction (same s/p/o asserted and negated, same context) is rejected by validation
    seen: dict[tuple[str, str, str], bool] = {}
    statements = [
        s
        for s in statements
        if seen.setdefault((s.subject, s.predicate, s.object), s.negated) == s.negated
    ]
    measures = [
        OutcomeMeasure(id=s, label=draw(words), kind="clinical")
        for s in draw(st.lists(slugs, min_size=1, max_size=2, unique=True))
    ]
    trials = [
        draw(trials_of(t, i, ids, pub_ids, [m.id for m in measures]))
        for i, t in enumerate(draw(st.lists(slugs, max_size=2, unique=True)))
    ]
    return Curation(
        entities=tuple(entities),
        publications=tuple(pubs),
        statements=tuple(statements),
        trials=tuple(trials),
        outcome_measures=tuple(measures),
    )


@st.composite
def trials_of(
    draw: st.DrawFn, slug: str, index: int, ids: list[str], pubs: list[str], measures: list[str]
) -> Trial:
    arm_ids = draw(st.lists(slugs, min_size=1, max_size=3, unique=True))
    arms = tuple(
        Arm(
            id=a,
            label=draw(words),
            role=draw(st.sampled_from(["experimental", "placebo comparator", "single group"])),
            intervention=draw(st.sampled_from(ids)),
            doses=tuple(
                Dose(
                    value=draw(numbers),
                    unit=draw(st.sampled_from(get_args(Unit))),
                    route="subcutaneous",
                    frequency=draw(words),
                )
                for _ in range(draw(st.integers(0, 2)))
            ),
        )
        for a in arm_ids
    )
    registered = draw(st.booleans())
    results = tuple(
        Result(
            id=f"r{i}",
            measure=draw(st.sampled_from(measures)),
            arm=draw(st.sampled_from(arm_ids)),
            percent=draw(st.none() | st.floats(0, 100).map(lambda x: round(x, 2))),
            p_value=draw(st.none() | st.floats(0, 1).map(lambda x: round(x, 4))),
            source=draw(st.sampled_from(pubs)),
        )
        for i in range(draw(st.integers(0, 3)))
    )
    return Trial(
        id=slug,
        acronym=draw(words),
        title=draw(words),
        registry=Registry(nct=(f"NCT{index + 1:08d}",)) if registered else Registry(),
        phase=draw(st.sampled_from(["1", "2", "N/A"])),
        design=Design(
            randomised=draw(st.booleans()),
            blinding=draw(st.sampled_from(["open-label", "double-blind"])),
            placebo_controlled=draw(st.booleans()),
            model=None if registered else "case report",
        ),
        conditions=("MONDO:0007915",),
        arms=arms,
        primary_endpoints=(Endpoint(measure=draw(st.sampled_from(measures))),),
        results=results,
        publications=tuple(draw(st.lists(st.sampled_from(pubs), max_size=2, unique=True))),
    )


# ---- helpers ----


def _rows(path: Path) -> int:
    """Data rows: KGX TSV has no quoting (one line per row); Neo4j CSV is RFC 4180 CSV."""
    with path.open(newline="", encoding="utf-8") as fh:
        if path.suffix == ".tsv":
            return sum(1 for _ in fh) - 1
        return sum(1 for _ in csv.reader(fh)) - 1


def _sorted(c: Curation) -> Curation:
    """The curation as the loader returns it: each kind of record sorted by id."""
    return Curation(
        **{k: tuple(sorted(getattr(c, k), key=lambda r: r.id)) for k in Curation.model_fields}
    )


def _round_trip(root: Path, curation: Curation) -> None:
    write_project(root, curation)
    data, onto, out = root / "data", root / "ontologies", root / "exports"
    report = build(data, onto, out)
    loaded = load_curation(data)
    dataset = build_dataset(loaded.curation, list(iter_modules(onto)))
    graph = project(dataset)
    assert loaded.curation == _sorted(curation)  # the YAML round trip loses nothing
    assert report.counts["quads"] == sum(len(g) for g in dataset.graphs())

    union = len(merged_graph(dataset))
    assert len(list(ox.parse(path=out / "kg.nt", format=ox.RdfFormat.N_TRIPLES))) == union
    assert len(list(ox.parse(path=out / "kg.ttl", format=ox.RdfFormat.TURTLE))) == union
    quads = list(ox.parse(path=out / "kg.nq", format=ox.RdfFormat.N_QUADS))
    assert len(quads) == report.counts["quads"]
    jsonld = Dataset()
    jsonld.parse(out / "kg.jsonld", format="json-ld")
    assert len(list(jsonld.quads())) == report.counts["quads"]

    nodes, edges = len(graph.nodes), len(graph.edges)
    g = nx.read_graphml(out / "graph.graphml")
    assert (g.number_of_nodes(), g.number_of_edges()) == (nodes, edges)
    assert (_rows(out / "kgx" / "nodes.tsv"), _rows(out / "kgx" / "edges.tsv")) == (nodes, edges)
    neo = out / "neo4j"
    assert sum(_rows(p) for p in neo.glob("nodes_*.csv")) == nodes
    assert sum(_rows(p) for p in neo.glob("relationships_*.csv")) == edges
    assert graph.nodes and any(e.negated for e in graph.edges) == any(
        s.negated for s in curation.statements
    )


# ---- properties ----


def test_sample_project_round_trips(tmp_path: Path) -> None:
    _round_trip(tmp_path, sample_curation())


# each example is a whole build (~1 s): few examples, and no shrinking (minutes per failure)
@pytest.mark.slow  # a whole build per example
@settings(
    max_examples=8,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(curation=curations())
def test_random_curations_round_trip_through_every_export(curation: Curation) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _round_trip(Path(tmp), curation)


@pytest.fixture(scope="module")
def valid_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("valid")
    write_project(root, sample_curation())
    return root


def _load_with(valid: Path, name: str, content: bytes) -> None:
    """load_curation on a copy of the valid data where `name` holds `content`."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(valid / "data", data)
        (data / name).write_bytes(content)
        try:
            load_curation(data)
        except KGError as exc:
            assert exc.problems
            assert all(p.file for p in exc.problems)


FILES = ["entities.yaml", "statements.yaml", "publications.yaml", "trials/sample-trial.yaml"]


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(name=st.sampled_from(FILES), content=st.binary(max_size=300))
def test_random_bytes_raise_only_kgerror(valid_project: Path, name: str, content: bytes) -> None:
    _load_with(valid_project, name, content)


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(name=st.sampled_from(FILES), data=st.data())
def test_mutated_yaml_raises_only_kgerror(
    valid_project: Path, name: str, data: st.DataObject
) -> None:
    """Valid files with a few characters deleted, replaced or inserted: YAML's hard cases."""
    text = (valid_project / "data" / name).read_text("utf-8")
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(text)))
        piece = data.draw(
            st.sampled_from(
                [
                    "",
                    ":",
                    "-",
                    " ",
                    "\t",
                    "[",
                    "{",
                    "'",
                    '"',
                    "\n",
                    "&a",
                    "*a",
                    "!!python/object:os.system",
                    "%",
                    "\x00",
                    "2017-13-45",
                    "1e400",
                    "~",
                    "null",
                    "yes",
                ]
            )
        )
        cut = data.draw(st.integers(0, 3))
        text = text[:i] + piece + text[i + cut :]
    _load_with(valid_project, name, text.encode("utf-8", errors="surrogatepass"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | words,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(words, inner, max_size=3),
    max_leaves=10,
)


@settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    record=st.dictionaries(
        st.sampled_from(["id", "label", "category", "subject", "evidence", "arms", "year", "x"]),
        json_values,
        max_size=6,
    )
)
def test_random_records_raise_only_kgerror(valid_project: Path, record: dict[str, object]) -> None:
    """Arbitrary JSON-like records in a list file: wrong types anywhere are located errors."""
    import json

    content = json.dumps({"statements": [record]}).encode("utf-8")  # JSON is YAML
    _load_with(valid_project, "statements.yaml", content)


# ---- literals that hold line separators and control characters (issue 11, section 2 case 2) ----

#: characters str.splitlines() breaks at, other C0/C1 controls, quotes, escapes, non-BMP
HOSTILE = list("\u2028\u2029\x85\x0c\x0b\x1c\x1d\x1e\x01\x1f\x7f\t\r\n\"\\<>{}|^`'é\U0001f600")


@pytest.mark.slow  # a whole build per example
@settings(
    max_examples=12,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(text=st.text(alphabet=st.sampled_from([*HOSTILE, "a", " "]), min_size=1, max_size=24))
def test_a_literal_is_one_statement_whatever_characters_it_holds(text: str) -> None:
    import rdflib

    from kg.namespaces import DCTERMS, expand

    base = sample_curation()
    entity = base.entities[0].model_copy(update={"description": text})
    curation = base.model_copy(update={"entities": (entity, *base.entities[1:])})
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_project(root, curation)
        out = root / "exports"
        build(root / "data", root / "ontologies", out, formats=["nt", "nq", "ttl"])
        loaded = load_curation(root / "data").curation.entities
        [expected] = [e.description for e in loaded if e.id == entity.id]
        subject = ox.NamedNode(str(expand(entity.id)))
        for name, fmt in (("kg.nt", ox.RdfFormat.N_TRIPLES), ("kg.nq", ox.RdfFormat.N_QUADS),
                          ("kg.ttl", ox.RdfFormat.TURTLE)):  # fmt: skip
            quads = list(ox.parse(path=out / name, format=fmt))
            desc = ox.NamedNode(str(DCTERMS.description))
            found = [q.object.value for q in quads if (q.subject, q.predicate) == (subject, desc)]
            assert found == [expected], name
            if name != "kg.ttl":  # line-based: one statement per line, split at \n only
                lines = (out / name).read_text("utf-8").split("\n")
                assert lines[-1] == "" and len(lines) - 1 == len(quads)
            parsed = rdflib.Dataset()
            parsed.parse(out / name, format={"kg.nt": "nt", "kg.nq": "nquads"}.get(name, "turtle"))
            pattern = (expand(entity.id), DCTERMS.description, None, None)
            values = [str(o) for _, _, o, _ in parsed.quads(pattern)]
            assert values == [expected], name
