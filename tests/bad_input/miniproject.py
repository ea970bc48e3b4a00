"""A minimal, valid project (data/ + ontologies/) written from Curation records.

The property-based and validation tests build on it so that they do not depend on the size
or state of the real curation: `write_project` dumps records as the YAML files the loader
reads and declares every predicate and ECO code they use in a small ontology module.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from kg.curation.load import LIST_FILES
from kg.curation.schema import (
    Arm,
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
)

__all__ = [
    "EVIDENCE_CODES",
    "PREDICATES",
    "append_items",
    "project_data",
    "sample_curation",
    "write_project",
]

ROOT = Path(__file__).resolve().parents[2]
#: predicates and evidence codes the mini ontology module declares
PREDICATES = {
    "RO:0002213": "positively regulates",
    "RO:0002212": "negatively regulates",
    "RO:0002606": "is substance that treats",
    "biolink:affects": "affects",
}
EVIDENCE_CODES = {
    "ECO:0000304": "author statement supported by traceable reference used in manual assertion",
    "ECO:0007121": "clinical study evidence used in manual assertion",
}


def sample_curation() -> Curation:
    """A tiny curation with one of everything: entity, publication, statement, trial."""
    pub = "il2kg:publication/sample-2024"
    ev = Evidence(source=pub, eco="ECO:0000304", quote="IL-2 expands Treg cells", locator="p. 1")
    return Curation(
        entities=(
            Entity(id="il2kg:drug/sample-il-2", label="sample IL-2", category="Drug"),
            Entity(id="CL:0000815", label="regulatory T cell", category="Cell"),
            Entity(id="MONDO:0007915", label="systemic lupus erythematosus", category="Disease"),
        ),
        publications=(Publication(id=pub, title="A sample paper", year=2024),),
        statements=(
            Statement(
                id="sample-il2-expands-treg",
                subject="il2kg:drug/sample-il-2",
                predicate="biolink:affects",  # a drug's effect on a cell type (not RO regulates)
                object="CL:0000815",
                qualifiers={"direction": "increased", "aspect": "abundance"},
                evidence=(ev,),
            ),
        ),
        trials=(
            Trial(
                id="sample-trial",
                acronym="SAMPLE",
                title="A sample trial",
                registry=Registry(nct=("NCT01234567",)),
                phase="2",
                design=Design(randomised=True, blinding="double-blind", placebo_controlled=True),
                conditions=("MONDO:0007915",),
                arms=(
                    Arm(
                        id="il-2",
                        label="IL-2",
                        role="experimental",
                        intervention="il2kg:drug/sample-il-2",
                        doses=(
                            Dose(value=1.0, unit="MIU", route="subcutaneous", frequency="daily"),
                        ),
                    ),
                ),
                primary_endpoints=(Endpoint(measure="sri-4", time_point="week 12"),),
                results=(Result(id="sri4", measure="sri-4", arm="il-2", percent=50.0, source=pub),),
                publications=(pub,),
            ),
        ),
        outcome_measures=(
            OutcomeMeasure(id="sri-4", label="SLE Responder Index-4", kind="composite index"),
        ),
    )


def write_project(root: Path, curation: Curation) -> None:
    """root/data/*.yaml from curation, root/ontologies/ with the vocabulary and a term module."""
    data = root / "data"
    (data / "trials").mkdir(parents=True, exist_ok=True)
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    for name, (key, _model) in LIST_FILES.items():
        records = [_plain(r) for r in getattr(curation, key)]
        with (data / name).open("w", encoding="utf-8") as fh:
            yaml.dump({key: records}, fh)
    for trial in curation.trials:
        with (data / "trials" / f"{trial.id}.yaml").open("w", encoding="utf-8") as fh:
            yaml.dump(_plain(trial), fh)
    onto = root / "ontologies"
    (onto / "terms").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "ontologies" / "vocabulary.ttl", onto / "vocabulary.ttl")
    (onto / "terms" / "module.ttl").write_text(_module_text(), "utf-8")


def _plain(record: Any) -> Any:
    return record.model_dump(mode="json", exclude_defaults=True)


def _module_text() -> str:
    lines = [
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix RO: <http://purl.obolibrary.org/obo/RO_> .",
        "@prefix ECO: <http://purl.obolibrary.org/obo/ECO_> .",
        "@prefix biolink: <https://w3id.org/biolink/vocab/> .",
        "",
    ]
    for curie, label in sorted(PREDICATES.items()):
        lines.append(f'{curie} a owl:ObjectProperty ; rdfs:label "{label}" .')
    for curie, label in sorted(EVIDENCE_CODES.items()):
        lines.append(f'{curie} a owl:Class ; rdfs:label "{label}" .')
    return "\n".join(lines) + "\n"


def project_data(kind: str, root: Path) -> Path:
    """Write root/data and root/ontologies; return root/data.

    kind "sample": the sample project, its statement also citing clinical evidence so that
    every term of its ontology module is used (an unused term is a node without edges);
    kind "real": a copy of this checkout's data/ and ontologies/ (what CI's slow tier uses for
    the tests whose fast-tier twin runs on the sample: a validation of the whole project).
    """
    if kind == "sample":
        curation = sample_curation()
        (statement,) = curation.statements
        clinical = statement.evidence[0].model_copy(update={"eco": "ECO:0007121"})
        statement = statement.model_copy(update={"evidence": (*statement.evidence, clinical)})
        write_project(root, curation.model_copy(update={"statements": (statement,)}))
    elif kind == "real":
        shutil.copytree(ROOT / "data", root / "data")
        shutil.copytree(ROOT / "ontologies", root / "ontologies")
    else:
        raise ValueError(f"kind is 'sample' or 'real', not {kind!r}")
    return root / "data"


def append_items(path: Path, text: str) -> int:
    """Append YAML list items to the list in path, indented as its items are (the curated
    files indent them by two spaces, write_project does not). text opens with a blank line.
    Returns the line (1-based) of the first appended item's first key."""
    before = path.read_text("utf-8").rstrip("\n") + "\n"
    indent = "  " if "\n  - " in before else ""
    path.write_text(before + textwrap.indent(textwrap.dedent(text), indent), "utf-8")
    return len(before.splitlines()) + 2
