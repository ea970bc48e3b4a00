"""Validation reports: terminal lines, Markdown and HTML tables, written atomically."""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.atomic import write_atomic
from kg.errors import KGError
from kg.rdf.findings import Finding, ValidationReport

__all__ = ["finding_lines", "render_html", "render_markdown", "write_report"]


def render_markdown(report: ValidationReport, title: str = "Validation report") -> str:
    """A Markdown report: a summary line and one table row per finding."""
    lines = [f"# {title}", "", f"{report.summary()}.", ""]
    if report.findings:
        lines += ["| " + " | ".join(_HEADERS) + " |", "|---" * len(_HEADERS) + "|"]
        lines += ["| " + " | ".join(_md(x) for x in _row(f)) + " |" for f in report.findings]
        lines.append("")
    return "\n".join(lines)


def render_html(report: ValidationReport, title: str = "Validation report") -> str:
    """A self-contained HTML report with the same table as the Markdown one."""
    head = "".join(f"<th>{h}</th>" for h in _HEADERS)
    rows = "".join(
        f'<tr class="{f.severity}">{"".join(f"<td>{html.escape(x)}</td>" for x in _row(f))}</tr>'
        for f in report.findings
    )
    name = html.escape(title)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{name}</title><style>{_CSS}</style></head><body><h1>{name}</h1>"
        f"<p>{html.escape(report.summary())}.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></body></html>\n"
    )


_HEADERS = ("severity", "location", "field", "check", "focus node", "message")
_CSS = (
    "body{font-family:sans-serif}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:4px;text-align:left;vertical-align:top}"
    ".violation td:first-child{color:#b00}.warning td:first-child{color:#a60}"
)


def _row(f: Finding) -> tuple[str, str, str, str, str, str]:
    return (f.severity, f.where, f.field, f.check, f.focus, f.message)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_report(report: ValidationReport, path: Path) -> Path:
    """Write the report as HTML (.html/.htm) or Markdown (anything else), atomically."""
    html_out = path.suffix.lower() in {".html", ".htm"}
    text = render_html(report) if html_out else render_markdown(report)
    try:
        return write_atomic(path, text)
    except OSError as exc:
        raise KGError.at(str(path), None, "", f"cannot write report: {exc.strerror}") from None


def finding_lines(findings: Iterable[Finding]) -> Iterator[str]:
    """Plain one-line renderings, 'severity  file:line: field: message [check; focus]'."""
    for f in findings:
        yield f"{f.severity:<9} {f}"
