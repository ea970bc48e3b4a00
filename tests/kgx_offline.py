"""kgx's own validator and transformer, offline, run as a script by the Python of `.venv-kgx`.

kgx pins numpy and pandas below what the package itself resolves (numpy < 2 through its
pyarrow 15), so it lives in its own virtual environment (`tools/kgx-requirements.txt`, made by
`.ci/run`), and the tests run it as a subprocess (`tests/kgx_venv.py`) instead of importing it:
the test suite then runs on the numpy and pandas a plain `pip install .` gets. This script
imports nothing of the `kg` package; it takes paths and prints one JSON object on stdout.

    python tests/kgx_offline.py validate KGX_DIR CONTEXT
        {"versions": {...}, "report": {level: [[error type, message, entity], ...]}}
    python tests/kgx_offline.py transform KGX_DIR CONTEXT OUT.nt
        {"versions": {...}, "out": "OUT.nt"}
    python tests/kgx_offline.py versions
        {"versions": {"kgx": "2.6.0", "biolink-model": "4.4.6", "bmt": ..., ...}}

KGX_DIR holds nodes.tsv and edges.tsv; CONTEXT is the JSON-LD context every CURIE is expanded
with (Biolink's, extended by the project's prefixes). Exit status 0 with the JSON, 2 for bad
arguments (argparse); a kgx failure is a traceback on stderr and a non-zero status.

kgx reads its JSON-LD contexts and bmt its schema and predicate map over the network at
import time. Before kgx is imported, `bmt.Toolkit` is replaced by a subclass whose defaults
are the packaged Biolink Model YAML and an empty predicate map (kgx's validator and RDF sink
use neither the predicate map's contents nor anything else bmt would fetch), and kgx's
`jsonld-context` entries are pointed at the local CONTEXT file.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import importlib.resources
import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

#: the distributions whose versions every answer reports (what the validation depends on)
VERSIONED = ("kgx", "biolink-model", "bmt", "linkml-runtime", "numpy", "pandas")


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


@contextlib.contextmanager
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
                    out.setdefault(str(level), []).append((str(error_type), message, entity))
    return out


def _inputs(directory: Path) -> dict[str, Any]:
    return {
        "filename": [str(directory / "nodes.tsv"), str(directory / "edges.tsv")],
        "format": "tsv",
    }


def validate(directory: Path, context: Path) -> dict[str, list[tuple[str, str, str]]]:
    """Run kgx's own validator (as `kgx validate` does) on nodes.tsv + edges.tsv."""
    with kgx_with(context):
        from kgx.transformer import Transformer
        from kgx.validator import Validator

        validator = Validator()
        Transformer(stream=True).transform(
            input_args=_inputs(directory), output_args={"format": "null"}, inspector=validator
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
            input_args=_inputs(directory), output_args={"filename": str(out), "format": "nt"}
        )
    return out


def versions() -> dict[str, str]:
    """Installed version of each distribution in VERSIONED (the environment kgx ran in)."""
    return {name: importlib.metadata.version(name) for name in VERSIONED}


def main(argv: list[str] | None = None) -> int:
    """Parse argv, run the command with kgx's chatter on stderr, print its JSON on stdout."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("versions")
    for name in ("validate", "transform"):
        command = commands.add_parser(name)
        command.add_argument("kgx_dir", type=Path)
        command.add_argument("context", type=Path)
        if name == "transform":
            command.add_argument("out", type=Path)
    args = parser.parse_args(argv)

    answer: dict[str, Any] = {"versions": versions()}
    with contextlib.redirect_stdout(sys.stderr):  # keep stdout for the one JSON answer
        if args.command == "validate":
            answer["report"] = validate(args.kgx_dir, args.context)
        elif args.command == "transform":
            answer["out"] = str(to_ntriples(args.kgx_dir, args.context, args.out))
    json.dump(answer, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
