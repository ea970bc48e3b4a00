"""A ClinicalTrials.gov API v2 study record, and its coded values in this project's schema terms.

The record is the JSON of ``GET {base}/studies/{nctId}`` (API v2): ``protocolSection`` with
``identificationModule``, ``statusModule``, ``sponsorCollaboratorsModule``, ``designModule``,
``conditionsModule``, ``armsInterventionsModule``, ``outcomesModule``,
``contactsLocationsModule``; ``derivedSection.miscInfoModule.versionHolder`` (the date of the
registry's data version) and ``hasResults``. One saved copy per study lives in
``data/registry/<NCT>.json``; the importer drafts from it and the cross-check compares with it.

The mappings below are the single place where registry codes meet the schema's values; a code
that has no value here (EARLY_PHASE1, FACTORIAL, SUSPENDED, ...) maps to None and is never
approximated: the importer notes it and the cross-check says so.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kg.errors import KGError, display_path

__all__ = [
    "ALLOCATION",
    "ARM_ROLE",
    "DEFAULT_API",
    "ENROLMENT_TYPE",
    "MASKING",
    "MODEL",
    "STATUS",
    "RegistryDate",
    "StudyRecord",
    "curated_phase",
    "parse_record",
    "read_record",
    "record_path",
]

#: the public API v2 base URL; `--api` or KG_CTGOV_API override it (tests use a loopback server)
DEFAULT_API = "https://clinicaltrials.gov/api/v2"
NCT_RE = re.compile(r"NCT\d{8}")

_PHASES: dict[tuple[str, ...], str] = {
    ("NA",): "N/A",
    ("PHASE1",): "1",
    ("PHASE2",): "2",
    ("PHASE3",): "3",
    ("PHASE1", "PHASE2"): "1/2",
}
#: overallStatus -> Trial.status (SUSPENDED, WITHDRAWN, NOT_YET_RECRUITING, ...: no value)
STATUS: dict[str, str] = {
    "COMPLETED": "completed",
    "TERMINATED": "terminated",
    "RECRUITING": "recruiting",
    "ENROLLING_BY_INVITATION": "recruiting",
    "ACTIVE_NOT_RECRUITING": "active",
    "UNKNOWN": "unknown",
}
#: designInfo.maskingInfo.masking -> Design.blinding
MASKING: dict[str, str] = {
    "NONE": "open-label",
    "SINGLE": "single-blind",
    "DOUBLE": "double-blind",
    "TRIPLE": "triple-blind",
    "QUADRUPLE": "quadruple-blind",
}
#: designInfo.interventionModel -> Design.model (FACTORIAL, SEQUENTIAL: no value)
MODEL: dict[str, str] = {
    "PARALLEL": "parallel",
    "SINGLE_GROUP": "single group",
    "CROSSOVER": "crossover",
}
#: designInfo.allocation -> Design.randomised (NA: single-arm, not stated either way)
ALLOCATION: dict[str, bool] = {"RANDOMIZED": True, "NON_RANDOMIZED": False}
#: armGroups[].type -> Arm.role (SHAM_COMPARATOR, NO_INTERVENTION, OTHER: no value)
ARM_ROLE: dict[str, str] = {
    "EXPERIMENTAL": "experimental",
    "PLACEBO_COMPARATOR": "placebo comparator",
    "ACTIVE_COMPARATOR": "active comparator",
}
#: enrollmentInfo.type -> Trial.enrolment_type
ENROLMENT_TYPE: dict[str, str] = {"ACTUAL": "actual", "ESTIMATED": "planned"}


@dataclass(frozen=True)
class RegistryDate:
    """A registry date: 'YYYY-MM-DD' or month precision 'YYYY-MM', actual or anticipated."""

    text: str
    kind: str | None  # ACTUAL, ESTIMATED or None

    @property
    def full(self) -> date | None:
        """The date when the registry gives the day, else None."""
        try:
            return date.fromisoformat(self.text) if len(self.text) == 10 else None
        except ValueError:
            return None

    def agrees_with(self, curated: date) -> bool:
        """Whether a curated full date fits this (possibly month-precision) registry date."""
        return curated.isoformat().startswith(self.text)

    def __str__(self) -> str:
        return f"{self.text} ({self.kind.lower()})" if self.kind else self.text


@dataclass(frozen=True)
class StudyRecord:
    """One study record of the ClinicalTrials.gov API v2, read from `source`."""

    data: dict[str, Any]
    source: str

    def get(self, *path: str) -> Any:
        """The value at a path of keys, or None where any step is missing."""
        node: Any = self.data
        for key in path:
            if not isinstance(node, dict):
                return None
            node = node.get(key)
        return node

    def text(self, *path: str) -> str | None:
        """A text value (None if missing); a non-text value is a located KGError."""
        value = self.protocol(*path)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            raise self._shape_error(path, "text", value)
        return value.strip()

    def items(self, *path: str) -> list[Any]:
        """A list value ([] if missing); a non-list value is a located KGError."""
        value = self.protocol(*path)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._shape_error(path, "a list", value)
        return value

    def protocol(self, *path: str) -> Any:
        return self.get("protocolSection", *path)

    def _shape_error(self, path: tuple[str, ...], expected: str, got: Any) -> KGError:
        where = ".".join(("protocolSection", *path))
        return KGError.at(self.source, None, where, f"expected {expected}, got {got!r}")

    @property
    def nct(self) -> str:
        return str(self.protocol("identificationModule", "nctId"))

    @property
    def last_update(self) -> str | None:
        """statusModule.lastUpdatePostDateStruct.date: the version of the record."""
        value = self.protocol("statusModule", "lastUpdatePostDateStruct", "date")
        return value if isinstance(value, str) else None

    @property
    def data_version(self) -> str | None:
        """derivedSection.miscInfoModule.versionHolder: the registry's data release date."""
        value = self.get("derivedSection", "miscInfoModule", "versionHolder")
        return value if isinstance(value, str) else None

    @property
    def version_text(self) -> str:
        """'last update posted 2024-01-05, data version 2024-05-10' (what is known)."""
        parts = []
        if self.last_update:
            parts.append(f"last update posted {self.last_update}")
        if self.data_version:
            parts.append(f"data version {self.data_version}")
        return ", ".join(parts) or "version not stated in the record"

    def date(self, struct: str) -> RegistryDate | None:
        """statusModule.<struct> ('startDateStruct', ...) as a RegistryDate, or None."""
        value = self.protocol("statusModule", struct)
        if not isinstance(value, dict) or not isinstance(value.get("date"), str):
            return None
        text = value["date"].strip()
        if not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", text):
            raise self._shape_error(("statusModule", struct, "date"), "YYYY-MM[-DD]", text)
        kind = value.get("type")
        return RegistryDate(text, kind if isinstance(kind, str) else None)

    @property
    def phases(self) -> tuple[str, ...]:
        return tuple(str(p) for p in self.items("designModule", "phases"))

    def code(self, *path: str) -> str | None:
        """A coded value (masking, allocation, ...) in upper case, or None."""
        value = self.text(*path)
        return value.upper() if value else None


def curated_phase(phases: tuple[str, ...]) -> str | None:
    """designModule.phases -> Trial.phase: () -> 'not stated', ('PHASE2',) -> '2'; None if the
    combination has no schema value (EARLY_PHASE1, PHASE4, PHASE2/PHASE3)."""
    if not phases:
        return "not stated"
    return _PHASES.get(tuple(sorted(phases)))


def record_path(data_dir: Path, nct: str) -> Path:
    """Where the saved record of a study lives: data/registry/<NCT>.json."""
    return data_dir / "registry" / f"{nct}.json"


def parse_record(raw: bytes, source: str) -> StudyRecord:
    """Parse the JSON of one API v2 study record; any other content is a located KGError.

    Accepts the study object itself or a search answer holding exactly one study
    ({"studies": [...]}), so a record saved from either endpoint reads the same.
    """
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise KGError.at(source, None, "", f"not valid UTF-8 ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise KGError.at(
            source, exc.lineno, "", f"not valid JSON: {exc.msg} (column {exc.colno})"
        ) from None
    if isinstance(data, dict) and isinstance(data.get("studies"), list):
        if len(data["studies"]) != 1:
            raise KGError.at(
                source, None, "studies", f"expected one study, got {len(data['studies'])}"
            )
        data = data["studies"][0]
    if not isinstance(data, dict) or not isinstance(data.get("protocolSection"), dict):
        raise KGError.at(
            source,
            None,
            "protocolSection",
            "expected a ClinicalTrials.gov API v2 study record (an object with protocolSection)",
        )
    bad = _unprintable(data, "")
    if bad is not None:
        where, char = bad
        raise KGError.at(
            source,
            None,
            where,
            f"text holds the control character U+{ord(char):04X}; "
            "the record is damaged: download it again",
        )
    record = StudyRecord(data, source)
    nct = record.protocol("identificationModule", "nctId")
    if not isinstance(nct, str) or not NCT_RE.fullmatch(nct):
        raise KGError.at(
            source,
            None,
            "protocolSection.identificationModule.nctId",
            f"expected an NCT number such as NCT02955615, got {nct!r}",
        )
    return record


def _unprintable(node: Any, path: str) -> tuple[str, str] | None:
    """(JSON path, character) of the first control character or lone surrogate in a text
    (tab, newline and carriage return are fine): YAML cannot hold them."""
    if isinstance(node, str):
        for char in node:
            if char not in "\t\n\r" and unicodedata.category(char) in ("Cc", "Cs"):
                return path, char
        return None
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, value in items:
        step = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else key)
        found = _unprintable(value, step)
        if found is not None:
            return found
    return None


def read_record(path: Path) -> StudyRecord:
    """Read a saved study record; an unreadable or malformed file is a located KGError."""
    shown = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KGError.at(shown, None, "", f"cannot read record: {exc.strerror}") from None
    return parse_record(raw, shown)
