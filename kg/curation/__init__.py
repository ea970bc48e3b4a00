"""Curated knowledge: the typed schema of `data/` and its loader."""
