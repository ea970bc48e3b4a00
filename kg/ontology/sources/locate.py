"""Which local file stands for each configured source file in one run, and where the cache is.

Per entry (an ontology, or `mappings`), first match wins:
1. `--source NAME=PATH_OR_URL` replaces all the entry's files with that one (a URL is
   downloaded because the user named it);
2. `--sources-dir DIR`: the file's `file:` name under DIR (how CI and the tests point at
   a folder of source files);
3. the download cache that `kg ontologies fetch` fills: `<cache>/<host>/<URL path>`.

The cache folder is `--cache-dir`, else `$KG_ONTOLOGY_CACHE`, else the user cache folder
of the platform (platformdirs: `~/.cache/il2-sle-kg/ontologies` on Linux). Nothing here
touches the network.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote, urlsplit

from kg.errors import KGError, Problem
from kg.ontology.readers.source_bytes import is_url
from kg.ontology.sources.config import SourceFile, SourcesConfig
from kg.ontology.sources.lock import LockEntry, read_lock

__all__ = ["CACHE_ENV", "Located", "SourceLocator", "cache_path", "default_cache_dir"]

#: environment variable naming the download cache folder
CACHE_ENV = "KG_ONTOLOGY_CACHE"


def default_cache_dir() -> Path:
    """$KG_ONTOLOGY_CACHE, else the platform's user cache folder + il2-sle-kg/ontologies."""
    env = os.environ.get(CACHE_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_path

    return user_cache_path("il2-sle-kg", appauthor=False) / "ontologies"


def cache_path(cache_dir: Path, url: str) -> Path:
    """Where the cache keeps one URL: <cache>/<host>/<path segments> (a release per folder)."""
    parts = urlsplit(url)
    segments = [unquote(s) for s in parts.path.split("/") if s not in ("", ".", "..")]
    host = parts.netloc.replace(":", "_") or "local"
    return cache_dir.joinpath(host, *[s.replace(os.sep, "_") for s in segments])


@dataclass(frozen=True)
class Located:
    """One file to read for an entry.

    `written` is what module.ttl and source.json record: the `file:` name (sources
    folder), the URL (cache: the file is what the URL served), or the --source value as
    typed. `spec` is the config's file (None for --source).
    """

    written: str
    location: str
    spec: SourceFile | None
    from_cache: bool = False


@dataclass(frozen=True)
class SourceLocator:
    """The config plus where this run looks for its files."""

    config: SourcesConfig
    sources_dir: Path | None = None
    cache_dir: Path = field(default_factory=default_cache_dir)

    def locate(self, name: str) -> list[Located]:
        """Every file of one entry, in config order; KGError naming how to get what is missing."""
        found, missing = self._search(name)
        if missing:
            raise KGError([self.missing_problem(name, missing)])
        return found

    def available(self, name: str) -> bool:
        """Whether every file of the entry is at hand (no network needed)."""
        return not self._search(name)[1]

    @cached_property
    def lock(self) -> dict[str, LockEntry]:
        """ontologies/sources.lock, read once."""
        return read_lock(self.config.lock_path)

    def served_as_is(self, located: Located, sha256: str, size: int) -> bool | None:
        """Is this file byte for byte what its URL serves? None when nothing can tell.

        A cached file is what the URL served; a `converted:` file is not; any other file
        is compared with the lock entry of its URL, if there is one.
        """
        if located.spec is None:
            return None
        if located.from_cache:
            return True
        if located.spec.converted is not None:
            return False
        entry = self.lock.get(located.spec.url)
        return None if entry is None else (entry.sha256, entry.size) == (sha256, size)

    def check_cached(self, located: Located, sha256: str, size: int) -> None:
        """A cached copy must still be what the lock recorded; else KGError saying how to fix."""
        if not located.from_cache or located.spec is None:
            return
        entry = self.lock.get(located.spec.url)
        if entry is not None and (entry.sha256, entry.size) != (sha256, size):
            raise KGError.at(
                located.location,
                None,
                "",
                f"the cached copy of {located.spec.url} is not the file recorded in "
                f"{self.config.lock_path} (sha256 {sha256[:12]}..., {size:,} bytes; expected "
                f"{entry.sha256[:12]}..., {entry.size:,} bytes): download it again with "
                "`kg ontologies fetch`",
            )

    def missing_problem(self, name: str, missing: list[SourceFile]) -> Problem:
        where = [f"the download cache {self.cache_dir}"]
        if self.sources_dir is not None:
            where.insert(0, f"--sources-dir {self.sources_dir}")
        files = ", ".join(f.file or f.url for f in missing)
        return Problem(
            str(self.config.path),
            None,
            name,
            f"ontology source file(s) not found: {files} (looked in {' and '.join(where)}). "
            f"Download them with `kg ontologies fetch {name}`, or point at copies with "
            f"`--source {name}=PATH` or `--sources-dir DIR`",
        )

    def _search(self, name: str) -> tuple[list[Located], list[SourceFile]]:
        if name in self.config.overrides:
            value = self.config.overrides[name]
            if not is_url(value) and not Path(value).exists():
                raise KGError.at(value, None, f"--source {name}", "ontology source file not found")
            return [Located(value, value, None)], []
        found: list[Located] = []
        missing: list[SourceFile] = []
        for spec in self.config.files(name):
            assert spec.file is not None  # filled in by SourcesConfig.files
            if self.sources_dir is not None and (self.sources_dir / spec.file).is_file():
                found.append(Located(spec.file, str(self.sources_dir / spec.file), spec))
                continue
            cached = cache_path(self.cache_dir, spec.url)
            if cached.is_file():
                found.append(Located(spec.url, str(cached), spec, from_cache=True))
            else:
                missing.append(spec)
        return found, missing
