"""`kg ontologies fetch`: download release files into the cache, checked against the lock.

The only code of the project that reaches the network on its own (the other is a URL the
user names with `--source`). Per file:
- a cached copy whose SHA-256 and size equal the lock entry is kept ("verified");
- otherwise the URL is downloaded into a temporary file beside the cache entry, hashed
  while it streams, checked (Content-Length, then the lock entry if there is one) and
  only then renamed into place, so an interrupted or refused download leaves nothing
  behind; a URL the lock does not know yet is recorded ("recorded"), and
  `update=True` replaces the entry on purpose;
- connection errors, timeouts, HTTP 408/425/429/5xx and a transfer that ends before its
  Content-Length are retried (exponential back-off); other HTTP errors (404 ...), a host
  name that does not resolve (no network) and a checksum mismatch are not: the one rule of
  kg.download, which `kg import` follows too.
Every failure is a KGError naming the URL; the files that did succeed stay fetched and
recorded.
"""

from __future__ import annotations

import hashlib
import http.client
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal
from urllib.error import HTTPError

from kg.atomic import replace_atomically
from kg.download import FetchPolicy, Transient, open_url, user_agent, with_retries
from kg.errors import KGError, Problem
from kg.ontology.sources.config import SourceFile
from kg.ontology.sources.locate import SourceLocator, cache_path
from kg.ontology.sources.lock import LockEntry, read_lock, write_lock

__all__ = ["FetchProgress", "Fetched", "fetch_sources"]

Status = Literal["verified", "downloaded", "recorded", "updated"]
_CHUNK = 1 << 16


class FetchProgress:
    """Callbacks for one file's progress; the CLI binds them to a rich progress bar."""

    def start(self, label: str, total: int | None) -> None:
        """A (new) attempt starts; total is the Content-Length in bytes, if sent."""

    def advance(self, n: int) -> None:
        """n more bytes arrived."""

    def done(self, status: Status) -> None:
        """The file is settled."""

    def failed(self) -> None:
        """The file could not be fetched (the error is raised after all files are tried)."""


@dataclass(frozen=True)
class Fetched:
    """One settled file: which source, URL, cache path, what the lock now says, what happened."""

    name: str
    url: str
    path: Path
    entry: LockEntry
    status: Status


def fetch_sources(
    locator: SourceLocator,
    names: Sequence[str] = (),
    *,
    update: bool = False,
    retries: int = 3,
    backoff_s: float = 1.0,
    timeout_s: float = 60.0,
    progress: Callable[[str, str], FetchProgress] | None = None,
) -> list[Fetched]:
    """Fetch every file of the named entries (default: all) into locator.cache_dir.

    `progress(name, url)` returns the callbacks for one file. Raises KGError listing
    every file that failed, after settling all the others (their lock entries are saved).
    """
    config = locator.config
    chosen = list(names) or config.names
    unknown = [n for n in chosen if n not in config.names]
    if unknown:
        raise KGError(
            [
                Problem("", None, n, f"no source named {n!r} (known: {', '.join(config.names)})")
                for n in unknown
            ]
        )
    lock_path = config.lock_path
    lock = read_lock(lock_path)
    results: list[Fetched] = []
    problems: list[Problem] = []
    for name in dict.fromkeys(chosen):
        for spec in config.files(name):
            callbacks = progress(name, spec.url) if progress else FetchProgress()
            target = cache_path(locator.cache_dir, spec.url)
            try:
                entry, status = _settle(
                    spec, target, lock.get(spec.url), update, callbacks,
                    retries=retries, backoff_s=backoff_s, timeout_s=timeout_s,
                )  # fmt: skip
            except KGError as exc:
                callbacks.failed()
                problems += exc.problems
                continue
            callbacks.done(status)
            results.append(Fetched(name, spec.url, target, entry, status))
            if lock.get(spec.url) != entry:
                lock[spec.url] = entry
                write_lock(lock_path, lock)
    if problems:
        raise KGError(problems)
    return results


def _settle(
    spec: SourceFile,
    target: Path,
    expected: LockEntry | None,
    update: bool,
    callbacks: FetchProgress,
    **options: Any,
) -> tuple[LockEntry, Status]:
    if target.is_file() and not update:
        have = _hash_file(target)
        if expected is None or have == expected:
            return have, "verified" if expected else "recorded"
    check = None if update else expected
    got = _download(spec.url, target, check, callbacks, **options)
    if expected is None:
        return got, "recorded"
    return got, "downloaded" if got == expected else "updated"


def _download(
    url: str,
    target: Path,
    expected: LockEntry | None,
    callbacks: FetchProgress,
    *,
    retries: int,
    backoff_s: float,
    timeout_s: float,
) -> LockEntry:
    policy = FetchPolicy(timeout=timeout_s, attempts=retries, backoff=backoff_s)
    try:
        return with_retries(lambda: _attempt(url, target, expected, callbacks, timeout_s), policy)
    except HTTPError as exc:
        raise KGError.at(url, None, "", f"HTTP {exc.code} {exc.reason}: not downloaded") from None
    except Transient as exc:
        raise KGError.at(
            url, None, "", f"download failed after {policy.attempts} attempt(s): {exc}"
        ) from None


def _attempt(
    url: str, target: Path, expected: LockEntry | None, callbacks: FetchProgress, timeout_s: float
) -> LockEntry:
    headers = {"User-Agent": user_agent("ontology fetch")}
    response = open_url(url, headers, timeout_s)
    with response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        callbacks.start(target.name, total)
        digest = hashlib.sha256()
        received = 0

        def write(fh: IO[bytes]) -> None:
            nonlocal received
            while True:
                try:
                    chunk = response.read(_CHUNK)
                except (http.client.IncompleteRead, TimeoutError, OSError) as exc:
                    raise Transient(
                        f"transfer interrupted after {received:,} bytes ({exc})"
                    ) from None
                if not chunk:
                    break
                fh.write(chunk)
                digest.update(chunk)
                received += len(chunk)
                callbacks.advance(len(chunk))
            if total is not None and received != total:
                raise Transient(f"transfer interrupted: {received:,} of {total:,} bytes arrived")
            got = LockEntry(digest.hexdigest(), received)
            if expected is not None and got != expected:
                raise KGError.at(
                    url,
                    None,
                    "",
                    f"checksum mismatch: the server sent sha256 {got.sha256} ({got.size:,} bytes) "
                    f"but the lock records {expected.sha256} ({expected.size:,} bytes); nothing "
                    "was written. If the new file is intended, re-run with --update",
                )

        try:
            replace_atomically(target, write, binary=True)
        except OSError as exc:
            raise KGError.at(str(target), None, "", f"cannot write: {exc.strerror}") from None
    return LockEntry(digest.hexdigest(), received)


def _hash_file(path: Path) -> LockEntry:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return LockEntry(digest.hexdigest(), size)
