"""Safe writes and determinism: a build that fails half-way leaves the previous exports
byte-for-byte intact (and no staging debris); two builds of the same input are identical."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kg.export import formats
from kg.export.base import BuildContext, Sink
from kg.export.formats import SinkEntry
from kg.export.ntriples import NTriplesSink
from kg.pipeline import build

sys.path.insert(0, str(Path(__file__).parent / "bad_input"))
from harness import hash_tree
from miniproject import sample_curation, write_project


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
    entry = SinkEntry("zz-half", "test sink that fails half-way", __name__, "_HalfWriter")
    monkeypatch.setitem(formats.SINKS, entry.name, entry)
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
    """The bundled data too (the session's real build, then one more)."""
    other = tmp_path_factory.mktemp("again")
    build(repo_root / "data", repo_root / "ontologies", other)
    assert hash_tree(other) == hash_tree(exports)
