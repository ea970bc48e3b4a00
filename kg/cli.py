"""The `kg` command line. The only place that catches KGError and turns it into exit code 1."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kg.errors import KGError

__all__ = ["app", "main"]

app = typer.Typer(
    name="kg",
    help=(
        "Build and use the knowledge graph of low-dose IL-2 therapy in SLE.\n\n"
        "Example: kg build && kg query queries/rct_primary_endpoints.rq"
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


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", is_eager=True)
    ] = False,
) -> None:
    """Build and use the knowledge graph of low-dose IL-2 therapy in SLE."""
    if version:
        from kg import __version__

        out.print(f"il2-sle-kg {__version__}")
        raise typer.Exit()


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
) -> None:
    """Build the graph from data/ and ontologies/ and write every export to exports/.

    Nothing is written unless validation passes (see `kg validate`).

    Example: kg build --out exports        (full merge: kg build --ontology-mode full)
    """
    from kg.pipeline import build as run_build

    with err.status("Building…") as status:
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
        )
    chosen = set(warn or ())
    downgraded = [f for f in report.warnings if {f.check, f.check.split("-")[0]} & chosen]
    for finding in downgraded:  # the checks the user downgraded with --warn
        err.print("[yellow]warning[/yellow]", highlight=False, end=" ")
        err.print(str(finding), markup=False, highlight=False, soft_wrap=True, emoji=False)
    if len(report.warnings) > len(downgraded):
        others = len(report.warnings) - len(downgraded)
        err.print(f"[yellow]{others} validation warnings[/yellow] (kg validate lists them)")
    c = report.counts
    out.print(
        f"[green]Built[/green] {c['quads']:,} quads: {c['entities']} entities, "
        f"{c['statements']} statements ({c['statements_negated']} negated), {c['trials']} trials, "
        f"{c['publications']} publications."
    )
    out.print(f"Wrote {len(report.outputs)} files to {out_dir}/:")
    for line in _summarise(report.outputs, out_dir):
        out.print(f"  {line}", highlight=False)


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
        typer.Option("--report", help="Also write the report to this .md or .html file."),
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

    with err.status("Validating…"):
        result = validate_sources(data, ontologies, warn or (), strict)
    for line in finding_lines(result.findings):
        out.print(line, markup=False, highlight=False, soft_wrap=True, emoji=False)
    if report is not None:
        write_report(result, report)
        out.print(f"Report written to {report}", markup=False, highlight=False)
    if result.violations:
        raise KGError.at(
            str(data),
            None,
            "",
            f"validation failed: {result.summary()} (fix them, or downgrade a check with "
            "--warn CHECK)",
        )
    out.print(f"[green]Valid[/green]: {result.summary()}.")


# ---- SPARQL: kg query, kg serve (bodies in kg/query/) ----------------------------------

QUERY_EXPORTS = Annotated[
    Path, typer.Option("--exports", help="Directory of the built graph (kg.nq).")
]


def _query_formats() -> str:
    from kg.query.sparql import FORMATS

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
            help=f"Output format: {_query_formats()}. Default: table, or ttl for a graph.",
        ),
    ] = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the answer to this file.")
    ] = None,
    exports: QUERY_EXPORTS = Path("exports"),
    list_queries: Annotated[
        bool, typer.Option("--list", help="List the named queries and their questions.")
    ] = False,
    queries_dir: Annotated[
        Path, typer.Option("--queries", help="Directory of named queries.")
    ] = Path("queries"),
    allow_service: Annotated[
        bool,
        typer.Option("--allow-service", help="Let SERVICE clauses fetch the URLs they name."),
    ] = False,
) -> None:
    """Answer a SPARQL query over the built graph (project prefixes predeclared).

    Example: kg query rct_primary_endpoints --format csv
    """
    from kg.query.sparql import query_command

    query_command(query_text, fmt, out_file, exports, list_queries, out, queries_dir, allow_service)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 7878,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds a query may run (then 503).")
    ] = 10.0,
    max_rows: Annotated[
        int, typer.Option("--max-rows", help="Most rows/triples in one answer (more: 500).")
    ] = 10_000,
    workers: Annotated[
        int, typer.Option("--workers", help="Worker processes (each answers queries).")
    ] = 2,
    cache: Annotated[
        int, typer.Option("--cache", help="Answers kept per worker for repeated queries (0: off).")
    ] = 1024,
    exports: QUERY_EXPORTS = Path("exports"),
    queries_dir: Annotated[
        Path, typer.Option("--queries", help="Directory of named queries.")
    ] = Path("queries"),
) -> None:
    """Serve the built graph as a read-only SPARQL 1.1 endpoint (query page at /).

    Example: kg serve --port 7878, then
    curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 5'
    http://127.0.0.1:7878/query
    """
    from kg.query.server import ServerConfig, serve_command

    config = ServerConfig(
        host=host,
        port=port,
        timeout=timeout,
        max_rows=max_rows,
        workers=workers,
        cache_entries=cache,
    )
    serve_command(config, exports, err, queries_dir)


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
    name="neo4j", help="Load the property graph into Neo4j.", no_args_is_help=True
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
    """Console entry point: run the app; a user error prints its problems and exits 1."""
    try:
        app()
    except KGError as exc:
        err.print("[bold red]Error:[/bold red]", highlight=False)
        for problem in exc.problems:
            err.print(f"  {problem}", markup=False, highlight=False, soft_wrap=True, emoji=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
