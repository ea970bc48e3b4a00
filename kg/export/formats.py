"""Imports every built-in sink so that it registers itself."""

from kg.export import jsonld, nquads, ntriples, turtle  # noqa: F401
