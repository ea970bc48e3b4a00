"""Referential check that needs the merged graph: every evidence code is declared.

(Statement predicates are the StatementPredicate SHACL shape's job.)
"""

from __future__ import annotations

from rdflib import Dataset

from kg.curation.load import LoadedCuration
from kg.errors import Problem
from kg.namespaces import RDFS, expand

__all__ = ["undeclared_evidence_codes"]


def undeclared_evidence_codes(loaded: LoadedCuration, ds: Dataset) -> list[Problem]:
    """Evidence ECO codes of statements that no module gives a label."""
    labelled = {s for s, _, _, _ in ds.quads((None, RDFS.label, None, None))}
    problems: list[Problem] = []
    for st in loaded.curation.statements:
        where = loaded.locations[st.id]
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
