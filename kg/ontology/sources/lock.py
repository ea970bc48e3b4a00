"""`ontologies/sources.lock`: the SHA-256 and size of each release file, by URL.

`kg ontologies fetch` records an entry the first time it downloads a URL and checks every
later download (and every cached copy it reuses) against it, so a release file that
changes on the server is refused instead of silently changing the modules. The file is
committed with `sources.yaml`; `kg ontologies fetch --update NAME` replaces the entries of
one source on purpose. JSON, keys sorted, one entry per URL:

    {"files": {"<url>": {"sha256": "<64 hex>", "size": <bytes>}}, "comment": "..."}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from kg.atomic import replace_atomically
from kg.errors import KGError

__all__ = ["LockEntry", "read_lock", "write_lock"]

_COMMENT = (
    "SHA-256 and size of each ontology release file, by URL. Written by "
    "`kg ontologies fetch`, checked on every later fetch; commit it with sources.yaml."
)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, order=True)
class LockEntry:
    """What one URL served when it was first fetched: SHA-256 (hex) and size in bytes."""

    sha256: str
    size: int


def read_lock(path: Path) -> dict[str, LockEntry]:
    """The entries of a lock file by URL; no file yet is an empty lock. Bad content: KGError."""
    if not path.exists():
        return {}
    try:
        doc = json.loads(path.read_text("utf-8"))
    except UnicodeDecodeError as exc:
        raise KGError.at(str(path), None, "", f"not UTF-8 text: {exc}") from None
    except json.JSONDecodeError as exc:
        raise KGError.at(str(path), exc.lineno, "", f"invalid JSON: {exc.msg}") from None
    files = doc.get("files") if isinstance(doc, dict) else None
    if not isinstance(files, dict):
        raise KGError.at(str(path), None, "files", "expected an object of URL -> entry")
    out: dict[str, LockEntry] = {}
    for url, entry in files.items():
        sha, size = (entry.get("sha256"), entry.get("size")) if isinstance(entry, dict) else (0, 0)
        if not isinstance(sha, str) or not _SHA256.match(sha) or not isinstance(size, int):
            raise KGError.at(
                str(path),
                _line_of(path, url),
                f"files[{url!r}]",
                'expected {"sha256": "<64 lower-case hex digits>", "size": <bytes>}',
            )
        out[url] = LockEntry(sha, size)
    return out


def write_lock(path: Path, entries: dict[str, LockEntry]) -> Path:
    """Write the lock atomically: same entries in, same bytes out."""
    doc = {
        "comment": _COMMENT,
        "files": {url: {"sha256": e.sha256, "size": e.size} for url, e in sorted(entries.items())},
    }
    text = json.dumps(doc, indent=2, sort_keys=True) + "\n"
    return replace_atomically(path, lambda fh: fh.write(text))


def _line_of(path: Path, url: str) -> int | None:
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if json.dumps(url) in line:
            return number
    return None
