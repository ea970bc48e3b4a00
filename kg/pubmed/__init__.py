"""PubMed citations: fetch or read EFetch XML, parse it with Biopython, complete publications.yaml.

- :mod:`kg.pubmed.efetch`: EFetch XML -> :class:`~kg.pubmed.efetch.Citation` (Bio.Entrez)
- :mod:`kg.pubmed.entries`: add or complete entries of data/publications.yaml (ruamel round trip)
"""
