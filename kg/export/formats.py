"""Imports every built-in sink so that it registers itself."""

from kg.export import (  # noqa: F401
    coverage,
    graphml,
    html,
    jsonld,
    kgx,
    neo4j_bundle,
    nquads,
    ntriples,
    turtle,
)
