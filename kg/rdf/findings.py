"""What validation finds: structured issues about records, located findings, the report.

A check returns :class:`Issue` values: which record (its id), which path inside it, which
check, what is wrong. Validation locates each through the loader's line index into a
:class:`Finding` (file, line, field); text is made only when a finding is printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kg.errors import KGError, Problem
from kg.rdf.origins import Path

__all__ = ["Finding", "Issue", "Severity", "ValidationReport"]

Severity = Literal["violation", "warning", "info"]


@dataclass(frozen=True)
class Issue:
    """One problem a check found in a curated record, before it is located."""

    record: str
    path: Path
    check: str
    message: str
    focus: str = ""


@dataclass(frozen=True)
class Finding:
    """One located validation problem: where, which field, which check, about which node."""

    file: str
    line: int | None
    field: str
    check: str
    focus: str
    message: str
    severity: Severity = "violation"

    @property
    def where(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def problem(self) -> Problem:
        """As a user error: the message names the check (for --warn) and the focus node."""
        return Problem(
            self.file, self.line, self.field, f"{self.message} [{self.check}; {self.focus}]"
        )

    def __str__(self) -> str:
        return str(self.problem())


@dataclass(frozen=True)
class ValidationReport:
    """Every finding of one validation run, sorted by file and line."""

    findings: tuple[Finding, ...]

    @property
    def violations(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "violation")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity != "violation")

    def raise_for_violations(self) -> None:
        """KGError listing every violation (warnings do not fail)."""
        if self.violations:
            raise KGError(f.problem() for f in self.violations)

    def summary(self) -> str:
        v, w = len(self.violations), len(self.warnings)
        return f"{v} violation{'s' * (v != 1)}, {w} warning{'s' * (w != 1)}"
