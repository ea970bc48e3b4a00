"""`kg ontologies fetch` against a loopback HTTP server: success, lock, mismatch, 404, cut-off."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.errors import KGError
from kg.ontology.sources.config import load_config
from kg.ontology.sources.fetch import fetch_sources
from kg.ontology.sources.locate import SourceLocator, cache_path
from kg.ontology.sources.lock import LockEntry, read_lock

FIXTURES = Path(__file__).parent / "fixtures" / "ontology"
MINI = (FIXTURES / "mini.obo").read_bytes()
DOID = (FIXTURES / "doid.obo").read_bytes()


class _Server:
    """Serves FILES on 127.0.0.1; `cut[path] = n` cuts the next n responses off mid-body."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {"/mini.obo": MINI, "/doid.obo": DOID}
        self.cut: dict[str, int] = {}
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if server.cut.get(self.path, 0) > 0:
                    server.cut[self.path] -= 1
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> _Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[_Server]:
    with _Server() as s:
        yield s


def _config(tmp_path: Path, base: str, mondo: str = "/mini.obo", doid: str = "/doid.obo") -> Path:
    path = tmp_path / "ontologies" / "sources.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "ontologies:\n"
        f"  mondo:\n    files: [{{url: '{base}{mondo}', file: mini.obo}}]\n"
        "    prefixes: [MONDO]\n    licence: CC BY 4.0\n    why: test\n"
        f"  doid:\n    files: [{{url: '{base}{doid}'}}]\n"
        "    prefixes: [DOID]\n    licence: CC0 1.0\n    why: test\n"
    )
    return path


def _locator(config: Path, tmp_path: Path) -> SourceLocator:
    return SourceLocator(load_config(config), None, tmp_path / "cache")


def _fetch(locator: SourceLocator, *names: str, **kw: object) -> list:
    options: dict = {"backoff_s": 0, "timeout_s": 5, **kw}
    return fetch_sources(locator, names, **options)


def test_fetch_records_the_lock_then_verifies(server: _Server, tmp_path: Path) -> None:
    config = _config(tmp_path, server.base)
    locator = _locator(config, tmp_path)
    first = _fetch(locator)
    assert [(r.name, r.status) for r in first] == [("mondo", "recorded"), ("doid", "recorded")]
    cached = cache_path(locator.cache_dir, f"{server.base}/mini.obo")
    assert cached.read_bytes() == MINI
    assert cached.parent.name == "127.0.0.1_" + server.base.rsplit(":", 1)[1]
    lock = read_lock(config.with_suffix(".lock"))
    assert lock[f"{server.base}/mini.obo"] == LockEntry(hashlib.sha256(MINI).hexdigest(), len(MINI))
    # later fetches check the cached copies against the lock without downloading again
    server.requests.clear()
    again = _fetch(_locator(config, tmp_path))
    assert [r.status for r in again] == ["verified", "verified"]
    assert server.requests == []
    # a damaged cached copy is downloaded again and checked against the lock
    cached.write_bytes(b"damaged")
    assert [r.status for r in _fetch(_locator(config, tmp_path), "mondo")] == ["downloaded"]
    assert cached.read_bytes() == MINI
    # and extraction reads the cache, recording the URL as the file it read ...
    [cached_file] = _locator(config, tmp_path).locate("mondo")
    assert (cached_file.written, cached_file.from_cache) == (f"{server.base}/mini.obo", True)
    # ... unless --sources-dir holds the file under its `file:` name, or --source names one
    folder = SourceLocator(load_config(config), FIXTURES, locator.cache_dir)
    assert [f.written for f in folder.locate("mondo")] == ["mini.obo"]
    named = SourceLocator(load_config(config, {"mondo": str(FIXTURES / "doid.obo")}), FIXTURES)
    assert [f.location for f in named.locate("mondo")] == [str(FIXTURES / "doid.obo")]
    # no temporary file is left anywhere in the cache
    assert not [p for p in locator.cache_dir.rglob("*") if p.name.endswith(".part")]


def test_checksum_mismatch_writes_nothing_and_keeps_the_lock(
    server: _Server, tmp_path: Path
) -> None:
    config = _config(tmp_path, server.base)
    _fetch(_locator(config, tmp_path), "mondo")
    lock_before = config.with_suffix(".lock").read_bytes()
    server.files["/mini.obo"] = MINI.replace(b"lupus", b"lupUs")  # the release changed
    fresh = SourceLocator(load_config(config), None, tmp_path / "other-cache")
    with pytest.raises(KGError) as info:
        _fetch(fresh, "mondo")
    [problem] = info.value.problems
    assert problem.file == f"{server.base}/mini.obo"
    assert "checksum mismatch" in problem.message and "--update" in problem.message
    assert not (tmp_path / "other-cache").exists() or not any(
        p.is_file() for p in (tmp_path / "other-cache").rglob("*")
    )
    assert config.with_suffix(".lock").read_bytes() == lock_before
    # --update records the new file on purpose
    [result] = _fetch(fresh, "mondo", update=True)
    assert result.status == "updated"
    assert read_lock(config.with_suffix(".lock"))[result.url].size == len(MINI)


def test_404_is_not_retried_and_the_other_files_are_still_fetched(
    server: _Server, tmp_path: Path
) -> None:
    config = _config(tmp_path, server.base, mondo="/gone.obo")
    locator = _locator(config, tmp_path)
    with pytest.raises(KGError) as info:
        _fetch(locator, retries=3)
    [problem] = info.value.problems
    assert problem.file == f"{server.base}/gone.obo"
    assert problem.message.startswith("HTTP 404")
    assert server.requests.count("/gone.obo") == 1
    assert cache_path(locator.cache_dir, f"{server.base}/doid.obo").read_bytes() == DOID
    assert list(read_lock(config.with_suffix(".lock"))) == [f"{server.base}/doid.obo"]


def test_interrupted_transfer_is_retried_cleanly(server: _Server, tmp_path: Path) -> None:
    config = _config(tmp_path, server.base)
    locator = _locator(config, tmp_path)
    server.cut["/mini.obo"] = 1  # the first response stops halfway
    [result] = _fetch(locator, "mondo", retries=3)
    assert result.status == "recorded"
    assert server.requests.count("/mini.obo") == 2
    assert cache_path(locator.cache_dir, result.url).read_bytes() == MINI
    assert read_lock(config.with_suffix(".lock"))[result.url].sha256 == (
        hashlib.sha256(MINI).hexdigest()
    )


def test_interrupted_every_time_fails_and_leaves_nothing(server: _Server, tmp_path: Path) -> None:
    config = _config(tmp_path, server.base)
    locator = _locator(config, tmp_path)
    server.cut["/mini.obo"] = 10
    with pytest.raises(KGError) as info:
        _fetch(locator, "mondo", retries=2)
    [problem] = info.value.problems
    assert "after 2 attempt(s)" in problem.message and "interrupted" in problem.message
    assert server.requests.count("/mini.obo") == 2
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert not config.with_suffix(".lock").exists()


def test_cached_copy_that_no_longer_matches_the_lock_is_refused_at_extract(
    server: _Server, tmp_path: Path
) -> None:
    from kg.ontology.extraction.source_table import SourceTable

    config = _config(tmp_path, server.base)
    locator = _locator(config, tmp_path)
    _fetch(locator, "mondo")
    cache_path(locator.cache_dir, f"{server.base}/mini.obo").write_bytes(MINI + b"\n")
    with pytest.raises(KGError, match=r"is not the file recorded in .*kg ontologies fetch"):
        SourceTable(_locator(config, tmp_path), required={"mondo"}).get("mondo")


def test_fetch_cli_shows_progress_and_writes_the_lock(server: _Server, tmp_path: Path) -> None:
    from kg.ontology import cli

    config = _config(tmp_path, server.base)
    result = CliRunner().invoke(
        cli.app,
        ["fetch", "mondo", "--config", str(config), "--cache-dir", str(tmp_path / "c")],
    )
    assert result.exit_code == 0, result.output
    assert "recorded" in result.output and f"{server.base}/mini.obo" in result.output
    doc = json.loads(config.with_suffix(".lock").read_text())
    assert list(doc["files"]) == [f"{server.base}/mini.obo"]
    bad = CliRunner().invoke(cli.app, ["fetch", "nope", "--config", str(config)])
    assert bad.exit_code == 1 and "no source named 'nope'" in str(bad.exception)


def test_default_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from kg.ontology.sources.locate import CACHE_ENV, default_cache_dir

    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr("sys.platform", "linux")
    assert default_cache_dir() == tmp_path / "xdg" / "il2-sle-kg" / "ontologies"


def test_an_unknown_host_fails_at_once_with_a_located_error(tmp_path: Path) -> None:
    """No network (or a host that does not exist) is not worth 3 attempts per file."""
    config = _config(tmp_path, "http://no-such-host.invalid")
    with pytest.raises(KGError) as info:
        _fetch(_locator(config, tmp_path), retries=3, backoff_s=30)
    assert [p.file for p in info.value.problems] == [
        "http://no-such-host.invalid/doid.obo",
        "http://no-such-host.invalid/mini.obo",
    ]
    assert all(
        "cannot resolve the host no-such-host.invalid" in p.message for p in info.value.problems
    )
