"""Draft a curated trial (data/trials/<id>.yaml) from a ClinicalTrials.gov API v2 study record.

What the record states and the schema can hold is copied, each field with an end-of-line
comment naming the record field it came from; the trial's ``note`` names the record, its
version and the retrieval date, so every imported fact stays traceable to the saved record
``data/registry/<NCT>.json``. What the schema cannot hold (collaborators, countries, masked
roles, primary purpose, the results-posted flag, month-precision dates...) goes into the note;
what needs a curator's decision (an unmapped condition or intervention, an outcome without a
defined outcome measure, doses in free text) is listed as a TODO comment at the top of the
draft and printed by the command. Nothing is guessed: an arm role or intervention that does
not map is left out, so `kg validate` points at the gap until the curator fills it.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString

from kg.curation.yamlfile import read_yaml
from kg.errors import display_path
from kg.registry.names import NameIndex, normalise
from kg.registry.record import (
    ALLOCATION,
    ARM_ROLE,
    ENROLMENT_TYPE,
    MASKING,
    MODEL,
    STATUS,
    StudyRecord,
    curated_phase,
)

__all__ = ["Draft", "OutcomeMeasures", "draft_trial", "trial_slug"]

_EUDRACT = re.compile(r"\d{4}-\d{6}-\d{2}")
_WIDTH = 96


@dataclass(frozen=True)
class Draft:
    """A drafted trial file: its id, YAML text and the curator's TODO list."""

    trial_id: str
    nct: str
    text: str
    todos: tuple[str, ...]


@dataclass(frozen=True)
class OutcomeMeasures:
    """Outcome-measure slugs by normalised label, abbreviation and slug (exact lookup)."""

    by_name: dict[str, str]
    names: dict[str, tuple[str, ...]]  # slug -> its label/abbreviation, for TODO hints

    @classmethod
    def load(cls, data_dir: Path) -> OutcomeMeasures:
        path = data_dir / "outcome_measures.yaml"
        doc = read_yaml(path, display_path(path))
        items = doc.data.get("outcome_measures") if isinstance(doc.data, dict) else None
        by_name: dict[str, set[str]] = {}
        names: dict[str, tuple[str, ...]] = {}
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            own = tuple(
                str(item[k]) for k in ("id", "label", "abbreviation") if item.get(k) is not None
            )
            names[item["id"]] = own
            for text in own:
                by_name.setdefault(normalise(text), set()).add(item["id"])
        unique = {k: next(iter(v)) for k, v in by_name.items() if len(v) == 1}
        return cls(unique, names)

    def exact(self, text: str) -> str | None:
        return self.by_name.get(normalise(text))

    def hints(self, text: str) -> list[str]:
        """Slugs whose label or abbreviation occurs in text as a whole word (TODO hints only)."""
        found = []
        for slug, own in self.names.items():
            for name in own[1:]:
                if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.IGNORECASE):
                    found.append(slug)
                    break
        return sorted(found)


@dataclass
class _Notes:
    """What goes into the draft's note (facts) and its TODO comments (decisions)."""

    facts: list[str] = field(default_factory=list)
    todos: list[str] = field(default_factory=list)


def trial_slug(text: str) -> str:
    """'LUPIL-2' -> 'lupil-2', 'NCT02955615' -> 'nct02955615' (a schema slug)."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    return slug or "trial"


def draft_trial(
    record: StudyRecord,
    names: NameIndex,
    measures: OutcomeMeasures,
    retrieved: date,
    saved_as: str,
    trial_id: str | None = None,
) -> Draft:
    """The trial file drafted from `record` (see the module docstring for what goes where).

    saved_as: the path of the saved record, named in the note (data/registry/<NCT>.json).
    Raises KGError only for a record whose fields have the wrong JSON types.
    """
    notes = _Notes()
    nct = record.nct
    acronym = record.text("identificationModule", "acronym")
    tid = trial_id or trial_slug(acronym or nct)
    doc = CommentedMap()
    _put(doc, "id", tid)
    _put(doc, "acronym", acronym or nct, "identificationModule.acronym" if acronym else "nctId")
    official = record.text("identificationModule", "officialTitle")
    brief = record.text("identificationModule", "briefTitle")
    if official or brief:
        source = "officialTitle" if official else "briefTitle"
        _put(doc, "title", official or brief, f"identificationModule.{source}")
    else:
        notes.todos.append("the record has no title: enter the official title as `title`")
    _put(doc, "registry", _registry(record, notes), "identificationModule")
    _phase(doc, record, notes)
    _put(doc, "design", _design(record, notes))
    _enrolment(doc, record, notes)
    sponsor = record.text("sponsorCollaboratorsModule", "leadSponsor", "name")
    if sponsor:
        _put(doc, "sponsor", sponsor, "sponsorCollaboratorsModule.leadSponsor.name")
    _status(doc, record, notes)
    _put(doc, "conditions", _flow(_conditions(record, names, notes)), "conditionsModule")
    _dates(doc, record, notes)
    _put(doc, "arms", _arms(record, names, notes), "armsInterventionsModule.armGroups")
    for rank in ("primary", "secondary"):
        endpoints = _endpoints(record, rank, measures, notes)
        if endpoints:
            _put(doc, f"{rank}_endpoints", endpoints, f"outcomesModule.{rank}Outcomes")
    _record_only_facts(record, notes)
    preface = (
        f"Drafted by `kg import clinicaltrials` from ClinicalTrials.gov record {nct} "
        f"({record.version_text}), retrieved {retrieved.isoformat()} and saved as {saved_as}; "
        "the registry facts of this file are that record's."
    )
    _put(doc, "note", _folded(" ".join([preface, *notes.facts])))
    header = [
        f"{acronym or nct}: drafted from ClinicalTrials.gov {nct} ({record.version_text}).",
        "Format: see data/README.md. Comments name the record field each value came from.",
        "Check every value against the record, add what publications report (results,",
        "doses, adverse events) and delete these TODO lines when done:",
        *(f"TODO: {line}" for t in notes.todos for line in _wrap(t, _WIDTH - 8)),
    ]
    if not notes.todos:
        header[-1] = "nothing is left to do but check (no TODOs)."
    doc.yaml_set_start_comment("\n".join(header))
    return Draft(tid, nct, _dump(doc), tuple(notes.todos))


# ---- fields ----


def _registry(record: StudyRecord, notes: _Notes) -> CommentedMap:
    reg = CommentedMap()
    ncts = [record.nct]
    for alias in record.items("identificationModule", "nctIdAliases"):
        if isinstance(alias, str) and re.fullmatch(r"NCT\d{8}", alias) and alias not in ncts:
            ncts.append(alias)
    reg["nct"] = _flow(ncts)
    eudract: list[str] = []
    other: list[str] = []
    org = record.text("identificationModule", "orgStudyIdInfo", "id")
    if org:
        other.append(f"sponsor protocol code {org}")
    for info in record.items("identificationModule", "secondaryIdInfos"):
        if not isinstance(info, dict) or not isinstance(info.get("id"), str):
            continue
        sid, kind = info["id"].strip(), str(info.get("type") or "")
        if kind == "EUDRACT_NUMBER" and _EUDRACT.fullmatch(sid):
            eudract.append(sid)
        elif kind == "EUDRACT_NUMBER":
            notes.facts.append(
                f"The record's EudraCT number {sid!r} is not in the YYYY-NNNNNN-CC form."
            )
            other.append(f"EudraCT {sid}")
        else:
            label = str(info.get("domain") or kind.replace("_", " ").lower() or "secondary id")
            other.append(f"{label} {sid}")
    if eudract:
        reg["eudract"] = _flow(eudract)
    if other:
        reg["other"] = _flow(other)
    return reg


def _phase(doc: CommentedMap, record: StudyRecord, notes: _Notes) -> None:
    phases = record.phases
    value = curated_phase(phases)
    shown = "[" + ", ".join(phases) + "]"
    if value is not None:
        _put(doc, "phase", _quoted(value), f"designModule.phases {shown}")
        return
    _put(doc, "phase", "not stated", f"designModule.phases {shown} has no schema value")
    notes.facts.append(
        f"The registry gives phase {'/'.join(phases)}, which the schema has no value for."
    )
    notes.todos.append(
        f"phase: the record says {'/'.join(phases)}; the schema has no such value, so the draft "
        "says 'not stated'. Choose the phase the publications state, or keep it."
    )


def _design(record: StudyRecord, notes: _Notes) -> CommentedMap:
    design = CommentedMap()
    info = ("designModule", "designInfo")
    allocation = record.code(*info, "allocation")
    if allocation in ALLOCATION:
        _put(design, "randomised", ALLOCATION[allocation], f"designInfo.allocation {allocation}")
    elif allocation:
        notes.facts.append(f"The registry gives allocation {allocation}.")
    masking = record.code(*info, "maskingInfo", "masking")
    if masking in MASKING:
        _put(design, "blinding", MASKING[masking], f"maskingInfo.masking {masking}")
    who = [
        str(w).lower().replace("_", " ") for w in record.items(*info, "maskingInfo", "whoMasked")
    ]
    if who:
        notes.facts.append(f"Masked: {', '.join(who)}.")
    arm_types = [
        str(a.get("type") or "").upper()
        for a in record.items("armsInterventionsModule", "armGroups")
        if isinstance(a, dict)
    ]
    model = record.code(*info, "interventionModel")
    if "PLACEBO_COMPARATOR" in arm_types:
        _put(design, "placebo_controlled", True, "an armGroups[].type is PLACEBO_COMPARATOR")
    elif model == "SINGLE_GROUP" and len(arm_types) == 1:
        _put(design, "placebo_controlled", False, "a single arm (interventionModel SINGLE_GROUP)")
    sites = _sites(record)
    if sites:
        centres = "multicentre" if len(sites) > 1 else "single-centre"
        _put(design, "centres", centres, f"contactsLocationsModule: {len(sites)} site(s)")
    if model in MODEL:
        _put(design, "model", MODEL[model], f"designInfo.interventionModel {model}")
    elif model:
        notes.facts.append(
            f"The registry gives intervention model {model}, which the schema has no value for."
        )
    purpose = record.code(*info, "primaryPurpose")
    if purpose:
        notes.facts.append(f"Primary purpose: {purpose.lower().replace('_', ' ')}.")
    study_type = record.code("designModule", "studyType")
    if study_type and study_type != "INTERVENTIONAL":
        notes.facts.append(f"Study type: {study_type.lower().replace('_', ' ')}.")
        notes.todos.append(f"the record is an {study_type.lower()} study, not interventional")
    return design


def _sites(record: StudyRecord) -> set[tuple[str, str, str]]:
    sites = set()
    for loc in record.items("contactsLocationsModule", "locations"):
        if isinstance(loc, dict):
            sites.add(tuple(str(loc.get(k) or "") for k in ("facility", "city", "country")))
    return sites  # type: ignore[return-value]


def _enrolment(doc: CommentedMap, record: StudyRecord, notes: _Notes) -> None:
    info = record.protocol("designModule", "enrollmentInfo")
    if not isinstance(info, dict):
        return
    count, kind = info.get("count"), str(info.get("type") or "").upper()
    if isinstance(count, int) and not isinstance(count, bool) and count >= 1:
        _put(doc, "enrolment", count, "designModule.enrollmentInfo.count")
        if kind in ENROLMENT_TYPE:
            _put(doc, "enrolment_type", ENROLMENT_TYPE[kind], f"enrollmentInfo.type {kind}")
    elif count is not None:
        notes.facts.append(f"The registry gives enrolment {count!r}.")


def _status(doc: CommentedMap, record: StudyRecord, notes: _Notes) -> None:
    status = record.code("statusModule", "overallStatus")
    if status in STATUS:
        _put(doc, "status", STATUS[status], f"statusModule.overallStatus {status}")
    elif status:
        _put(doc, "status", "unknown", f"statusModule.overallStatus {status} has no schema value")
        notes.facts.append(f"Registry status: {status.lower().replace('_', ' ')}.")
        notes.todos.append(
            f"status: the record says {status}, which the schema has no value for; the draft "
            "says 'unknown'"
        )
    last_known = record.code("statusModule", "lastKnownStatus")
    if last_known:
        notes.facts.append(f"Last known registry status: {last_known.lower().replace('_', ' ')}.")
    why = record.text("statusModule", "whyStopped")
    if why:
        notes.facts.append(f'Why stopped (registry): "{why}"')


def _conditions(record: StudyRecord, names: NameIndex, notes: _Notes) -> list[str]:
    ids: list[str] = []
    for name in record.items("conditionsModule", "conditions"):
        if not isinstance(name, str):
            continue
        match = names.condition(name)
        if match.curie is None:
            hint = f" (candidates: {', '.join(match.candidates)})" if match.candidates else ""
            notes.todos.append(f"condition {name!r}: {match.how}{hint}; add its MONDO id")
        elif match.curie not in ids:
            ids.append(match.curie)
            if not match.defined:
                notes.todos.append(
                    f"condition {name!r} is {match.curie} ({match.how}): add it to "
                    "data/entities.yaml"
                )
    if not ids:
        notes.todos.append("conditions: no registry condition maps to an entity; add one")
    return ids


def _dates(doc: CommentedMap, record: StudyRecord, notes: _Notes) -> None:
    for key, struct in (
        ("start", "startDateStruct"),
        ("primary_completion", "primaryCompletionDateStruct"),
        ("completion", "completionDateStruct"),
    ):
        when = record.date(struct)
        if when is None:
            continue
        what = key.replace("_", " ")
        if when.full is None:
            kind = f"{when.kind.lower()}; " if when.kind else ""
            notes.facts.append(
                f"Registry {what} date: {when.text} ({kind}month precision, not entered)."
            )
            continue
        _put(doc, key, when.full, f"statusModule.{struct} {when.kind or ''}".rstrip())
        if when.kind == "ESTIMATED":
            notes.facts.append(f"The {what} date is anticipated (registry: estimated).")


def _arms(record: StudyRecord, names: NameIndex, notes: _Notes) -> CommentedSeq:
    interventions = {}
    for item in record.items("armsInterventionsModule", "interventions"):
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            kind = str(item.get("type") or "").replace("_", " ").title()
            interventions[f"{kind}: {item['name']}".casefold()] = item
            interventions.setdefault(item["name"].casefold(), item)
    groups = [
        a for a in record.items("armsInterventionsModule", "armGroups") if isinstance(a, dict)
    ]
    single = record.code("designModule", "designInfo", "interventionModel") == "SINGLE_GROUP"
    arms = CommentedSeq()
    used: set[str] = set()
    for i, group in enumerate(groups):
        label = str(group.get("label") or f"arm {i + 1}").strip()
        arm = CommentedMap()
        slug = trial_slug(label)
        arm_id = slug if slug not in used else f"{slug}-{i + 1}"
        used.add(arm_id)
        arm["id"] = arm_id
        _put(arm, "label", label, f"armGroups[{i}].label")
        kind = str(group.get("type") or "").upper()
        if single and len(groups) == 1 and kind == "EXPERIMENTAL":
            _put(arm, "role", "single group", f"armGroups[{i}].type {kind}, SINGLE_GROUP")
        elif kind in ARM_ROLE:
            _put(arm, "role", ARM_ROLE[kind], f"armGroups[{i}].type {kind}")
        else:
            notes.todos.append(
                f"arm {arm_id!r}: the record's arm type {kind or '(none)'} has no role value; "
                "choose experimental, placebo comparator or active comparator"
            )
        schedule = _intervention(arm, group, i, interventions, names, notes)
        if schedule:
            arm["schedule"] = _folded(schedule)
        if re.search(r"\d", schedule):
            notes.todos.append(
                f"arm {arm_id!r}: enter doses (value, unit, frequency) only where the schedule "
                "text states all three"
            )
        arms.append(arm)
    if not groups:
        notes.todos.append("arms: the record lists no arm groups; add the arms")
    return arms


def _intervention(
    arm: CommentedMap,
    group: dict[str, Any],
    i: int,
    interventions: dict[str, dict[str, Any]],
    names: NameIndex,
    notes: _Notes,
) -> str:
    """Set arm.intervention when exactly one of the arm's interventions maps; return the
    schedule text (the registry's arm and intervention descriptions, verbatim)."""
    mapped: dict[str, str] = {}
    unmapped: list[str] = []
    texts: list[str] = []
    desc = group.get("description")
    if isinstance(desc, str) and desc.strip():
        texts.append(f'Registry arm description: "{_oneline(desc)}"')
    refs = group.get("interventionNames")
    for ref in refs if isinstance(refs, list) else ():
        item = interventions.get(str(ref).casefold()) or interventions.get(
            str(ref).split(":", 1)[-1].strip().casefold()
        )
        name = str(item["name"]) if item else str(ref).split(":", 1)[-1].strip()
        others = item.get("otherNames") if item else None
        candidates = [name, *(others if isinstance(others, list) else [])]
        found = None
        for candidate in candidates:
            match = names.intervention(str(candidate))
            if match.curie:
                found = match.curie
                break
        if found:
            mapped[name] = found
        else:
            unmapped.append(name)
        idesc = item.get("description") if item else None
        if isinstance(idesc, str) and idesc.strip():
            texts.append(f'Registry intervention {name}: "{_oneline(idesc)}"')
    arm_id = arm["id"]
    chosen = sorted(set(mapped.values()))
    if len(chosen) == 1:
        _put(
            arm, "intervention", chosen[0], f"armGroups[{i}].interventionNames {', '.join(mapped)}"
        )
    elif len(chosen) > 1:
        notes.todos.append(
            f"arm {arm_id!r}: its interventions map to {', '.join(chosen)}; an arm holds one "
            "intervention: choose it"
        )
    if unmapped:
        notes.todos.append(
            f"arm {arm_id!r}: intervention(s) {', '.join(repr(u) for u in unmapped)} match no "
            "drug or intervention entity by label or synonym"
            + ("" if chosen else "; add the entity and set `intervention`")
        )
    return "; ".join(texts)


def _endpoints(
    record: StudyRecord, rank: str, measures: OutcomeMeasures, notes: _Notes
) -> CommentedSeq:
    endpoints = CommentedSeq()
    for j, outcome in enumerate(record.items("outcomesModule", f"{rank}Outcomes")):
        if not isinstance(outcome, dict) or not isinstance(outcome.get("measure"), str):
            continue
        text = _oneline(outcome["measure"])
        frame = outcome.get("timeFrame")
        slug = measures.exact(text)
        if slug is None:
            hints = measures.hints(text)
            hint = f" (perhaps {', '.join(hints)})" if hints else ""
            when = f", time frame {_oneline(frame)!r}" if isinstance(frame, str) else ""
            notes.todos.append(
                f"{rank} outcome {text!r}{when}: no outcome measure has this label or "
                f"abbreviation{hint}; add it as a {rank}_endpoints item"
            )
            continue
        ep = CommentedMap()
        _put(ep, "measure", slug, f"{rank}Outcomes[{j}].measure")
        if isinstance(frame, str) and frame.strip():
            _put(ep, "time_point", _oneline(frame), f"{rank}Outcomes[{j}].timeFrame")
        ep["description"] = f'Registered {rank} outcome: "{text}"'
        endpoints.append(ep)
    others = record.items("outcomesModule", "otherOutcomes")
    if rank == "secondary" and others:
        notes.facts.append(f"The record lists {len(others)} other pre-specified outcome(s).")
    return endpoints


def _record_only_facts(record: StudyRecord, notes: _Notes) -> None:
    collaborators = [
        str(c["name"]).strip()
        for c in record.items("sponsorCollaboratorsModule", "collaborators")
        if isinstance(c, dict) and c.get("name")
    ]
    if collaborators:
        notes.facts.append(f"Collaborators: {'; '.join(collaborators)}.")
    countries = sorted({c for _, _, c in _sites(record) if c})
    if countries:
        notes.facts.append(f"Registered sites in: {', '.join(countries)}.")
    results = record.get("hasResults")
    if isinstance(results, bool):
        notes.facts.append(
            f"Results posted on ClinicalTrials.gov: {'yes' if results else 'no'} (hasResults)."
        )


# ---- YAML ----


def _put(node: CommentedMap, key: str, value: Any, source: str | None = None) -> None:
    node[key] = value
    if source:
        # a comment is one line: record text may hold line breaks (CR, NEL, U+2028 ...)
        node.yaml_add_eol_comment(f"registry: {_oneline(source)}", key)


def _flow(items: Iterable[str]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _quoted(value: str) -> str:
    return DoubleQuotedScalarString(value) if re.fullmatch(r"[\d.]+", value) else value


def _oneline(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(_oneline(text), width, subsequent_indent="  ") or [""]


def _folded(text: str) -> FoldedScalarString:
    """Long text as a `>-` block folded at word boundaries (reads back as the same text)."""
    text = _oneline(text)
    folded = FoldedScalarString(text)
    positions, start = [], 0
    for line in textwrap.wrap(text, _WIDTH, break_long_words=False, break_on_hyphens=False)[:-1]:
        start += len(line)
        positions.append(start)
        start += 1
    folded.fold_pos = positions  # type: ignore[attr-defined]
    return folded


def _dump(doc: CommentedMap) -> str:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()
