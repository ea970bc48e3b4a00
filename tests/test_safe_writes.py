"""Safe writes and determinism: a build that fails half-way leaves the previous exports
byte-for-byte intact (and no staging debris); two builds of the same input are identical."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from kg.errors import KGError, Problem
from kg.export import formats
from kg.export.base import BuildContext, Sink, publish
from kg.export.formats import SinkEntry
from kg.export.ntriples import NTriplesSink
from kg.forked import Forked, can_fork
from kg.pipeline import build

sys.path.insert(0, str(Path(__file__).parent / "bad_input"))
from harness import hash_tree
from miniproject import sample_curation, write_project

needs_fork = pytest.mark.skipif(not can_fork(), reason="fork is unavailable or unsafe here")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small valid project with one good build in exports/."""
    write_project(tmp_path, sample_curation())
    build(tmp_path / "data", tmp_path / "ontologies", tmp_path / "exports")
    return tmp_path


def _rebuild(root: Path) -> None:
    build(root / "data", root / "ontologies", root / "exports")


def _leftovers(exports: Path) -> list[Path]:
    return [p for p in exports.iterdir() if p.name.startswith(".")]


def _add_sink(monkeypatch: pytest.MonkeyPatch, sink: type[Sink], in_worker: bool = False) -> None:
    """Put a test sink of this module into the sink table (last in order: `zz-` names)."""
    entry = SinkEntry(f"zz-{sink.__name__}", sink.__doc__ or "", __name__, sink.__name__,
                      in_worker=in_worker)  # fmt: skip
    monkeypatch.setitem(formats.SINKS, entry.name, entry)


class _Boom(RuntimeError):
    """The injected failure (a bug, not a user error: it must propagate as itself)."""


class _HalfWriter(Sink):
    """Writes half of a file, then fails, like a sink that crashes mid-way."""

    def write(self, ctx: BuildContext, out: Path) -> list[Path]:
        (out / "kg.nt").write_text("<https://example.org/a> <https://example.org/b> ", "utf-8")
        raise _Boom("disk full, say")


def test_a_sink_failing_half_way_leaves_previous_exports(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports = project / "exports"
    before = hash_tree(exports)
    # the data changes, so a completed build would change the exports
    (project / "data" / "entities.yaml").write_text(
        (project / "data" / "entities.yaml").read_text("utf-8").replace("sample IL-2", "IL-2 x"),
        "utf-8",
    )
    _add_sink(monkeypatch, _HalfWriter)
    with pytest.raises(_Boom):
        _rebuild(project)
    assert hash_tree(exports) == before
    assert _leftovers(exports) == []


def test_an_existing_sink_crashing_mid_file_leaves_previous_exports(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports = project / "exports"
    before = hash_tree(exports)
    real_write = NTriplesSink.write

    def crash(self: NTriplesSink, ctx: BuildContext, out: Path) -> list[Path]:
        written = real_write(self, ctx, out)
        path = written[0]
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # half a file
        raise _Boom("killed while writing kg.nt")

    monkeypatch.setattr(NTriplesSink, "write", crash)
    with pytest.raises(_Boom):
        _rebuild(project)
    assert hash_tree(exports) == before
    assert _leftovers(exports) == []


def test_an_interrupt_leaves_previous_exports(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports = project / "exports"
    before = hash_tree(exports)

    def interrupt(self: NTriplesSink, ctx: BuildContext, out: Path) -> list[Path]:
        raise KeyboardInterrupt

    monkeypatch.setattr(NTriplesSink, "write", interrupt)
    with pytest.raises(KeyboardInterrupt):
        _rebuild(project)
    assert hash_tree(exports) == before
    assert _leftovers(exports) == []


def test_two_builds_are_byte_identical(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    first = hash_tree(project / "exports")
    other = tmp_path_factory.mktemp("second")
    build(project / "data", project / "ontologies", other)
    assert hash_tree(other) == first
    _rebuild(project)  # and a rebuild in place changes nothing
    assert hash_tree(project / "exports") == first


@pytest.mark.slow
def test_real_data_builds_are_byte_identical(
    exports: Path, repo_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The bundled data too: the session's real build (one process), then one more with the
    property-graph sinks in a forked worker (the default where fork is available)."""
    other = tmp_path_factory.mktemp("again")
    build(repo_root / "data", repo_root / "ontologies", other, jobs=2)
    assert hash_tree(other) == hash_tree(exports)


class _ProjectionBoom(Sink):
    """A sink that runs in the forked worker and crashes."""

    def write(self, ctx: BuildContext, out: Path) -> list[Path]:
        (out / "graph.graphml").write_text("<graphml", "utf-8")
        raise _Boom("the worker's sink failed")


class _BadArgument(Sink):
    """A sink that raises a user error (KGError) in the worker."""

    def write(self, ctx: BuildContext, out: Path) -> list[Path]:
        raise KGError.at("data/trials.yaml", 7, "arms[0].dose", "expected a number")


@needs_fork
def test_a_worker_failure_is_raised_here_and_leaves_previous_exports(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports = project / "exports"
    before = hash_tree(exports)
    _add_sink(monkeypatch, _ProjectionBoom, in_worker=True)
    with pytest.raises(_Boom, match="the worker's sink failed") as raised:
        build(project / "data", project / "ontologies", exports, jobs=2)
    cause = str(raised.value.__cause__)  # the worker's traceback
    assert "test_safe_writes.py" in cause and "_Boom: the worker's sink failed" in cause
    assert hash_tree(exports) == before
    assert _leftovers(exports) == []


@needs_fork
def test_a_user_error_in_the_worker_keeps_its_location(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_sink(monkeypatch, _BadArgument, in_worker=True)
    with pytest.raises(KGError) as raised:
        build(project / "data", project / "ontologies", project / "exports", jobs=2)
    assert raised.value.problems == (
        Problem("data/trials.yaml", 7, "arms[0].dose", "expected a number"),
    )


@needs_fork
def test_invalid_data_stops_the_worker_and_writes_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker starts before validation; a violation kills it and nothing is published."""
    exports = project / "exports"
    before = hash_tree(exports)
    started: list[int] = []
    real_start = Forked.start

    def start(work: Any) -> Any:
        forked = real_start(work)
        started.append(forked._process.pid)
        return forked

    monkeypatch.setattr(Forked, "start", start)
    statements = project / "data" / "statements.yaml"  # an ECO code no module declares:
    text = statements.read_text("utf-8")  # a violation of validation, not of loading
    statements.write_text(text.replace("ECO:0000304", "ECO:0000305"), "utf-8")
    with pytest.raises(KGError, match="Evidence-codeDeclared"):
        build(project / "data", project / "ontologies", exports, jobs=2)
    assert started, "the worker was started"
    with pytest.raises(ProcessLookupError):  # killed and reaped
        os.kill(started[0], 0)
    assert hash_tree(exports) == before
    assert _leftovers(exports) == []


def test_one_and_two_processes_write_the_same_bytes(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    one = tmp_path_factory.mktemp("one")
    build(project / "data", project / "ontologies", one, jobs=1)
    assert hash_tree(one) == hash_tree(project / "exports")  # the fixture's build: jobs=2


def test_a_fork_that_fails_leaves_the_work_to_this_process(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Out of processes (EAGAIN from fork): the build writes everything itself, same bytes."""
    import multiprocessing.context

    def no_fork(self: object) -> None:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.context.ForkProcess, "start", no_fork)
    other = tmp_path_factory.mktemp("nofork")
    build(project / "data", project / "ontologies", other, jobs=2)
    assert hash_tree(other) == hash_tree(project / "exports")
    assert _leftovers(other) == []


class _Dies(Sink):
    """A worker sink whose process ends without answering (killed, out of memory)."""

    def write(self, ctx: BuildContext, out: Path) -> list[Path]:
        os._exit(3)


@needs_fork
def test_a_worker_that_dies_is_an_error_here_and_leaves_previous_exports(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports = project / "exports"
    before = hash_tree(exports)
    _add_sink(monkeypatch, _Dies, in_worker=True)
    with pytest.raises(
        KGError, match=r"worker process died \(exit code 3\); run it again, or with --jobs 1"
    ):
        build(project / "data", project / "ontologies", exports, jobs=2)
    assert hash_tree(exports) == before
    assert _leftovers(exports) == []


_STOP_DURING_VALIDATION = """
import os, signal, sys
import kg.pipeline as P
real = P._validated
def validated(*args, **kwargs):  # the helper and the worker are running by now
    os.kill(os.getpid(), signal.{name})
    return real(*args, **kwargs)
P._validated = validated
sys.argv = ["kg", "build", "--data", "data", "--ontologies", "ontologies", "--out", "{out}"]
from kg.cli import console
console()
"""


@pytest.mark.parametrize(
    ("name", "code", "said"), [("SIGINT", 130, "Interrupted."), ("SIGTERM", 143, "Terminated.")]
)
@pytest.mark.parametrize("out", ["exports", "new-exports"])
def test_a_signal_stops_a_build_cleanly(
    project: Path, name: str, code: int, said: str, out: str
) -> None:
    """Ctrl-C or SIGTERM (kill, timeout, a CI runner) in the middle of `kg build`: one line
    that says so, 128 + the signal's number, no traceback from any process, the previous
    exports as they were (or no folder at all), no staging folder left."""
    import subprocess

    before = hash_tree(project / "exports")
    script = _STOP_DURING_VALIDATION.replace("{name}", name).replace("{out}", out)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=project, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == code, done.stderr
    assert done.stderr.strip().splitlines()[-1] == said
    assert "Traceback" not in done.stderr
    if out == "exports":
        assert hash_tree(project / "exports") == before
        assert _leftovers(project / "exports") == []
    else:
        assert not (project / out).exists()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_staging_folders_of_killed_builds_are_removed_by_the_next(project: Path) -> None:
    """SIGKILL leaves its staging folder; the next build into that folder removes it (its
    process no longer runs), and leaves a running build's folder alone."""
    import subprocess

    exports = project / "exports"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    dead = exports / f".staging-{gone}-abc123"
    (dead / "views").mkdir(parents=True)
    (dead / "views" / "index.html.part").write_text("<html", "utf-8")
    alive = exports / f".staging-{os.getpid()}-def456"  # this process runs: kept
    alive.mkdir()
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])  # ended, not yet reaped
    while not Path(f"/proc/{zombie.pid}/stat").read_text().rpartition(")")[2].startswith(" Z"):
        time.sleep(0.01)
    unreaped = exports / f".staging-{zombie.pid}-ghi789"
    unreaped.mkdir()
    _rebuild(project)
    zombie.wait()
    assert not dead.exists() and not unreaped.exists() and alive.is_dir()
    alive.rmdir()


def test_a_failed_build_into_a_new_folder_leaves_no_folder(project: Path) -> None:
    """Nothing half-written: not even the empty output folder the build made."""
    new = project / "new" / "exports"

    def fails(staged: Path) -> list[Path]:
        (staged / "kg.nt").write_text("<https://example.org/a> ", "utf-8")
        raise _Boom("disk full, say")

    with pytest.raises(_Boom):
        publish(new, fails)
    assert not new.exists() and (project / "new").is_dir()


def test_formats_left_out_are_removed_with_their_folders(project: Path) -> None:
    """`--format ttl` into a full exports folder: it then matches its manifest, no empty
    folders of the formats not built remain."""
    exports = project / "exports"
    assert (exports / "views").is_dir() and (exports / "kgx").is_dir()
    build(project / "data", project / "ontologies", exports, formats=["ttl"])
    assert sorted(p.name for p in exports.iterdir()) == ["kg.ttl", "manifest.json"]
