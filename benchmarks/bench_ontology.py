"""Time and memory of the ontology layer: module extraction, full merge, loading the full merge.

Each step runs in its own Python subprocess. Reported per step (median of --runs):
wall time, CPU time (user+sys of the process tree, from getrusage), the largest
single process's peak RSS (getrusage ru_maxrss), and the peak RSS of the whole
process tree sampled from /proc every 50 ms (the full merge uses two worker
processes, so the tree peak is the honest figure). Prints a Markdown table.

Usage (from the repository root):
    .venv/bin/python benchmarks/bench_ontology.py [--runs 3] [--only extract|full|load]
The source files are the ones ontologies/sources.yaml names, read from the download
cache (`kg ontologies fetch`), or from the folder KG_ONTOLOGY_SOURCES_DIR names.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIX = ["mondo", "go", "cl", "hp", "uberon", "chebi"]

PRELUDE = """
import json, os, sys
from pathlib import Path
from kg.ontology.sources.config import load_config
from kg.ontology.sources.locate import SourceLocator
folder = os.environ.get("KG_ONTOLOGY_SOURCES_DIR")
locator = SourceLocator(load_config(Path("ontologies/sources.yaml")), folder and Path(folder))
out = Path(sys.argv[1])
"""

STEPS: dict[str, str] = {
    "extract": PRELUDE
    + """
from kg.curation.load import load_curation
from kg.ontology.extraction import extract_modules
report = extract_modules(locator, load_curation("data"), out, command="bench")
print(json.dumps({k: v.get("triples", 0) for k, v in report.counts.items()}))
""",
    "full": PRELUDE
    + """
from kg.ontology.full_merge import full_merge_ntriples
print(json.dumps(full_merge_ntriples(locator, out, SIX)))
""".replace("SIX", repr(SIX)),
    "load": """
import json, sys
from pathlib import Path
from kg.ontology.full_merge import load_store
out = Path(sys.argv[1])
store = load_store({p.stem: p for p in sorted(out.glob("*.nt"))})
print(json.dumps({"quads": len(store)}))
""",
}
#: appended to every step: the step's own peak RSS figures (KiB), as the last output line
EPILOGUE = """
import resource
print(json.dumps({
    "self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
}))
"""
TITLES = {
    "extract": "module extraction (all configured, curated seeds + mappings)",
    "full": "full merge to N-Triples: " + " + ".join(SIX),
    "load": "pyoxigraph Store.load of the full-merge N-Triples",
}


@dataclass
class Run:
    wall: float
    cpu: float
    max_process_mib: float
    tree_mib: float
    output: str


def _tree_rss_kib(root: int) -> int:
    """Sum of VmRSS over root and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def run_step(step: str, out: Path) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)  # for CPU time only
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", STEPS[step] + EPILOGUE, str(out)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss_kib(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = proc.communicate()
    wall = time.perf_counter() - start
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{step} failed with exit code {proc.returncode}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    *lines, last = stdout.strip().splitlines()
    rss = json.loads(last)
    largest = max(rss["self"], rss["children"]) / 1024
    return Run(wall, cpu, largest, peak[0] / 1024, "\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--only", choices=list(STEPS), action="append")
    args = parser.parse_args()
    steps = args.only or list(STEPS)
    print(
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
        f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}",
        file=sys.stderr,
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-ontology-") as tmp:
        outs = {
            "extract": Path(tmp) / "modules",
            "full": Path(tmp) / "full",
            "load": Path(tmp) / "full",
        }
        if "load" in steps and "full" not in steps:
            run_step("full", outs["full"])
        for step in steps:
            runs = [run_step(step, outs[step]) for _ in range(args.runs)]
            rows.append(
                (
                    step,
                    _median(runs, "wall"),
                    _median(runs, "cpu"),
                    _median(runs, "max_process_mib"),
                    _median(runs, "tree_mib"),
                    runs[-1].output,
                )
            )
            print(f"{step}: done", file=sys.stderr)
    print(
        "| step | wall s | CPU s | peak RSS, largest process (MiB) | "
        "peak RSS, process tree (MiB) | output |"
    )
    print("|---|---:|---:|---:|---:|---|")
    for step, wall, cpu, one, tree, output in rows:
        summary = _summary(output)
        print(f"| {TITLES[step]} | {wall:.1f} | {cpu:.1f} | {one:,.0f} | {tree:,.0f} | {summary} |")


def _median(runs: list[Run], field: str) -> float:
    return statistics.median(getattr(r, field) for r in runs)


def _summary(output: str) -> str:
    try:
        data = json.loads(output.splitlines()[-1])
    except (ValueError, IndexError):
        return output[:80]
    return ", ".join(f"{k} {v:,}" for k, v in data.items())


if __name__ == "__main__":
    main()
