"""Apply a bad-input case to a copy of the project and run the real `kg` entry point on it.

A case is a few small edits (replace text, append, overwrite, transform bytes, copy, delete)
to a copy of data/ + ontologies/ (+ a good exports/ built beforehand), a `kg` command line,
and the exact problem lines the command must print. Expected lines may hold placeholders,
resolved against the mutated copy so that the corpus survives routine data edits:

- ``{L0}``, ``{L1}``...: the line where edit k's replacement (or its ``mark``) starts;
  ``{L0+1}`` the line after it;
- ``{@path#text}``: the line where ``text`` first occurs in ``path`` (after the edits;
  ``{@path#EOF}`` is its last line);
- ``{#path#id}``: the index of the record with this id in ``path``'s top-level list (before
  the edits), ``{#path::key#id}`` in the list under ``key``;
- ``{N:path}``: the number of records in ``path``'s top-level list (before the edits);
- ``{size:path}``: the size of ``path`` in bytes, with thousands separators;
- ``{name}``: a value the test supplies (``{formats}``, ``{checks}``, ``{prefixes}``).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML

__all__ = [
    "Append",
    "Case",
    "Copy",
    "Delete",
    "Replace",
    "Run",
    "Transform",
    "Write",
    "apply",
    "copy_project",
    "expected_lines",
    "hash_tree",
    "problem_lines",
    "run_kg",
]


@dataclass(frozen=True)
class Replace:
    """Replace the first occurrence of `find` (a regex if `regex`) in `file`."""

    file: str
    find: str
    replace: str
    regex: bool = False
    mark: str | None = None  # where {Lk} points: this text inside the replacement


@dataclass(frozen=True)
class Append:
    file: str
    text: str
    mark: str | None = None


@dataclass(frozen=True)
class Write:
    file: str
    data: bytes


@dataclass(frozen=True)
class Transform:
    """Replace the file's bytes with fn(bytes): truncation, huge files."""

    file: str
    fn: Callable[[bytes], bytes]


@dataclass(frozen=True)
class Copy:
    src: str
    dst: str


@dataclass(frozen=True)
class Delete:
    file: str


Edit = Replace | Append | Write | Transform | Copy | Delete


@dataclass(frozen=True)
class Case:
    """One malformed input: edits, the command, and what it must print."""

    id: str
    edits: tuple[Edit, ...]
    expect: tuple[str, ...]
    args: tuple[str, ...] = ("build",)
    exact: bool = True  # the problem lines are exactly `expect` (else: they include it)
    code: int = 1
    needs: tuple[str, ...] = ()  # files that must exist in the project for the case to apply


def copy_project(src: Path, dst: Path) -> None:
    """data/ and ontologies/ (and exports/ if present) of src into dst.

    exports/ (40 MB of a real build) is hard-linked, not copied, where the file system allows:
    `kg` never writes into an export in place (it writes a temporary file and renames it), and
    a test that checks exports/ is untouched hashes every file before and after anyway, so a
    write into a linked file would still fail that test.
    """
    for name in ("data", "ontologies"):
        if (src / name).is_dir():
            shutil.copytree(src / name, dst / name)
    if (src / "exports").is_dir():
        shutil.copytree(src / "exports", dst / "exports", copy_function=_link_or_copy)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system, or links not allowed
        shutil.copy2(src, dst)


def apply(case: Case, root: Path) -> dict[str, int]:
    """Apply the edits under root; return {'L0': line, ...} for the placeholders."""
    lines: dict[str, int] = {}
    for k, edit in enumerate(case.edits):
        if isinstance(edit, Copy):
            shutil.copyfile(root / edit.src, root / edit.dst)
            continue
        path = root / edit.file
        if isinstance(edit, Delete):
            path.unlink()
        elif isinstance(edit, Write):
            path.write_bytes(edit.data)
        elif isinstance(edit, Transform):
            path.write_bytes(edit.fn(path.read_bytes()))
        elif isinstance(edit, Append):
            text = path.read_text("utf-8")
            start = len(text)
            path.write_text(text + edit.text, "utf-8")
            lines[f"L{k}"] = _line_at(text + edit.text, start, edit.text, edit.mark)
        else:
            text = path.read_text("utf-8")
            pattern = edit.find if edit.regex else re.escape(edit.find)
            match = re.search(pattern, text)
            if match is None:
                raise AssertionError(f"case {case.id}: {edit.find!r} not found in {edit.file}")
            new = match.expand(edit.replace) if edit.regex else edit.replace
            text = text[: match.start()] + new + text[match.end() :]
            path.write_text(text, "utf-8")
            lines[f"L{k}"] = _line_at(text, match.start(), new, edit.mark)
    return lines


def _line_at(text: str, start: int, inserted: str, mark: str | None) -> int:
    offset = start + (inserted.index(mark) if mark else len(inserted) - len(inserted.lstrip("\n")))
    return text.count("\n", 0, offset) + 1


def expected_lines(
    case: Case, root: Path, pristine: Path, lines: dict[str, int], names: dict[str, str]
) -> list[str]:
    """The case's expected lines with every placeholder resolved; `names` fills {name}."""

    def at(m: re.Match[str]) -> str:
        path, text = m.group(1), m.group(2)
        content = (root / path).read_bytes().decode("utf-8", errors="replace")
        if text == "EOF":  # the file's last line
            return str(content.rstrip("\n").count("\n") + 1)
        if text not in content:
            raise AssertionError(f"case {case.id}: {text!r} not in {path}")
        return str(content[: content.index(text)].count("\n") + 1)

    def records(spec: str) -> list[dict[str, object]]:
        path, _, key = spec.partition("::")
        data = YAML(typ="safe").load((pristine / path).read_text("utf-8"))
        return data[key] if key else next(v for v in data.values() if isinstance(v, list))

    def index(m: re.Match[str]) -> str:
        items = records(m.group(1))
        return str(next(i for i, item in enumerate(items) if item.get("id") == m.group(2)))

    out = []
    for template in case.expect:
        text = re.sub(
            r"\{(L\d+)([+-]\d+)?\}",
            lambda m: str(lines[m.group(1)] + int(m.group(2) or 0)),
            template,
        )
        text = re.sub(r"\{@([^#}]+)#([^}]+)\}", at, text)
        text = re.sub(r"\{#([^#}]+)#([^}]+)\}", index, text)
        text = re.sub(r"\{N:([^}]+)\}", lambda m: str(len(records(m.group(1)))), text)
        text = re.sub(
            r"\{size:([^}]+)\}", lambda m: f"{(root / m.group(1)).stat().st_size:,}", text
        )
        out.append(re.sub(r"\{([a-z]+)\}", lambda m: names.get(m.group(1), m.group(0)), text))
    return out


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    output: str = field(init=False)

    def __post_init__(self) -> None:
        self.output = self.stdout + self.stderr


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    import os

    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def run_kg(args: tuple[str, ...], cwd: Path) -> Run:
    """Run kg.cli.main() in-process, exactly as the `kg` console script does."""
    from kg.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    argv = sys.argv
    code = 0
    try:
        sys.argv = ["kg", *args]
        with _cwd(cwd), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = argv
    return Run(code, stdout.getvalue(), stderr.getvalue())


def problem_lines(output: str) -> list[str]:
    """The located lines `kg` printed: `kg validate`'s violations (its warnings are not
    problems), then the problems after 'Error:' (printed indented by two spaces)."""
    lines = output.splitlines()
    findings = [line for line in lines if line.startswith("violation ")]
    if "Error:" not in lines:
        return findings
    after = lines[lines.index("Error:") + 1 :]
    return findings + [line[2:] for line in after if line.startswith("  ")]


def hash_tree(root: Path) -> dict[str, str]:
    """sha256 of every file under root, by relative path."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
