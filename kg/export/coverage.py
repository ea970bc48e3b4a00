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

from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node

from kg.export.base import BuildContext, Sink
from kg.export.ntriples import merged_graph
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


def _label(ds: Graph, node: Node) -> str:
    for o in ds.objects(node, RDFS.label):
        return str(o)
    for o in ds.objects(node, DCTERMS.title):
        return str(o)
    return curie_of(str(node))


def _count(ds: Graph, s: Node, preds: tuple[URIRef, ...]) -> int:
    return sum(1 for p in preds for _ in ds.objects(s, p))


def coverage(dataset: Dataset) -> CoverageReport:
    """The report's rows, computed from the dataset alone (all named graphs merged)."""
    ds = merged_graph(dataset)
    trials = []
    for t in set(ds.subjects(RDF.type, KGV.ClinicalTrial)):
        arms = list(ds.objects(t, KGV.hasArm))
        counts = {
            "design": _count(ds, t, _DESIGN),
            "arms": len(arms),
            "doses": sum(_count(ds, a, (KGV.hasDose,)) for a in arms),
            "endpoints": _count(ds, t, _ENDPOINTS),
            "results": _count(ds, t, (KGV.hasResult,)),
            "adverse events": _count(ds, t, (KGV.adverseEvent,)),
        }
        trials.append((_label(ds, t), curie_of(str(t)), counts))
    pubs = []
    for p in set(ds.subjects(RDF.type, KGV.Publication)):
        findings = set()
        for holder in ds.subjects(DCTERMS.source, p):
            if (holder, RDF.type, KGV.Statement) in ds:
                findings.update(f"statement {o}" for o in ds.objects(holder, KGV.curationId))
            elif (holder, RDF.type, KGV.Result) in ds or (
                holder,
                RDF.type,
                KGV.AdverseEventCount,
            ) in ds:
                findings.add(f"trial row {curie_of(str(holder))}")
        pubs.append((_label(ds, p), curie_of(str(p)), tuple(sorted(findings))))
    entities = {s for s in ds.subjects(BIOLINK.category, None)
                if isinstance(s, URIRef) and (s, RDF.type, KGV.ClinicalTrial) not in ds
                and (s, RDF.type, KGV.Publication) not in ds
                and not str(s).startswith(str(expand("il2kg:outcome/")))}  # fmt: skip
    entities -= {s for s in entities if (s, KGV.curationStatus, None) not in ds}
    isolated = [(_label(ds, e), curie_of(str(e))) for e in isolated_entities(dataset, entities)]
    unverified = [(_name(ds, s), curie_of(str(s))) for s in _unverified(ds)]
    return CoverageReport(
        tuple(sorted(trials, key=lambda r: (r[0], r[1]))),
        tuple(sorted(pubs, key=lambda r: (r[1], r[0]))),
        tuple(sorted(isolated, key=lambda r: (r[1], r[0]))),
        tuple(sorted(unverified, key=lambda r: (r[1], r[0]))),
    )


def _unverified(ds: Graph) -> set[Node]:
    return {s for s, o in ds.subject_objects(KGV.curationStatus) if str(o) == "unverified"}


def _name(ds: Graph, node: Node) -> str:
    """A statement by its curation id, anything else by its label."""
    if (node, RDF.type, KGV.Statement) in ds:
        return next((str(o) for o in ds.objects(node, KGV.curationId)), curie_of(str(node)))
    return _label(ds, node)


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
