"""The RDF model: curated records and ontology modules as one rdflib Dataset."""
