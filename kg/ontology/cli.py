"""`kg ontologies ...`: fetch release files, extract modules, check curated ids, full merge.

A typer sub-app; the main CLI registers it with
`app.add_typer(ontology_cli.app, name="ontologies")` and is the only place that
catches KGError.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from kg.errors import KGError

if TYPE_CHECKING:
    from collections.abc import Callable

    from kg.ontology.sources.fetch import FetchProgress
    from kg.ontology.sources.locate import SourceLocator

__all__ = ["app"]

app = typer.Typer(
    help="Public ontologies: fetch their releases, extract the modules the graph uses, "
    "check curated ids, full merge.\n\n"
    "Example: kg ontologies fetch && kg ontologies extract && kg ontologies check",
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
SOURCES_DIR = Annotated[
    Path | None,
    typer.Option(
        "--sources-dir",
        help="Folder holding the source files under their `file:` names in the config "
        "(checked before the download cache).",
    ),
]
CACHE_DIR = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        help="Download cache (default: $KG_ONTOLOGY_CACHE, else the user cache folder).",
        show_default=False,
    ),
]
ONLY = Annotated[
    list[str] | None,
    typer.Option(
        "--only", metavar="NAME", help="Write only these modules (repeatable; 'mappings' too)."
    ),
]


def _command(name: str, pairs: list[tuple[str, object]]) -> str:
    """The command line recorded in source.json.

    --sources-dir and --cache-dir are left out: they say where the files were found on one
    machine, not what was read (each file is recorded with its name, URL and SHA-256).
    """
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
    sources_dir: SOURCES_DIR = None,
    cache_dir: CACHE_DIR = None,
    only: ONLY = None,
) -> None:
    """Extract one module per ontology (+ mappings) for every CURIE the curation uses.

    Reads the source files from the download cache (`kg ontologies fetch`), a
    --sources-dir folder or --source (never the network, unless --source names a URL),
    and writes ontologies/<name>/module.ttl + source.json and
    ontologies/mappings/mappings.ttl. Only the sources of the modules named with --only
    are needed. Re-running on the same inputs gives the same bytes.

    Example:

        kg ontologies extract --only cl --source cl=~/Downloads/cl-basic.obo
    """
    from kg.curation.load import load_curation
    from kg.ontology.extraction import extract_modules

    locator = _locator(config, source, sources_dir, cache_dir)
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

        report = extract_modules(locator, loaded, out, only=only, command=command, say=say)
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
    source: SOURCE = None,
    sources_dir: SOURCES_DIR = None,
    cache_dir: CACHE_DIR = None,
    only: ONLY = None,
) -> None:
    """Convert whole source ontologies to sorted N-Triples, one file per ontology.

    Needs only the sources of the ontologies named with --only.

    Example:

        kg ontologies full-merge --only mondo --only go --out /tmp/full
    """
    from kg.ontology.full_merge import full_merge_ntriples

    locator = _locator(config, source, sources_dir, cache_dir)
    counts = full_merge_ntriples(locator, out, only)
    console = Console(stderr=True)
    for name, n in counts.items():
        console.print(f"{name:>9}: {n:>9,} triples")
    console.print(f"Wrote {len(counts) - 1} files under {out}")


@app.command()
def fetch(
    names: Annotated[
        list[str] | None,
        typer.Argument(metavar="[NAME]...", help="Sources to fetch (default: all)."),
    ] = None,
    config: CONFIG = Path("ontologies/sources.yaml"),
    cache_dir: CACHE_DIR = None,
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Download again and record what the URL serves now in sources.lock "
            "(use when a release file changed on purpose).",
        ),
    ] = False,
    retries: Annotated[
        int, typer.Option("--retries", min=1, help="Attempts per file on network errors.")
    ] = 3,
) -> None:
    """Download the release files named in the config into the cache, checked by sources.lock.

    A URL the lock does not know yet is recorded (SHA-256 and size); every later fetch,
    and every cached copy, must match it. Commit ontologies/sources.lock.

    Example:

        kg ontologies fetch mondo mappings
    """
    from kg.ontology.sources.config import load_config
    from kg.ontology.sources.fetch import fetch_sources

    locator = _locator(config, None, None, cache_dir)
    console = Console(stderr=True)
    bar = Progress(
        TextColumn("[bold]{task.fields[name]}[/] {task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
    )
    with bar:
        results = fetch_sources(
            locator, names or (), update=update, retries=retries, progress=_bar_callbacks(bar)
        )
    for r in results:
        console.print(f"{r.name:>9}: {r.status:<10} {r.entry.size:>12,} bytes  {r.url}")
    console.print(f"Cache: {locator.cache_dir}   lock: {load_config(config).lock_path}")


def _bar_callbacks(bar: Progress) -> Callable[[str, str], FetchProgress]:
    from kg.ontology.sources.fetch import FetchProgress

    class _Callbacks(FetchProgress):
        def __init__(self, name: str, url: str) -> None:
            self.task: TaskID = bar.add_task(url.rsplit("/", 1)[-1], total=None, name=name)

        def start(self, label: str, total: int | None) -> None:
            bar.reset(self.task, total=total, description=label)

        def advance(self, n: int) -> None:
            bar.advance(self.task, n)

        def failed(self) -> None:
            bar.update(self.task, total=1, completed=0, description="[red]failed[/]")

        def done(self, status: str) -> None:
            task = bar.tasks[self.task] if self.task < len(bar.tasks) else None
            total = task.completed if task and task.completed else 1
            bar.update(self.task, total=total, completed=total, description=status)

    return _Callbacks


def _locator(
    config: Path, source: list[str] | None, sources_dir: Path | None, cache_dir: Path | None
) -> SourceLocator:
    from kg.ontology.sources.config import load_config, parse_overrides
    from kg.ontology.sources.locate import SourceLocator

    cfg = load_config(config, parse_overrides(source or []))
    if sources_dir is not None and not sources_dir.is_dir():
        raise KGError.at(str(sources_dir), None, "--sources-dir", "not a folder")
    if cache_dir is None:
        return SourceLocator(cfg, sources_dir)
    return SourceLocator(cfg, sources_dir, cache_dir.expanduser())


def _progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
