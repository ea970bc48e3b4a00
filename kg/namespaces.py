"""The one prefix map of the project, and the rdflib namespaces built from it.

Every CURIE a curator types is expanded here. OBO ontologies use OBO PURLs; the
other prefixes use the URI formats of the Biolink model prefix map (so KGX and
Biolink tools agree with us), except PubMed, DOI and ClinicalTrials.gov, which
use bioregistry's URI formats. An unknown prefix is a user error.
"""

from __future__ import annotations

import re

import curies
from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

__all__ = [
    "BASE",
    "BIOLINK",
    "DCTERMS",
    "GRAPH",
    "KGV",
    "OBO",
    "OBOINOWL",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SKOS",
    "XSD",
    "converter",
    "curie_of",
    "expand",
    "is_curie",
]

OBO = Namespace("http://purl.obolibrary.org/obo/")
BASE = Namespace("https://w3id.org/il2-sle-kg/")
KGV = Namespace("https://w3id.org/il2-sle-kg/vocab/")
GRAPH = Namespace("https://w3id.org/il2-sle-kg/graph/")
BIOLINK = Namespace("https://w3id.org/biolink/vocab/")
OBOINOWL = Namespace("http://www.geneontology.org/formats/oboInOwl#")

OBO_PREFIXES = (
    "BFO", "CHEBI", "CL", "DOID", "ECO", "FMA", "GO", "HP", "IAO", "MONDO", "NCBITaxon",
    "NCIT", "OBI", "OGMS", "PATO", "PR", "RO", "SO", "UBERON", "UO",
)  # fmt: skip

#: prefix -> namespace IRI. Sorted output and JSON-LD contexts are built from this.
PREFIXES: dict[str, str] = {
    **{p: f"{OBO}{p}_" for p in OBO_PREFIXES},
    "ATC": "http://identifiers.org/atc/",
    "DOI": "https://doi.org/",
    "DRUGBANK": "http://identifiers.org/drugbank/",
    "EFO": "http://www.ebi.ac.uk/efo/EFO_",
    "HGNC": "http://identifiers.org/hgnc/",
    "ICD10CM": "http://purl.bioontology.org/ontology/ICD10CM/",
    "MESH": "http://id.nlm.nih.gov/mesh/",
    "NCBIGene": "http://identifiers.org/ncbigene/",
    "NCT": "https://www.clinicaltrials.gov/study/",
    "OMIM": "https://omim.org/entry/",
    "Orphanet": "http://www.orpha.net/ORDO/Orphanet_",
    "PMC": "http://europepmc.org/articles/",
    "PMID": "https://pubmed.ncbi.nlm.nih.gov/",
    "SCTID": "http://snomed.info/id/",
    "UMLS": "http://identifiers.org/umls/",
    "UniProtKB": "http://purl.uniprot.org/uniprot/",
    "biolink": str(BIOLINK),
    "dcterms": str(DCTERMS),
    "il2kg": str(BASE),
    "kgv": str(KGV),
    "oboInOwl": str(OBOINOWL),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "semapv": "https://w3id.org/semapv/vocab/",
    "skos": str(SKOS),
    "sssom": "https://w3id.org/sssom/",
    "xsd": str(XSD),
}

#: Local-identifier syntax per prefix, checked when a curator's CURIE is expanded.
PATTERNS: dict[str, re.Pattern[str]] = {
    "HGNC": re.compile(r"^\d{1,5}$"),
    "UniProtKB": re.compile(r"^([OPQ]\d[A-Z0-9]{3}\d|[A-NR-Z]\d([A-Z][A-Z0-9]{2}\d){1,2})$"),
    "PMID": re.compile(r"^[1-9]\d{0,8}$"),
    "DOI": re.compile(r"^10\.\d{4,9}/\S+$"),
    "NCT": re.compile(r"^NCT\d{8}$"),
    "MONDO": re.compile(r"^\d{7}$"),
    "CL": re.compile(r"^\d{7}$"),
    "GO": re.compile(r"^\d{7}$"),
    "ECO": re.compile(r"^\d{7}$"),
    "RO": re.compile(r"^\d{7}$"),
    "HP": re.compile(r"^\d{7}$"),
    "PR": re.compile(r"^\d{9}$"),
    "NCIT": re.compile(r"^[CRPA]\d+$"),
}

converter = curies.Converter.from_prefix_map(PREFIXES)

_CURIE = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*:\S+$")


def is_curie(text: str) -> bool:
    """Whether text looks like a CURIE (prefix:local)."""
    return bool(_CURIE.match(text))


def check_curie(curie: str) -> str | None:
    """Why a CURIE cannot be expanded, or None if it can."""
    if not _CURIE.match(curie):
        return f"expected a CURIE such as MONDO:0007915, got {curie!r}"
    prefix, local = curie.split(":", 1)
    if prefix not in PREFIXES:
        return f"unknown prefix {prefix!r} in {curie!r} (known: {', '.join(sorted(PREFIXES))})"
    pattern = PATTERNS.get(prefix)
    if pattern and not pattern.match(local):
        return f"{curie!r} is not a valid {prefix} identifier (expected {pattern.pattern})"
    return None


def expand(curie: str) -> URIRef:
    """The IRI of a CURIE already checked by :func:`check_curie`."""
    iri = converter.expand(curie)
    if iri is None:
        raise ValueError(f"cannot expand {curie!r}")  # a bug: callers check first
    return URIRef(iri)


def curie_of(iri: str) -> str:
    """The CURIE of an IRI, or the IRI itself where no prefix covers it."""
    return converter.compress(str(iri)) or str(iri)
