"""Time-to-ready of the HTML views in headless Chromium: the default view and 5,000 nodes.

Time-to-ready is `window.kgReadyMs`: performance.now() (0 = navigation start) when the
network has been drawn for the first time, so it covers reading and parsing the page, the
inlined vis-network, building the DataSets and the first draw. Each run opens the page in a
fresh browser context from file://. Also reported: the Python render time and page size.
Targets: default view <= 2 s, synthetic 5,000-node view <= 6 s (exit code 1 if missed).

Usage (from the repository root):
    .venv/bin/python benchmarks/bench_views.py [--runs 5] [--nodes 5000]
        [--screenshot docs/img/view.png]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from kg.export.html import write_view
from kg.pipeline import project_sources
from kg.views.select import View, curated_view, mechanism_view
from kg.views.synthetic import synthetic_graph

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]  # fmt: skip
TARGETS_MS = {"default view (index.html)": 2000.0, "synthetic": 6000.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--screenshot", type=Path, help="Save the mechanism view here (PNG).")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    graph = project_sources(REPO / "data", REPO / "ontologies")
    cases = [
        ("default view (index.html)", curated_view(graph)),
        ("synthetic", View("synthetic", f"{args.nodes:,} synthetic nodes", "benchmark",
                           synthetic_graph(args.nodes))),
    ]  # fmt: skip
    rows = []
    failed = False
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, view in cases:
            start = time.perf_counter()
            path = write_view(view, Path(tmp) / f"{view.slug}.html")
            render_s = time.perf_counter() - start
            times = [_time_to_ready(browser, path) for _ in range(args.runs)]
            median = statistics.median(times)
            target = TARGETS_MS["synthetic" if view.slug == "synthetic" else name]
            failed |= median > target
            rows.append(
                f"| {name} | {len(view.graph.nodes):,} | {len(view.graph.edges):,} "
                f"| {path.stat().st_size / 1e6:.1f} MB | {render_s:.1f} s | {median:,.0f} ms "
                f"| {min(times):,.0f}-{max(times):,.0f} ms | {target:,.0f} ms "
                f"| {'ok' if median <= target else 'MISSED'} |"
            )
        if args.screenshot:
            _screenshot(browser, mechanism_view(graph), Path(tmp), args.screenshot)
        browser.close()
    print(f"Time-to-ready in headless Chromium, median of {args.runs} runs\n")
    print("| view | nodes | edges | page | render (Python) | ready (median) | range | target | |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    print("\n".join(rows))
    return 1 if failed else 0


def _time_to_ready(browser: object, path: Path) -> float:
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(path.as_uri())
    page.wait_for_function("window.kgReady === true", timeout=60_000)
    ready = float(page.evaluate("window.kgReadyMs"))
    context.close()
    return ready


def _screenshot(browser: object, view: View, tmp: Path, target: Path) -> None:
    path = write_view(view, tmp / "mechanism.html")
    context = browser.new_context(viewport={"width": 1400, "height": 860})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(path.as_uri())
    page.wait_for_function("window.kgReady === true", timeout=60_000)
    treg = next((n.id for n in view.graph.nodes if n.name == "regulatory T cell"), None)
    if treg:
        page.evaluate("id => kgView.select(id)", treg)
        page.evaluate("() => kgView.network.fit({animation: false})")
    page.wait_for_timeout(300)
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target))
    context.close()
    print(f"Saved {target}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
