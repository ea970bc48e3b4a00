"""The one way this project writes a file in place: to a temporary file beside it, then
renamed over it, so a reader (or a crash) never sees a half-written file.

Used by every writer: exports, ontology modules and lock files, downloads, `kg import`
drafts, reports. (A whole build is published the same way one level up:
kg.export.base.publish writes every export into a staging directory and renames the files
into place.) New files get normal permissions (0666 minus the umask), not mkstemp's 0600.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

__all__ = ["replace_atomically", "write_atomic"]


def write_atomic(path: Path, data: str | bytes) -> Path:
    """Write data (text is UTF-8, '\\n' line ends kept as given) to path atomically.

    Creates path's directory if needed. Raises OSError (the caller decides whether that is a
    user error) and leaves no temporary file behind.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return replace_atomically(path, lambda fh: fh.write(raw), binary=True)


def replace_atomically(
    path: Path, write: Callable[[IO[Any]], object], *, binary: bool = False
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
