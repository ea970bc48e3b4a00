"""Where source files come from: only the chosen modules' sources, missing-source advice,
a new curated term after `extract`, and no machine paths in what the project ships."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.errors import KGError

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "tests" / "fixtures" / "ontology-sources"
NEW_TERM = REPO / "tests" / "fixtures" / "ontology-new-term" / "pediatric-sle.obo"
MODULE_NODE = "https://w3id.org/il2-sle-kg/module/"


def _run(args: list[str], cwd: Path) -> tuple[int, str]:
    """`kg ARGS` run in cwd as the console script runs it: a KGError is exit code 1."""
    from kg.cli import app

    here = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, args)
    finally:
        os.chdir(here)
    if isinstance(result.exception, KGError):
        return 1, result.output + str(result.exception)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of data/ and ontologies/ with an empty download cache: a fresh clone."""
    for name in ("data", "ontologies"):
        shutil.copytree(REPO / name, tmp_path / name)
    (tmp_path / "cache").mkdir()
    return tmp_path


def _terms(path: Path) -> set[tuple[str, str, str]]:
    return {
        (q.subject.value, q.predicate.value, str(q.object))
        for q in ox.parse(path=path, format=ox.RdfFormat.TURTLE)
        if not q.subject.value.startswith(MODULE_NODE)
    }


def test_only_mondo_with_one_source_needs_no_other_file(project: Path) -> None:
    mondo = project / "mondo.obo.gz"
    shutil.copyfile(SOURCES / "mondo" / "mondo-2026-05-05.obo.gz", mondo)
    code, output = _run(
        ["ontologies", "extract", "--only", "mondo", "--source", f"mondo={mondo}",
         "--cache-dir", "cache"],
        project,
    )  # fmt: skip
    assert code == 0, output
    assert _terms(project / "ontologies/mondo/module.ttl") == _terms(
        REPO / "ontologies/mondo/module.ttl"
    )
    # the other modules were not touched
    for name in ("cl", "go", "mappings"):
        for path in (REPO / "ontologies" / name).iterdir():
            assert (project / "ontologies" / name / path.name).read_bytes() == path.read_bytes()


def test_a_missing_source_names_the_command_that_gets_it(project: Path) -> None:
    code, output = _run(["ontologies", "extract", "--only", "cl", "--cache-dir", "cache"], project)
    assert code == 1
    assert "ontology source file(s) not found: cl/cl-basic.obo, cl/cl-2026-03-26.obo.gz" in output
    assert "`kg ontologies fetch cl`" in output and "--sources-dir DIR" in output
    assert "mondo" not in output  # only what `--only cl` needs is asked for
    code, output = _run(
        ["ontologies", "full-merge", "--only", "go", "--cache-dir", "cache", "--out", "full"],
        project,
    )
    assert code == 1 and "`kg ontologies fetch go`" in output


def test_full_extraction_asks_for_every_missing_source_at_once(project: Path) -> None:
    from kg.curation.load import load_curation
    from kg.ontology.extraction import extract_modules
    from kg.ontology.sources.config import load_config
    from kg.ontology.sources.locate import SourceLocator

    config = load_config(project / "ontologies" / "sources.yaml")
    with pytest.raises(KGError) as info:
        extract_modules(
            SourceLocator(config, None, project / "cache"),
            load_curation(project / "data"),
            project / "ontologies",
        )
    assert sorted(p.field for p in info.value.problems) == sorted(config.names)


@pytest.mark.slow
def test_a_new_trial_with_a_new_mondo_term_validates_after_extract(project: Path) -> None:
    """The validator's advice ('re-run `kg ontologies extract`') leads somewhere."""
    entities = project / "data" / "entities.yaml"
    text = entities.read_text("utf-8")
    new_entity = (
        "  - id: MONDO:0019725\n"
        "    label: pediatric systemic lupus erythematosus\n"
        "    category: Disease\n"
        "    description: SLE with onset in childhood.\n\n"
    )
    entities.write_text(text.replace("entities:\n", "entities:\n" + new_entity, 1), "utf-8")
    trial = (project / "data" / "trials" / "humrich-2015-case.yaml").read_text("utf-8")
    trial = trial.replace("id: humrich-2015-case", "id: paediatric-demo", 1)
    trial = trial.replace("conditions: [MONDO:0007915]", "conditions: [MONDO:0019725]", 1)
    (project / "data" / "trials" / "paediatric-demo.yaml").write_text(trial, "utf-8")

    code, output = _run(["validate"], project)
    assert code == 1
    assert "MONDO:0019725 is not in ontology MONDO" in output
    assert "re-run `kg ontologies extract`" in output

    source = project / "mondo-with-new-term.obo"
    base = gzip.decompress((SOURCES / "mondo" / "mondo-2026-05-05.obo.gz").read_bytes())
    source.write_bytes(base + b"\n" + NEW_TERM.read_bytes())
    code, output = _run(
        ["ontologies", "extract", "--only", "mondo", "--source", f"mondo={source}",
         "--cache-dir", "cache"],
        project,
    )  # fmt: skip
    assert code == 0, output
    code, output = _run(["validate"], project)
    assert code == 0, output


#: what must never appear in a tracked file: paths of the developers' machines (written with
#: a character class, so that this file does not itself hold the paths it looks for)
MACHINE_PATHS = re.compile(r"\.\./share[d]|/wor[k]/|/roo[t]/")


def test_no_machine_paths_in_tracked_files() -> None:
    """Nothing a user reads or the package ships points at a folder of our machines."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode("utf-8")
    hits = []
    for name in filter(None, listed.split("\0")):
        path = REPO / name
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            if MACHINE_PATHS.search(line) and "MACHINE_PATHS" not in line:
                hits.append(f"{name}:{number}: {line.strip()[:120]}")
    assert hits == []
