"""SPARQL over the built graph: store, named competency queries, CLI runner, endpoint."""
