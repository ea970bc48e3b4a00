"""The `kg` command line as a newcomer meets it: version, help, summaries, files written,
named queries outside the checkout, and a warning when the build is older than data/."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from kg.cli import app, build_summary
from kg.pipeline import BuildReport
from kg.query.catalog import QUERIES_DIR, named_queries
from kg.query.freshness import stale_inputs, staleness_warning
from kg.query.store import STORE_DIR

sys.path.insert(0, str(Path(__file__).parent / "bad_input"))
from harness import Run, run_kg
from miniproject import sample_curation, write_project

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.fixture(scope="module")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    """A small project (data/, ontologies/) built once into its exports/, with 30 columns."""
    root = tmp_path_factory.mktemp("project")
    write_project(root, sample_curation())
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "30"
    try:
        run = run_kg(("build",), root)
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    assert run.code == 0, run.output
    return root, run


@pytest.fixture(scope="module")
def project(built_project: tuple[Path, Run]) -> Path:
    return built_project[0]


def test_exports_name_the_package_version(exports: Path) -> None:
    """The manifest (and every page) says which version wrote it: pyproject.toml's, the one
    source (kg/__init__.py once carried a stale copy)."""
    import json

    import kg

    assert kg.__version__ == importlib.metadata.version("il2-sle-kg")
    manifest = json.loads((exports / "manifest.json").read_text("utf-8"))
    assert manifest["generator"] == f"il2-sle-kg {kg.__version__}"
    assert f"il2-sle-kg {kg.__version__}" in (exports / "views" / "index.html").read_text("utf-8")


def test_version_comes_from_the_package_metadata(tmp_path: Path) -> None:
    run = run_kg(("--version",), tmp_path)
    assert run.code == 0, run.stderr
    assert run.stdout == f"il2-sle-kg {importlib.metadata.version('il2-sle-kg')}\n"


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _commands(sub, (*path, name))


def test_no_help_shows_a_bool_type_for_a_flag() -> None:
    paths = list(_commands(typer.main.get_command(app)))
    assert ("query",) in paths and ("serve",) in paths
    for path in paths:
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
        assert result.exit_code == 0, path
        assert "<bool>" not in result.stdout, path
        assert "--help" in result.stdout


def test_build_summary_ends_with_what_to_do_next(built: tuple[Path, BuildReport]) -> None:
    out_dir, report = built
    lines = build_summary(report, out_dir)
    assert lines[0].startswith(f"Built {report.counts['quads']:,} quads: ")
    assert lines[0].endswith(" publications.")
    assert lines[-1] == (  # exports elsewhere than exports/: kg serve is told where
        f"Next: open {out_dir / 'views' / 'index.html'} in a browser; list the questions with "
        f"`kg query --list`; serve SPARQL with `kg serve --exports {out_dir}`."
    )
    from dataclasses import replace

    only_ttl = replace(report, outputs=[out_dir / "kg.ttl", out_dir / "manifest.json"])
    assert not any(  # no kg.nq: kg query and kg serve would find no graph
        line.startswith("Next:") for line in build_summary(only_ttl, out_dir)
    )
    no_views = replace(report, outputs=[o for o in report.outputs if o.suffix != ".html"])
    assert build_summary(no_views, out_dir)[-1].startswith("Next: list the questions with ")


def test_build_output_is_not_wrapped_off_a_terminal(built_project: tuple[Path, Run]) -> None:
    """In a pipe or log, each sentence stays on one line however narrow the columns."""
    lines = built_project[1].stdout.splitlines()
    assert lines[0].startswith("Built ") and lines[0].endswith(" publications.")
    assert lines[-1].startswith("Next: open exports/views/index.html in a browser; ")
    assert lines[-1].endswith("serve SPARQL with `kg serve`.")


def test_named_queries_work_outside_the_checkout(tmp_path: Path) -> None:
    """The queries are package data: `kg query --list` lists them from any folder."""
    assert QUERIES_DIR.parent.name == "kg"
    run = run_kg(("query", "--list"), tmp_path)  # the console script's entry point, in tmp_path
    assert run.code == 0, run.stderr
    names = [line.split("\t")[0] for line in run.stdout.splitlines()]
    assert names == [q.name for q in named_queries()]
    assert len(names) >= 26


def test_show_prints_a_query_an_endpoint_accepts(project: Path) -> None:
    run = run_kg(("query", "sle_ancestors", "--show"), project)
    assert run.code == 0
    assert run.stdout.startswith("# Question: ")
    assert "PREFIX MONDO: <http://purl.obolibrary.org/obo/MONDO_>\n" in run.stdout
    assert "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" in run.stdout


def test_query_confirms_the_file_it_wrote(project: Path) -> None:
    run = run_kg(("query", "trials_per_phase", "-f", "csv", "-o", "phases.csv"), project)
    assert run.code == 0, run.output
    assert run.stderr.strip().endswith("Wrote phases.csv")
    assert (project / "phases.csv").read_text("utf-8").startswith("phase")


def test_query_reuses_one_store_per_build(project: Path) -> None:
    for _ in range(2):
        assert run_kg(("query", "ASK {}"), project).code == 0
    stores = list((project / "exports" / STORE_DIR).iterdir())
    assert len(stores) == 1 and stores[0].name.startswith("kg-")


@pytest.mark.parametrize(
    ("name", "start"), [("report.md", "# Validation report"), ("report.html", "<!DOCTYPE html>")]
)
def test_validation_report_in_the_format_its_extension_names(
    project: Path, name: str, start: str
) -> None:
    old = os.umask(0o022)
    try:
        run = run_kg(("validate", "--report", name), project)
    finally:
        os.umask(old)
    assert run.code == 0, run.output
    report = project / name
    assert report.read_text("utf-8").startswith(start)
    assert report.stat().st_mode & 0o777 == 0o644
    assert f"Wrote the report to {name}" in run.stdout


def test_validation_report_with_another_extension_is_refused(project: Path) -> None:
    run = run_kg(("validate", "--report", "report.txt"), project)
    assert run.code == 1
    assert "report.txt: a report's extension names its format: use one of .md" in run.output
    assert not (project / "report.txt").exists()


def test_a_stale_build_is_reported(project: Path, tmp_path: Path) -> None:
    """After data/ changes, `kg query` (and `kg serve`) say the graph is older than its inputs."""
    shutil.copytree(project, tmp_path, dirs_exist_ok=True)  # the built sample project
    exports = tmp_path / "exports"
    assert stale_inputs(exports, tmp_path) == []
    fresh = run_kg(("query", "ASK {}"), tmp_path)
    assert fresh.code == 0 and "warning" not in fresh.stderr

    entities = tmp_path / "data" / "entities.yaml"
    entities.write_text(entities.read_text("utf-8") + "\n# an edit\n", "utf-8")
    trial = next((tmp_path / "data" / "trials").glob("*.yaml"))
    (trial.parent / "new-trial.yaml").write_text(trial.read_text("utf-8"), "utf-8")
    trial.unlink()
    assert stale_inputs(exports, tmp_path) == [
        "data/entities.yaml (changed)",
        f"data/trials/{trial.name} (removed)",
        "data/trials/new-trial.yaml (added)",
    ]
    stale = run_kg(("query", "ASK {}"), tmp_path)
    assert stale.code == 0
    assert stale.stdout == "yes\n"  # the answer is untouched; the warning is on stderr
    warning = " ".join(stale.stderr.split())
    assert "warning: the graph in exports/ is older than its inputs: data/entities.yaml" in warning
    assert "run `kg build` to refresh it" in warning
    assert staleness_warning(exports, tmp_path) is not None  # what `kg serve` prints first


def test_stale_check_needs_the_inputs_where_the_build_read_them(project: Path) -> None:
    """Run from another folder, the recorded inputs are not there: no false alarm."""
    assert stale_inputs(project / "exports", project) == []
    assert stale_inputs(project / "exports", project / "exports") == []


def test_the_console_script_flushes_everything_and_keeps_exit_codes(tmp_path: Path) -> None:
    """`kg` ends with os._exit (kg.cli.console): its output still arrives whole through a
    pipe, and a user error still exits 1, a usage error 2."""
    import subprocess

    kg = [sys.executable, "-c", "from kg.cli import console; console()"]
    listed = subprocess.run([*kg, "query", "--list"], capture_output=True, text=True)
    assert listed.returncode == 0
    names = [line.split("\t")[0] for line in listed.stdout.splitlines()]
    assert names == [q.name for q in named_queries()]  # the last line too
    wrong = subprocess.run(
        [*kg, "query", "no_such_query", "--exports", str(tmp_path)], capture_output=True, text=True
    )
    assert wrong.returncode == 1 and "no named query 'no_such_query'" in wrong.stderr
    usage = subprocess.run([*kg, "build", "--jobs", "0"], capture_output=True, text=True)
    assert usage.returncode == 2 and "--jobs" in usage.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
@pytest.mark.parametrize("args", [("--version",), ("query", "--list")])
def test_output_that_cannot_be_written_is_an_error_not_a_traceback(args: tuple[str, ...]) -> None:
    """stdout on a full device (`> /dev/full`): one line on stderr, exit code 1."""
    import subprocess

    kg = [sys.executable, "-c", "from kg.cli import console; console()"]
    with open("/dev/full", "w") as full:
        done = subprocess.run([*kg, *args], stdout=full, stderr=subprocess.PIPE, text=True)
    assert done.returncode == 1
    assert done.stderr == "Error: cannot write the output: No space left on device\n"


_SIGNAL_IN_A_CALLBACK = """
import os, signal, sys, weakref
from kg import cli
real = cli.main
def main():
    class Thing: pass
    thing = Thing()
    ref = weakref.ref(thing, lambda r: (os.kill(os.getpid(), signal.{name}), sum(range(10**5))))
    del thing  # the callback runs, and the signal's handler runs inside it
    print("done")
cli.main = main
cli.console()
"""


@pytest.mark.parametrize(
    ("name", "code", "said"), [("SIGTERM", 143, "Terminated."), ("SIGINT", 130, "Interrupted.")]
)
def test_a_signal_python_cannot_raise_still_ends_the_command(
    name: str, code: int, said: str
) -> None:
    """A signal that lands in a garbage-collector callback: Python drops its exception (with
    an 'Exception ignored' traceback); `kg` still ends with 128 + the signal, one line, no
    traceback."""
    import subprocess

    script = _SIGNAL_IN_A_CALLBACK.replace("{name}", name)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == code, done.stderr
    assert done.stdout == "done\n"
    assert done.stderr.strip().splitlines() == [said], done.stderr
