"""Consistency checks across curated statements: no claim is both asserted and negated.

Two statements with the same subject, predicate and object but opposite polarity contradict
each other unless their qualifiers tell the contexts apart: some qualifier key that both
statements carry has different values (``species: human`` vs ``species: mouse``). A key
only one of them has does not separate them, since the other claim is then unqualified.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from kg.curation.load import LoadedCuration
from kg.curation.schema import Statement
from kg.namespaces import curie_of
from kg.rdf.findings import Issue
from kg.rdf.model import statement_iri

__all__ = ["contradictions"]


def contradictions(loaded: LoadedCuration) -> list[Issue]:
    """One issue per pair of contradicting statements, about the later of the two."""
    by_triple: dict[tuple[str, str, str], list[Statement]] = defaultdict(list)
    for st in loaded.curation.statements:
        by_triple[(st.subject, st.predicate, st.object)].append(st)
    issues: list[Issue] = []
    for group in by_triple.values():
        ordered = sorted(group, key=lambda s: _order(loaded, s))
        for first, second in _pairs(ordered):
            if first.negated == second.negated or _distinguished(first, second):
                continue
            there = loaded.locations[first.id]
            polarity = "negated" if second.negated else "asserted"
            other = "asserted" if second.negated else "negated"
            issues.append(
                Issue(
                    second.id,
                    (),
                    "contradiction",
                    f"contradicts statement {first.id!r} ({there}): the same "
                    f"{second.subject} {second.predicate} {second.object} is {polarity} here "
                    f"and {other} there; give both a qualifier that tells the contexts apart "
                    "(such as species or population) or remove one",
                    focus=curie_of(str(statement_iri(second.id))),
                )
            )
    return issues


def _order(loaded: LoadedCuration, st: Statement) -> tuple[str, int, str]:
    where = loaded.locations.get(st.id)
    return (where.file, where.line or 0, st.id) if where else ("", 0, st.id)


def _pairs(items: list[Statement]) -> Iterator[tuple[Statement, Statement]]:
    for i, first in enumerate(items):
        for second in items[i + 1 :]:
            yield first, second


def _distinguished(a: Statement, b: Statement) -> bool:
    """Whether a qualifier both statements carry has different values."""
    shared = set(a.qualifiers) & set(b.qualifiers)
    return any(a.qualifiers[k] != b.qualifiers[k] for k in shared)
