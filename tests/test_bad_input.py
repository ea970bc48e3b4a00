"""The bad-input corpus (tests/bad_input/cases.py) against the real `kg` entry point.

Each case mutates a copy of the real data/ + ontologies/ that already holds a good build in
exports/, runs `kg` there (cwd = the copy, so paths in messages are relative), and checks:
the exact located problem lines, exit code 1, no traceback, and exports/ byte-for-byte
untouched. A few cases also run through the installed `kg` console script in a subprocess,
to prove the in-process runs behave as the real command does.

The whole corpus is `slow` (CI runs it); the fast tier runs one case of each family (FAST),
so a regression of any kind of error still shows there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "bad_input"))

from cases import CASES
from harness import (
    Case,
    apply,
    copy_project,
    expected_lines,
    hash_tree,
    problem_lines,
    run_kg,
)

ROOT = Path(__file__).resolve().parents[1]
#: run the corpus against another checkout (data/ + ontologies/) than this one
SOURCE = Path(os.environ.get("KG_BAD_INPUT_SOURCE", ROOT))
KG = Path(sys.executable).with_name("kg")


#: one case per family (the id's first word), each failing at its own stage: YAML syntax,
#: types, values, identifiers, references, duplicates, evidence, numbers, units, dates, trial
#: files, files, ontology modules, SHACL shapes, CLI, queries. A case that validates the whole
#: graph costs a full build, so only the shape family's runs here; contradictions (stmt-) are
#: in the fast tier as tests/test_validate.py's contradiction tests.
FAST = {
    "yaml-tab-indentation",
    "type-year-not-int",
    "value-unit-typo-did-you-mean",
    "id-bad-nct",
    "ref-entity-typo-did-you-mean",
    "dup-entity",
    "evidence-quote-too-long",
    "num-percent-disagrees-with-responders",
    "unit-unknown",
    "date-impossible",
    "trial-id-not-file-name",
    "file-not-utf8",
    "ontology-module-cut-mid-statement",
    "shape-trial-without-registry-id",
    "cli-unknown-format",
    "query-syntax-error",
}


def _params(fast: set[str] | tuple[str, ...], ids: object = None) -> list[object]:
    """The cases (those named in ids, or all) as parameters; those not in fast marked slow."""
    return [
        pytest.param(c, id=c.id, marks=() if c.id in fast else pytest.mark.slow)
        for c in CASES
        if ids is None or c.id in ids  # type: ignore[operator]
    ]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """A copy of the project with a good build in exports/ (the corpus starts from it): the
    session's build of this checkout, or a build of KG_BAD_INPUT_SOURCE."""
    if SOURCE.resolve() == ROOT:
        return request.getfixturevalue("pristine_project")
    root = tmp_path_factory.mktemp("pristine")
    copy_project(SOURCE, root)
    shutil.rmtree(root / "exports", ignore_errors=True)
    run = run_kg(("build", "--out", "exports"), root)
    if run.code != 0:
        pytest.fail(f"the real data must build before bad inputs can be tested:\n{run.output}")
    return root


@pytest.fixture(scope="module")
def names() -> dict[str, str]:
    from kg.export.formats import sinks
    from kg.namespaces import known_prefixes
    from kg.rdf.validate import check_ids

    return {
        "formats": ", ".join(sinks()),
        "checks": ", ".join(check_ids()),
        "prefixes": ", ".join(known_prefixes()),
    }


def _prepare(case: Case, pristine: Path, tmp_path: Path) -> tuple[Path, dict[str, int]]:
    root = tmp_path / "project"
    root.mkdir()
    copy_project(pristine, root)
    missing = [n for n in case.needs if not (root / n).exists()]
    if missing and SOURCE.resolve() == ROOT:
        pytest.fail(f"needs {', '.join(missing)}, which this checkout commits", pytrace=False)
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (not in {SOURCE})")
    return root, apply(case, root)


def _check(case: Case, code: int, output: str, expected: list[str], before: dict[str, str],
           root: Path) -> None:  # fmt: skip
    assert "Traceback" not in output, output
    assert code == case.code, output
    if case.code != 1:
        return
    found = problem_lines(output)
    if case.exact:
        assert sorted(found) == sorted(expected), output
    else:
        for line in expected:
            assert any(line in f for f in found), f"{line!r} not in:\n{output}"
    assert hash_tree(root / "exports") == before, "a failed command changed exports/"


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


def test_every_family_has_a_fast_case() -> None:
    assert {c.id for c in CASES} >= FAST
    elsewhere = {"accepted", "stmt"}  # valid input accepted; test_validate's contradictions
    assert {c.id.split("-")[0] for c in CASES} - elsewhere <= {i.split("-")[0] for i in FAST}


@pytest.mark.parametrize("case", _params(FAST))
def test_bad_input(case: Case, pristine: Path, tmp_path: Path, names: dict[str, str]) -> None:
    root, lines = _prepare(case, pristine, tmp_path)
    expected = expected_lines(case, root, pristine, lines, names)
    before = hash_tree(root / "exports")
    run = run_kg(case.args, root)
    _check(case, run.code, run.output, expected, before, root)


SUBPROCESS_CASES = ("unit-unknown", "yaml-tab-indentation", "shape-trial-without-registry-id")


@pytest.mark.skipif(not KG.exists(), reason="the `kg` console script is not installed")
@pytest.mark.parametrize("case", _params({SUBPROCESS_CASES[1]}, SUBPROCESS_CASES))
def test_console_script_matches(
    case: Case, pristine: Path, tmp_path: Path, names: dict[str, str]
) -> None:
    """The installed `kg` script prints the same problems, exits 1, and writes nothing (one
    case in the fast tier, all three in CI)."""
    root, lines = _prepare(case, pristine, tmp_path)
    expected = expected_lines(case, root, pristine, lines, names)
    before = hash_tree(root / "exports")
    env = {**os.environ, "COLUMNS": "80", "TERM": "dumb"}
    proc = subprocess.run(
        [str(KG), *case.args], cwd=root, capture_output=True, text=True, env=env, timeout=300
    )
    _check(case, proc.returncode, proc.stdout + proc.stderr, expected, before, root)


def test_truncated_sssom_is_located(tmp_path: Path) -> None:
    """A mapping file cut off mid-row: the reader names the file and the line."""
    from kg.errors import KGError
    from kg.ontology.readers.sssom import read_sssom

    rows = [
        "# curie_map:",
        "#   MONDO: http://purl.obolibrary.org/obo/MONDO_",
        "#   DOID: http://purl.obolibrary.org/obo/DOID_",
        "#   skos: http://www.w3.org/2004/02/skos/core#",
        "#   semapv: https://w3id.org/semapv/vocab/",
        "# mapping_set_id: https://example.org/test.sssom.tsv",
        "# license: https://creativecommons.org/publicdomain/zero/1.0/",
        "subject_id\tsubject_label\tpredicate_id\tobject_id\tobject_label\tmapping_justification",
        "MONDO:0007915\tsystemic lupus erythematosus\tskos:exactMatch\tDOID:9074\t"
        "systemic lupus erythematosus\tsemapv:ManualMappingCuration",
        "MONDO:0005556\tlupus nephritis\tskos:exac",
    ]
    path = tmp_path / "cut.sssom.tsv"
    path.write_text("\n".join(rows), "utf-8")
    with pytest.raises(KGError) as info:
        read_sssom(str(path))
    assert [str(p) for p in info.value.problems] == [f"{path}:10: row has 3 fields; header has 6"]
