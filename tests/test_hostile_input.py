"""Hostile text, by kind (issue 11, "done when"): labels, quotes, DOIs, qualifier keys and
values and dose units drawn from hostile alphabets (line separators, control characters,
quotes, tabs, pipes, brackets, non-BMP characters, confusables).

The property: `kg build` either writes every export intact — each RDF file parses
(pyoxigraph for N-Triples, N-Quads and Turtle; rdflib for JSON-LD) and gives back every
curated literal exactly, GraphML parses, every Neo4j CSV and KGX TSV row has as many cells
as its header — or refuses with a located KGError (every problem names a file) and leaves
the previous exports/ byte for byte as they were.

Each example is a whole build (about a second), so the property tests are `slow`.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import sys
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rdflib import Dataset
from ruamel.yaml import YAML

from kg.curation.load import load_curation
from kg.errors import KGError
from kg.pipeline import build

sys.path.insert(0, str(Path(__file__).parent / "bad_input"))
from miniproject import sample_curation, write_project

#: N-Triples/N-Quads line breaks that the writer must escape (issue 11 case 2)
NT_BREAKS = "\u2028\u2029\x0b\x0c\x85"
HOSTILE = (
    "ab Z9 -_.,;:/#%&*+=~@$!?"  # plain and punctuation
    "\n\r\t"  # line breaks and tab
    "\x01\x07\x1b\x7f\x9f"  # control characters
    "'\"`«»“”‘’"  # quotes
    "|¦\\"  # pipes and backslash
    "[](){}<>"  # brackets
    "😀𝔘\U0010fffd"  # non-BMP
    "μµＭΙＵаеօ\u200b\ufeff\u00a0"  # confusables, zero-width and no-break spaces
)
UNITS = ("MIU", "µg", "μg", "ＭＩＵ", "mg", "IU/kg", "MIU ", "mIU", "µg\u200b")


def texts(alphabet: str, min_size: int = 1) -> st.SearchStrategy[str]:
    return st.text(alphabet=st.sampled_from(list(alphabet)), min_size=min_size, max_size=16)


@st.composite
def hostile_inputs(draw: st.DrawFn, alphabet: str) -> dict[str, Any]:
    words = texts(alphabet)
    return {
        "label": draw(words),
        "quote": draw(words),
        "title": draw(words),
        "doi": "10.1234/" + draw(texts(alphabet)),
        "qualifiers": draw(st.dictionaries(words, words, min_size=1, max_size=3)),
        "unit": draw(st.sampled_from(UNITS)),
    }


def _write(root: Path, values: dict[str, Any]) -> None:
    """The mini project with the hostile values written into its YAML files."""
    write_project(root, sample_curation())
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_unicode = True
    data = root / "data"

    def edit(name: str, change: Any) -> None:
        doc = yaml.load((data / name).read_text("utf-8"))
        change(doc)
        with (data / name).open("w", encoding="utf-8") as fh:
            yaml.dump(doc, fh)

    def entities(doc: dict[str, Any]) -> None:
        doc["entities"][0]["label"] = values["label"]

    def publications(doc: dict[str, Any]) -> None:
        doc["publications"].append(
            {"id": f"DOI:{values['doi']}", "title": values["title"], "year": 2020}
        )

    def statements(doc: dict[str, Any]) -> None:
        st_ = doc["statements"][0]
        st_["qualifiers"] = values["qualifiers"]
        st_["evidence"].append(
            {"source": f"DOI:{values['doi']}", "eco": "ECO:0000304",
             "quote": values["quote"], "locator": values["title"]}
        )  # fmt: skip

    def trial(doc: dict[str, Any]) -> None:
        doc["arms"][0]["doses"][0]["unit"] = values["unit"]

    edit("entities.yaml", entities)
    edit("publications.yaml", publications)
    edit("statements.yaml", statements)
    edit("trials/sample-trial.yaml", trial)


def _snapshot(directory: Path) -> dict[str, str]:
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _literals(path: Path, fmt: ox.RdfFormat) -> set[str]:
    return {
        q.object.value for q in ox.parse(path=path, format=fmt) if isinstance(q.object, ox.Literal)
    }


def _expected_literals(data: Path) -> set[str]:
    """The curated texts as the loader read them (YAML itself folds some line breaks)."""
    c = load_curation(data).curation
    st_ = next(s for s in c.statements if s.qualifiers)
    out = {c.entities[0].label, *st_.qualifiers, *st_.qualifiers.values()}
    out |= {ev.quote for ev in st_.evidence} | {ev.locator for ev in st_.evidence}
    out |= {p.title for p in c.publications}
    return out


def _check_intact(out: Path, data: Path) -> None:
    expected = _expected_literals(data)
    for name, fmt in (
        ("kg.nt", ox.RdfFormat.N_TRIPLES),
        ("kg.nq", ox.RdfFormat.N_QUADS),
        ("kg.ttl", ox.RdfFormat.TURTLE),
    ):
        missing = expected - _literals(out / name, fmt)
        assert not missing, f"{name} lost or changed {missing!r}"
    jsonld = Dataset()
    jsonld.parse(out / "kg.jsonld", format="json-ld")
    missing = expected - {str(o) for _, _, o, _ in jsonld.quads()}
    assert not missing, f"kg.jsonld lost or changed {missing!r}"
    nx.read_graphml(out / "graph.graphml", force_multigraph=True)
    for path in sorted((out / "neo4j").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        assert all(len(r) == len(rows[0]) for r in rows), f"{path.name} is not rectangular"
    for path in sorted((out / "kgx").glob("*.tsv")):
        lines = path.read_text("utf-8").split("\n")[:-1]
        width = lines[0].count("\t")
        assert all(line.count("\t") == width for line in lines), f"{path.name} is ragged"


def _build_or_refuse(values: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_project(root, sample_curation())
        out = root / "exports"
        build(root / "data", root / "ontologies", out)  # the previous, good exports
        before = _snapshot(out)
        shutil.rmtree(root / "data")
        _write(root, values)
        try:
            build(root / "data", root / "ontologies", out)
        except KGError as exc:
            assert exc.problems and all(p.file for p in exc.problems), str(exc)
            assert _snapshot(out) == before, "a refused build changed exports/"
            return
        _check_intact(out, root / "data")


SETTINGS = settings(
    max_examples=12,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: a build per try
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.slow
@SETTINGS
@given(values=hostile_inputs(HOSTILE))
def test_hostile_text_builds_intact_or_is_refused_where_it_stands(values: dict[str, Any]) -> None:
    _build_or_refuse(values)


@pytest.mark.slow
@SETTINGS
@given(values=hostile_inputs(HOSTILE + NT_BREAKS * 4))
def test_hostile_text_with_ntriples_line_breaks(values: dict[str, Any]) -> None:
    _build_or_refuse(values)


def test_a_confusable_unit_is_normalised(tmp_path: Path) -> None:
    assert unicodedata.normalize("NFKC", "μg") == unicodedata.normalize("NFKC", "µg")
    values = {"label": "x", "quote": "q", "title": "t", "doi": "10.1234/x",
              "qualifiers": {"k": "v"}, "unit": "μg"}  # fmt: skip
    _write(tmp_path, values)
    build(tmp_path / "data", tmp_path / "ontologies", tmp_path / "exports")


@pytest.mark.parametrize("char", list("\u2028\u2029\x0b\x0c"))  # (YAML folds a NEL in a label)
def test_ntriples_line_breaks_in_a_label(char: str, tmp_path: Path) -> None:
    values = {"label": f"a{char}b", "quote": "q", "title": "t", "doi": "10.1234/x",
              "qualifiers": {"k": "v"}, "unit": "MIU"}  # fmt: skip
    _write(tmp_path, values)
    build(tmp_path / "data", tmp_path / "ontologies", tmp_path / "exports")
    _check_intact(tmp_path / "exports", tmp_path / "data")
