"""The one prefix map of the project, the one CURIE converter, and the rdflib namespaces.

Every CURIE <-> IRI conversion in the project goes through :data:`converter` (a `curies`
converter with prefix synonyms and local-identifier patterns):

- :func:`expand` turns a curator's CURIE into an IRI (synonyms such as `NCT:` and `DOI:`
  are accepted; characters an IRI may not hold are percent-encoded, so a SICI-style DOI
  gives a valid `doi.org` IRI);
- :func:`curie_of` turns an IRI back into a CURIE, with the longest namespace that covers
  it (so `https://w3id.org/il2-sle-kg/drug/aldesleukin` is `il2kg.drug:aldesleukin`);
- :func:`property_graph_id` is :func:`curie_of` with the characters that KGX's CURIE syntax
  forbids in a local identifier (`/`, `:`, space, ...) percent-encoded: the `id` of every
  node of the property graph (KGX, Neo4j, GraphML, views). :func:`iri_of_property_graph_id`
  inverts it.

Prefix names follow the Biolink Model's JSON-LD context where Biolink names the namespace
(`CLINICALTRIALS`, `doi`), so that KGX tools accept the property graph's ids; OBO
ontologies use OBO PURLs; the IRIs of PubMed, DOI and ClinicalTrials.gov records are
bioregistry's URI formats. The project's own things have one prefix per kind
(`il2kg.publication`, `il2kg.trial`, `il2kg.arm`, ...), each a namespace under
https://w3id.org/il2-sle-kg/, so that a compressed id never holds a `/`; curators keep
writing `il2kg:publication/akbarzadeh-2023`, which expands to the same IRI. An unknown
prefix is a user error.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote, unquote

import curies
from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

__all__ = [
    "BASE",
    "BIOLINK",
    "DCTERMS",
    "GRAPH",
    "KGV",
    "KINDS",
    "OBO",
    "OBOINOWL",
    "OWL",
    "PREFIXES",
    "PREFIX_SYNONYMS",
    "PROV",
    "RDF",
    "RDFS",
    "SKOS",
    "XSD",
    "canonical_prefix",
    "check_curie",
    "converter",
    "curie_of",
    "expand",
    "iri_of_name",
    "iri_of_property_graph_id",
    "iri_safe",
    "is_curie",
    "known_prefixes",
    "property_graph_id",
    "sparql_prefixes",
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

#: Kinds of thing the project names (curated ids) or mints (kg/rdf/model.py), each a
#: namespace BASE/<kind>/ with the prefix `il2kg.<kind>`. Minted local ids are flat
#: (`lupil-2.ilt-101`), so `il2kg.arm:lupil-2.ilt-101` is a CURIE in KGX's sense.
#: (Named graphs, modules and mapping axioms are not nodes of the property graph and keep
#: the plain `il2kg:` prefix: `il2kg:graph/curation`.)
KINDS = (
    "adverse-event", "arm", "concept", "dose", "drug", "endpoint", "evidence", "intervention",
    "organization", "outcome", "publication", "qualifier", "result", "statement", "trial",
    "unit",
)  # fmt: skip

#: prefix -> namespace IRI. Sorted output and JSON-LD contexts are built from this.
PREFIXES: dict[str, str] = {
    **{p: f"{OBO}{p}_" for p in OBO_PREFIXES},
    "ATC": "http://identifiers.org/atc/",
    "CLINICALTRIALS": "https://www.clinicaltrials.gov/study/",
    "DRUGBANK": "http://identifiers.org/drugbank/",
    "EFO": "http://www.ebi.ac.uk/efo/EFO_",
    "HGNC": "http://identifiers.org/hgnc/",
    "ICD10CM": "http://purl.bioontology.org/ontology/ICD10CM/",
    "MESH": "http://id.nlm.nih.gov/mesh/",
    "NCBIGene": "http://identifiers.org/ncbigene/",
    "OMIM": "https://omim.org/entry/",
    "Orphanet": "http://www.orpha.net/ORDO/Orphanet_",
    "PMC": "http://europepmc.org/articles/",
    "PMID": "https://pubmed.ncbi.nlm.nih.gov/",
    "SCTID": "http://snomed.info/id/",
    "UMLS": "http://identifiers.org/umls/",
    "UniProtKB": "http://purl.uniprot.org/uniprot/",
    "biolink": str(BIOLINK),
    "dcterms": str(DCTERMS),
    "doi": "https://doi.org/",
    "il2kg": str(BASE),
    **{f"il2kg.{kind}": f"{BASE}{kind}/" for kind in KINDS},
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
PREFIXES = dict(sorted(PREFIXES.items()))

#: other spellings a curator (or an older file) may use -> the prefix above
PREFIX_SYNONYMS: dict[str, str] = {
    "NCT": "CLINICALTRIALS",
    "clinicaltrials": "CLINICALTRIALS",
    "DOI": "doi",
}

#: other URI prefixes of the same namespace (Biolink's and bioregistry's) -> the prefix above;
#: IRIs under them compress to the project's CURIE (never produced by expand)
URI_SYNONYMS: dict[str, tuple[str, ...]] = {
    "CLINICALTRIALS": (
        "http://identifiers.org/clinicaltrials/",
        "https://clinicaltrials.gov/study/",
    ),
    "PMID": ("http://www.ncbi.nlm.nih.gov/pubmed/",),
}

#: Local-identifier syntax per prefix, checked when a curator's CURIE is expanded.
PATTERNS: dict[str, str] = {
    "HGNC": r"^\d{1,5}$",
    "UniProtKB": r"^([OPQ]\d[A-Z0-9]{3}\d|[A-NR-Z]\d([A-Z][A-Z0-9]{2}\d){1,2})$",
    "PMID": r"^[1-9]\d{0,8}$",
    "doi": r"^10\.\d{4,9}/\S+$",
    "CLINICALTRIALS": r"^NCT\d{8}$",
    "MONDO": r"^\d{7}$",
    "CL": r"^\d{7}$",
    "GO": r"^\d{7}$",
    "ECO": r"^\d{7}$",
    "RO": r"^\d{7}$",
    "HP": r"^\d{7}$",
    "PR": r"^\d{9}$",
    "NCIT": r"^[CRPA]\d+$",
}
_PATTERNS = {prefix: re.compile(p) for prefix, p in PATTERNS.items()}


def _records() -> list[curies.Record]:
    synonyms: dict[str, list[str]] = {}
    for synonym, prefix in sorted(PREFIX_SYNONYMS.items()):
        synonyms.setdefault(prefix, []).append(synonym)
    return [
        curies.Record(
            prefix=prefix,
            uri_prefix=ns,
            prefix_synonyms=synonyms.get(prefix, []),
            uri_prefix_synonyms=list(URI_SYNONYMS.get(prefix, ())),
            pattern=PATTERNS.get(prefix),
        )
        for prefix, ns in PREFIXES.items()
    ]


#: The converter: canonical prefixes as in PREFIXES, synonyms, URI synonyms and patterns.
converter = curies.Converter(_records())

_CURIE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*:\S+$")
#: characters RFC 3987 does not allow in an IRI path (space, <>"{}|\^`, controls, and the
#: non-ASCII characters outside its `ucschar` ranges: surrogates, private use, non-characters),
#: the delimiters that would end the path or start a host (`#`, `?`, `[`, `]`), and a `%`
#: that does not start a percent-encoding
_NOT_IN_IRI = re.compile(
    r'[\x00-\x20<>"{}|\\^`#?\[\]\x7f-\x9f\ud800-\uf8ff\ufdd0-\ufdef\ufff0-\uffff'
    r"\U000f0000-\U0010ffff"
    + "".join(f"\\U{n:04x}fffe\\U{n:04x}ffff" for n in range(1, 15))
    + r"]|%(?![0-9A-Fa-f]{2})"
)


def is_curie(text: str) -> bool:
    """Whether text looks like a CURIE (prefix:local)."""
    return bool(_CURIE.match(text))


def canonical_prefix(prefix: str) -> str | None:
    """The prefix of PREFIXES that prefix names (itself or via a synonym), or None."""
    if prefix in PREFIXES:
        return prefix
    return PREFIX_SYNONYMS.get(prefix)


def known_prefixes() -> list[str]:
    """The prefixes a curator may write, synonyms included (the il2kg.<kind> ones left out:
    curators write `il2kg:<kind>/<id>`), sorted."""
    kinds = {f"il2kg.{kind}" for kind in KINDS}
    return sorted((set(PREFIXES) - kinds) | set(PREFIX_SYNONYMS))


def check_curie(curie: str) -> str | None:
    """Why a CURIE cannot be expanded, or None if it can."""
    if not _CURIE.match(curie):
        return f"expected a CURIE such as MONDO:0007915, got {curie!r}"
    given, local = curie.split(":", 1)
    prefix = canonical_prefix(given)
    if prefix is None:
        return f"unknown prefix {given!r} in {curie!r} (known: {', '.join(known_prefixes())})"
    pattern = _PATTERNS.get(prefix)
    if pattern and not pattern.match(local):
        return f"{curie!r} is not a valid {given} identifier (expected {pattern.pattern})"
    return None


#: registry identifiers a user may give without a prefix, by the prefix they belong to
#: (`NCT02955615` is `CLINICALTRIALS:NCT02955615`: the id carries its registry's name)
BARE_IDENTIFIERS: dict[str, re.Pattern[str]] = {"CLINICALTRIALS": _PATTERNS["CLINICALTRIALS"]}


def iri_of_name(name: str) -> URIRef | None:
    """The IRI a CURIE of a known prefix (synonyms such as `NCT:` included) or a bare
    registry id (`NCT02955615`) names, or None for anything else (a label, an IRI).

    For looking a user's name up among nodes: the CURIE is expanded by :func:`expand`, as a
    curator's would be, so `NCT:NCT02955615` and `CLINICALTRIALS:NCT02955615` meet the same
    node. The local part's syntax is not checked (a lookup, not a definition).
    """
    text = name.strip()
    for prefix, pattern in BARE_IDENTIFIERS.items():
        if pattern.match(text.upper()):
            return expand(f"{prefix}:{text.upper()}")
    if not _CURIE.match(text) or "://" in text:
        return None
    prefix = text.split(":", 1)[0]
    return expand(text) if canonical_prefix(prefix) else None


def iri_safe(local: str) -> str:
    """local with the characters an IRI may not hold percent-encoded (UTF-8), the rest kept."""
    if _NOT_IN_IRI.search(local) is None:
        return local
    return _NOT_IN_IRI.sub(lambda m: quote(m.group(0), safe=""), local)


def expand(curie: str) -> URIRef:
    """The IRI of a CURIE already checked by :func:`check_curie`.

    Raises ValueError for a CURIE whose prefix is unknown (a bug: callers check first).
    """
    prefix, _, local = curie.partition(":")
    canonical = canonical_prefix(prefix)
    if canonical is None:
        raise ValueError(f"cannot expand {curie!r}")
    return URIRef(PREFIXES[canonical] + iri_safe(local))


@lru_cache(maxsize=1 << 20)
def curie_of(iri: str) -> str:
    """The CURIE of an IRI (longest namespace wins), or the IRI itself where no prefix covers it."""
    return converter.compress(str(iri)) or str(iri)


#: characters kept as they are in a property-graph id's local part: RFC 3986 unreserved
#: characters and the sub-delimiters (KGX forbids `/`, `:` and space; `|` is the list
#: delimiter of KGX and Neo4j CSV; `%` is encoded so the id decodes back exactly)
_ID_SAFE = "-._~!$&'()*+,;=@"


@lru_cache(maxsize=1 << 20)
def property_graph_id(iri: str) -> str:
    """The id of a resource in the property graph: a CURIE valid in KGX's sense.

    The CURIE of the IRI with its local part percent-encoded where KGX's CURIE syntax
    (`prefix:local`, no `/`, `:` or space in local) or the list delimiter `|` would break
    it: `https://doi.org/10.1038/s41584-021-00707-x` -> `doi:10.1038%2Fs41584-021-00707-x`.
    An IRI that no prefix covers is returned as it is.
    """
    curie = converter.compress(str(iri))
    if curie is None:
        return str(iri)
    prefix, local = curie.split(":", 1)
    return f"{prefix}:{quote(local, safe=_ID_SAFE)}"


def iri_of_property_graph_id(node_id: str) -> str:
    """The IRI of a property-graph id (the inverse of :func:`property_graph_id`)."""
    prefix, sep, local = node_id.partition(":")
    canonical = canonical_prefix(prefix) if sep else None
    if canonical is None:
        return node_id
    return PREFIXES[canonical] + unquote(local)


def sparql_prefixes() -> dict[str, str]:
    """Every prefix a SPARQL query may use without declaring it: PREFIXES and the synonyms."""
    out = dict(PREFIXES)
    for synonym, prefix in PREFIX_SYNONYMS.items():
        out[synonym] = PREFIXES[prefix]
    return dict(sorted(out.items()))
