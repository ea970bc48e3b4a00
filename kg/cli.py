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


@app.command()
def build(
    data: DATA = Path("data"),
    ontologies: ONTOLOGIES = Path("ontologies"),
    out_dir: EXPORTS = Path("exports"),
    formats: Annotated[
        list[str] | None,
        typer.Option("--format", "-f", help="Only these formats (repeatable); default: all."),
    ] = None,
) -> None:
    """Build the graph from data/ and ontologies/ and write every export to exports/.

    Example: kg build --out exports
    """
    from kg.pipeline import build as run_build

    with err.status("Building…") as status:
        report = run_build(data, ontologies, out_dir, formats, progress=status.update)
    c = report.counts
    out.print(
        f"[green]Built[/green] {c['quads']:,} quads: {c['entities']} entities, "
        f"{c['statements']} statements ({c['statements_negated']} negated), {c['trials']} trials, "
        f"{c['publications']} publications."
    )
    for path in report.outputs:
        out.print(f"  {path}")


def main() -> None:
    """Console entry point: run the app; a user error prints its problems and exits 1."""
    try:
        app()
    except KGError as exc:
        err.print("[bold red]Error:[/bold red]", highlight=False)
        for problem in exc.problems:
            err.print(f"  {problem}", markup=False, highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
