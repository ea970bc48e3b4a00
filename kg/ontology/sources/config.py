"""`ontologies/sources.yaml`: each ontology's files, named by their official release address.

Every file has a `url:` (an OBO PURL with the release in its path, or the project's own
versioned release address) and a `file:` name (a relative path, default
`<ontology>/<last URL segment>`) under which a folder of source files given with
`--sources-dir` holds it. Where that file is not byte for byte what the URL serves (a
converted or re-compressed copy), `converted:` says how it was made, and the module's
`source.json` repeats it. Which local file stands for each entry in one run is
:mod:`kg.ontology.sources.locate`'s business. Every mistake is a located KGError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from kg.curation.yamlfile import YamlFile, field_path, read_yaml
from kg.errors import KGError, Problem
from kg.namespaces import PREFIXES
from kg.ontology.readers.source_bytes import FORMATS, is_url

__all__ = [
    "MappingSource",
    "OntologySource",
    "SourceFile",
    "SourcesConfig",
    "load_config",
    "parse_overrides",
]

RESERVED = {"mappings", "vocabulary"}


def _prefix(value: str) -> str:
    if value not in PREFIXES:
        raise ValueError(
            f"prefix {value!r} is not in the project prefix map (kg/namespaces.py PREFIXES)"
        )
    return value


Prefix = Annotated[str, AfterValidator(_prefix)]
NonEmpty = Annotated[str, Field(min_length=1)]
Format = Literal["obo", "obographs", "turtle", "rdfxml", "ntriples"]
assert set(Format.__args__) == set(FORMATS)  # type: ignore[attr-defined]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _url(value: str) -> str:
    if not is_url(value) or any(ch.isspace() for ch in value):
        raise ValueError(f"expected an http(s) URL, got {value!r}")
    return value


def _relative(value: str) -> str:
    path = Path(value)
    if path.is_absolute() or ".." in path.parts or value.startswith("~"):
        raise ValueError(
            f"expected a relative path inside a sources folder (no '..', not absolute), "
            f"got {value!r}"
        )
    return path.as_posix()


class SourceFile(_Record):
    """One released file: where it is published, and its name inside a sources folder."""

    url: Annotated[str, AfterValidator(_url)]
    file: Annotated[str, Field(min_length=1), AfterValidator(_relative)] | None = None
    converted: NonEmpty | None = Field(
        default=None,
        description="how the file under `file` was made, when it is not what `url` serves",
    )


class OntologySource(_Record):
    """One ontology: its files (first file that has a term wins), prefixes, licence, rationale."""

    files: Annotated[tuple[SourceFile, ...], Field(min_length=1)]
    format: Format | None = None
    prefixes: Annotated[tuple[Prefix, ...], Field(min_length=1)]
    licence: NonEmpty
    why: NonEmpty
    lenient: bool = False
    seed_from_mappings: bool = False
    partial: bool = Field(
        default=False, description="the source covers only part of the ontology (a branch)"
    )


class MappingSource(_Record):
    """The SSSOM mapping sets, and whose subjects they map."""

    files: Annotated[tuple[SourceFile, ...], Field(min_length=1)]
    converted: NonEmpty | None = Field(
        default=None, description="`converted` for every file that does not state its own"
    )
    subject_prefixes: Annotated[tuple[Prefix, ...], Field(min_length=1)]
    licence: NonEmpty
    why: NonEmpty


class _ConfigFile(_Record):
    seeds: tuple[NonEmpty, ...] = ()
    ontologies: dict[str, OntologySource]
    mappings: MappingSource | None = None


@dataclass(frozen=True)
class SourcesConfig:
    """The validated config, and the --source overrides of this run."""

    path: Path
    seeds: tuple[str, ...]
    ontologies: dict[str, OntologySource]
    mappings: MappingSource | None
    overrides: dict[str, str]

    def owner(self, prefix: str | None) -> str | None:
        """The ontology whose module holds terms with this prefix."""
        for name, source in self.ontologies.items():
            if prefix in source.prefixes:
                return name
        return None

    @property
    def names(self) -> list[str]:
        """Every entry name: the ontologies in config order, then 'mappings' if configured."""
        return [*self.ontologies, *(["mappings"] if self.mappings else [])]

    def files(self, name: str) -> list[SourceFile]:
        """The files of one entry, each with its `file` name filled in."""
        entry = self.mappings if name == "mappings" else self.ontologies[name]
        assert entry is not None
        default = entry.converted if isinstance(entry, MappingSource) else None
        return [
            f.model_copy(
                update={
                    "file": f.file or f"{name}/{_last_segment(f.url)}",
                    "converted": f.converted or default,
                }
            )
            for f in entry.files
        ]

    @property
    def lock_path(self) -> Path:
        """ontologies/sources.lock: beside the config, committed with it."""
        return self.path.with_suffix(".lock")


def _last_segment(url: str) -> str:
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def load_config(path: Path, overrides: dict[str, str] | None = None) -> SourcesConfig:
    """Read and validate sources.yaml; apply NAME=PATH_OR_URL overrides."""
    display = str(path)
    if not path.exists():
        raise KGError.at(display, None, "", "ontology sources config not found")
    doc = read_yaml(path, display)
    try:
        raw = _ConfigFile.model_validate(doc.data)
    except ValidationError as exc:
        raise KGError(_problems(display, doc, exc)) from None
    problems: list[Problem] = []
    owners: dict[str, str] = {}
    urls: dict[str, str] = {}
    entries = [*raw.ontologies.items(), *([("mappings", raw.mappings)] if raw.mappings else [])]
    for name, entry in entries:
        at = ("mappings",) if name == "mappings" else ("ontologies", name)
        for i, f in enumerate(entry.files):
            if f.url in urls:
                problems.append(
                    Problem(
                        display,
                        doc.line((*at, "files", i)),
                        f"{field_path(at)}.files[{i}].url",
                        f"{f.url} is already a file of {urls[f.url]!r}",
                    )
                )
            urls.setdefault(f.url, name)
    for name, source in raw.ontologies.items():
        where = doc.line(("ontologies", name))
        if name in RESERVED or not re.fullmatch(r"[a-z][a-z0-9_-]*", name):
            problems.append(
                Problem(
                    display,
                    where,
                    f"ontologies.{name}",
                    f"expected a lower-case name other than {', '.join(sorted(RESERVED))}",
                )
            )
        for prefix in source.prefixes:
            if prefix in owners:
                problems.append(
                    Problem(
                        display,
                        where,
                        f"ontologies.{name}.prefixes",
                        f"prefix {prefix} is already provided by {owners[prefix]!r}",
                    )
                )
            owners.setdefault(prefix, name)
    overrides = dict(overrides or {})
    for name in overrides:
        if name not in raw.ontologies and name != "mappings":
            known = ", ".join([*raw.ontologies, "mappings"])
            problems.append(
                Problem("--source", None, name, f"no source named {name!r} (known: {known})")
            )
    if problems:
        raise KGError(problems)
    return SourcesConfig(
        path=path,
        seeds=raw.seeds,
        ontologies=dict(raw.ontologies),
        mappings=raw.mappings,
        overrides=overrides,
    )


def _problems(display: str, doc: YamlFile, exc: ValidationError) -> list[Problem]:
    """Pydantic errors as located problems; a list's length error hides behind its items'."""
    errors = exc.errors()
    locs = [tuple(e["loc"]) for e in errors]
    out = []
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] == "too_short" and any(o[: len(loc)] == loc and o != loc for o in locs):
            continue
        message = str(err["ctx"]["error"]) if err["type"] == "value_error" else err["msg"]
        out.append(Problem(display, doc.line(loc), field_path(loc), message))
    return out


def parse_overrides(values: list[str]) -> dict[str, str]:
    """NAME=PATH_OR_URL strings from the command line, as a dict."""
    out: dict[str, str] = {}
    for value in values:
        name, sep, location = value.partition("=")
        if not sep or not name or not location:
            raise KGError.at("--source", None, "", f"expected NAME=PATH_OR_URL, got {value!r}")
        location = location.strip()
        out[name.strip()] = location if is_url(location) else str(Path(location).expanduser())
    return out
