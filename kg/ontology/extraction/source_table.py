"""The configured ontologies, read lazily: one merged term table per ontology.

An ontology may list several files; a term is taken whole from the first file
that states it (so CL's full 2022 release wins and the reduced 2026 file only
adds terms the 2022 release lacks).

Only the ontologies whose modules are being written must have their source files at
hand. Any other ontology is read from its files if they are available, else from its
committed module (`ontologies/<name>/module.ttl`), which holds every term the last
full extraction placed there: enough to place the chosen modules' terms exactly as a
full extraction would, so `--only mondo --source mondo=FILE` needs no CL file.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg.ontology.readers import read_ontology
from kg.ontology.sources.locate import Located, SourceLocator
from kg.ontology.terms import Header, OntologyDoc, Term

__all__ = ["FileRecord", "LoadedSource", "SourceTable", "version_date"]

Say = Callable[[str, str], None]
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class FileRecord:
    """One source file as read: where, format, hash, header, size, repairs."""

    written: str
    location: str
    format: str
    sha256: str
    bytes: int
    header: Header
    terms: int
    repairs: tuple[str, ...]
    url: str | None = None
    as_served_by_url: bool | None = None
    converted: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.written,
            "url": self.url,
            "as_served_by_url": self.as_served_by_url,
            "converted": self.converted,
            "format": self.format,
            "sha256": self.sha256,
            "bytes": self.bytes,
            "ontology": self.header.ontology,
            "version_iri": self.header.version_iri,
            "data_version": self.header.data_version,
            "licence_stated": self.header.licence,
            "terms_in_file": self.terms,
            "version_date": version_date([self]),
            "lenient_repairs": list(self.repairs),
        }


@dataclass(frozen=True)
class LoadedSource:
    """An ontology's merged terms and the files they came from."""

    name: str
    docs: tuple[OntologyDoc, ...]
    files: tuple[FileRecord, ...]
    seconds: float
    origin: dict[str, int]

    def term(self, term_id: str) -> Term | None:
        """The term as the first file that states it says, or None."""
        index = self.origin.get(term_id)
        return None if index is None else self.docs[index].terms[term_id]

    def file_of(self, term_id: str) -> str:
        """Which file (as written in the config) a term was taken from."""
        return self.files[self.origin[term_id]].written


class SourceTable:
    """Reads each configured ontology the first time a term of it is looked up.

    `required` names the ontologies whose files must be at hand; for the others,
    `stand_in(name)` gives the committed module to use when their files are not.
    """

    def __init__(
        self,
        locator: SourceLocator,
        say: Say | None = None,
        *,
        required: set[str] | None = None,
        stand_in: Callable[[str], Path | None] | None = None,
    ) -> None:
        self.locator = locator
        self.config = locator.config
        self.say = say or (lambda _name, _msg: None)
        self.required = set(self.config.ontologies) if required is None else required
        self.stand_in = stand_in or (lambda _name: None)
        self.loaded: dict[str, LoadedSource] = {}

    def get(self, name: str) -> LoadedSource:
        if name not in self.loaded:
            self.loaded[name] = self._load(name)
        return self.loaded[name]

    def lookup(self, name: str, term_id: str) -> Term | None:
        return self.get(name).term(term_id)

    def _load(self, name: str) -> LoadedSource:
        if name in self.required or self.locator.available(name):
            return self._read(name, self.locator.locate(name))
        module = self.stand_in(name)
        if module is None or not module.is_file():
            self.say(name, "source not at hand and no committed module: its terms stay unplaced")
            return LoadedSource(name, (), (), 0.0, {})
        self.say(name, f"source not at hand: placing with the committed {module.name}")
        located = Located(str(module), str(module), None)
        return self._read(name, [located], fmt="turtle", lenient=False)

    def _read(
        self, name: str, files: list[Located], fmt: str | None = None, lenient: bool | None = None
    ) -> LoadedSource:
        source = self.config.ontologies[name]
        if fmt is None and name not in self.config.overrides:
            fmt = source.format
        start = time.perf_counter()
        docs: list[OntologyDoc] = []
        origin: dict[str, int] = {}
        records: list[FileRecord] = []
        for index, located in enumerate(files):
            self.say(name, f"reading {located.written}")
            doc, src = read_ontology(
                located.location, fmt, lenient=source.lenient if lenient is None else lenient
            )
            self.locator.check_cached(located, src.sha256, src.size)
            docs.append(doc)
            for term_id in doc.terms:
                origin.setdefault(term_id, index)
            spec = located.spec
            records.append(
                FileRecord(
                    located.written,
                    located.location,
                    doc.format,
                    src.sha256,
                    src.size,
                    doc.header,
                    len(doc.terms),
                    doc.repairs,
                    url=spec.url if spec else None,
                    as_served_by_url=self.locator.served_as_is(located, src.sha256, src.size),
                    converted=spec.converted if spec else None,
                )
            )
        seconds = time.perf_counter() - start
        self.say(name, f"read {len(origin):,} terms in {seconds:.1f} s")
        return LoadedSource(name, tuple(docs), tuple(records), seconds, origin)


def version_date(files: list[FileRecord] | tuple[FileRecord, ...]) -> str | None:
    """The release date the files state (version IRI/data-version, else file name); latest wins."""
    dates: list[str] = []
    for f in files:
        found = _DATE.findall(f"{f.header.version_iri or ''} {f.header.data_version or ''}")
        found = found or _DATE.findall(f.written.rsplit("/", 1)[-1])
        dates += ["-".join(d) for d in found]
    return max(dates) if dates else None
