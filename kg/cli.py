"""The `kg` command line. The only place that catches KGError and turns it into exit code 1."""

from __future__ import annotations

import errno
import gc
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from kg import __version__
from kg.errors import KGError

if TYPE_CHECKING:
    from kg.pipeline import BuildReport

__all__ = ["app", "build_summary", "console", "main"]


class _Group(TyperGroup):
    """The command group, with flags shown in help without a `<bool>` type.

    Typer prints a type beside every option, `<bool>` for an on/off flag too; a flag
    takes no value, so its type column stays empty (the option's metavar is "").
    """

    def get_params(self, ctx: Any) -> list[Any]:
        return _without_flag_types(super().get_params(ctx))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _hide_flag_types(command, ctx)
        return command


def _without_flag_types(params: list[Any]) -> list[Any]:
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


def _hide_flag_types(command: Any, ctx: Any) -> None:
    help_option = command.get_help_option(ctx)
    _without_flag_types([*command.params, *([help_option] if help_option else [])])
    for sub in getattr(command, "commands", {}).values():
        _hide_flag_types(sub, ctx)


app = typer.Typer(
    name="kg",
    cls=_Group,
    help=(
        "Build and use the knowledge graph of low-dose IL-2 therapy in SLE.\n\n"
        "Example: kg build && kg query rct_primary_endpoints"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
err = Console(stderr=True)
out = Console()

DATA = Annotated[Path, typer.Option("--data", help="Directory of curated YAML files.")]
ONTOLOGIES = Annotated[Path, typer.Option("--ontologies", help="Directory of ontology modules.")]
EXPORTS = Annotated[Path, typer.Option("--out", help="Directory the exports are written to.")]
STRICT = Annotated[
    bool,
    typer.Option(
        "--strict", help="Disagreements with saved registry records (registry-drift) are errors."
    ),
]
WARN = Annotated[
    list[str] | None,
    typer.Option(
        "--warn",
        metavar="CHECK",
        help="Downgrade this check (a shape or check id, e.g. ClinicalTrial-registry) to a "
        "warning; repeatable.",
    ),
]


def _print_version(value: bool) -> None:
    if value:  # kg.__version__: the package metadata's, i.e. pyproject.toml's `version`
        out.print(f"il2-sle-kg {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            is_eager=True,
            callback=_print_version,
            expose_value=False,
        ),
    ] = False,
) -> None:
    """Build and use the knowledge graph of low-dose IL-2 therapy in SLE."""


def _formats() -> str:
    """--format help from the sink table (kg.export.formats.SINKS), so it never goes stale."""
    from kg.export.formats import SINKS

    return "; ".join(f"{name}: {entry.description}" for name, entry in sorted(SINKS.items()))


@app.command()
def build(
    data: DATA = Path("data"),
    ontologies: ONTOLOGIES = Path("ontologies"),
    out_dir: EXPORTS = Path("exports"),
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format", "-f", help=f"Only these formats (repeatable); default: all. {_formats()}"
        ),
    ] = None,
    warn: WARN = None,
    ontology_mode: Annotated[
        str,
        typer.Option(
            "--ontology-mode",
            help="'modules' (the committed extracts) or 'full': also write full/kg-full.nq "
            "with the whole source ontologies named in ontologies/sources.yaml.",
        ),
    ] = "modules",
    ontology_config: Annotated[
        Path | None,
        typer.Option("--ontology-config", help="Sources config for --ontology-mode full."),
    ] = None,
    sources_dir: Annotated[
        Path | None,
        typer.Option(
            "--sources-dir",
            help="Folder of ontology source files for --ontology-mode full "
            "(default: the cache `kg ontologies fetch` fills).",
        ),
    ] = None,
    strict: STRICT = False,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            max=2,
            help="Processes to use. 2: a forked helper imports statsmodels while this process "
            "loads the data, and a forked worker writes the property-graph exports (GraphML, "
            "KGX, Neo4j, views, tables) while this process validates and writes the others. "
            "1: one process, as where fork is not used (macOS, Windows). Same bytes either "
            "way.",
        ),
    ] = 2,
) -> None:
    """Build the graph from data/ and ontologies/ and write every export to exports/.

    Nothing is written unless validation passes (see `kg validate`).

    Example: kg build --out exports        (full merge: kg build --ontology-mode full)
    """
    from kg.export.formats import intervals_helper

    # started before the pipeline's imports, so that statsmodels' import overlaps them too
    with intervals_helper(formats, jobs), err.status("Building…") as status:
        from kg.pipeline import build as run_build

        report = run_build(
            data,
            ontologies,
            out_dir,
            formats,
            progress=status.update,
            warn=warn or (),
            ontology_mode=ontology_mode,
            ontology_config=ontology_config,
            ontology_sources=sources_dir,
            strict=strict,
            jobs=jobs,
        )
    chosen = set(warn or ())
    downgraded = [f for f in report.warnings if {f.check, f.check.split("-")[0]} & chosen]
    for finding in downgraded:  # the checks the user downgraded with --warn
        err.print("[yellow]warning[/yellow]", highlight=False, end=" ")
        err.print(str(finding), markup=False, highlight=False, soft_wrap=True, emoji=False)
    if len(report.warnings) > len(downgraded):
        others = len(report.warnings) - len(downgraded)
        err.print(
            f"[yellow]{others} validation warnings[/yellow] (kg validate lists them)",
            soft_wrap=True,
        )
    for line in build_summary(report, out_dir):
        out.print(line, markup=False, highlight=False, soft_wrap=True)


def build_summary(report: BuildReport, out_dir: Path) -> list[str]:
    """What `kg build` prints when it is done: counts, the files written, what to do next.

    One sentence a line: printed with soft wrapping, so a pipe or a log file never gets
    a sentence broken at 80 columns.
    """
    c = report.counts
    lines = [
        f"Built {c['quads']:,} quads: {c['entities']} entities, {c['statements']} statements "
        f"({c['statements_negated']} negated), {c['trials']} trials, "
        f"{c['publications']} publications.",
        f"Wrote {len(report.outputs)} files to {out_dir}/:",
        *(f"  {line}" for line in _summarise(report.outputs, out_dir)),
    ]
    views = out_dir / "views" / "index.html"
    steps = [f"open {views} in a browser"] if views in report.outputs else []
    elsewhere = "" if out_dir == Path("exports") else f" --exports {out_dir}"
    if out_dir / "kg.nq" in report.outputs:  # what kg query and kg serve read
        steps += [
            "list the questions with `kg query --list`",
            f"serve SPARQL with `kg serve{elsewhere}`",
        ]
    if steps:
        lines.append(f"Next: {'; '.join(steps)}.")
    return lines


def _summarise(paths: list[Path], root: Path) -> list[str]:
    """Top-level files by name, sub-directories by count: readable for 100+ outputs."""
    files: list[str] = []
    folders: dict[str, int] = {}
    for path in paths:
        rel = path.relative_to(root)
        if len(rel.parts) == 1:
            files.append(rel.name)
        else:
            folders[rel.parts[0]] = folders.get(rel.parts[0], 0) + 1
    return sorted(files) + [f"{name}/ ({n} files)" for name, n in sorted(folders.items())]


@app.command()
def validate(
    data: DATA = Path("data"),
    ontologies: ONTOLOGIES = Path("ontologies"),
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Also write the report to this file: Markdown (.md) or HTML (.html), "
            "as its extension says.",
        ),
    ] = None,
    warn: WARN = None,
    strict: STRICT = False,
) -> None:
    """Check data/ and ontologies/ against the SHACL shapes and referential checks.

    Lists every problem with its file:line, field, check id and focus node; exits 1 if
    any is a violation. Writes nothing but the optional report.

    Example: kg validate --report report.md --warn ClinicalTrial-registry
    """
    from kg.pipeline import validate_sources
    from kg.rdf.report import finding_lines, write_report

    if report is not None and not report.is_dir() and report.suffix.lower() not in REPORT_SUFFIXES:
        raise KGError.at(
            str(report),
            None,
            "",
            f"a report's extension names its format: use one of {', '.join(REPORT_SUFFIXES)}",
        )
    with err.status("Validating…"):
        result = validate_sources(data, ontologies, warn or (), strict)
    for line in finding_lines(result.findings):
        out.print(line, markup=False, highlight=False, soft_wrap=True, emoji=False)
    if report is not None:
        written = write_report(result, report)
        written.chmod(_normal_mode())
        out.print(f"Wrote the report to {written}", markup=False, highlight=False, soft_wrap=True)
    if result.violations:
        raise KGError.at(
            str(data),
            None,
            "",
            f"validation failed: {result.summary()} (fix them, or downgrade a check with "
            "--warn CHECK)",
        )
    out.print(f"[green]Valid[/green]: {result.summary()}.")


#: report file extensions `kg validate --report` writes, in the format each names
REPORT_SUFFIXES = (".md", ".markdown", ".html", ".htm")


def _normal_mode() -> int:
    """rw-r--r-- less the user's umask: what an ordinary new file gets."""
    import os

    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


# ---- SPARQL: kg query, kg serve (bodies in kg/query/) ----------------------------------

QUERY_EXPORTS = Annotated[
    Path,
    typer.Option("--exports", help="Folder a build wrote (kg.nq, manifest.json)."),
]
FULL = Annotated[
    bool,
    typer.Option(
        "--full",
        help="Use the full merge (full/kg-full.nq, from `kg build --ontology-mode full`).",
    ),
]


def _query_formats() -> str:
    from kg.query.formats import FORMATS

    answers = [name for name, f in FORMATS.items() if f.graph is None]
    graphs = [name for name, f in FORMATS.items() if f.graph is not None]
    return f"{', '.join(answers)} for SELECT/ASK; {', '.join(graphs)} for CONSTRUCT/DESCRIBE"


@app.command()
def query(
    query_text: Annotated[
        str | None,
        typer.Argument(
            metavar="QUERY",
            help="A named query (see --list), a path to a .rq file, or SPARQL text.",
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help=f"Output format: {_query_formats()}. Default: table (a boxed table on a "
            "terminal, plain in a pipe or file), or ttl for a graph. plain: tab-separated "
            "cells as the table shows them (CURIEs, bare text); tsv: the W3C SPARQL 1.1 TSV "
            'results format (?var header, <IRI> and "literal" RDF terms).',
        ),
    ] = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the answer to this file.")
    ] = None,
    exports: QUERY_EXPORTS = Path("exports"),
    full: FULL = False,
    list_queries: Annotated[
        bool, typer.Option("--list", help="List the named queries and their questions.")
    ] = False,
    show: Annotated[
        bool,
        typer.Option(
            "--show",
            help="Print the query with PREFIX lines for the project prefixes it uses, "
            "instead of running it (to send it to `kg serve` or another endpoint).",
        ),
    ] = False,
    queries_dir: Annotated[
        Path | None,
        typer.Option(
            "--queries", help="Folder of named queries (default: the ones shipped with kg)."
        ),
    ] = None,
    allow_service: Annotated[
        bool,
        typer.Option("--allow-service", help="Let SERVICE clauses fetch the URLs they name."),
    ] = False,
) -> None:
    """Answer a SPARQL query over the built graph (project prefixes predeclared).

    Example: kg query rct_primary_endpoints --format csv
    """
    from kg.query.catalog import QUERIES_DIR
    from kg.query.sparql import query_command

    query_command(
        query_text,
        fmt,
        out_file,
        exports,
        list_queries,
        out,
        queries_dir or QUERIES_DIR,
        allow_service,
        show=show,
        full=full,
        errors=err,
    )


@app.command()
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to bind (0.0.0.0: every interface).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 7878,
    timeout: Annotated[
        int,
        typer.Option(
            "--timeout",
            min=0,
            help="Seconds a query may run before it is cut; 0: no limit (for many queries a "
            "second: Oxigraph keeps a timer thread per query for this long).",
        ),
    ] = 10,
    cors: Annotated[
        bool,
        typer.Option(
            "--cors/--no-cors",
            help="Let web pages of other origins read the answers (CORS headers).",
        ),
    ] = False,
    exports: QUERY_EXPORTS = Path("exports"),
    full: FULL = False,
) -> None:
    """Serve the built graph as a read-only SPARQL 1.1 endpoint (Oxigraph's server).

    Query page at /. Example: kg serve --port 7878, then
    kg query rct_primary_endpoints --show | curl -H 'Accept: text/csv'
    --data-urlencode query@- http://127.0.0.1:7878/query
    """
    from kg.query.freshness import staleness_warning
    from kg.query.server import ServerConfig, serve_command

    warning = staleness_warning(exports)
    if warning:
        err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False, soft_wrap=True)
    config = ServerConfig(host=host, port=port, timeout=timeout, cors=cors)
    serve_command(config, exports, err, full)


@app.command()
def view(
    entities: Annotated[
        list[str],
        typer.Argument(metavar="ENTITY", help="CURIEs, IRIs, labels or synonyms."),
    ],
    hops: Annotated[int, typer.Option("--hops", help="Edges away from the entities.")] = 2,
    out_file: Annotated[Path, typer.Option("--out", help="The HTML file to write.")] = Path(
        "neighbourhood.html"
    ),
    data: DATA = Path("data"),
    ontologies: ONTOLOGIES = Path("ontologies"),
) -> None:
    """Write an interactive, offline HTML view of the neighbourhood of ENTITY... .

    Example: kg view "regulatory T cell" MONDO:0007915 --hops 1 --out treg.html
    """
    from kg.pipeline import view_neighbourhood

    shown = view_neighbourhood(data, ontologies, entities, hops, out_file)
    out.print(
        f"[green]Wrote[/green] {out_file}: {len(shown.graph.nodes)} nodes, "
        f"{len(shown.graph.edges)} edges within {hops} hop(s)."
    )


from kg.ontology.cli import app as ontology_app  # noqa: E402  (sub-app, imports are light)

app.add_typer(ontology_app, name="ontologies")

from kg.imports import app as import_app  # noqa: E402  (sub-app: kg import clinicaltrials|pubmed)

app.add_typer(import_app, name="import")

neo4j_app = typer.Typer(
    name="neo4j",
    help="Load the property graph into Neo4j.\n\n"
    "Example: NEO4J_PASSWORD=secret kg neo4j load --uri neo4j://localhost:7687 --user neo4j",
    no_args_is_help=True,
)
app.add_typer(neo4j_app)


@neo4j_app.command("load")
def neo4j_load(
    uri: Annotated[
        str, typer.Option("--uri", help="Bolt address of the server, e.g. neo4j://localhost:7687.")
    ],
    user: Annotated[
        str | None, typer.Option("--user", help="Neo4j user (omit for a server without auth).")
    ] = None,
    password_env: Annotated[
        str, typer.Option("--password-env", metavar="VAR", help="Variable holding the password.")
    ] = "NEO4J_PASSWORD",
    database: Annotated[
        str | None, typer.Option("--database", help="Database (default: the server's).")
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Rows per transaction.")
    ] = 500,
    schema: Annotated[
        bool, typer.Option("--schema/--no-schema", help="Create constraints and indexes first.")
    ] = True,
    data: DATA = Path("data"),
    ontologies: ONTOLOGIES = Path("ontologies"),
) -> None:
    """Build the graph from the sources and MERGE it into a running Neo4j (idempotent).

    Example: NEO4J_PASSWORD=secret kg neo4j load --uri neo4j://localhost:7687 --user neo4j
    """
    from kg.neo4j_load import connect, password_from_env
    from kg.pipeline import project_sources

    auth = (user, password_from_env(password_env)) if user else None
    with err.status("Connecting…") as status, connect(uri, auth, database) as target:
        graph = project_sources(data, ontologies, progress=status.update)
        report = target.load(graph, batch_size, schema=schema, progress=status.update)
    out.print(
        f"[green]Loaded[/green] {report.nodes:,} nodes and {report.relationships:,} relationships "
        f"into {uri} in {report.batches} batches ({report.schema_statements} schema statements)."
    )


def main() -> None:
    """Run the app; a user error prints its problems and exits 1 (raises SystemExit)."""
    # A build keeps ~1M small objects alive (rdflib terms, pydantic records, pyshacl's
    # wrappers) while allocating more: with CPython's default thresholds (700, 10, 10) the
    # cyclic collector ran ~1,000 times per `kg build` and rescanned them, about 1 s of
    # a 4 s build's CPU. Collecting every 50,000 allocations costs ~20 MB of peak memory.
    gc.set_threshold(50_000, 20, 20)
    try:
        app()
    except SystemExit as exc:
        # 130: typer's answer to Ctrl-C in a command; 143: SIGTERM (see console)
        if exc.code in _STOPPED:
            print(_STOPPED[exc.code], file=sys.stderr, flush=True)
        raise
    except KeyboardInterrupt:  # before or after typer's own handling
        print(_STOPPED[130], file=sys.stderr, flush=True)
        sys.exit(130)  # as a shell reports a process that SIGINT ended
    except KGError as exc:
        err.print("[bold red]Error:[/bold red]", highlight=False)
        for problem in exc.problems:
            err.print(f"  {problem}", markup=False, highlight=False, soft_wrap=True, emoji=False)
        sys.exit(1)
    except OSError as exc:
        # the output itself cannot be written (`kg query … > /dev/full`, a full disk, a
        # broken terminal): files the commands write name themselves (exc.filename) and
        # are reported as KGError where they are written
        if exc.filename is not None or exc.errno not in _OUTPUT_ERRNOS:
            raise
        _output_failed(exc)
        sys.exit(1)


#: errno values of a failed write to standard output that are the machine's, not a bug
_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG})


#: exit codes of a command stopped by a signal (128 + its number, as a shell reports them)
_STOPPED = {130: "Interrupted.", 143: "Terminated."}


def _output_failed(exc: OSError) -> None:
    """Say on stderr that stdout could not be written (if stderr itself can be written)."""
    try:
        print(f"Error: cannot write the output: {exc.strerror}", file=sys.__stderr__)
        sys.__stderr__.flush()
    except (OSError, ValueError, AttributeError):
        pass


def console() -> None:
    """The `kg` console script: main(), then the process ends at once with its exit code.

    Ends with os._exit once the output is flushed: a build leaves ~1M objects (rdflib terms,
    records) that a normal interpreter exit frees one by one, about 0.25 s of a 2 s
    `kg build`, for memory the operating system takes back anyway (mypy ends the same way).
    Call main() or `app` to run a command inside another Python program.
    """
    # SIGTERM (`kill`, `timeout`, a CI runner cancelling) ends a command as Ctrl-C does: the
    # cleanup runs, so no staging folder or half-written export is left behind
    signal.signal(signal.SIGTERM, _stopped)
    signal.signal(signal.SIGINT, _stopped)
    sys.unraisablehook = _unraisable
    try:
        main()
        code = 0
    except SystemExit as exc:  # typer ends every command this way
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    for signum in (signal.SIGTERM, signal.SIGINT):  # the command is over: nothing to stop
        signal.signal(signum, signal.SIG_IGN)
    if _SIGNALS and code == 0:  # the signal's exception was swallowed (see _unraisable)
        code = 128 + _SIGNALS[0]
        print(_STOPPED.get(code, f"Stopped by signal {_SIGNALS[0]}."), file=sys.stderr)
    _exit_now(code)


#: the signals received, in order (see _stopped)
_SIGNALS: list[int] = []


def _stopped(signum: int, frame: object) -> None:
    """SIGINT raises KeyboardInterrupt (as Python's own handler), SIGTERM SystemExit(143)."""
    _SIGNALS.append(signum)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


def _unraisable(args: Any) -> None:
    """Python's hook for an exception it cannot raise (one in a garbage-collector callback).

    A signal that lands in such a callback is dropped by Python after printing a traceback;
    console() still ends with the signal's exit code, so the traceback is left out.
    """
    if _SIGNALS and isinstance(args.exc_value, (KeyboardInterrupt, SystemExit)):
        return
    sys.__unraisablehook__(args)


def _exit_now(code: int) -> None:
    """Flush stdout and stderr, then end the process without freeing its objects.

    Output that cannot be flushed (a reader that closed the pipe: `kg query … | head`) makes
    a successful command exit 120, as Python's own exit does in that case.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError as exc:
            if exc.errno in _OUTPUT_ERRNOS:
                _output_failed(exc)
                code = code or 1
            else:
                code = code or 120
        except ValueError:  # closed
            code = code or 120
    os._exit(code)


if __name__ == "__main__":
    console()
