"""Public ontologies: readers, module extraction, SSSOM mappings, and the committed modules."""
