"""The one RDF -> property-graph projection that every property-graph export reads."""
