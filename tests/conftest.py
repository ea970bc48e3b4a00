"""Shared fixtures: the real graph, built once per test session from data/ and ontologies/.

One real build serves every test that only reads its exports (a build of the bundled data is
the most expensive thing the suite does). The build is traced while it runs: which pipeline
stages ran and which input files were read, so that the test that each stage runs once and
each input is read once needs no build of its own. Tests must not change what these fixtures
return (they are shared by the whole session); a test that needs to change a project copies it.
"""

from __future__ import annotations

import builtins
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis_profiles import CI, FAST

from kg.pipeline import Assembled, BuildReport, build

ROOT = Path(__file__).resolve().parents[1]

#: pipeline stages whose calls the session build counts: (module, function name)
STAGES = (
    ("kg.pipeline", "load_curation"),
    ("kg.pipeline", "iter_modules"),
    ("kg.pipeline", "build_graph"),
    ("kg.pipeline", "validate"),
    ("kg.property_graph.projection", "project"),
)

#: the tools CI installs; with KG_REQUIRE_TOOLS=1 (set by .ci/run) a test that needs one of
#: them fails when it is missing instead of skipping
REQUIRE_TOOLS = "KG_REQUIRE_TOOLS"


@dataclass
class BuildTrace:
    """What the session build did: stage name -> calls, input file -> times it was read."""

    calls: Counter[str] = field(default_factory=Counter)
    reads: Counter[Path] = field(default_factory=Counter)
    assembled: list[Assembled] = field(default_factory=list)


@dataclass(frozen=True)
class RealBuild:
    """The session's build of the bundled data: exports dir, report and trace."""

    out: Path
    report: BuildReport
    trace: BuildTrace


def _traced_build(out: Path) -> RealBuild:
    """build() of the real data with every stage call and every input read counted.

    The wrappers only count and pass through, so the exports are those of a plain build.
    """
    import importlib

    import kg.pipeline as pipeline

    trace = BuildTrace()
    inputs = ((ROOT / "data").resolve(), (ROOT / "ontologies").resolve())

    def note(path: object) -> None:
        if isinstance(path, int):  # open() of a file descriptor
            return
        resolved = Path(str(path)).resolve()
        if any(resolved.is_relative_to(d) for d in inputs):
            trace.reads[resolved] += 1

    with pytest.MonkeyPatch.context() as mp:
        for module_name, name in STAGES:
            module = importlib.import_module(module_name)
            original = getattr(module, name)

            def counted(*args: Any, _f: Any = original, _n: str = name, **kwargs: Any) -> Any:
                trace.calls[_n] += 1
                return _f(*args, **kwargs)

            mp.setattr(module, name, counted)

        real_validated = pipeline._validated

        def recorded(*args: Any, **kwargs: Any) -> Assembled:
            result = real_validated(*args, **kwargs)
            trace.assembled.append(result)
            return result

        mp.setattr(pipeline, "_validated", recorded)
        read_bytes, read_text, open_ = Path.read_bytes, Path.read_text, builtins.open
        mp.setattr(Path, "read_bytes", lambda self: (note(self), read_bytes(self))[1])
        mp.setattr(
            Path, "read_text", lambda self, *a, **k: (note(self), read_text(self, *a, **k))[1]
        )
        mp.setattr(builtins, "open", lambda file, *a, **k: (note(file), open_(file, *a, **k))[1])
        # one process, so the counters see every stage (a forked worker's counts stay in
        # the worker); test_real_data_builds_are_byte_identical builds again with two
        report = build(ROOT / "data", ROOT / "ontologies", out, jobs=1)
    return RealBuild(out, report, trace)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Hypothesis's profile: ``fast`` (a fifth of the examples) when the run leaves the slow
    tier out, ``ci`` (every example) otherwise (tests/hypothesis_profiles.py). Runs before
    Hypothesis's own plugin, so that ``--hypothesis-profile NAME`` still wins."""
    markexpr = config.getoption("markexpr", "") or ""
    settings.load_profile(FAST if "not slow" in markexpr else CI)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> RealBuild:
    """The one traced build of the bundled data (every export format)."""
    return _traced_build(tmp_path_factory.mktemp("exports"))


@pytest.fixture(scope="session")
def built(real_build: RealBuild) -> tuple[Path, BuildReport]:
    """(exports dir, report) of one real build of the bundled data."""
    return real_build.out, real_build.report


@pytest.fixture(scope="session")
def exports(built: tuple[Path, BuildReport]) -> Path:
    return built[0]


@pytest.fixture(scope="session")
def exports_store(exports: Path) -> Any:
    """The session build's kg.nq in one read-only pyoxigraph store (query it, never change it)."""
    import pyoxigraph

    store = pyoxigraph.Store()
    store.bulk_load(path=str(exports / "kg.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="session")
def assembled(real_build: RealBuild) -> Assembled:
    """The session build's loaded, built and validated graph (stages 1-3, nothing re-run)."""
    assert len(real_build.trace.assembled) == 1, "build() validates through _validated"
    return real_build.trace.assembled[0]


@pytest.fixture(scope="session")
def real_context(assembled: Assembled) -> Any:
    """A BuildContext of the session build's graph, as the sinks see it (no exports): its
    projection and quads are computed once for every test that uses it."""
    from kg.export.base import BuildContext

    return BuildContext(dataset=assembled.dataset, loaded=assembled.loaded)


@pytest.fixture(scope="session")
def exports_projection(exports: Path) -> tuple[Any, Any]:
    """(rdflib Dataset, PropertyGraph) read back from the session build's kg.nq, once."""
    from property_graph_samples import projection_of_exports

    return projection_of_exports(exports)


@pytest.fixture(scope="session")
def exports_union_dataset(exports_projection: tuple[Any, Any]) -> Any:
    """The same parsed kg.nq as an rdflib Dataset whose default graph is the union."""
    from rdflib import Dataset

    return Dataset(store=exports_projection[0].store, default_union=True)


@pytest.fixture(scope="session")
def exports_kuzu(exports: Path) -> Any:
    """A Kuzu connection to the session build's neo4j-admin CSVs, loaded once (read only)."""
    pytest.importorskip("kuzu", reason="pip install kuzu (the test extra)")
    from property_graph_samples import load_admin_csv_into_kuzu

    return load_admin_csv_into_kuzu(exports / "neo4j")


@pytest.fixture(scope="session")
def pristine_project(real_build: RealBuild, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/ + ontologies/ of this checkout with the session build as its exports/."""
    root = tmp_path_factory.mktemp("pristine")
    for name in ("data", "ontologies"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copytree(real_build.out, root / "exports")
    return root


#: skip reasons that name a tool .ci/run installs (Debian's chromium, Jena ARQ, a JDK, Node and
#: the npm packages of tools/cypher-lint, and the test extra's engines): under CI such a skip
#: is a broken set-up, not a pass
CI_TOOLS = re.compile(
    r"chromium|jena|\bjava|\bjdk\b|\bnode\b|\bnpm\b|cypher-lint|falkordb|kuzu|kgx|biolink",
    re.IGNORECASE,
)


def _fail_missing_ci_tool(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Turn report's skip into a failure if KG_REQUIRE_TOOLS=1 and it names a CI tool."""
    if not report.skipped or os.environ.get(REQUIRE_TOOLS) != "1":
        return
    if hasattr(report, "wasxfail") or not isinstance(report.longrepr, tuple):
        return
    reason = str(report.longrepr[2]).removeprefix("Skipped: ")
    if CI_TOOLS.search(reason):
        report.outcome = "failed"
        report.longrepr = f"missing tool: {reason}\n({REQUIRE_TOOLS}=1: CI installs it)"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """With KG_REQUIRE_TOOLS=1 (set by .ci/run) a skip for a missing CI tool is a failure.

    On a developer's machine without Chromium, Jena or Node such tests skip, their reason
    saying what to install; CI installs all of them, so there the same skip fails loudly.
    """
    outcome = yield
    _fail_missing_ci_tool(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    """The same for a whole module skipped at import (pytest.importorskip of kgx, say)."""
    outcome = yield
    _fail_missing_ci_tool(outcome.get_result())


# ---- headless Chromium (Debian's package) for the browser tests --------------------------


@pytest.fixture(scope="session")
def browser() -> Any:
    """One headless Chromium for the session's browser tests (each opens its own context)."""
    from chromium import CHROMIUM, CHROMIUM_ARGS, NO_CHROMIUM

    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
