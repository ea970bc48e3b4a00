"""`kg ontologies ...`: extract modules from public ontologies, check curated ids, full merge.

A typer sub-app; the main CLI registers it with
`app.add_typer(ontology_cli.app, name="ontologies")` and is the only place that
catches KGError.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from kg.errors import KGError

__all__ = ["app"]

app = typer.Typer(
    help="Public ontologies: extract the modules the graph uses, check curated ids, full merge.",
    no_args_is_help=True,
)

CONFIG = Annotated[
    Path, typer.Option("--config", help="Ontology sources config (YAML).", show_default=True)
]
DATA = Annotated[Path, typer.Option("--data", help="Curated data directory.")]
OUT = Annotated[Path, typer.Option("--out", help="Where modules are written.")]
SOURCE = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        metavar="NAME=PATH_OR_URL",
        help="Replace the files of one config entry for this run: NAME=PATH_OR_URL "
        "(repeatable). A URL is downloaded.",
    ),
]
ONLY = Annotated[
    list[str] | None,
    typer.Option(
        "--only", metavar="NAME", help="Write only these modules (repeatable; 'mappings' too)."
    ),
]


def _command(name: str, pairs: list[tuple[str, object]]) -> str:
    words = ["kg", "ontologies", name]
    for option, value in pairs:
        for v in value if isinstance(value, list) else [value]:
            words += [option, str(v)]
    return shlex.join(words)


@app.command()
def extract(
    config: CONFIG = Path("ontologies/sources.yaml"),
    data: DATA = Path("data"),
    out: OUT = Path("ontologies"),
    source: SOURCE = None,
    only: ONLY = None,
) -> None:
    """Extract one module per ontology (+ mappings) for every CURIE the curation uses.

    Reads the source files named in the config (never the network unless a file is a
    URL), writes ontologies/<name>/module.ttl + source.json and
    ontologies/mappings/mappings.ttl. Re-running on the same inputs gives the same bytes.

    Example:

        kg ontologies extract --source cl=~/Downloads/cl-basic.obo --only cl
    """
    from kg.curation.load import load_curation
    from kg.ontology.extraction import extract_modules
    from kg.ontology.sources.config import load_config, parse_overrides

    cfg = load_config(config, parse_overrides(source or []))
    loaded = load_curation(data)
    command = _command(
        "extract",
        [
            ("--config", config),
            ("--data", data),
            ("--out", out),
            ("--source", source or []),
            ("--only", only or []),
        ],
    )
    console = Console(stderr=True)
    with _progress(console) as progress:
        tasks: dict[str, int] = {}

        def say(name: str, message: str) -> None:
            if name not in tasks:
                tasks[name] = progress.add_task(name, total=None)
            progress.update(tasks[name], description=f"[bold]{name}[/]: {message}")

        report = extract_modules(cfg, loaded, out, only=only, command=command, say=say)
        for task in tasks.values():
            progress.update(task, total=1, completed=1)
    for name, counts in report.counts.items():
        console.print(f"{name:>9}: {counts.get('triples', 0):>7,} triples")
    console.print(f"Wrote {len(report.written)} files under {out}")


@app.command()
def check(
    data: DATA = Path("data"),
    ontologies: Annotated[Path, typer.Option("--ontologies", help="Modules directory.")] = Path(
        "ontologies"
    ),
) -> None:
    """Check that every curated ontology id is in its committed module and not obsolete.

    Example:

        kg ontologies check --data data --ontologies ontologies
    """
    from kg.curation.load import load_curation
    from kg.ontology.check import check_terms

    problems = check_terms(load_curation(data), ontologies)
    if problems:
        raise KGError(problems)
    Console(stderr=True).print("Every curated ontology id is in its module.")


@app.command("full-merge")
def full_merge(
    config: CONFIG = Path("ontologies/sources.yaml"),
    out: Annotated[Path, typer.Option("--out", help="Directory for <name>.nt files.")] = Path(
        "exports/ontologies-full"
    ),
    only: ONLY = None,
) -> None:
    """Convert whole source ontologies to sorted N-Triples, one file per ontology.

    Example:

        kg ontologies full-merge --only mondo --only go --out /tmp/full
    """
    from kg.ontology.full_merge import full_merge_ntriples

    counts = full_merge_ntriples(config, out, only)
    console = Console(stderr=True)
    for name, n in counts.items():
        console.print(f"{name:>9}: {n:>9,} triples")


def _progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
