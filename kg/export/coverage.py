"""The curation report: what the built graph knows, and what is still missing.

Read from the built RDF dataset (not the YAML), so the report shows what the graph really
holds: per trial, which of design / arms / doses / endpoints / results / adverse events are
filled; per publication, the statements and trial results it supports; isolated entities;
and every record marked unverified. Written as exports/curation-report.md and .html.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, URIRef
from rdflib.term import Node

from kg.export.base import BuildContext, Sink
from kg.namespaces import BIOLINK, DCTERMS, KGV, RDF, RDFS, curie_of, expand
from kg.rdf.isolation import isolated_entities

__all__ = [
    "TRIAL_ASPECTS",
    "CoverageReport",
    "CoverageSink",
    "coverage",
    "render_html",
    "render_markdown",
]  # fmt: skip

#: trial aspect -> how the graph records it (a predicate path from the trial node)
TRIAL_ASPECTS = ("design", "arms", "doses", "endpoints", "results", "adverse events")
_DESIGN = (KGV.randomised, KGV.blinding, KGV.placeboControlled, KGV.designModel)
_ENDPOINTS = (KGV.primaryEndpoint, KGV.secondaryEndpoint, KGV.registeredEndpoint)


@dataclass(frozen=True)
class CoverageReport:
    """The report's rows, each sorted: trials (label, id, counts), publications (title, id,
    findings), isolated entities and unverified records (label, id)."""

    trials: tuple[tuple[str, str, dict[str, int]], ...]
    publications: tuple[tuple[str, str, tuple[str, ...]], ...]
    isolated: tuple[tuple[str, str], ...]
    unverified: tuple[tuple[str, str], ...]


class _Union:
    """Look-ups over the union of every named graph, by predicate, each index built once.

    The store is asked once per predicate the report reads (rdflib's union over all
    contexts, each triple once), instead of copying the dataset into a merged graph or
    scanning it per trial and publication: the report stays linear in the graph's size.
    """

    def __init__(self, dataset: Dataset) -> None:
        self._store = dataset.store
        self._forward: dict[URIRef, dict[Node, set[Node]]] = {}
        self._backward: dict[URIRef, dict[Node, set[Node]]] = {}

    def forward(self, p: URIRef) -> dict[Node, set[Node]]:
        """subject -> its objects under p."""
        found = self._forward.get(p)
        if found is None:
            found = self._forward[p] = {}
            for (s, _p, o), _graphs in self._store.triples((None, p, None), None):
                found.setdefault(s, set()).add(o)
        return found

    def backward(self, p: URIRef) -> dict[Node, set[Node]]:
        """object -> the subjects that point at it under p."""
        found = self._backward.get(p)
        if found is None:
            found = self._backward[p] = {}
            for s, objects in self.forward(p).items():
                for o in objects:
                    found.setdefault(o, set()).add(s)
        return found

    def objects(self, s: Node, p: URIRef) -> set[Node]:
        return self.forward(p).get(s, set())

    def has_type(self, s: Node, cls: URIRef) -> bool:
        return cls in self.objects(s, RDF.type)


def _label(u: _Union, node: Node) -> str:
    """rdfs:label, else dcterms:title, else the CURIE (the least value if several)."""
    for p in (RDFS.label, DCTERMS.title):
        values = u.objects(node, p)
        if values:
            return min(str(o) for o in values)
    return curie_of(str(node))


def _count(u: _Union, s: Node, preds: tuple[URIRef, ...]) -> int:
    return sum(len(u.objects(s, p)) for p in preds)


def coverage(dataset: Dataset) -> CoverageReport:
    """The report's rows, computed from the dataset alone (all named graphs merged)."""
    u = _Union(dataset)
    typed = u.backward(RDF.type)
    trials = []
    for t in typed.get(KGV.ClinicalTrial, ()):
        arms = u.objects(t, KGV.hasArm)
        counts = {
            "design": _count(u, t, _DESIGN),
            "arms": len(arms),
            "doses": sum(_count(u, a, (KGV.hasDose,)) for a in arms),
            "endpoints": _count(u, t, _ENDPOINTS),
            "results": _count(u, t, (KGV.hasResult,)),
            "adverse events": _count(u, t, (KGV.adverseEvent,)),
        }
        trials.append((_label(u, t), curie_of(str(t)), counts))
    pubs = []
    sources = u.backward(DCTERMS.source)
    for p in typed.get(KGV.Publication, ()):
        findings = set()
        for holder in sources.get(p, ()):
            if u.has_type(holder, KGV.Statement):
                findings.update(f"statement {o}" for o in u.objects(holder, KGV.curationId))
            elif u.has_type(holder, KGV.Result) or u.has_type(holder, KGV.AdverseEventCount):
                findings.add(f"trial row {curie_of(str(holder))}")
        pubs.append((_label(u, p), curie_of(str(p)), tuple(sorted(findings))))
    outcomes = str(expand("il2kg:outcome/"))
    status = u.forward(KGV.curationStatus)
    entities = {s for s in u.forward(BIOLINK.category)
                if isinstance(s, URIRef) and s in status
                and not u.has_type(s, KGV.ClinicalTrial) and not u.has_type(s, KGV.Publication)
                and not str(s).startswith(outcomes)}  # fmt: skip
    isolated = [(_label(u, e), curie_of(str(e))) for e in isolated_entities(dataset, entities)]
    unverified = [
        (_name(u, s), curie_of(str(s)))
        for s, values in status.items()
        if any(str(o) == "unverified" for o in values)
    ]
    return CoverageReport(
        tuple(sorted(trials, key=lambda r: (r[0], r[1]))),
        tuple(sorted(pubs, key=lambda r: (r[1], r[0]))),
        tuple(sorted(isolated, key=lambda r: (r[1], r[0]))),
        tuple(sorted(unverified, key=lambda r: (r[1], r[0]))),
    )


def _name(u: _Union, node: Node) -> str:
    """A statement by its curation id, anything else by its label."""
    if u.has_type(node, KGV.Statement):
        ids = u.objects(node, KGV.curationId)
        return min(str(o) for o in ids) if ids else curie_of(str(node))
    return _label(u, node)


def _mark(n: int) -> str:
    return str(n) if n else "—"


def _summary(r: CoverageReport) -> str:
    return (
        f"{len(r.trials)} trials, {len(r.publications)} publications, "
        f"{len(r.isolated)} isolated entities, {len(r.unverified)} unverified records."
    )


def render_markdown(r: CoverageReport) -> str:
    """The report as Markdown (GitHub tables)."""
    out = ["# Curation report", "", _summary(r), ""]
    out += ["## Trials: what is filled (counts; — = nothing)", ""]
    out += ["| trial | id | " + " | ".join(TRIAL_ASPECTS) + " |"]
    out += ["|---|---|" + "---|" * len(TRIAL_ASPECTS)]
    for label, tid, c in r.trials:
        cells = " | ".join(_mark(c[a]) for a in TRIAL_ASPECTS)
        out.append(f"| {label} | {tid} | {cells} |")
    out += ["", "## Publications: the findings each supports", ""]
    out += ["| publication | id | findings |", "|---|---|---|"]
    for title, pid, findings in r.publications:
        shown = ", ".join(findings) if findings else "**none**"
        out.append(f"| {title.replace('|', '/')} | {pid} | {len(findings)}: {shown} |")
    out += ["", "## Isolated entities", ""]
    out += [f"- {label} ({eid})" for label, eid in r.isolated] or ["None."]
    out += ["", "## Unverified facts", ""]
    out += [f"- {label} ({nid})" for label, nid in r.unverified] or ["None."]
    return "\n".join(out) + "\n"


_STYLE = (
    "body{font-family:sans-serif}table{border-collapse:collapse}"
    "td,th{border:1px solid #999;padding:2px 6px}.gap{background:#fdd}.ok{background:#dfd}"
)


def _cell(n: int) -> str:
    return f'<td class="{"ok" if n else "gap"}">{_mark(n)}</td>'


def render_html(r: CoverageReport) -> str:
    """The report as a self-contained HTML page (no scripts, no external resources)."""
    e = html.escape
    trials = "".join(
        f"<tr><td>{e(label)}</td><td>{e(tid)}</td>"
        + "".join(_cell(c[a]) for a in TRIAL_ASPECTS)
        + "</tr>"
        for label, tid, c in r.trials
    )
    pubs = "".join(
        f"<tr><td>{e(t)}</td><td>{e(pid)}</td><td>{len(f)}</td>"
        f"<td>{e(', '.join(f)) or '<b>none</b>'}</td></tr>"
        for t, pid, f in r.publications
    )
    iso = "".join(f"<li>{e(label)} ({e(i)})</li>" for label, i in r.isolated) or "<li>None.</li>"
    unv = "".join(f"<li>{e(label)} ({e(i)})</li>" for label, i in r.unverified) or "<li>None.</li>"
    head = "<tr><th>trial</th><th>id</th>" + "".join(f"<th>{e(a)}</th>" for a in TRIAL_ASPECTS)
    pub_head = "<tr><th>publication</th><th>id</th><th>n</th><th>findings</th></tr>"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Curation report</title><style>{_STYLE}</style></head><body>"
        f"<h1>Curation report</h1><p>{e(_summary(r))}</p>"
        f"<h2>Trials: what is filled</h2><table>{head}</tr>{trials}</table>"
        f"<h2>Publications: the findings each supports</h2><table>{pub_head}{pubs}</table>"
        f"<h2>Isolated entities</h2><ul>{iso}</ul><h2>Unverified facts</h2><ul>{unv}</ul>"
        "</body></html>\n"
    )


class CoverageSink(Sink):
    name = "coverage"
    description = "curation-report.md / .html: per-trial and per-publication coverage, gaps"

    def write(self, ctx: BuildContext, out: Path) -> list[Path]:
        report = coverage(ctx.dataset)
        md, page = out / "curation-report.md", out / "curation-report.html"
        md.write_text(render_markdown(report), "utf-8")
        page.write_text(render_html(report), "utf-8")
        return [md, page]
