"""Replacing a file atomically: write a temporary file beside it, then rename it into place.

A reader (or a crash) never sees half a module, lock file, N-Triples file or download:
the target is either the old file or the complete new one. The new file gets normal
permissions (0666 minus the umask), not mkstemp's 0600.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

__all__ = ["replace_atomically"]


def replace_atomically(
    path: Path, write: Callable[[IO[Any]], None], *, binary: bool = False
) -> Path:
    """Call write(fh) on a temporary file in path's folder, then rename it to path.

    Text files are UTF-8 with '\\n' line ends. If write raises, the temporary file is
    removed and path is left as it was; OSError propagates for the caller to locate.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        if binary:
            with os.fdopen(fd, "wb") as fh:
                write(fh)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                write(fh)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
