"""Checks that left SHACL or a full scan for speed keep their meaning, proved on random graphs.

- ``ClassLabel`` (kg.rdf.classes) agrees with the SHACL shape it replaced, run by pyshacl
  over the same graph: a class is reported exactly when the shape reported it.
- ``ClinicalTrial-registry`` and ``-unregistered`` (kg.rdf.registration), read from the trial
  records, report the trials the two SHACL shapes they replaced reported, for every kind of
  registry block, phase and design.model.
- ``isolated_entities`` (kg.rdf.isolation), which looks each record up by its own triples,
  agrees with the rule read literally over every quad of the dataset.
- Validation reads the built dataset in place and leaves it as it was (quads, prefixes,
  union flag): the exports are written from it afterwards.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyshacl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from kg.curation.load import load_curation
from kg.namespaces import BIOLINK, DCTERMS, KGV, OWL, RDF, RDFS, SKOS
from kg.ontology.modules import iter_modules
from kg.rdf.build import build_graph
from kg.rdf.classes import unlabelled_classes
from kg.rdf.isolation import DESCRIPTIVE, isolated_entities, node_iris
from kg.rdf.validate import validate

sys.path.insert(0, str(Path(__file__).parent / "bad_input"))
from miniproject import sample_curation, write_project

EX = "https://example.org/"
GRAPHS = (URIRef(EX + "g1"), URIRef(EX + "g2"))

#: the shape ClassLabel was (kg/rdf/shapes/vocabulary.ttl before it moved), its pattern cut
#: into lines here
EXEMPT_PATTERN = (
    r"^(https://w3id\\.org/(biolink/vocab|sssom)/|http://www\\.w3\\.org/("
    r"1999/02/22-rdf-syntax-ns#|2000/01/rdf-schema#|2002/07/owl#|2001/XMLSchema#|"
    r"2004/02/skos/core#|ns/prov#)|http://purl\\.org/dc/terms/)"
)
CLASS_LABEL_SHAPE = f"""
@prefix kgsh: <https://w3id.org/il2-sle-kg/shapes/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
kgsh:ClassLabel a sh:NodeShape ;
    sh:targetObjectsOf rdf:type, rdfs:subClassOf ;
    sh:or (
        [ sh:nodeKind sh:BlankNode ]
        [ sh:pattern "{EXEMPT_PATTERN}" ]
        [ sh:path rdfs:label ; sh:minCount 1 ]
    ) .
"""

#: terms a random graph is made of: exempt and non-exempt IRIs, kgv: terms, a blank node,
#: a literal (a class can be any of them)
TERMS: list[Node] = [
    URIRef(EX + "a"), URIRef(EX + "b"), URIRef(EX + "c"), URIRef(EX + "d"),
    URIRef(EX + "sssomish"), KGV.Statement, KGV.Thing, BIOLINK.Gene, OWL.Class, SKOS.Concept,
    DCTERMS.Agent, URIRef("https://w3id.org/sssom/MappingSet"), BNode("x"), Literal("lit"),
]  # fmt: skip
SUBJECTS = [t for t in TERMS if not isinstance(t, Literal)]
PREDICATES = [RDF.type, RDFS.subClassOf, RDFS.label, BIOLINK.category, DCTERMS.source,
              URIRef(EX + "relates"), RDFS.seeAlso]  # fmt: skip
QUADS = st.lists(
    st.tuples(
        st.sampled_from(SUBJECTS),
        st.sampled_from(PREDICATES),
        st.sampled_from(TERMS),
        st.sampled_from(GRAPHS),
    ),
    max_size=30,
)


def _dataset(quads: list[tuple[Node, Node, Node, URIRef]]) -> Dataset:
    ds = Dataset()
    for s, p, o, g in quads:
        if p == RDFS.label and not isinstance(o, Literal):
            o = Literal(str(o))
        ds.add((s, p, o, g))  # type: ignore[arg-type]
    return ds


@settings(max_examples=60, deadline=None)
@given(QUADS)
def test_class_label_reports_what_the_shape_it_replaced_reported(quads: list) -> None:
    ds = _dataset(quads)
    union = Graph()
    for s, p, o, _g in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    _conforms, results, _text = pyshacl.validate(
        union, shacl_graph=Graph().parse(data=CLASS_LABEL_SHAPE, format="turtle")
    )
    sh = "http://www.w3.org/ns/shacl#"
    expected = {results.value(r, URIRef(sh + "focusNode"))
                for r in results.objects(None, URIRef(sh + "result"))}  # fmt: skip
    assert set(unlabelled_classes(ds)) == expected


def _isolated_by_full_scan(ds: Dataset, wanted: set[URIRef]) -> list[URIRef]:
    """The rule read literally: a relation between two distinct nodes connects both ends."""
    nodes = node_iris(ds)
    connected = set()
    for s, p, o, _g in ds.quads((None, None, None, None)):
        if p not in DESCRIPTIVE and s != o and s in nodes and o in nodes:
            connected |= {s, o} & wanted
    return sorted(wanted - connected)


#: a smaller world for isolation, so that relations between typed nodes are common
NODES = [URIRef(EX + "a"), URIRef(EX + "b"), URIRef(EX + "c"), KGV.Thing, BNode("x")]
LINKS = st.lists(
    st.tuples(
        st.sampled_from(NODES),
        st.sampled_from([RDF.type, BIOLINK.category, RDFS.label, URIRef(EX + "relates")]),
        st.sampled_from([*NODES, BIOLINK.Gene, Literal("lit")]),
        st.sampled_from(GRAPHS),
    ),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(LINKS, st.sets(st.sampled_from(NODES[:4])))
def test_isolated_entities_agree_with_a_scan_of_every_quad(quads: list, asked: set) -> None:
    ds = _dataset(quads)
    assert isolated_entities(ds, asked) == _isolated_by_full_scan(ds, asked)


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    write_project(tmp_path, sample_curation())
    monkeypatch.chdir(tmp_path)
    loaded = load_curation(Path("data"))
    return loaded, build_graph(loaded.curation, list(iter_modules(Path("ontologies"))))


def test_validation_leaves_the_dataset_as_it_was(built) -> None:  # type: ignore[no-untyped-def]
    loaded, graph = built
    ds = graph.dataset

    def state() -> tuple[list[str], list[tuple[str, str]], bool]:
        quads = sorted(" ".join(map(str, q)) for q in ds.quads((None, None, None, None)))
        return quads, sorted((p, str(n)) for p, n in ds.namespaces()), ds.default_union

    before = state()
    validate(loaded, graph)
    assert state() == before


#: the two shapes the registration checks were (kg/rdf/shapes/curation.ttl before they moved)
REGISTRY_PATTERN = (
    r"^(NCT[0-9]{8}|EudraCT [0-9]{4}-[0-9]{6}-[0-9]{2}|EU CT [0-9]{4}-[0-9]{6}-[0-9]{2}-[0-9]{2}|"
    r"ISRCTN[0-9]{8}|ChiCTR[-A-Za-z0-9]+|ACTRN[0-9]{14}|DRKS[0-9]{8}|UMIN[0-9]{9}|"
    r"jRCT[0-9a-z]+|CTRI/[0-9]{4}/[0-9]+/[0-9]+)$"
)
REGISTRY_SHAPES = f"""
@prefix kgsh: <https://w3id.org/il2-sle-kg/shapes/> .
@prefix kgv: <https://w3id.org/il2-sle-kg/vocab/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
kgsh:ClinicalTrial-registry a sh:NodeShape ;
    sh:targetClass kgv:ClinicalTrial ;
    sh:or (
        [ sh:path kgv:registryId ; sh:qualifiedValueShape kgsh:RegistryId ;
          sh:qualifiedMinCount 1 ]
        [ sh:path kgv:designModel ; sh:minCount 1 ; sh:in ( "case report" "case series" ) ]
        [ sh:path kgv:phase ; sh:minCount 1 ; sh:in ( "N/A" "not stated" ) ]
    ) .
kgsh:ClinicalTrial-unregistered a sh:NodeShape ;
    sh:targetClass kgv:ClinicalTrial ;
    sh:or (
        [ sh:path kgv:registryId ; sh:qualifiedValueShape kgsh:RegistryId ;
          sh:qualifiedMinCount 1 ]
        [ sh:path kgv:designModel ; sh:minCount 1 ; sh:in ( "case report" "case series" ) ]
        [ sh:path kgv:phase ; sh:minCount 1 ; sh:not [ sh:in ( "N/A" "not stated" ) ] ]
    ) .
kgsh:RegistryId a sh:NodeShape ; sh:pattern "{REGISTRY_PATTERN}" .
"""
PHASES = ["1", "1b", "1/2", "1/2a", "2", "2b", "3", "N/A", "not stated"]
MODELS = [None, "parallel", "single group", "crossover", "basket", "dose-escalation",
          "case report", "case series"]  # fmt: skip
#: registry blocks: (nct, eudract, other) with no id, a public id of each kind, invalid ids only
REGISTRIES: list[tuple[bool, tuple[str, ...], tuple[str, ...]]] = [
    (False, (), ()), (True, (), ()), (False, ("2016-000488-17",), ()),
    (False, (), ("ISRCTN12345678",)), (False, (), ("ChiCTR-1800012345",)),
    (False, (), ("EU CT 2022-500001-12-00",)), (False, (), ("CTRI/2020/01/1", "x")),
    (False, (), ("jRCT2031200001",)), (False, (), ("UMIN000012345",)),
    (False, (), ("sponsor code IL2-001",)), (False, (), ("DRKS0001", "ACTRN1")),
]  # fmt: skip


def test_registration_reports_what_the_shapes_it_replaced_reported() -> None:
    """Every registry kind x phase x design.model, as trials of one graph: the Python check
    and the former shapes (run by pyshacl) report the same trials under the same check."""
    from itertools import product

    from kg.curation.schema import Registry
    from kg.namespaces import curie_of
    from kg.rdf.registration import registration_issues

    c = sample_curation()
    base = c.trials[0]
    trials = []
    for n, ((has_nct, eudract, other), phase, model) in enumerate(
        product(REGISTRIES, PHASES, MODELS)
    ):
        registry = Registry(nct=(f"NCT{n:08d}",) if has_nct else (), eudract=eudract, other=other)
        trials.append(base.model_copy(update={
            "id": f"trial-{n}", "registry": registry, "phase": phase,
            "design": base.design.model_copy(update={"model": model}),
        }))  # fmt: skip
    curation = c.model_copy(update={"trials": tuple(trials)})
    union = Graph()
    for s, p, o, _g in build_graph(curation, ()).dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    _conforms, results, _text = pyshacl.validate(
        union, shacl_graph=Graph().parse(data=REGISTRY_SHAPES, format="turtle")
    )
    sh = "http://www.w3.org/ns/shacl#"
    expected = {
        (str(results.value(r, URIRef(sh + "sourceShape"))).rsplit("/", 1)[-1],
         curie_of(str(results.value(r, URIRef(sh + "focusNode")))))
        for r in results.objects(None, URIRef(sh + "result"))
    }  # fmt: skip
    found = {(i.check, i.focus) for i in registration_issues(curation)}
    assert len(expected) > 100 and {check for check, _ in expected} == {
        "ClinicalTrial-registry", "ClinicalTrial-unregistered"}  # fmt: skip
    assert found == expected
