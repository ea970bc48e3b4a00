"""`kg import clinicaltrials`: get a study record, save it, draft the trial file from it.

The record comes from `--from FILE` or, only when no file is given, from the public API v2
(``{api}/studies/{NCT}``). It is saved as ``data/registry/<NCT>.json`` (the copy `kg validate`
cross-checks against) and drafted into ``data/trials/<id>.yaml``. A trial file that already
covers the study (same file name, or any trial listing the NCT number) is never overwritten:
the draft is written beside it as ``<id>.draft.yaml`` (which the loader skips) and the
difference is returned as a unified diff. Every file is written atomically, and only after
the record has been read, parsed and drafted without error.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kg.atomic import write_atomic
from kg.curation.yamlfile import read_yaml
from kg.download import FetchPolicy, fetch_bytes
from kg.errors import KGError, display_path
from kg.registry.draft import Draft, OutcomeMeasures, draft_trial, trial_slug
from kg.registry.names import NameIndex
from kg.registry.record import NCT_RE, StudyRecord, parse_record, record_path

__all__ = ["DRAFT_SUFFIX", "StudyImport", "fetch_record", "import_study", "write_atomically"]

DRAFT_SUFFIX = ".draft.yaml"


@dataclass(frozen=True)
class StudyImport:
    """What one import did: the draft, where it went, the saved record, the diff if any."""

    draft: Draft
    trial_file: Path  # the new trial file, or the draft written beside an existing one
    existing: Path | None  # the trial file that already covers the study
    diff: str  # unified diff existing -> draft ('' when there was no existing file)
    record_file: Path
    record_status: str  # 'saved', 'updated' or 'unchanged'


def fetch_record(nct: str, api: str, policy: FetchPolicy) -> bytes:
    """The JSON of one study from the API v2 at `api` (KGError when it cannot be had)."""
    url = f"{api.rstrip('/')}/studies/{nct}?format=json"
    return fetch_bytes(
        url,
        f"ClinicalTrials.gov record {nct}",
        f"Download it elsewhere and pass it with --from FILE (e.g. kg import clinicaltrials "
        f"--from {nct}.json).",
        policy,
    )


def import_study(
    nct: str | None,
    data_dir: Path,
    ontologies_dir: Path | None,
    *,
    from_file: Path | None = None,
    api: str,
    policy: FetchPolicy | None = None,
    retrieved: date | None = None,
    trial_id: str | None = None,
) -> StudyImport:
    """Import one study (by NCT number, or the one in from_file) into data_dir.

    Raises KGError for a malformed NCT number, an unreadable/malformed record, a record of
    another study than the one named, a fetch that fails, or a file that cannot be written.
    """
    if nct is not None and not NCT_RE.fullmatch(nct):
        raise KGError.at(
            "NCT", None, "", f"expected an NCT number such as NCT02955615, got {nct!r}"
        )
    if trial_id is not None and trial_slug(trial_id) != trial_id:
        raise KGError.at(
            "--id", None, "", f"expected a lower-case slug such as 'lupil-2', got {trial_id!r}"
        )
    if not (data_dir / "trials").is_dir():
        raise KGError.at(str(data_dir), None, "", "not a data directory (no trials/ folder)")
    if from_file is not None:
        try:
            raw = from_file.read_bytes()
        except OSError as exc:
            raise KGError.at(
                display_path(from_file), None, "", f"cannot read record: {exc.strerror}"
            ) from None
        record = parse_record(raw, display_path(from_file))
        if nct is not None and record.nct != nct:
            raise KGError.at(
                record.source,
                None,
                "protocolSection.identificationModule.nctId",
                f"the file holds {record.nct}, not {nct}",
            )
    else:
        if nct is None:
            raise KGError("name an NCT number, or pass a saved record with --from FILE")
        record = parse_record(
            fetch_record(nct, api, policy or FetchPolicy()), f"{api}/studies/{nct}"
        )
        if record.nct != nct:
            raise KGError.at(record.source, None, "nctId", f"the API answered with {record.nct}")

    saved = record_path(data_dir, record.nct)
    existing = _existing_trial(data_dir, record.nct, trial_id)
    names = NameIndex.load(data_dir, ontologies_dir)
    measures = OutcomeMeasures.load(data_dir)
    draft = draft_trial(
        record,
        names,
        measures,
        retrieved or date.today(),
        f"{data_dir.resolve().name}/registry/{record.nct}.json",
        trial_id=trial_id or (existing[1] if existing else None),
    )
    record_text = _record_text(record)
    status = "saved"
    if saved.exists():
        status = "unchanged" if saved.read_text("utf-8") == record_text else "updated"
    if existing is None:
        target, diff = data_dir / "trials" / f"{draft.trial_id}.yaml", ""
    else:
        current = existing[0]
        target = current.with_name(current.name.removesuffix(".yaml") + DRAFT_SUFFIX)
        diff = "".join(
            difflib.unified_diff(
                current.read_text("utf-8").splitlines(keepends=True),
                draft.text.splitlines(keepends=True),
                fromfile=display_path(current),
                tofile=display_path(target),
            )
        )
    writes = [(target, draft.text)]
    if status != "unchanged":
        writes.append((saved, record_text))
    write_atomically(writes)
    return StudyImport(draft, target, existing[0] if existing else None, diff, saved, status)


def _record_text(record: StudyRecord) -> str:
    """The saved form: the record's own JSON, indented for readable diffs, key order kept."""
    return json.dumps(record.data, indent=2, ensure_ascii=False) + "\n"


def _existing_trial(data_dir: Path, nct: str, trial_id: str | None) -> tuple[Path, str] | None:
    """(file, id) of the trial that already covers this study, if any."""
    trials = data_dir / "trials"
    for path in sorted(trials.glob("*.y*ml")):
        if path.name.endswith(DRAFT_SUFFIX):
            continue
        try:
            data = read_yaml(path, display_path(path)).data
        except KGError:
            data = None
        tid = data.get("id") if isinstance(data, dict) else None
        registry = data.get("registry") if isinstance(data, dict) else None
        ncts = registry.get("nct") if isinstance(registry, dict) else None
        if isinstance(ncts, list) and nct in ncts:
            return path, str(tid or path.stem)
        if trial_id is not None and path.stem == trial_id:
            return path, trial_id
    return None


def write_atomically(files: list[tuple[Path, str]]) -> None:
    """Write every (path, text) or none: each via a temporary file and rename; a failure
    removes what this call already created and raises a located KGError."""
    done: list[tuple[Path, bytes | None]] = []
    try:
        for path, text in files:
            before = path.read_bytes() if path.exists() else None
            write_atomic(path, text)
            done.append((path, before))
    except OSError as exc:
        for path, before in reversed(done):
            if before is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(before)
        failed = exc.filename or (files[len(done)][0] if len(done) < len(files) else "")
        raise KGError.at(str(failed), None, "", f"cannot write: {exc.strerror}") from None
