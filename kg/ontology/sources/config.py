"""`ontologies/sources.yaml`: which source files (or URLs) each ontology module comes from.

Relative file names are resolved against `root:`, itself relative to the config
file's folder. `--source NAME=PATH_OR_URL` replaces the files of one entry (an
ontology, or `mappings`) for a run; its path is taken as typed (relative to the
current directory). Every mistake is a located KGError.
"""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from kg.curation.yamlfile import YamlFile, field_path, read_yaml
from kg.errors import KGError, Problem
from kg.namespaces import PREFIXES
from kg.ontology.readers.source_bytes import FORMATS, is_url

__all__ = ["MappingSource", "OntologySource", "SourcesConfig", "load_config", "resolve_files"]

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


class OntologySource(_Record):
    """One ontology: its files (first file that has a term wins), prefixes, licence, rationale."""

    files: Annotated[tuple[NonEmpty, ...], Field(min_length=1)]
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

    files: Annotated[tuple[NonEmpty, ...], Field(min_length=1)]
    subject_prefixes: Annotated[tuple[Prefix, ...], Field(min_length=1)]
    licence: NonEmpty
    why: NonEmpty


class _ConfigFile(_Record):
    root: NonEmpty = "."
    seeds: tuple[NonEmpty, ...] = ()
    ontologies: dict[str, OntologySource]
    mappings: MappingSource | None = None


@dataclass(frozen=True)
class SourcesConfig:
    """The validated config, with root resolved and any --source overrides applied."""

    path: Path
    root: Path
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
        root=(path.parent / raw.root),
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


def resolve_files(config: SourcesConfig, name: str) -> list[tuple[str, str]]:
    """(as written, location to read) for each file of one entry, globs expanded, sorted."""
    if name in config.overrides:
        return [(config.overrides[name], config.overrides[name])]
    entry = config.mappings if name == "mappings" else config.ontologies[name]
    assert entry is not None
    out: list[tuple[str, str]] = []
    for written in entry.files:
        if is_url(written):
            out.append((written, written))
            continue
        location = Path(written) if Path(written).is_absolute() else config.root / written
        if any(ch in written for ch in "*?["):
            matches = sorted(glob.glob(str(location)))
            if not matches:
                raise KGError.at(
                    str(config.path),
                    None,
                    f"{name}.files",
                    f"no file matches {written!r} under {config.root}",
                )
            base = location.parent
            out += [(str(Path(written).parent / Path(m).relative_to(base)), m) for m in matches]
        else:
            out.append((written, str(location)))
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
