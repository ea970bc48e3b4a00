"""Load `data/` into validated records, collecting every located problem at once."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from kg.curation.schema import (
    Curation,
    Entity,
    OutcomeMeasure,
    Publication,
    Statement,
    Trial,
)
from kg.curation.yamlfile import YamlFile, field_path, read_yaml
from kg.errors import KGError, Problem, display_path

__all__ = ["LoadedCuration", "Location", "RecordSource", "did_you_mean", "load_curation"]

#: file name -> (top-level key, record type). Trials live one per file in data/trials/.
LIST_FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "entities.yaml": ("entities", Entity),
    "publications.yaml": ("publications", Publication),
    "statements.yaml": ("statements", Statement),
    "outcome_measures.yaml": ("outcome_measures", OutcomeMeasure),
}


@dataclass(frozen=True)
class Location:
    """Where a record (or a field inside it, `field` being its YAML path) came from."""

    file: str
    line: int | None
    field: str = ""

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


@dataclass(frozen=True)
class RecordSource:
    """The line index of one record: its parsed file and the path of the record inside it.

    The loader keeps these so that later stages locate any field of a record (a SHACL
    result, a consistency finding) without reading the file again.
    """

    file: YamlFile
    path: tuple[str | int, ...]

    def locate(self, sub: Sequence[str | int] = ()) -> Location:
        """File, line and YAML path of the field at sub (a path inside the record)."""
        full = (*self.path, *sub)
        return Location(self.file.path, self.file.line(full), field_path(full))


@dataclass(frozen=True)
class LoadedCuration:
    """The validated curation, where each record came from, and the hash of each input file.

    `locations` gives each record's file and first line; `sources` (record id -> its line
    index) lets :meth:`locate` point at any field inside a record.
    """

    curation: Curation
    locations: dict[str, Location] = field(default_factory=dict)
    file_hashes: dict[str, str] = field(default_factory=dict)
    sources: dict[str, RecordSource] = field(default_factory=dict)

    def locate(self, record: str, sub: Sequence[str | int] = ()) -> Location | None:
        """Where field `sub` of the record with this id stands; None for an unknown record."""
        source = self.sources.get(record)
        if source is not None:
            return source.locate(sub)
        where = self.locations.get(record)
        if where is None:
            return None
        return Location(where.file, where.line, field_path(sub))


@dataclass
class _Record:
    model: Any
    file: YamlFile
    path: tuple[str | int, ...]

    def line(self, *sub: str | int) -> int:
        return self.file.line((*self.path, *sub))

    def problem(self, sub: Sequence[str | int], message: str) -> Problem:
        return Problem(self.file.path, self.line(*sub), field_path((*self.path, *sub)), message)


def load_curation(data_dir: Path | str) -> LoadedCuration:
    """Read and validate every curated file under data_dir; raise KGError listing all problems."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise KGError.at(str(data_dir), None, "", "data directory not found")
    problems: list[Problem] = []
    records: dict[str, list[_Record]] = {k: [] for k, _ in LIST_FILES.values()}
    records["trials"] = []
    hashes: dict[str, str] = {}
    # ids of records that failed validation, and kinds whose file is unreadable (None): a
    # reference to those is not reported as dangling, so one mistake gives one problem
    known: dict[str, set[str] | None] = {k: set() for k in records}

    for name, (key, model) in LIST_FILES.items():
        path = data_dir / name
        display = display_path(path)
        if not path.exists():
            problems.append(Problem(display, None, "", "required file is missing"))
            known[key] = None
            continue
        try:
            doc = read_yaml(path, display)
        except KGError as exc:
            problems.extend(exc.problems)
            known[key] = None
            continue
        hashes[display] = doc.sha256
        items = _top_list(doc, key, problems)
        if not isinstance(doc.data, dict) or not isinstance(doc.data.get(key), list):
            known[key] = None
        for i, item in enumerate(items):
            rec = _validate(model, item, doc, (key, i), problems)
            if rec is not None:
                records[key].append(rec)
            elif isinstance(item, dict) and known[key] is not None:
                known[key].add(str(item.get("id")))

    for path in sorted((data_dir / "trials").glob("*.y*ml")):
        if path.name.endswith(".draft.yaml"):
            continue  # `kg import` draft beside an existing trial; kg validate lists it
        display = display_path(path)
        try:
            doc = read_yaml(path, display)
        except KGError as exc:
            problems.extend(exc.problems)
            known["trials"] = None  # statements naming a trial are then not checked
            continue
        hashes[display] = doc.sha256
        if not isinstance(doc.data, dict):
            problems.append(Problem(display, 1, "", "expected a mapping describing one trial"))
            known["trials"] = None
            continue
        rec = _validate(Trial, doc.data, doc, (), problems)
        if rec is not None:
            records["trials"].append(rec)
            if rec.model.id != path.stem:
                problems.append(
                    rec.problem(
                        ("id",),
                        f"the trial id {rec.model.id!r} must equal the file name "
                        f"{path.stem!r} (rename the file or fix the id)",
                    )
                )
        else:
            known["trials"] = None

    problems.extend(_referential_problems(records, known))
    if problems:
        raise KGError(problems)

    def models(kind: str) -> tuple[Any, ...]:
        return tuple(sorted((r.model for r in records[kind]), key=lambda m: m.id))

    curation = Curation(
        entities=models("entities"),
        publications=models("publications"),
        statements=models("statements"),
        trials=models("trials"),
        outcome_measures=models("outcome_measures"),
    )
    sources = {r.model.id: RecordSource(r.file, r.path) for recs in records.values() for r in recs}
    locations = {rid: src.locate() for rid, src in sources.items()}
    return LoadedCuration(curation, locations, dict(sorted(hashes.items())), sources)


def _top_list(doc: YamlFile, key: str, problems: list[Problem]) -> list[Any]:
    if not isinstance(doc.data, dict) or key not in doc.data:
        problems.append(
            Problem(doc.path, 1, key, f"expected a top-level key '{key}:' holding a list")
        )
        return []
    extra = sorted(set(doc.data) - {key})
    for k in extra:
        problems.append(
            Problem(doc.path, doc.line((k,)), k, f"unknown top-level key; expected only '{key}'")
        )
    items = doc.data[key]
    if not isinstance(items, list):
        problems.append(Problem(doc.path, doc.line((key,)), key, "expected a list of records"))
        return []
    return items


def _validate(
    model: type[BaseModel],
    item: Any,
    doc: YamlFile,
    path: tuple[str | int, ...],
    problems: list[Problem],
) -> _Record | None:
    try:
        return _Record(model.model_validate(item), doc, path)
    except ValidationError as exc:
        errors = exc.errors()
        for err in errors:
            if err["type"] == "too_short" and _has_inner_error(err, errors):
                continue  # "at least 1 item" only because an item failed: that item says why
            loc = (*path, *err["loc"])
            problems.append(Problem(doc.path, doc.line(loc), field_path(loc), _explain(err, model)))
        return None


def _has_inner_error(err: Any, errors: list[Any]) -> bool:
    n = len(err["loc"])
    return any(len(e["loc"]) > n and tuple(e["loc"][:n]) == tuple(err["loc"]) for e in errors)


def _explain(err: Any, model: type[BaseModel]) -> str:
    """A pydantic error as a curator-readable 'expected ...' message."""
    kind, got = err["type"], err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling against data/README.md)"
    if kind in {"literal_error", "enum"}:
        expected = ctx.get("expected", "").replace("'", "").replace(" or ", ", ")
        return f"expected one of {expected}; got {got!r}{_hint(got, expected.split(', '))}"
    if kind in {"float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"}:
        what = "an integer" if kind.startswith("int") else "a number"
        return f"expected {what}, got {got!r}"
    if kind in {"bool_parsing", "bool_type"}:
        return f"expected true or false, got {got!r}"
    if kind in {
        "date_from_datetime_parsing",
        "date_parsing",
        "date_type",
        "date_from_datetime_inexact",
    }:
        return f"expected a date YYYY-MM-DD, got {got!r}"
    if kind == "string_pattern_mismatch":
        return f"expected text matching {ctx.get('pattern')}, got {got!r}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        return f"{err['msg'].lower()}, got {got!r}"
    if kind == "too_short":
        return "must not be empty" if not got else err["msg"]
    if kind in {"model_type", "dict_type"}:
        return f"expected a mapping of fields, got {type(got).__name__}"
    if kind in {"tuple_type", "list_type"}:
        return f"expected a list, got {type(got).__name__}"
    if kind == "string_type":
        return f"expected text, got {got!r}"
    return err["msg"]


def _hint(got: Any, allowed: Sequence[str]) -> str:
    """Why a value that is not allowed was refused: a number given for text, the code points
    of characters outside ASCII (look-alikes survive NFKC), the closest allowed value."""
    if isinstance(got, int | float) and not isinstance(got, bool):
        return " (a number; write one of the values as text)"
    if not isinstance(got, str):
        return ""
    hints = []
    odd = [c for c in dict.fromkeys(got) if ord(c) > 0x7E or ord(c) < 0x20]
    if odd:
        named = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}" for c in odd)
        hints.append(f"it holds {named}")
    suggestion = did_you_mean(got, allowed)
    if suggestion:
        hints.append(suggestion)
    return f" ({'; '.join(hints)})" if hints else ""


def did_you_mean(value: str, known: Iterable[str], labels: Mapping[str, str] | None = None) -> str:
    """'did you mean 'X'?' for the known value closest to value (case-insensitive), or ''.

    Ids in a namespace (`il2kg:drug/aldesleukine`) are compared by their local part among
    the ids of the same namespace, so a shared prefix does not make unrelated ids look
    alike. A numeric accession (MONDO:0007951) is close only to the accessions one typing
    slip away: one digit wrong, missing, extra or moved, two neighbours swapped
    (:func:`_one_slip`; difflib's greedy ratio misses some swaps). PR:000009999 has no
    suggestion, MONDO:0007951 gets MONDO:0007915 (then MONDO:0007191, a moved digit). Up
    to 3 such ids are named, the likeliest slip first, each with its label from `labels`
    (id -> label), since a number says nothing by itself: `'MONDO:0007915' (systemic
    lupus erythematosus)`.
    """
    cut = max(value.rfind("/"), value.rfind(":")) + 1
    namespace, local = value[:cut], value[cut:]
    by_key: dict[str, str] = {}
    for k in known:
        if k[:cut] == namespace and (cut == 0 or ("/" not in k[cut:] and ":" not in k[cut:])):
            by_key.setdefault(k[cut:].casefold(), k)
    if local.isdigit():
        near = [key for key in by_key if key.isdigit() and _one_slip(local, key)]
        near.sort(key=lambda key: (_slips(local, key), key))  # a swap before a move
        hits = near[:3]
    else:
        hits = difflib.get_close_matches(local.casefold(), list(by_key), n=1, cutoff=0.6)
    found = [by_key[h] for h in hits]
    shown = labels if local.isdigit() and labels else {}  # a number says nothing by itself
    names = [f"{k!r} ({shown[k]})" if k in shown else repr(k) for k in found]
    return f"did you mean {' or '.join(names)}?" if names else ""


def _one_slip(typed: str, meant: str) -> bool:
    """Whether typed keeps every character of meant but one, in order: one character wrong,
    missing, extra or moved (two neighbours swapped is one moved). That is, their longest
    common subsequence is at most one shorter than the longer of the two."""
    if typed == meant or abs(len(typed) - len(meant)) > 1:
        return False
    row = [0] * (len(meant) + 1)  # longest common subsequence, one row at a time
    for a in typed:
        prev = 0
        for j, b in enumerate(meant):
            prev, row[j + 1] = row[j + 1], prev + 1 if a == b else max(row[j], row[j + 1])
    return row[-1] >= max(len(typed), len(meant)) - 1


def _slips(typed: str, meant: str) -> int:
    """Typing slips from meant to typed: the optimal-string-alignment distance (a character
    wrong, missing or extra, or two neighbours swapped, each counts 1)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(meant) + 1)] for i in range(len(typed) + 1)]
    for i in range(1, len(typed) + 1):
        for j in range(1, len(meant) + 1):
            cost = typed[i - 1] != meant[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and typed[i - 1] == meant[j - 2] and typed[i - 2] == meant[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def _referential_problems(
    records: dict[str, list[_Record]], known: dict[str, set[str] | None]
) -> Iterator[Problem]:
    """Duplicate ids and references to things that are not defined.

    known: per kind, ids of records that failed validation (references to them are not
    dangling), or None when the kind's file could not be read (references are not checked).
    """
    ids: dict[str, _Pool] = {}
    for kind, recs in records.items():
        seen: dict[str, _Record] = {}
        for r in recs:
            if r.model.id in seen:
                first = seen[r.model.id]
                where = f"{first.file.path}:{first.line('id')}"
                yield r.problem(("id",), f"duplicate id {r.model.id!r} (first defined at {where})")
            seen.setdefault(r.model.id, r)
        failed = known.get(kind, set())
        labels = {i: str(r.model.label) for i, r in seen.items() if getattr(r.model, "label", None)}
        ids[kind] = _Pool(None if failed is None else set(seen) | failed, labels)
    entities, pubs, measures = ids["entities"], ids["publications"], ids["outcome_measures"]

    def need(
        r: _Record, sub: tuple[str | int, ...], value: str | None, pool: _Pool, what: str
    ) -> Iterator[Problem]:
        if value is not None and value not in pool:
            yield r.problem(sub, f"{value!r} is not a defined {what}{pool.suggest(value)}")

    # a statement about a trial names the trial node: its first ClinicalTrials.gov id
    trials = {f"NCT:{r.model.registry.nct[0]}" for r in records["trials"] if r.model.registry.nct}
    # (when a trial file failed to load, NCT ids are not checked; entity ids still are)
    trials_unknown = known.get("trials", set()) is None
    nodes = _Pool(None if entities.ids is None else entities.ids | trials)
    what = "entity (entities.yaml) or trial NCT id (trials/)"
    for r in records["statements"]:
        s = r.model
        for sub, value in (("subject", s.subject), ("object", s.object)):
            if not (trials_unknown and value.startswith("NCT:")):
                yield from need(r, (sub,), value, nodes, what)
        yield from _evidence_problems(r, ("evidence",), s.evidence, pubs)
    for r in records["trials"]:
        yield from _trial_problems(r, entities, pubs, measures)


def _evidence_problems(
    r: _Record, sub: tuple[str | int, ...], evidence: Any, pubs: _Pool
) -> Iterator[Problem]:
    for i, ev in enumerate(evidence):
        if ev.source not in pubs:
            yield r.problem(
                (*sub, i, "source"),
                f"{ev.source!r} is not a defined publication (publications.yaml)"
                f"{pubs.suggest(ev.source)}",
            )
        if not ev.eco.startswith("ECO:"):
            yield r.problem(
                (*sub, i, "eco"),
                f"expected an ECO evidence code such as ECO:0000180, got {ev.eco!r}",
            )


def _trial_problems(r: _Record, entities: _Pool, pubs: _Pool, measures: _Pool) -> Iterator[Problem]:
    t = r.model
    arm_ids: set[str] = set()
    for i, arm in enumerate(t.arms):
        if arm.id in arm_ids:
            yield r.problem(("arms", i, "id"), f"duplicate arm id {arm.id!r}")
        arm_ids.add(arm.id)
        if arm.intervention not in entities:
            yield r.problem(
                ("arms", i, "intervention"),
                f"{arm.intervention!r} is not a defined entity (entities.yaml)"
                f"{entities.suggest(arm.intervention)}",
            )
    for i, cond in enumerate(t.conditions):
        if cond not in entities:
            yield r.problem(
                ("conditions", i),
                f"{cond!r} is not a defined entity (entities.yaml){entities.suggest(cond)}",
            )
    for i, pub in enumerate(t.publications):
        if pub not in pubs:
            yield r.problem(
                ("publications", i),
                f"{pub!r} is not a defined publication (publications.yaml){pubs.suggest(pub)}",
            )
    for key in ("primary_endpoints", "secondary_endpoints", "registered_endpoints"):
        for i, ep in enumerate(getattr(t, key)):
            if ep.measure not in measures:
                yield r.problem(
                    (key, i, "measure"),
                    f"{ep.measure!r} is not a defined outcome measure (outcome_measures.yaml)"
                    f"{measures.suggest(ep.measure)}",
                )
    result_ids: set[str] = set()
    for i, res in enumerate(t.results):
        if res.id in result_ids:
            yield r.problem(("results", i, "id"), f"duplicate result id {res.id!r}")
        result_ids.add(res.id)
        if res.measure not in measures:
            yield r.problem(
                ("results", i, "measure"),
                f"{res.measure!r} is not a defined outcome measure (outcome_measures.yaml)"
                f"{measures.suggest(res.measure)}",
            )
        for key in ("arm", "compared_to"):
            value = getattr(res, key)
            if value is not None and value not in arm_ids:
                yield r.problem(
                    ("results", i, key),
                    f"{value!r} is not an arm of this trial (arms: {', '.join(sorted(arm_ids))})"
                    f"{_Pool(arm_ids).suggest(value)}",
                )
        if res.source not in pubs:
            yield r.problem(
                ("results", i, "source"),
                f"{res.source!r} is not a defined publication (publications.yaml)"
                f"{pubs.suggest(res.source)}",
            )
        yield from _evidence_problems(r, ("results", i, "evidence"), res.evidence, pubs)
        if res.responders and res.responders.n > res.responders.total:
            yield r.problem(
                ("results", i, "responders", "n"),
                f"n ({res.responders.n}) exceeds total ({res.responders.total})",
            )
        elif res.responders and res.percent is not None:
            message = _percent_problem(res.percent, res.responders.n, res.responders.total)
            if message:
                yield r.problem(("results", i, "percent"), message)
    for i, ae in enumerate(t.adverse_events):
        if ae.arm not in arm_ids:
            yield r.problem(
                ("adverse_events", i, "arm"),
                f"{ae.arm!r} is not an arm of this trial (arms: {', '.join(sorted(arm_ids))})"
                f"{_Pool(arm_ids).suggest(ae.arm)}",
            )
        if ae.source not in pubs:
            yield r.problem(
                ("adverse_events", i, "source"),
                f"{ae.source!r} is not a defined publication (publications.yaml)"
                f"{pubs.suggest(ae.source)}",
            )
        if ae.total is not None and ae.n > ae.total:
            yield r.problem(("adverse_events", i, "n"), f"n ({ae.n}) exceeds total ({ae.total})")
        elif ae.total is not None and ae.percent is not None:
            message = _percent_problem(ae.percent, ae.n, ae.total)
            if message:
                yield r.problem(("adverse_events", i, "percent"), message)


def _percent_problem(percent: float, n: int, total: int) -> str | None:
    """Whether percent is n/total as a percentage, rounded to the decimals it is written with.

    68 stands for 67.5..68.5, 55.17 for 55.165..55.175; a proportion (0.6 for 18/30) is
    refused with the percentage it should be.
    """
    exact = 100 * n / total
    written = Decimal(repr(percent)).normalize()
    decimals = max(0, -int(written.as_tuple().exponent))
    if abs(percent - exact) <= 0.5 * 10**-decimals + 1e-9:
        return None
    hint = ""
    if percent <= 1 and abs(percent * 100 - exact) <= 0.5 * 10 ** (2 - decimals) + 1e-9:
        hint = f"; it looks like a proportion: percentages are 0-100, write {exact:.4g}"
    return (
        f"percent {percent:g} does not agree with {n}/{total} ({exact:.4g}%) within rounding{hint}"
    )


class _Pool:
    """A set of defined ids; None (the defining file was unreadable) contains everything."""

    def __init__(self, ids: set[str] | None, labels: Mapping[str, str] | None = None) -> None:
        self.ids = ids
        self.labels = labels or {}

    def __contains__(self, value: object) -> bool:
        return self.ids is None or value in self.ids

    def suggest(self, value: str) -> str:
        """'; did you mean ...?' naming the closest defined id, or ''."""
        hint = did_you_mean(value, sorted(self.ids or ()), self.labels)
        return f"; {hint}" if hint else ""
