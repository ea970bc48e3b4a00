"""The one error type for user mistakes.

Library code raises :class:`KGError` with every problem it found, each with its
location; only the CLI turns it into a message and exit code 1. Anything else
that escapes is a bug and stays a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["KGError", "Problem", "display_path"]


@dataclass(frozen=True, order=True)
class Problem:
    """One located user mistake: where it is, which field, what was expected."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        text = f"{self.field}: {self.message}" if self.field else self.message
        return f"{where}: {text}" if where else text


class KGError(Exception):
    """A user mistake (bad data, bad argument, unreadable file); carries every problem found."""

    def __init__(self, problems: Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(file="", line=None, field="", message=problems)]
        self.problems: tuple[Problem, ...] = tuple(sorted(set(problems), key=_sort_key))
        super().__init__("\n".join(_render(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[KGError], tuple[tuple[Problem, ...]]]:
        """Pickle with every problem (a forked build worker sends its errors to the parent)."""
        return (type(self), (self.problems,))

    @classmethod
    def at(cls, file: str, line: int | None, field: str, message: str) -> KGError:
        """One problem at one place."""
        return cls([Problem(file, line, field, message)])


def _render(p: Problem) -> str:
    return str(p)


def _sort_key(p: Problem) -> tuple[str, int, str, str]:
    return (p.file, p.line or 0, p.field, p.message)


def display_path(path: Path) -> str:
    """A path as messages show it: relative to the working directory where possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
