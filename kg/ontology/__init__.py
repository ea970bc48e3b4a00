"""Public ontologies for the graph, in separate layers that only import downwards.

- ``terms``: the in-memory model every reader produces (Term, OntologyDoc, CURIE <-> IRI);
  ``triples``: a term as RDF triples; ``serialize``: deterministic Turtle / N-Triples text.
- ``sources/``: `ontologies/sources.yaml`, the download cache, `kg ontologies fetch` and
  its lock file.
- ``readers/``: OBO, OBO Graphs JSON, OWL as RDF (Turtle, RDF/XML, N-Triples) and SSSOM.
- ``extraction/``: `kg ontologies extract`, MIREOT-style modules + the SSSOM mappings.
- ``full_merge/``: the full-merge stage, whole source ontologies as sorted N-Triples.
- ``modules``, ``check``, ``seeds``: the committed modules as the build reads them, and the
  check that every curated id is in its module and current.
- ``cli``: the `kg ontologies` commands.
"""
