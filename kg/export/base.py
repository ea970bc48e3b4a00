"""The export contract, the sink table's classes, and atomic publication of a build.

A sink writes into a staging directory; only when every sink has succeeded are
the files moved into `exports/` (each by an atomic rename), so a failed build
leaves the previous exports untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Dataset

from kg.curation.load import LoadedCuration
from kg.errors import KGError

if TYPE_CHECKING:
    import pyoxigraph

    from kg.property_graph.graph import PropertyGraph

__all__ = ["STAGING_PREFIX", "BuildContext", "Sink", "publish", "staging"]


@dataclass
class BuildContext:
    """What every sink may read: the dataset, the curation, and the one projection."""

    dataset: Dataset
    loaded: LoadedCuration
    ontology_sources: dict[str, dict[str, object]] = field(default_factory=dict)
    input_hashes: dict[str, str] = field(default_factory=dict)

    @cached_property
    def quads(self) -> list[pyoxigraph.Quad]:
        """The dataset as pyoxigraph quads, converted once for every RDF sink."""
        from kg.rdf.oxigraph import to_oxigraph

        return to_oxigraph(self.dataset)

    @cached_property
    def triples(self) -> list[pyoxigraph.Triple]:
        """The union of every named graph, each triple once, sorted (N-Triples order)."""
        return sorted({q.triple for q in self.quads}, key=str)

    @cached_property
    def projection(self) -> PropertyGraph:
        """The RDF -> property-graph projection, computed once for every property-graph sink."""
        from kg.property_graph.projection import project

        return project(self.dataset)


class Sink(ABC):
    """One export format; its name and description are its row of kg.export.formats.SINKS."""

    @abstractmethod
    def write(self, ctx: BuildContext, out: Path) -> list[Path]:
        """Write the format's files under out (a staging directory); return their paths."""


MANIFEST = "manifest.json"


def publish(out_dir: Path, write_all: Callable[[Path], list[Path]]) -> list[Path]:
    """Run write_all into a fresh staging dir inside out_dir, then move its files into place.

    Files the previous build listed in its manifest but this build did not write are removed
    (and the folders that leaves empty), so out_dir always matches its manifest.
    If write_all raises, the staging dir is deleted and out_dir is left as it was.
    Raises KGError when out_dir cannot be created or written.
    """
    with staging(out_dir) as staged:
        try:
            written = write_all(staged)
        except OSError as exc:  # disk full, permissions: the previous exports stay as they were
            where = exc.filename or staged
            raise KGError.at(
                str(out_dir), None, "", f"cannot write {where}: {exc.strerror}"
            ) from None
        relative = sorted(p.relative_to(staged) for p in written)
        previous = _previous_outputs(out_dir)
        for rel in relative:
            target = out_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged / rel, target)
        for stale in sorted(previous - {str(r) for r in relative}):
            (out_dir / stale).unlink(missing_ok=True)
            _remove_empty_parents(out_dir / stale, out_dir)
        return [out_dir / r for r in relative]


STAGING_PREFIX = ".staging-"


@contextmanager
def staging(out_dir: Path) -> Iterator[Path]:
    """Within: a fresh private folder in out_dir for files not yet published.

    Named `.staging-<pid>-<random>`; being inside out_dir, its files are published by a
    rename, never a copy across file systems. Staging folders that builds killed outright
    (SIGKILL, a power cut) left behind are removed first: those whose process no longer runs
    on this machine. On leaving, the folder is removed, and so is out_dir if this made it and
    nothing was published into it. Raises KGError when out_dir cannot be created or written.
    """
    made = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for leftover in out_dir.glob(f"{STAGING_PREFIX}*"):
            pid = leftover.name.removeprefix(STAGING_PREFIX).split("-", 1)[0]
            if pid.isdigit() and not _running(int(pid)):
                shutil.rmtree(leftover, ignore_errors=True)
        path = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=out_dir))
    except OSError as exc:
        raise KGError.at(
            str(out_dir), None, "", f"cannot write exports here: {exc.strerror}"
        ) from None
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        if made:
            with suppress(OSError):  # not empty: something was published
                out_dir.rmdir()


def _running(pid: int) -> bool:
    """True while process pid exists and is not a zombie (ended, not yet reaped; Linux /proc)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    try:  # the field after the parenthesised command name is the state: Z for a zombie
        stat = Path(f"/proc/{pid}/stat").read_text("ascii", "replace")
    except OSError:  # no /proc (macOS), or it just ended
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def _remove_empty_parents(path: Path, root: Path) -> None:
    """Remove path's parent folders up to (not including) root while they are empty."""
    for parent in path.parents:
        if parent == root or root not in parent.parents:
            return
        try:
            parent.rmdir()
        except OSError:  # not empty (or gone): stop here
            return


def _previous_outputs(out_dir: Path) -> set[str]:
    manifest = out_dir / MANIFEST
    if not manifest.exists():
        return set()
    try:
        outputs = json.loads(manifest.read_text("utf-8")).get("outputs", {})
    except (ValueError, AttributeError):
        return set()
    return {name for name in outputs if ".." not in Path(name).parts}
