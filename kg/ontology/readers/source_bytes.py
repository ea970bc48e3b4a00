"""Reading one source file (a path, or an http(s) URL the user named) into bytes.

Gzip is recognised by its magic bytes, whatever the name says. Every failure —
missing file, network error, a gzip stream that ends early — is a :class:`KGError`
naming the file; nothing here ever reaches the network unless given a URL.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KGError

__all__ = ["FORMATS", "SourceBytes", "guess_format", "is_url", "read_source"]

#: format name -> file name endings (after any .gz) that imply it
FORMATS: dict[str, tuple[str, ...]] = {
    "obo": (".obo",),
    "obographs": (".json",),
    "turtle": (".ttl",),
    "rdfxml": (".owl", ".rdf", ".xml"),
    "ntriples": (".nt",),
}
_GZIP_MAGIC = b"\x1f\x8b"
_TIMEOUT_S = 60


@dataclass(frozen=True)
class SourceBytes:
    """The decompressed content of one source, its name for messages, and the stored file's hash."""

    name: str
    data: bytes
    sha256: str
    size: int


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def guess_format(location: str) -> str:
    """The reader format implied by a file name, or KGError listing the supported endings."""
    name = location.split("?", 1)[0].lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for fmt, endings in FORMATS.items():
        if name.endswith(endings):
            return fmt
    supported = ", ".join(e for endings in FORMATS.values() for e in endings)
    raise KGError.at(
        location,
        None,
        "",
        f"unsupported ontology file type (supported: {supported}, each optionally .gz; "
        "or give `format:` in the config)",
    )


def read_source(location: str | Path) -> SourceBytes:
    """Fetch (URL) or read (path) one source and gunzip it if it is gzip."""
    name = str(location)
    raw = _fetch(name) if is_url(name) else _read_path(Path(name))
    digest = hashlib.sha256(raw).hexdigest()
    data = _gunzip(name, raw) if raw[:2] == _GZIP_MAGIC else raw
    return SourceBytes(name=name, data=data, sha256=digest, size=len(raw))


def _read_path(path: Path) -> bytes:
    if not path.exists():
        raise KGError.at(str(path), None, "", "ontology source file not found")
    if path.is_dir():
        raise KGError.at(str(path), None, "", "expected an ontology file, found a directory")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise KGError.at(str(path), None, "", f"cannot read file: {exc.strerror}") from None


def _fetch(url: str) -> bytes:
    from urllib.error import URLError
    from urllib.request import Request, urlopen

    request = Request(url, headers={"User-Agent": "il2-sle-kg ontology extractor"})
    try:
        with urlopen(request, timeout=_TIMEOUT_S) as response:
            return bytes(response.read())
    except (URLError, OSError, ValueError) as exc:
        raise KGError.at(url, None, "", f"cannot download: {exc}") from None


def _gunzip(name: str, raw: bytes) -> bytes:
    try:
        return gzip.decompress(raw)
    except EOFError:
        raise KGError.at(
            name, None, "", "gzip stream ends early: the file is truncated (download it again)"
        ) from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise KGError.at(name, None, "", f"corrupt gzip data: {exc}") from None
