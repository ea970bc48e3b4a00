"""Which terms go into which module: seeds, all their is_a ancestors, one hop of relationships.

Rules (MIREOT-style, deterministic):
- A term goes to the module of the ontology that owns its prefix (sources.yaml
  `prefixes`) if that ontology's files contain it; else it stays in the module of
  the source that mentioned it (e.g. a BFO parent that only CL's file declares);
  else it is recorded as missing.
- For every placed term, all is_a parents are placed, up to the roots.
- An obsolete seed's replacement (replaced_by) is placed, so messages can name it.
- For seeds and their ancestors, relationship targets (part_of, regulates, ...)
  are placed too, with their own is_a ancestors, but their relationships are not
  followed further (so GO's regulates chains do not pull in half of GO). The
  relation itself is placed as an object property with its super-properties.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kg.ontology.terms import Term, prefix_of

__all__ = ["Closure", "Placement"]

Owner = Callable[[str | None], str | None]
Lookup = Callable[[str, str], Term | None]


@dataclass
class Placement:
    """Where each term was placed, which were followed fully, and what could not be found."""

    placed: dict[str, str] = field(default_factory=dict)
    followed: set[str] = field(default_factory=set)
    missing: dict[str, set[str]] = field(default_factory=dict)

    def terms_of(self, module: str) -> list[str]:
        return sorted(t for t, m in self.placed.items() if m == module)


class Closure:
    """Grows a Placement from seeds; `owner` maps a prefix to an ontology, `lookup` finds terms."""

    def __init__(self, owner: Owner, lookup: Lookup) -> None:
        self.owner = owner
        self.lookup = lookup
        self.result = Placement()
        self._queue: deque[tuple[str, str | None, bool]] = deque()

    def add_seeds(self, ids: Iterable[str]) -> None:
        """Seeds are followed fully; ids whose prefix no ontology owns are ignored."""
        for term_id in sorted(set(ids)):
            if self.owner(prefix_of(term_id)) is not None:
                self._queue.append((term_id, None, True))
        self._run()

    def _run(self) -> None:
        placed, followed = self.result.placed, self.result.followed
        while self._queue:
            term_id, origin, follow = self._queue.popleft()
            if term_id in placed:
                if follow and term_id not in followed:
                    self._follow(term_id, placed[term_id])
                continue
            module = self._locate(term_id, origin)
            if module is None:
                continue
            placed[term_id] = module
            if follow:
                self._follow(term_id, module)
                continue
            term = self.lookup(module, term_id)
            assert term is not None
            for parent in term.parents:
                self._queue.append((parent, module, False))

    def _follow(self, term_id: str, module: str) -> None:
        self.result.followed.add(term_id)
        term = self.lookup(module, term_id)
        assert term is not None
        for relation, target in term.relationships:
            if self.owner(prefix_of(relation)) is None:
                continue  # a relation no configured ontology declares: left out
            self._queue.append((relation, module, True))
            self._queue.append((target, module, False))
        for parent in term.parents:
            self._queue.append((parent, module, True))
        for replacement in term.replaced_by:
            self._queue.append((replacement, module, False))

    def _locate(self, term_id: str, origin: str | None) -> str | None:
        owner = self.owner(prefix_of(term_id))
        if owner is not None and self.lookup(owner, term_id) is not None:
            return owner
        if origin is not None and self.lookup(origin, term_id) is not None:
            return origin
        self.result.missing.setdefault(owner or origin or "", set()).add(term_id)
        return None
