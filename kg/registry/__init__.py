"""ClinicalTrials.gov study records: read or fetch one, draft a trial from it, cross-check.

- :mod:`kg.registry.record`: the API v2 study record and its vocabulary mapped to the schema's
- :mod:`kg.registry.names`: exact label/synonym lookup of conditions and interventions
- :mod:`kg.registry.draft`: `kg import clinicaltrials` (record -> data/trials/<id>.yaml)
- :mod:`kg.registry.crosscheck`: `kg validate` compares curated trials with saved records
"""
