"""The one way this project writes a file in place: to a temporary file beside it, then
renamed over it, so a reader (or a crash) never sees a half-written file.

(A whole build is published the same way one level up: kg.export.base.publish writes
every export into a staging directory and renames the files into place.)
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(path: Path, data: str | bytes) -> Path:
    """Write data (text is UTF-8) to path atomically; create its directory if needed.

    Raises OSError (the caller decides whether that is a user error) and leaves no
    temporary file behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
