"""kgx and bmt without the network: the Biolink schema from the `biolink-model` package and
the Biolink JSON-LD context from tests/fixtures/biolink, extended by the project's prefixes.

kgx reads its JSON-LD contexts and bmt its schema and predicate map over the network at
import time. Before kgx is imported, `bmt.Toolkit` is replaced by a subclass whose defaults
are the packaged Biolink Model YAML and an empty predicate map (kgx's validator and RDF sink
use neither the predicate map's contents nor anything else bmt would fetch), and kgx's
`jsonld-context` entries are pointed at local files.
"""

from __future__ import annotations

import importlib.resources
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "biolink"
#: the Biolink Model 4.4.6 JSON-LD context, as released (context.jsonld)
BIOLINK_CONTEXT = FIXTURES / "biolink_model.context.jsonld"


def _offline_bmt() -> None:
    import bmt

    if getattr(bmt.Toolkit, "offline", False):
        return

    class OfflineToolkit(bmt.Toolkit):
        offline = True

        def __init__(self, schema: Any = None, predicate_map: Any = None, **kw: Any):
            schema = schema or str(
                importlib.resources.files("biolink_model") / "schema" / "biolink_model.yaml"
            )
            super().__init__(schema, predicate_map or {"predicate mappings": []}, **kw)

    bmt.Toolkit = OfflineToolkit  # kgx does `from bmt import Toolkit` at import


def project_context(path: Path) -> Path:
    """Write the Biolink context extended by the project's prefixes Biolink lacks; return path.

    Biolink registers no prefix for a provider's own records (biolink-model issue 1627), so a
    KGX consumer declares them, as here, from kg/namespaces.py's one prefix map.
    """
    from kg.namespaces import PREFIXES

    context = json.loads(BIOLINK_CONTEXT.read_text("utf-8"))
    ours = {p: ns for p, ns in PREFIXES.items() if p.startswith("il2kg.")}
    context["@context"].update(ours)
    path.write_text(json.dumps(context, indent=1), "utf-8")
    return path


@contextmanager
def kgx_with(context: Path) -> Iterator[Any]:
    """kgx configured to read every JSON-LD context from `context`; yields the kgx module."""
    _offline_bmt()
    import kgx.config
    import kgx.prefix_manager
    import kgx.utils.kgx_utils as kgx_utils
    from kgx.validator import Validator

    config = kgx.config.get_config()
    saved = dict(config["jsonld-context"])
    for name in ("biolink", "monarch_context", "obo_context"):
        config["jsonld-context"][name] = str(context)
    kgx.config.jsonld_context_map.clear()
    kgx.prefix_manager.PrefixManager.expand.cache_clear()
    kgx.prefix_manager.PrefixManager.contract.cache_clear()
    Validator._currently_active_toolkit = kgx_utils.get_toolkit()
    try:
        yield kgx
    finally:
        config["jsonld-context"].clear()
        config["jsonld-context"].update(saved)
        kgx.config.jsonld_context_map.clear()


def errors_of(report: Mapping[str, Any]) -> dict[str, list[tuple[str, str, str]]]:
    """kgx's error report as level -> [(error type, message, entity)], one entry per entity."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for level, by_type in report.items():
        for error_type, messages in by_type.items():
            for message, entities in messages.items():
                for entity in sorted(set(entities)) or [""]:
                    out.setdefault(level, []).append((error_type, message, entity))
    return out


def validate(directory: Path, context: Path) -> dict[str, list[tuple[str, str, str]]]:
    """Run kgx's own validator (as `kgx validate` does) on nodes.tsv + edges.tsv."""
    with kgx_with(context):
        from kgx.transformer import Transformer
        from kgx.validator import Validator

        validator = Validator()
        Transformer(stream=True).transform(
            input_args={
                "filename": [str(directory / "nodes.tsv"), str(directory / "edges.tsv")],
                "format": "tsv",
            },
            output_args={"format": "null"},
            inspector=validator,
        )
        return errors_of(validator.get_errors())


def to_ntriples(directory: Path, context: Path, out: Path) -> Path:
    """`kgx transform --stream` of the KGX TSV into N-Triples (every edge reified); return out.

    Streaming, as without it kgx keys edges by (subject, predicate, object) and merges two
    statements that share them.
    """
    with kgx_with(context):
        from kgx.transformer import Transformer

        Transformer(stream=True).transform(
            input_args={
                "filename": [str(directory / "nodes.tsv"), str(directory / "edges.tsv")],
                "format": "tsv",
            },
            output_args={"filename": str(out), "format": "nt"},
        )
    return out


def biolink_prefixes() -> dict[str, str]:
    """prefix -> namespace of Biolink's JSON-LD context (what kgx expands CURIEs with)."""
    context = json.loads(BIOLINK_CONTEXT.read_text("utf-8"))["@context"]
    out = {}
    for prefix, value in context.items():
        ns = value if isinstance(value, str) else value.get("@id") if value.get("@prefix") else None
        if ns and not prefix.startswith("@"):
            out[prefix] = ns
    return out
