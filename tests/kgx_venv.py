"""Run kgx (tests/kgx_offline.py) in its own virtual environment, `.venv-kgx`, and read its JSON.

kgx 2.6 pins numpy < 2 (through pyarrow 15), so installed beside the package it would change
the numpy and pandas the whole suite runs on. `.ci/run` makes `.venv-kgx` from the pinned
`tools/kgx-requirements.txt`; without it the KGX validator tests skip with CREATE as the
reason, and under `.ci/run` (KG_REQUIRE_TOOLS=1, tests/conftest.py) that skip fails instead.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
KGX_VENV = ROOT / ".venv-kgx"
REQUIREMENTS = ROOT / "tools" / "kgx-requirements.txt"
SCRIPT = Path(__file__).with_name("kgx_offline.py")
FIXTURES = Path(__file__).parent / "fixtures" / "biolink"
#: the Biolink Model 4.4.6 JSON-LD context, as released (context.jsonld)
BIOLINK_CONTEXT = FIXTURES / "biolink_model.context.jsonld"
#: the command that makes kgx's environment (what .ci/run runs)
CREATE = "python3 -m venv .venv-kgx && .venv-kgx/bin/pip install -r tools/kgx-requirements.txt"
#: a kgx run of the whole build takes seconds; this only stops a hung one
TIMEOUT_S = 600


def kgx_python() -> Path | None:
    """The Python of `.venv-kgx` (POSIX or Windows layout), or None if there is none."""
    for candidate in (KGX_VENV / "bin" / "python", KGX_VENV / "Scripts" / "python.exe"):
        if candidate.exists():
            return candidate
    return None


def kgx_missing() -> str | None:
    """Why kgx cannot run here (a skip reason naming the command that fixes it), or None."""
    if kgx_python() is None:
        return f"kgx's own environment .venv-kgx is missing; make it with `{CREATE}`"
    return None


def run_kgx(*args: str | Path) -> dict[str, Any]:
    """tests/kgx_offline.py's JSON answer to args, run by .venv-kgx's Python.

    Raises AssertionError with kgx's stderr when the script fails (a broken .venv-kgx or a
    kgx crash is a test failure, never a skip), and RuntimeError if .venv-kgx is missing.
    """
    python = kgx_python()
    if python is None:
        raise RuntimeError(kgx_missing())
    # -P: tests/ (the script's folder) is not put on kgx's import path
    proc = subprocess.run(
        [str(python), "-P", str(SCRIPT), *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", timeout=TIMEOUT_S, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise AssertionError(
            f"{python} {SCRIPT.name} {' '.join(map(str, args))} exited {proc.returncode}:\n"
            f"{proc.stderr[-4000:]}"
        )
    return json.loads(proc.stdout)


def validate(directory: Path, context: Path) -> dict[str, list[tuple[str, str, str]]]:
    """kgx's validator on directory's nodes.tsv + edges.tsv: level -> [(type, message, entity)]."""
    report = run_kgx("validate", directory, context)["report"]
    return {level: [tuple(e) for e in errors] for level, errors in report.items()}


def to_ntriples(directory: Path, context: Path, out: Path) -> Path:
    """`kgx transform --stream` of directory's KGX TSV into N-Triples at out; return out."""
    return Path(run_kgx("transform", directory, context, out)["out"])


def versions() -> dict[str, str]:
    """Distribution -> version in .venv-kgx (kgx, biolink-model, bmt, numpy, pandas, ...)."""
    return run_kgx("versions")["versions"]


def pinned() -> dict[str, str]:
    """Distribution -> version pinned (`name==version`) in tools/kgx-requirements.txt."""
    out = {}
    for line in REQUIREMENTS.read_text("utf-8").splitlines():
        name, sep, version = line.split("#")[0].strip().partition("==")
        if sep:
            out[name.lower().replace("_", "-")] = version
    return out


def project_context(path: Path) -> Path:
    """Write the Biolink context extended by the project's prefixes Biolink lacks; return path.

    Biolink registers no prefix for a provider's own records (biolink-model issue 1627), so a
    KGX consumer declares them, as here, from kg/namespaces.py's one prefix map.
    """
    from kg.namespaces import PREFIXES

    context = json.loads(BIOLINK_CONTEXT.read_text("utf-8"))
    ours = {p: ns for p, ns in PREFIXES.items() if p.startswith("il2kg.")}
    context["@context"].update(ours)
    path.write_text(json.dumps(context, indent=1), "utf-8")
    return path


def biolink_prefixes() -> dict[str, str]:
    """prefix -> namespace of Biolink's JSON-LD context (what kgx expands CURIEs with)."""
    context = json.loads(BIOLINK_CONTEXT.read_text("utf-8"))["@context"]
    out = {}
    for prefix, value in context.items():
        ns = value if isinstance(value, str) else value.get("@id") if value.get("@prefix") else None
        if ns and not prefix.startswith("@"):
            out[prefix] = ns
    return out
