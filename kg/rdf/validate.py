"""Validate the built graph: SHACL shapes plus the checks no shape can express, located.

Each rule has one owner. The schema (kg.curation.schema) and the loader's reference checks
refuse bad YAML before a graph exists; on the graph, the SHACL shapes (kg/rdf/shapes/*.ttl)
own what they state, ``ontology-term`` owns "a curated entity id or xref is in its
ontology module and not obsolete" (statement predicates and evidence codes are the shapes'
StatementPredicate, Evidence-codeDeclared and NotObsolete), ``ClassLabel``
(kg.rdf.classes) owns "every class the graph uses has a label", ``ClinicalTrial-registry``
and ``ClinicalTrial-unregistered`` (kg.rdf.registration, on the trial records) own "a phased
trial has a public registry id", and ``contradiction`` owns "no claim is both asserted and
negated".

Every finding is located through the origins the builder recorded (kg.rdf.origins) and the
loader's line index: a SHACL result's focus node and path give the record and field; a class
or predicate that is no record is located where records use it, or at the line of the module
that declares it. Nothing is read again. Check ids are the shapes' local names
(``Dose-doseValue``; ``Dose`` names the family) and those of :data:`REFERENTIAL_CHECKS`;
``warn`` downgrades chosen checks to warnings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache
from importlib.resources import files

from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.term import Literal as RdfLiteral
from rdflib.term import Node

from kg.curation.load import LoadedCuration, Location, did_you_mean
from kg.errors import KGError, Problem, display_path
from kg.namespaces import KGV, RDF, RDFS, curie_of
from kg.ontology.modules import Module
from kg.rdf.build import BuiltGraph
from kg.rdf.classes import CLASS_LABEL, MESSAGE, unlabelled_classes
from kg.rdf.consistency import contradictions
from kg.rdf.findings import Finding, Issue, Severity, ValidationReport
from kg.rdf.model import module_graph
from kg.rdf.registration import REGISTERED, UNREGISTERED, registration_issues
from kg.registry.crosscheck import REGISTRY_CHECKS, registry_findings

__all__ = [
    "KGSH",
    "REFERENTIAL_CHECKS",
    "SH",
    "Finding",
    "Issue",
    "ValidationReport",
    "check_ids",
    "check_warn",
    "shapes_graph",
    "validate",
]

SH = Namespace("http://www.w3.org/ns/shacl#")
KGSH = Namespace("https://w3id.org/il2-sle-kg/shapes/")

#: checks whose findings are always warnings (the curation tests make them fail for data/)
WARNING_CHECKS = {
    "isolated-entity": (
        "every curated entity, publication, outcome measure and trial is connected to another "
        "node (warning)"
    ),
    "predicate-domain-range": "statement predicates keep to their domain and range (warning)",
    UNREGISTERED: "a study without a phase or registry id says it is a case report or series "
    "(warning)",
}
#: check id -> what it checks, for the checks that are not SHACL shapes
REFERENTIAL_CHECKS: dict[str, str] = {
    "ontology-term": "curated entity ids and xrefs exist, not obsolete, in their module",
    "contradiction": "no s/p/o is both asserted and negated in the same context",
    CLASS_LABEL: "every class used (object of rdf:type or rdfs:subClassOf) has an rdfs:label",
    REGISTERED: "a phased trial has a public registry id, or is a case report or series",
    **REGISTRY_CHECKS,
    **WARNING_CHECKS,
}
#: checks whose focus is a predicate or class: located where it is used, by these predicates
_USED_VIA: dict[str, tuple[Node, ...]] = {
    "StatementPredicate": (RDF.predicate,),
    "NotObsolete": (RDF.predicate, KGV.evidenceCode),
    "ClassLabel": (RDF.type, RDFS.subClassOf),
}


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
    loaded: LoadedCuration, built: BuiltGraph, warn: Sequence[str] = (), strict: bool = False
) -> ValidationReport:
    """Run the SHACL shapes and the referential checks; findings of `warn` checks are warnings.

    strict: registry disagreements (registry-drift) are violations, not warnings."""
    downgrade = _resolve_warn(warn)
    registration = registration_issues(loaded.curation)
    issues = [*contradictions(loaded), *_term_issues(loaded, built.modules)]
    issues += [i for i in registration if i.check == REGISTERED]
    findings = [_located(issue, loaded) for issue in issues]
    findings += _shacl_findings(loaded, built)
    findings += _class_label_findings(loaded, built)
    findings += registry_findings(loaded, strict)  # saved ClinicalTrials.gov records
    warnings = [
        *_warning_issues(loaded, built),
        *(i for i in registration if i.check == UNREGISTERED),
    ]
    findings += [_as_warning(_located(i, loaded)) for i in warnings]
    located = [_downgraded(f, downgrade) for f in findings]
    return ValidationReport(tuple(sorted(located, key=_sort_key)))


def check_warn(warn: Sequence[str]) -> None:
    """KGError unless every name in warn is a check id (call before slow work)."""
    _resolve_warn(warn)


def _sort_key(f: Finding) -> tuple[str, int, str, str, str]:
    return (f.file, f.line or 0, f.field, f.check, f.message)


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


def _term_issues(loaded: LoadedCuration, modules: Sequence[Module]) -> Iterator[Issue]:
    """Curated entity ids and xrefs their module lacks or marks obsolete."""
    from kg.ontology.check import index_of, term_problems
    from kg.ontology.seeds import curated_uses

    indexes = [index for m in modules if (index := index_of(m)) is not None]
    # statement predicates and evidence codes are owned by shapes (see the module docstring)
    uses = (u for u in curated_uses(loaded) if u.path[-1:] not in (("predicate",), ("eco",)))
    for use, message in term_problems(uses, indexes):
        yield Issue(use.record, use.path, "ontology-term", message, focus=use.curie)


def _warning_issues(loaded: LoadedCuration, built: BuiltGraph) -> list[Issue]:
    from kg.curation.predicates import misuse_issues
    from kg.rdf.isolation import isolated_entity_issues

    return [*isolated_entity_issues(loaded, built.dataset), *misuse_issues(loaded.curation)]


def _as_warning(f: Finding) -> Finding:
    return Finding(f.file, f.line, f.field, f.check, f.focus, f.message, "warning")


def _located(issue: Issue, loaded: LoadedCuration) -> Finding:
    where = loaded.locate(issue.record, issue.path) or Location("(graph)", None, issue.record)
    return Finding(
        where.file, where.line, where.field, issue.check, issue.focus or issue.record, issue.message
    )


# ---- SHACL ----


class _UnionView(Dataset):
    """The union of a dataset's named graphs, as the shapes see it, without copying a triple.

    A second Dataset over the same store with ``default_union``: pyshacl switches a
    dataset it is given to its union (it would change the caller's), and a copy of the
    quads into a fresh graph cost as much as the validation itself. rdflib 7's
    ``Dataset.triples`` reads the deprecated ``default_context`` on every call when
    ``default_union`` is set, one DeprecationWarning per lookup (tens of thousands per
    validation); this view reads the same graph without the warning.
    """

    def __init__(self, dataset: Dataset) -> None:
        super().__init__(store=dataset.store, default_union=True)

    @property
    def default_context(self) -> Graph:  # type: ignore[override]
        return self._default_context


def _shacl_findings(loaded: LoadedCuration, built: BuiltGraph) -> list[Finding]:
    import pyshacl

    shapes = shapes_graph()
    _conforms, results, _text = pyshacl.validate(
        _UnionView(built.dataset), shacl_graph=shapes, inference="none", allow_warnings=True
    )
    locator = _Locator(loaded, built)
    found: list[Finding] = []
    checked: set[tuple[Node | None, Node | None, Node | None]] = set()
    declared: dict[str, dict[str, str]] = {}  # namespace -> labelled terms (for _with_value)
    # top-level results only: nested sh:detail results explain these and are not findings
    for r in results.objects(None, SH.result):
        focus = results.value(r, SH.focusNode)
        source = results.value(r, SH.sourceShape)
        # a shape is one check with one message: when several of its constraints fail on a
        # node (a doseValue that is text is neither decimal nor > 0), that is one finding
        if (source, focus, results.value(r, SH.resultPath)) in checked:
            continue
        checked.add((source, focus, results.value(r, SH.resultPath)))
        path = results.value(r, SH.resultPath)
        check = _local(source) if isinstance(source, URIRef) else "shacl"
        message = str(results.value(r, SH.resultMessage) or "does not conform")
        value = results.value(r, SH.value)
        if value is not None and value != focus:
            message = _with_value(message, value, check, built, declared)
        severity = _severity(results.value(r, SH.resultSeverity))
        for where in locator.locate(focus, path, check):
            found.append(
                Finding(where.file, where.line, where.field, check, _show(focus), message, severity)
            )
    return found


def _class_label_findings(loaded: LoadedCuration, built: BuiltGraph) -> list[Finding]:
    """Check ClassLabel (kg.rdf.classes), located like a shape's class finding."""

    locator = _Locator(loaded, built)
    return [
        Finding(where.file, where.line, where.field, CLASS_LABEL, _show(cls), MESSAGE)
        for cls in unlabelled_classes(built.dataset)
        for where in locator.locate(cls, None, CLASS_LABEL)
    ]


#: checks whose value must be a term declared (labelled) in a module: a value close to a
#: declared term of its namespace (ECO:0007212 for ECO:0007121) gets the term suggested
_SUGGEST_DECLARED = frozenset({"Evidence-codeDeclared"})


def _with_value(
    message: str, value: Node, check: str, built: BuiltGraph, declared: dict[str, dict[str, str]]
) -> str:
    """message with the offending value, and for a mistyped code the close declared codes.

    The suggestion (kg.curation.load.did_you_mean over the labelled terms of the value's
    namespace, with their labels) goes before the message's advice (after its first "; "),
    so a typo is fixed before a term is added to a module. `declared` caches the labelled
    terms per namespace across the findings of one validation.
    """
    got = f"(got {_show(value)})"
    if check not in _SUGGEST_DECLARED or not isinstance(value, URIRef):
        return f"{message} {got}"
    curie = curie_of(str(value))
    namespace = str(value)[: len(str(value)) - len(curie.split(":", 1)[-1])]
    if namespace not in declared:
        declared[namespace] = {
            curie_of(str(s)): str(o)
            for s, _p, o, _g in built.dataset.quads((None, RDFS.label, None, None))
            if isinstance(s, URIRef) and str(s).startswith(namespace)
        }
    hint = did_you_mean(curie, sorted(declared[namespace]), declared[namespace])
    head, _, advice = message.partition("; ")
    if not hint:
        return f"{message} {got}"
    return f"{head} {got}; {hint} If not, {advice}" if advice else f"{message} {got}; {hint}"


def _severity(node: Node | None) -> Severity:
    return {SH.Warning: "warning", SH.Info: "info"}.get(node, "violation")  # type: ignore[return-value]


def _local(iri: Node) -> str:
    text = str(iri)
    return text[len(KGSH) :] if text.startswith(KGSH) else re.split(r"[/#]", text)[-1]


def _show(node: Node | None) -> str:
    if isinstance(node, RdfLiteral):
        return repr(str(node))
    return curie_of(str(node)) if isinstance(node, URIRef) else str(node)


class _Locator:
    """A focus node (and result path) -> the YAML field or module line it came from."""

    def __init__(self, loaded: LoadedCuration, built: BuiltGraph) -> None:
        self.loaded = loaded
        self.built = built

    def locate(self, focus: Node, path: Node | None, check: str) -> list[Location]:
        family = check.split("-")[0]
        if family in _USED_VIA:
            # a class or predicate: fix a declared class where it is declared, else where used
            declared = self._declared(focus) if family == "ClassLabel" else None
            if declared is not None:
                return [declared]
            users = sorted(set(self._users(focus, _USED_VIA[family])), key=_order)
            if users:
                return users
        else:
            origin = self.built.origins.of(focus, path)
            where = self.loaded.locate(origin.record, origin.path) if origin else None
            if where is not None:
                return [where]
        declared = self._declared(focus)
        return [declared] if declared else [Location("(graph)", None, "")]

    def _users(self, node: Node, via: tuple[Node, ...]) -> Iterator[Location]:
        """Where the records or module terms that use node (as object of via) stand."""
        for pred in via:
            for s, _, _, _ in self.built.dataset.quads((None, pred, node, None)):
                origin = self.built.origins.of(s, pred)
                where = self.loaded.locate(origin.record, origin.path) if origin else None
                if where is None:
                    where = self._declared(s)
                if where is not None:
                    yield where

    def _declared(self, node: Node) -> Location | None:
        """The module (and line) whose triples describe node."""
        for module in self.built.modules:
            graph = module_graph(module.name)
            if (node, None, None, graph) in self.built.dataset:
                return Location(display_path(module.path), module.line_of(str(node)), "")
        return None


def _order(where: Location) -> tuple[str, int, str]:
    return (where.file, where.line or 0, where.field)
