"""Registry cross-check: curated trials against their saved ClinicalTrials.gov records.

For every trial whose NCT number has a saved record (``data/registry/<NCT>.json``, written by
`kg import clinicaltrials`), the curated phase, status, enrolment and its type, masking,
sponsor and start/primary-completion/completion dates are compared with the record. Findings
are located at the trial file, line and field to fix:

- ``registry-drift``: the curated value disagrees with the record (warning; a violation with
  ``strict``, i.e. ``kg validate --strict`` / ``kg build --strict``)
- ``registry-gap``: the record states a value the trial leaves out (warning)
- ``registry-record``: a saved record that cannot be read or is another study's (violation)
- ``import-draft``: a ``<id>.draft.yaml`` beside a trial awaits merging (warning)

Registry codes are read with the same mappings the importer uses (kg.registry.record), so a
freshly imported trial has no findings. Sub-phases agree with their phase (``2b`` with PHASE2,
``1/2a`` with PHASE1+PHASE2); a month-precision registry date agrees with any day of it; a
curated sponsor agrees when it contains the registry's lead sponsor name (case-insensitive).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kg.curation.load import LoadedCuration
from kg.curation.schema import Trial
from kg.curation.yamlfile import field_path
from kg.errors import KGError, display_path
from kg.rdf.findings import Finding
from kg.registry.record import (
    ENROLMENT_TYPE,
    MASKING,
    STATUS,
    StudyRecord,
    read_record,
    record_path,
)

__all__ = ["REGISTRY_CHECKS", "registry_findings"]

#: check id -> what it checks (for --warn and the report)
REGISTRY_CHECKS: dict[str, str] = {
    "registry-drift": "curated trial facts agree with the saved ClinicalTrials.gov record",
    "registry-gap": "curated trials state what their saved registry record states",
    "registry-record": "saved registry records are readable API v2 records of their study",
    "import-draft": "no `kg import` draft awaits merging beside a trial file",
}
#: curated phase -> the registry phases it agrees with
_PHASES: dict[str, frozenset[str]] = {
    "1": frozenset({"PHASE1"}),
    "1b": frozenset({"PHASE1"}),
    "1/2": frozenset({"PHASE1", "PHASE2"}),
    "1/2a": frozenset({"PHASE1", "PHASE2"}),
    "2": frozenset({"PHASE2"}),
    "2b": frozenset({"PHASE2"}),
    "3": frozenset({"PHASE3"}),
    "N/A": frozenset({"NA"}),
    "not stated": frozenset(),
}
_DATES = (
    ("start", "startDateStruct"),
    ("primary_completion", "primaryCompletionDateStruct"),
    ("completion", "completionDateStruct"),
)


def registry_findings(loaded: LoadedCuration, strict: bool = False) -> list[Finding]:
    """Every registry cross-check finding for the loaded curation (none without saved records)."""
    findings: list[Finding] = []
    data_dirs: set[Path] = set()
    for trial in loaded.curation.trials:
        where = loaded.locations.get(trial.id)
        if where is None:
            continue
        trial_file = Path(where.file)
        data_dir = trial_file.parent.parent
        data_dirs.add(data_dir)
        for nct in trial.registry.nct:
            path = record_path(data_dir, nct)
            if not path.exists():
                continue
            focus = f"NCT:{trial.registry.nct[0]}"  # the trial's node (kg.rdf.model.trial_iri)
            try:
                record = read_record(path)
                if record.nct != nct:
                    raise KGError.at(
                        display_path(path),
                        None,
                        "protocolSection.identificationModule.nctId",
                        f"the record is {record.nct}'s, not {nct}'s",
                    )
                comparisons = list(_compare(trial, record))
            except KGError as exc:
                findings += [
                    Finding(p.file, p.line, p.field, "registry-record", focus, p.message)
                    for p in exc.problems
                ]
                continue
            for key, check, message in comparisons:
                severity = "violation" if strict and check == "registry-drift" else "warning"
                line = _line(loaded, trial.id, key)
                findings.append(
                    Finding(where.file, line, field_path(key), check, focus, message, severity)
                )
    for data_dir in sorted(data_dirs):
        for draft in sorted((data_dir / "trials").glob("*.draft.yaml")):
            stem = draft.name.removesuffix(".draft.yaml")
            findings.append(
                Finding(
                    display_path(draft),
                    1,
                    "",
                    "import-draft",
                    draft.name,
                    f"a `kg import` draft awaits merging into {stem}.yaml: copy what you "
                    "want into the trial file and delete the draft (kg validate skips it)",
                    "warning",
                )
            )
    return findings


def _line(loaded: LoadedCuration, trial: str, key: tuple[str, ...]) -> int | None:
    """The line of the field (a missing one: its parent's, or the trial's first line), from
    the loader's line index: the trial file is not read again."""
    where = loaded.locate(trial, key)
    return where.line if where else None


Comparison = tuple[tuple[str, ...], str, str]


def _compare(t: Trial, r: StudyRecord) -> Iterator[Comparison]:
    """(field path, check id, message) for each disagreement or gap."""
    src = f"ClinicalTrials.gov {r.nct} ({r.version_text}; {r.source})"

    def drift(key: tuple[str, ...], curated: object, registry: str) -> Comparison:
        return key, "registry-drift", f"curated {curated!r} disagrees with {src}: {registry}"

    def gap(key: tuple[str, ...], registry: str) -> Comparison:
        return key, "registry-gap", f"not curated, but {src} gives {registry}"

    phases = frozenset(r.phases)
    if _PHASES.get(t.phase, frozenset({t.phase})) != phases:
        yield drift(("phase",), t.phase, f"phase {'/'.join(sorted(phases)) or 'not stated'}")

    status = r.code("statusModule", "overallStatus")
    if status and STATUS.get(status) != t.status:
        reason = "" if status in STATUS else " (no schema value: say what you know in the note)"
        if status in STATUS or t.status != "unknown":
            yield drift(("status",), t.status, f"overall status {status}{reason}")

    enrolment = r.protocol("designModule", "enrollmentInfo")
    if isinstance(enrolment, dict) and isinstance(enrolment.get("count"), int):
        count, kind = enrolment["count"], str(enrolment.get("type") or "").upper()
        shown = f"enrolment {count}" + (f" ({kind.lower()})" if kind else "")
        if t.enrolment is None and count >= 1:
            yield gap(("enrolment",), shown)
        elif t.enrolment is not None and t.enrolment != count:
            yield drift(("enrolment",), t.enrolment, shown)
        ours = ENROLMENT_TYPE.get(kind)
        if ours and t.enrolment_type is None and t.enrolment == count:
            yield gap(("enrolment_type",), f"enrolment type {kind} ({ours})")
        elif ours and t.enrolment_type is not None and t.enrolment_type != ours:
            yield drift(("enrolment_type",), t.enrolment_type, f"enrolment type {kind} ({ours})")

    masking = r.code("designModule", "designInfo", "maskingInfo", "masking")
    if masking in MASKING:
        if t.design.blinding is None:
            yield gap(("design", "blinding"), f"masking {masking} ({MASKING[masking]})")
        elif t.design.blinding != MASKING[masking]:
            yield drift(("design", "blinding"), t.design.blinding, f"masking {masking}")

    sponsor = r.text("sponsorCollaboratorsModule", "leadSponsor", "name")
    if sponsor:
        if t.sponsor is None:
            yield gap(("sponsor",), f"lead sponsor {sponsor!r}")
        elif sponsor.casefold() not in t.sponsor.casefold():
            yield drift(("sponsor",), t.sponsor, f"lead sponsor {sponsor!r}")

    for key, struct in _DATES:
        when = r.date(struct)
        curated = getattr(t, key)
        if when is None:
            continue
        if curated is None and when.full is not None:
            yield gap((key,), f"{key.replace('_', ' ')} date {when}")
        elif curated is not None and not when.agrees_with(curated):
            yield drift((key,), curated.isoformat(), f"{key.replace('_', ' ')} date {when}")
