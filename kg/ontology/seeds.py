"""Every CURIE the curation uses, with where it is used (the seeds of module extraction)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kg.curation.load import LoadedCuration

__all__ = ["Use", "curated_uses"]


@dataclass(frozen=True, order=True)
class Use:
    """One use of a CURIE: which record (kind, id), which field, the curated label if any.

    `reference` marks fields that point at a curated entity (statement subject/object,
    trial conditions and arms): the entity's own id is the use to check, not these.
    """

    curie: str
    kind: str
    record: str
    field: str
    label: str | None = None
    reference: bool = False
    path: tuple[str | int, ...] = ()  # field as a path inside the record, ('evidence', 0, 'eco')


def curated_uses(loaded: LoadedCuration) -> Iterator[Use]:
    """Entity ids and xrefs, statement terms and evidence codes, trial conditions and arms."""
    c = loaded.curation
    for e in c.entities:
        yield Use(e.id, "entity", e.id, "id", e.label, path=("id",))
        for i, x in enumerate(e.xrefs):
            yield Use(x, "entity", e.id, f"xrefs[{i}]", path=("xrefs", i))
    for st in c.statements:
        yield Use(st.subject, "statement", st.id, "subject", reference=True, path=("subject",))
        yield Use(st.predicate, "statement", st.id, "predicate", path=("predicate",))
        yield Use(st.object, "statement", st.id, "object", reference=True, path=("object",))
        for i, ev in enumerate(st.evidence):
            yield Use(ev.eco, "statement", st.id, f"evidence[{i}].eco", path=("evidence", i, "eco"))
    for t in c.trials:
        for i, cond in enumerate(t.conditions):
            yield Use(
                cond, "trial", t.id, f"conditions[{i}]", reference=True, path=("conditions", i)
            )
        for i, arm in enumerate(t.arms):
            yield Use(arm.intervention, "trial", t.id, f"arms[{i}].intervention", reference=True,
                      path=("arms", i, "intervention"))  # fmt: skip
        for i, res in enumerate(t.results):
            for j, ev in enumerate(res.evidence):
                yield Use(ev.eco, "trial", t.id, f"results[{i}].evidence[{j}].eco",
                          path=("results", i, "evidence", j, "eco"))  # fmt: skip
    for m in c.outcome_measures:
        for i, x in enumerate(m.xrefs):
            yield Use(x, "outcome measure", m.id, f"xrefs[{i}]", path=("xrefs", i))
