"""One entry point for every ontology format: `read_ontology(path_or_url, format)`.

The reader table maps a format name to a function from the source's bytes to the
common :class:`~kg.ontology.terms.OntologyDoc`; the config's ``format:`` choices
and the error text for an unsupported file come from it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kg.errors import KGError
from kg.ontology.sourcefile import FORMATS, SourceBytes, guess_format, read_source
from kg.ontology.terms import OntologyDoc

__all__ = ["READERS", "read_ontology"]


def _obo(src: SourceBytes) -> OntologyDoc:
    from kg.ontology.obo import read_obo

    return read_obo(src)


def _obographs(src: SourceBytes) -> OntologyDoc:
    from kg.ontology.obographs import read_obographs

    return read_obographs(src)


def _rdf(fmt: str) -> Callable[[SourceBytes], OntologyDoc]:
    def read(src: SourceBytes) -> OntologyDoc:
        from kg.ontology.rdf import read_rdf

        return read_rdf(src, fmt)

    return read


#: format name -> reader; keys equal kg.ontology.sourcefile.FORMATS
READERS: dict[str, Callable[[SourceBytes], OntologyDoc]] = {
    "obo": _obo,
    "obographs": _obographs,
    "turtle": _rdf("turtle"),
    "rdfxml": _rdf("rdfxml"),
    "ntriples": _rdf("ntriples"),
}
assert set(READERS) == set(FORMATS)


def read_ontology(location: str | Path, fmt: str | None = None) -> tuple[OntologyDoc, SourceBytes]:
    """Read one ontology file or URL (format from the name unless given) into terms + header."""
    name = str(location)
    fmt = fmt or guess_format(name)
    reader = READERS.get(fmt)
    if reader is None:
        raise KGError.at(
            name, None, "format", f"unknown format {fmt!r} (choose from {', '.join(READERS)})"
        )
    src = read_source(name)
    return reader(src), src
