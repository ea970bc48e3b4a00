"""Referential checks that need the merged graph: every predicate and evidence code is declared."""

from __future__ import annotations

from rdflib import Dataset

from kg.curation.load import LoadedCuration
from kg.errors import Problem
from kg.namespaces import RDFS, expand

__all__ = ["undeclared_terms"]


def undeclared_terms(loaded: LoadedCuration, ds: Dataset) -> list[Problem]:
    """Statement predicates and ECO codes that no module or vocabulary gives a label."""
    labelled = {s for s, _, _, _ in ds.quads((None, RDFS.label, None, None))}
    problems: list[Problem] = []
    for st in loaded.curation.statements:
        where = loaded.locations[st.id]
        if expand(st.predicate) not in labelled:
            problems.append(
                Problem(
                    where.file,
                    where.line,
                    f"statement {st.id}: predicate",
                    f"{st.predicate} is not declared in any ontology module under ontologies/ "
                    "(add it to the RO seeds in ontologies/sources.yaml and re-run "
                    "`kg ontologies extract`, or declare it in ontologies/vocabulary.ttl)",
                )
            )
        for i, ev in enumerate(st.evidence):
            if expand(ev.eco) not in labelled:
                problems.append(
                    Problem(
                        where.file,
                        where.line,
                        f"statement {st.id}: evidence[{i}].eco",
                        f"{ev.eco} is not in the ECO module (ontologies/eco/module.ttl); "
                        "re-run `kg ontologies extract` after adding it",
                    )
                )
    return problems
