"""Wall-clock time of `kg build` and `kg validate`, and how a build grows with the curation.

Each run is a fresh `kg` process (imports included), as a curator runs it. Reported for
each case: wall-clock seconds and the CPU seconds (user + system) of the `kg` process and its
forked helper and worker (on a shared machine the CPU time says more than the wall clock).
Cases: the median of --runs runs of `kg build` (every format; by default on both cores), of
`kg build --jobs 1` (one process) and of `kg validate` on today's data, then one `kg build`
per scale (at the largest scale also with --jobs 1) of a synthetic curation made from the
real files' shapes: every statement, trial, outcome measure and il2kg: entity/publication
copied k times under new ids (trial copies get synthetic NCT numbers, so each is its own
node). Ontology modules are not copied (their size does not grow with the curation).
Targets (wall clock): build <= 2 s and validate <= 1 s median at 1x; 16x build <= 15 s
(exit code 1 if missed).

Usage (from the repository root):
    .venv/bin/python benchmarks/bench_build.py [--runs 5] [--scales 1 4 16]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[1]
KG = [sys.executable, "-c", "from kg.cli import console; console()"]  # the `kg` script
TARGETS_S = {"build": 2.0, "validate": 1.0, "build 16x": 15.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scales", type=int, nargs="*", default=[1, 4, 16])
    args = parser.parse_args()
    rows: list[tuple[str, float, float, str]] = []
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        out = root / "exports"
        cases = (
            ("build", ["build", "--out", str(out)], f"<= {TARGETS_S['build']:g} s"),
            ("build --jobs 1", ["build", "--jobs", "1", "--out", str(out)], "one process"),
            ("validate", ["validate"], f"<= {TARGETS_S['validate']:g} s"),
        )
        for name, argv, note in cases:
            runs = [_run(argv, REPO) for _ in range(args.runs)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            failed |= wall > TARGETS_S.get(name, float("inf"))
            rows.append((f"kg {name} (today's data)", wall, cpu, note))
        for k in args.scales:
            project = root / f"x{k}"
            synthetic_project(project, k)
            for jobs in ("2", "1") if k == max(args.scales) else ("2",):
                argv = ["build", "--jobs", jobs, "--out", str(project / "exports")]
                wall, cpu = _run(argv, project)
                manifest = json.loads((project / "exports" / "manifest.json").read_text("utf-8"))
                quads = manifest["counts"]["quads"]
                target = TARGETS_S.get(f"build {k}x") if jobs == "2" else None
                failed |= target is not None and wall > target
                note = f"{quads:,} quads" + (f"; <= {target:g} s" if target else "")
                case = f"kg build{' --jobs 1' if jobs == '1' else ''}, synthetic curation {k}x"
                rows.append((case, wall, cpu, note))
    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  {'wall s':>7}  {'CPU s':>7}  notes")
    for name, wall, cpu, note in rows:
        print(f"{name:<{width}}  {wall:7.2f}  {cpu:7.2f}  {note}")
    return 1 if failed else 0


def _run(argv: list[str], cwd: Path) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds) of one `kg` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([*KG, *argv], cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"kg {' '.join(argv)} failed:\n{done.stdout}{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def synthetic_project(root: Path, k: int) -> None:
    """data/ (k copies of the curation under new ids) + a copy of ontologies/ under root."""
    shutil.copytree(REPO / "ontologies", root / "ontologies")
    data = root / "data"
    (data / "trials").mkdir(parents=True)
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False

    def load(path: Path) -> Any:
        return yaml.load(path.read_text("utf-8"))

    entities = load(REPO / "data" / "entities.yaml")["entities"]
    publications = load(REPO / "data" / "publications.yaml")["publications"]
    statements = load(REPO / "data" / "statements.yaml")["statements"]
    measures = load(REPO / "data" / "outcome_measures.yaml")["outcome_measures"]
    trials = [load(p) for p in sorted((REPO / "data" / "trials").glob("*.yaml"))]
    out: dict[str, list[Any]] = {
        "entities": list(entities),
        "publications": list(publications),
        "statements": list(statements),
        "outcome_measures": list(measures),
    }
    serial = 0
    for copy in range(1, k):
        tag = f"x{copy}"
        out["entities"] += [_renamed(e, tag) for e in entities if e["id"].startswith("il2kg:")]
        out["publications"] += [
            _renamed(p, tag) for p in publications if p["id"].startswith("il2kg:")
        ]
        out["statements"] += [_renamed(s, tag) for s in statements]
        out["outcome_measures"] += [_renamed(m, tag) for m in measures]
        for trial in trials:
            serial += 1
            copy_of = _renamed(trial, tag)
            registry = dict(copy_of.get("registry") or {})
            if registry.get("nct"):
                registry["nct"] = [f"NCT9{serial:03d}{i:04d}" for i in range(len(registry["nct"]))]
            copy_of["registry"] = registry
            for key in ("primary_endpoints", "secondary_endpoints", "registered_endpoints",
                        "results"):  # fmt: skip
                for item in copy_of.get(key, ()):
                    item["measure"] = f"{item['measure']}-{tag}"
            trials_dir = data / "trials"
            with (trials_dir / f"{copy_of['id']}.yaml").open("w", encoding="utf-8") as fh:
                yaml.dump(copy_of, fh)
    for trial in trials:
        with (data / "trials" / f"{trial['id']}.yaml").open("w", encoding="utf-8") as fh:
            yaml.dump(trial, fh)
    for key, items in out.items():
        with (data / f"{key}.yaml").open("w", encoding="utf-8") as fh:
            yaml.dump({key: items}, fh)


def _renamed(record: dict[str, Any], tag: str) -> dict[str, Any]:
    """A deep copy of record whose id gets the suffix -tag."""
    copy: dict[str, Any] = json.loads(json.dumps(record, default=str))
    copy["id"] = f"{copy['id']}-{tag}"
    return copy


if __name__ == "__main__":
    sys.exit(main())
