"""Shared fixtures: the real graph, built once per test session from data/ and ontologies/."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.pipeline import BuildReport, build

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    """(exports dir, report) of one real build of the bundled data."""
    out = tmp_path_factory.mktemp("exports")
    report = build(ROOT / "data", ROOT / "ontologies", out)
    return out, report


@pytest.fixture(scope="session")
def exports(built: tuple[Path, BuildReport]) -> Path:
    return built[0]
