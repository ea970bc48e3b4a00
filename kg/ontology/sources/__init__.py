"""Where the public ontology source files come from: the config, the download cache, the lock.

- :mod:`~kg.ontology.sources.config`: `ontologies/sources.yaml`, each file named by its
  official, versioned release address;
- :mod:`~kg.ontology.sources.locate`: which local file stands for each of those
  addresses in one run (`--source NAME=PATH`, `--sources-dir DIR`, the download cache);
- :mod:`~kg.ontology.sources.fetch` and :mod:`~kg.ontology.sources.lock`:
  `kg ontologies fetch`, the only code here that touches the network, and
  `ontologies/sources.lock`, the SHA-256 and size every download is checked against.
"""
