"""Whether a build's exports still match their inputs: `kg query` and `kg serve` warn if not.

`kg build` records the SHA-256 of every input (curation YAML, ontology modules) in
`manifest.json`, under the paths it read them from (relative to the folder it ran in).
After an edit to `data/` the exports are stale until the next build; answering from
them without a word would show yesterday's graph as today's.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

__all__ = ["stale_inputs", "staleness_warning"]


def stale_inputs(exports_dir: Path, root: Path | None = None) -> list[str]:
    """Inputs changed, removed or added since the build in exports_dir, as 'path (what)'.

    Paths are resolved against root (default: the working directory), as the build
    recorded them. Added files are those beside a recorded input, with the same suffix,
    that the build did not read (a new trial in data/trials/). An empty list means
    fresh, or that the inputs cannot be found from here (nothing to compare with).
    """
    base = Path.cwd() if root is None else root
    try:
        manifest = json.loads((exports_dir / "manifest.json").read_text("utf-8"))
        recorded = {str(k): str(v) for k, v in manifest["inputs"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []
    paths = {name: base / name for name in recorded}
    if not any(p.is_file() for p in paths.values()):
        return []  # run from another folder: the inputs are not here to compare
    found: list[str] = []
    for name, path in sorted(paths.items()):
        if not path.is_file():
            found.append(f"{name} (removed)")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != recorded[name]:
            found.append(f"{name} (changed)")
    known = {p.resolve() for p in paths.values()}
    for folder, suffix in sorted({(p.parent, p.suffix) for p in paths.values()}):
        if folder.is_dir():
            for candidate in sorted(folder.glob(f"*{suffix}")):
                if candidate.resolve() not in known and not candidate.name.startswith("."):
                    found.append(f"{_shown(candidate, base)} (added)")
    return found


def staleness_warning(exports_dir: Path, root: Path | None = None) -> str | None:
    """A one-line warning if the exports are older than their inputs, else None."""
    changed = stale_inputs(exports_dir, root)
    if not changed:
        return None
    shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
    return (
        f"the graph in {exports_dir}/ is older than its inputs: {shown}; "
        "answers come from the last build (run `kg build` to refresh it)"
    )


def _shown(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)
