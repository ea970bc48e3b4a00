"""Validate the built graph: SHACL shapes plus referential and consistency checks, located.

Every finding points back to the file and line a curator edits: a SHACL result's focus node
is traced to its record (statement slug, trial slug, entity CURIE; a minted node such as
``il2kg.dose:<trial>.<arm>.1``, read back by kg.rdf.model.record_path, to that dose inside
the trial file), and a class or
predicate that is not a record to the records or module lines that use it. Check ids are the
shapes' local names (``Dose-doseValue``; ``Dose`` names the whole shape) and the referential
check ids in :data:`REFERENTIAL_CHECKS`; ``warn`` downgrades chosen checks to warnings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.term import Literal as RdfLiteral
from rdflib.term import Node

from kg.curation.load import LoadedCuration
from kg.curation.yamlfile import YamlFile, field_path, read_yaml
from kg.errors import KGError, Problem, display_path
from kg.namespaces import (
    BIOLINK,
    DCTERMS,
    KGV,
    OWL,
    RDF,
    RDFS,
    check_curie,
    curie_of,
    expand,
)
from kg.ontology.modules import Module
from kg.rdf.checks import undeclared_evidence_codes
from kg.rdf.consistency import contradictions
from kg.rdf.model import CURATION_GRAPH, PROVENANCE_GRAPH, module_graph, record_path
from kg.registry.crosscheck import REGISTRY_CHECKS, registry_findings

__all__ = [
    "REFERENTIAL_CHECKS",
    "Finding",
    "ValidationReport",
    "check_ids",
    "check_warn",
    "shapes_graph",
    "validate",
    "validate_sources",
]

SH = Namespace("http://www.w3.org/ns/shacl#")
KGSH = Namespace("https://w3id.org/il2-sle-kg/shapes/")
Severity = Literal["violation", "warning", "info"]

#: check id -> what it checks, for the checks that are not SHACL shapes
REFERENTIAL_CHECKS: dict[str, str] = {
    "undeclared-evidence-code": "evidence ECO codes are in the ECO module",
    "ontology-term": "curated ontology ids exist, not obsolete, in their module",
    "contradiction": "no s/p/o is both asserted and negated in the same context",
    **REGISTRY_CHECKS,
    "isolated-entity": "every curated entity is connected to another node (warning)",
    "predicate-domain-range": "statement predicates keep to their domain and range (warning)",
}
#: predicates of ontology-module triples the shapes look at (the rest is left out, for speed)
_MODULE_PREDICATES = (RDF.type, RDFS.subClassOf, RDFS.label, OWL.deprecated, BIOLINK.category)
#: result path -> field of the curated record (where it differs per record kind, see _field)
_FIELDS: dict[Node, tuple[str, ...]] = {
    RDF.subject: ("subject",), RDF.predicate: ("predicate",), RDF.object: ("object",),
    KGV.negated: ("negated",), KGV.evidence: ("evidence",), DCTERMS.source: ("source",),
    KGV.evidenceCode: ("eco",), KGV.quote: ("quote",), KGV.locator: ("locator",),
    KGV.phase: ("phase",), KGV.randomised: ("design", "randomised"),
    KGV.blinding: ("design", "blinding"), KGV.placeboControlled: ("design", "placebo_controlled"),
    KGV.designModel: ("design", "model"), KGV.registryId: ("registry",), KGV.hasArm: ("arms",),
    KGV.intervention: ("intervention",), KGV.doseValue: ("value",), KGV.doseUnit: ("unit",),
    KGV.measure: ("measure",), KGV.arm: ("arm",), KGV.pValue: ("p_value",),
    KGV.percent: ("percent",), KGV.responders: ("responders", "n"), KGV.affected: ("n",),
    BIOLINK.category: ("category",), RDFS.label: ("label",), OWL.deprecated: ("id",),
}  # fmt: skip
_NODE_SHAPE_FIELDS = {
    "ClinicalTrial-registry": ("design", "model"),
    "ClinicalTrial-unregistered": ("design", "model"),
    "ClassLabel": ("category",),
}
_TRIAL_LISTS = {"arm": "arms", "result": "results"}
#: shapes whose focus is a predicate or class: located where it is used, by these predicates
_USED_VIA: dict[str, tuple[Node, ...]] = {
    "StatementPredicate": (RDF.predicate,),
    "ClassLabel": (RDF.type, RDFS.subClassOf),
}


@dataclass(frozen=True)
class Finding:
    """One located validation problem: where, which field, which check, about which node."""

    file: str
    line: int | None
    field: str
    check: str
    focus: str
    message: str
    severity: Severity = "violation"

    @property
    def where(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def problem(self) -> Problem:
        """As a user error: the message names the check (for --warn) and the focus node."""
        return Problem(
            self.file, self.line, self.field, f"{self.message} [{self.check}; {self.focus}]"
        )

    def __str__(self) -> str:
        return str(self.problem())


def _sort_key(f: Finding) -> tuple[str, int, str, str, str]:
    return (f.file, f.line or 0, f.field, f.check, f.message)


@dataclass(frozen=True)
class ValidationReport:
    """Every finding of one validation run, sorted by file and line."""

    findings: tuple[Finding, ...]

    @property
    def violations(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "violation")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity != "violation")

    def raise_for_violations(self) -> None:
        """KGError listing every violation (warnings do not fail)."""
        if self.violations:
            raise KGError(f.problem() for f in self.violations)

    def summary(self) -> str:
        v, w = len(self.violations), len(self.warnings)
        return f"{v} violation{'s' * (v != 1)}, {w} warning{'s' * (w != 1)}"


@cache
def shapes_graph() -> Graph:
    """The packaged SHACL shapes (kg/rdf/shapes/*.ttl) as one graph."""
    graph = Graph()
    folder = files("kg.rdf").joinpath("shapes")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".ttl"):
            graph.parse(data=entry.read_text("utf-8"), format="turtle")
    return graph


@cache
def check_ids() -> tuple[str, ...]:
    """Every check id --warn accepts: shape names, their families, referential checks."""
    shapes = {_local(s) for s in shapes_graph().subjects(RDF.type, None) if str(s).startswith(KGSH)}
    families = {name.split("-")[0] for name in shapes | set(REFERENTIAL_CHECKS)}
    return tuple(sorted(shapes | families | set(REFERENTIAL_CHECKS)))


def validate(
    loaded: LoadedCuration,
    dataset: Dataset,
    modules: Sequence[Module] = (),
    ontologies_dir: Path | None = None,
    warn: Sequence[str] = (),
    strict: bool = False,
) -> ValidationReport:
    """Run the SHACL shapes and the referential checks; findings of `warn` checks are warnings.

    strict: registry disagreements (registry-drift) are violations, not warnings."""
    downgrade = _resolve_warn(warn)
    locator = _Locator(loaded, dataset, modules)
    referential = list(_referential(loaded, dataset, ontologies_dir, locator))
    # a shape that re-finds a referential problem at the same field adds nothing
    seen = {(f.file, f.line, f.field) for f in referential}
    shacl = [f for f in _shacl_findings(dataset, locator) if (f.file, f.line, f.field) not in seen]
    # a warning at the field a violation already names (unregistered vs registry) adds nothing
    violated = {(f.file, f.line, f.field) for f in referential + shacl if f.severity == "violation"}
    kept = [
        f
        for f in referential + shacl
        if f.severity == "violation" or (f.file, f.line, f.field) not in violated
    ]
    kept += registry_findings(loaded, strict)  # saved ClinicalTrials.gov records
    findings = {_downgraded(f, downgrade) for f in kept}
    return ValidationReport(tuple(sorted(findings, key=_sort_key)))


def check_warn(warn: Sequence[str]) -> None:
    """KGError unless every name in warn is a check id (call before slow work)."""
    _resolve_warn(warn)


def _resolve_warn(warn: Sequence[str]) -> set[str]:
    known = check_ids()
    unknown = [w for w in warn if w not in known]
    if unknown:
        raise KGError(
            Problem("--warn", None, "", f"unknown check {w!r} (known checks: {', '.join(known)})")
            for w in unknown
        )
    return set(warn)


def _downgraded(f: Finding, downgrade: set[str]) -> Finding:
    if f.severity == "violation" and ({f.check, f.check.split("-")[0]} & downgrade):
        return Finding(f.file, f.line, f.field, f.check, f.focus, f.message, "warning")
    return f


def _referential(
    loaded: LoadedCuration, dataset: Dataset, ontologies_dir: Path | None, locator: _Locator
) -> Iterator[Finding]:
    # undeclared predicates are the StatementPredicate shape's job (it locates the field)
    for p in undeclared_evidence_codes(loaded, dataset):
        yield _from_problem(p, "undeclared-evidence-code", locator)
    for p in contradictions(loaded):
        yield _from_problem(p, "contradiction", locator)
    for p in _predicate_problems(loaded):  # a warning: the curation tests make it fail
        f = _from_problem(p, "predicate-domain-range", locator)
        yield Finding(f.file, f.line, f.field, f.check, f.focus, f.message, "warning")
    from kg.rdf.isolation import isolated_entity_findings  # (it imports Finding from here)

    yield from isolated_entity_findings(loaded, dataset)
    if ontologies_dir is not None:
        for p in _term_problems(loaded, ontologies_dir):
            yield _from_problem(p, "ontology-term", locator)


def _predicate_problems(loaded: LoadedCuration) -> list[Problem]:
    """Statements whose predicate is used outside its domain/range (kg/curation/predicates.py)."""
    from kg.curation.predicates import misused_predicates

    out = []
    for m in misused_predicates(loaded.curation):
        if m.field == "predicate":
            continue  # an undeclared predicate is the StatementPredicate shape's finding
        where = loaded.locations[m.statement]
        field = f"statement {m.statement}: {m.field}"
        out.append(Problem(where.file, where.line, field, m.message))
    return out


def _term_problems(loaded: LoadedCuration, ontologies_dir: Path) -> list[Problem]:
    """Curated ontology ids their module lacks or marks obsolete (`kg ontologies check`)."""
    from kg.ontology.check import check_terms

    return list(check_terms(loaded, ontologies_dir))


def _from_problem(p: Problem, check: str, locator: _Locator) -> Finding:
    """A problem of checks.py, consistency.py or check_terms, whose field reads
    '<kind> <record id>: <path>' ('statement x: evidence[0].eco'): located at that exact field."""
    match = re.fullmatch(r"(statement|trial|entity|outcome measure) (\S+?)(?:: (.+))?", p.field)
    if match is None or match.group(2) not in locator.loaded.locations:
        return Finding(p.file, p.line, p.field, check, p.field, p.message)
    kind, rid, sub = match.group(1), match.group(2), _parse_field(match.group(3) or "")
    file, line, fld = locator.in_record(rid, sub)
    focus = f"il2kg.{kind}:{rid}" if kind in {"statement", "trial"} else rid
    return Finding(file, line, fld, check, focus, p.message)


def _parse_field(text: str) -> tuple[str | int, ...]:
    """'evidence[0].eco' -> ('evidence', 0, 'eco'), the inverse of field_path."""
    return tuple(
        int(tok[1:-1]) if tok.startswith("[") else tok
        for tok in re.findall(r"\[\d+\]|[^.\[\]]+", text)
    )


# ---- SHACL ----


def _data_graph(dataset: Dataset) -> Graph:
    """Curation, provenance and vocabulary graphs whole; of other modules what shapes read."""
    whole = {CURATION_GRAPH, PROVENANCE_GRAPH, module_graph("vocabulary")}
    graph = Graph()
    for g in dataset.graphs():
        if g.identifier in whole:
            graph.addN((s, p, o, graph) for s, p, o in g)
        else:
            for pred in _MODULE_PREDICATES:
                graph.addN((s, p, o, graph) for s, p, o in g.triples((None, pred, None)))
    return graph


def _shacl_findings(dataset: Dataset, locator: _Locator) -> Iterator[Finding]:
    import pyshacl

    _conforms, results, _text = pyshacl.validate(
        _data_graph(dataset), shacl_graph=shapes_graph(), inference="none", allow_warnings=True
    )
    # top-level results only: nested sh:detail results explain these and are not findings
    for r in results.objects(None, SH.result):
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        source = results.value(r, SH.sourceShape)
        check = _local(source) if isinstance(source, URIRef) else "shacl"
        message = str(results.value(r, SH.resultMessage) or "does not conform")
        value = results.value(r, SH.value)
        if value is not None and value != focus:
            message += f" (got {_show(value)})"
        severity = _severity(results.value(r, SH.resultSeverity))
        for file, line, fld in locator.locate(focus, path, check):
            yield Finding(file, line, fld, check, _show(focus), message, severity)


def _severity(node: Node | None) -> Severity:
    return {SH.Warning: "warning", SH.Info: "info"}.get(node, "violation")  # type: ignore[return-value]


def _local(iri: Node) -> str:
    text = str(iri)
    return text[len(KGSH) :] if text.startswith(KGSH) else re.split(r"[/#]", text)[-1]


def _show(node: Node | None) -> str:
    if isinstance(node, RdfLiteral):
        return repr(str(node))
    return curie_of(str(node)) if isinstance(node, URIRef) else str(node)


# ---- locating a node in the curated files or ontology modules ----

Where = tuple[str, int | None, str]


class _Locator:
    """Traces graph nodes to the YAML record (and item inside it) or module line they came from."""

    def __init__(self, loaded: LoadedCuration, dataset: Dataset, modules: Sequence[Module]):
        self.loaded = loaded
        self.dataset = dataset
        self.modules = {module_graph(m.name): m for m in modules}
        self.curation_ids = {
            s: str(o) for s, _, o, _ in dataset.quads((None, KGV.curationId, None, None))
        }
        #: IRI -> the curator's id (as written) of every record named by a CURIE
        self._named = {
            expand(rid): rid for rid in loaded.locations if check_curie(rid) is None
        }
        self._docs: dict[str, YamlFile | None] = {}
        self._texts: dict[Path, list[str]] = {}

    def locate(self, focus: Node, path: Node | None, check: str) -> list[Where]:
        leaf = _NODE_SHAPE_FIELDS.get(check, ()) if path is None else _FIELDS.get(path, ())
        family = check.split("-")[0]
        # a predicate or class: where it is used, even when it is also a curated entity
        direct = None if family in _USED_VIA else self._record_of(focus)
        if direct is not None:
            rid, sub = direct
            if sub == () and leaf == ("label",) and rid in self._trial_ids():
                leaf = ("acronym",)
            return [self.in_record(rid, (*sub, *leaf))]
        if family == "ClassLabel":  # a declared class: fix it where it is declared
            declared = self._in_module(focus)
            if declared:
                return [declared]
        via = _USED_VIA.get(family, (RDF.predicate, RDF.type, RDFS.subClassOf))
        users = sorted(set(self._referrers(focus, via)), key=lambda w: (w[0], w[1] or 0, w[2]))
        if users:
            return users
        module = self._in_module(focus)
        return [module] if module else [("(graph)", None, "")]

    def _trial_ids(self) -> set[str]:
        return {t.id for t in self.loaded.curation.trials}

    def _record_of(self, node: Node) -> tuple[str, tuple[str | int, ...]] | None:
        """(record id, path inside the record) of a node the curation minted or named."""
        minted = record_path(str(node))
        if minted is not None:
            kind, rid, rest = minted
            return rid, tuple(self._sub_path(kind, rid, rest))
        if node in self.curation_ids and self.curation_ids[node] in self.loaded.locations:
            return self.curation_ids[node], ()
        return (self._named[node], ()) if node in self._named else None

    def _sub_path(self, kind: str, rid: str, rest: list[str]) -> Iterator[str | int]:
        """IRI tail (arm/x/dose/1, evidence/2, ...) -> YAML path (arms, 0, doses, 0)."""
        data = self._record_data(rid)
        while len(rest) >= 2:
            step, key = rest[0], rest[1]
            if step in _TRIAL_LISTS:
                field = _TRIAL_LISTS[step]
                items = data.get(field, []) if isinstance(data, dict) else []
                index = next((i for i, it in enumerate(items) if _id_of(it) == key), 0)
                yield from (field, index)
                data, rest = (items[index] if items else {}), rest[2:]
            elif step == "endpoint" and len(rest) >= 3:
                yield from (f"{key}_endpoints", int(rest[2]) - 1)
                return
            elif step in {"evidence", "dose", "adverse-event"}:
                field = {"dose": "doses", "adverse-event": "adverse_events"}.get(step, step)
                yield from (field, int(key) - 1)
                data, rest = {}, rest[2:]
            elif step == "qualifier":
                yield from ("qualifiers", key)
                return
            else:
                return

    def _doc(self, file: str) -> YamlFile | None:
        if file not in self._docs:
            try:
                self._docs[file] = read_yaml(Path(file), file)
            except KGError:
                self._docs[file] = None
        return self._docs[file]

    def _record_base(self, rid: str) -> tuple[YamlFile | None, tuple[str | int, ...]]:
        loc = self.loaded.locations[rid]
        doc = self._doc(loc.file)
        if doc is None or not isinstance(doc.data, dict) or _id_of(doc.data) == rid:
            return doc, ()
        for key, items in doc.data.items():
            if isinstance(items, list):
                for i, item in enumerate(items):
                    if _id_of(item) == rid:
                        return doc, (key, i)
        return doc, ()

    def _record_data(self, rid: str) -> Any:
        if rid not in self.loaded.locations:
            return {}
        doc, base = self._record_base(rid)
        data = doc.data if doc else {}
        for step in base:
            data = data[step]
        return data

    def in_record(self, rid: str, sub: tuple[str | int, ...]) -> Where:
        loc = self.loaded.locations.get(rid)
        if loc is None:
            return ("(graph)", None, f"{rid}: {field_path(sub)}" if sub else rid)
        doc, base = self._record_base(rid)
        full = (*base, *sub)
        line = doc.line(full) if doc is not None else loc.line
        return (loc.file, line, field_path(full))

    def _referrers(self, node: Node, via: tuple[Node, ...]) -> Iterator[Where]:
        """A class or predicate: where the records or module terms that use it stand."""
        for pred in via:
            for s, _, _, _ in self.dataset.quads((None, pred, node, None)):
                record = self._record_of(s)
                if record is not None:
                    rid, sub = record
                    yield self.in_record(rid, (*sub, *_referrer_field(pred, rid, sub)))
                else:
                    where = self._in_module(s)
                    if where:
                        yield where

    def _in_module(self, node: Node) -> Where | None:
        for graph_id, module in self.modules.items():
            if (node, None, None, graph_id) in self.dataset:
                return (display_path(module.path), self._module_line(module, node), "")
        return None

    def _module_line(self, module: Module, node: Node) -> int | None:
        if module.path not in self._texts:
            try:
                self._texts[module.path] = module.path.read_text("utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                self._texts[module.path] = []
        text = str(node)
        locals_ = [
            (prefix, text[len(ns) :])
            for prefix, ns in module.graph.namespaces()
            if text.startswith(str(ns)) and prefix
        ]
        needles = [f"<{text}>"] + [
            f"{prefix}:{escaped}"
            for prefix, local in locals_
            for escaped in {local, re.sub(r"([/#?&=])", r"\\\1", local)}
        ]
        lines = self._texts[module.path]
        for starts in (True, False):
            for i, line in enumerate(lines, start=1):
                if any((line.startswith(n) if starts else n in line) for n in needles):
                    return i
        return None


def _referrer_field(pred: Node, rid: str, sub: tuple[str | int, ...]) -> tuple[str, ...]:
    if pred == RDF.predicate:
        return ("predicate",)
    return ("category",) if pred == RDF.type and not sub and ":" in rid else ()


def _id_of(item: Any) -> str | None:
    return str(item.get("id")) if isinstance(item, dict) and "id" in item else None


def validate_sources(
    data_dir: Path, ontologies_dir: Path, warn: Sequence[str] = (), strict: bool = False
) -> ValidationReport:
    """Load data_dir and ontologies_dir, build the dataset and validate it (writes nothing)."""
    from kg.pipeline import assemble

    return assemble(data_dir, ontologies_dir, warn, strict=strict).validation
