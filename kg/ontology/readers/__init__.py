"""One entry point for every ontology format: `read_ontology(path_or_url, format)`.

The reader table maps a format name to a function from the source's bytes to the
common :class:`~kg.ontology.terms.OntologyDoc`; the config's ``format:`` choices
and the error text for an unsupported file come from it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kg.errors import KGError
from kg.ontology.readers.source_bytes import FORMATS, SourceBytes, guess_format, read_source
from kg.ontology.terms import OntologyDoc

__all__ = ["READERS", "read_ontology"]

#: (source bytes, lenient) -> document; `lenient` lets the OBO reader repair known quirks
Reader = Callable[[SourceBytes, bool], OntologyDoc]


def _obo(src: SourceBytes, lenient: bool = False) -> OntologyDoc:
    from kg.ontology.readers.obo import read_obo

    return read_obo(src, lenient=lenient)


def _obographs(src: SourceBytes, lenient: bool = False) -> OntologyDoc:
    from kg.ontology.readers.obographs import read_obographs

    return read_obographs(src)


def _rdf(fmt: str) -> Reader:
    def read(src: SourceBytes, lenient: bool = False) -> OntologyDoc:
        from kg.ontology.readers.owl import read_owl

        return read_owl(src, fmt)

    return read


#: format name -> reader; keys equal kg.ontology.readers.source_bytes.FORMATS
READERS: dict[str, Reader] = {
    "obo": _obo,
    "obographs": _obographs,
    "turtle": _rdf("turtle"),
    "rdfxml": _rdf("rdfxml"),
    "ntriples": _rdf("ntriples"),
}
assert set(READERS) == set(FORMATS)


def read_ontology(
    location: str | Path, fmt: str | None = None, *, lenient: bool = False
) -> tuple[OntologyDoc, SourceBytes]:
    """Read one ontology file or URL (format from the name unless given) into terms + header.

    lenient=True lets the OBO reader blank a definition/synonym xref list that fastobo
    rejects (ECO's `[UniProt:Vishal Joshi, ...]`) instead of failing; each repair is
    listed in the result's `repairs`.
    """
    name = str(location)
    if fmt is not None and fmt not in READERS:
        raise KGError.at(
            name, None, "format", f"unknown format {fmt!r} (choose from {', '.join(READERS)})"
        )
    src = read_source(name)  # first, so a missing file is reported as missing
    return READERS[fmt or guess_format(name)](src, lenient), src
