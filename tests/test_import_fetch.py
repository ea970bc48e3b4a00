"""The fetch path of `kg import`: a loopback HTTP server replays the test records.

The server (http.server in a thread, bound to 127.0.0.1 on a free port) answers like the
ClinicalTrials.gov API v2 (``/studies/<NCT>``) and NCBI EFetch (``/efetch.fcgi``) with the
TEST records of tests/fixtures/, or with a scripted failure: 404, a reply slower than the
client's timeout, malformed JSON, 503 once then success. Offline is a port nothing listens
on: the command must fail with a clear message and exit code 1, writing nothing. Retries wait
--backoff 0.05 s (the default 1 s would only make the tests slower); one test checks the pause.
"""

from __future__ import annotations

import shutil
import socket
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

sys.path.insert(0, str(Path(__file__).parent / "bad_input"))

from harness import Run, run_kg

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


class Replay(ThreadingHTTPServer):
    """A loopback server: path -> list of scripted answers (the last one repeats)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script: dict[str, list[tuple[int, bytes, float]]] = {}
        self.requests: list[str] = []
        self.times: list[float] = []  # time.monotonic() of each request

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def answer(self, path: str, *answers: tuple[int, bytes, float]) -> None:
        self.script[path] = list(answers)


class _Handler(BaseHTTPRequestHandler):
    server: Replay

    def do_GET(self) -> None:
        url = urlparse(self.path)
        self.server.requests.append(self.path)
        self.server.times.append(time.monotonic())
        key = url.path
        if url.path.endswith("efetch.fcgi"):
            key += "?id=" + parse_qs(url.query).get("id", [""])[0]
        answers = self.server.script.get(key) or [(404, b'{"error": "not found"}', 0.0)]
        status, body, delay = answers.pop(0) if len(answers) > 1 else answers[0]
        time.sleep(delay)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Replay]:
    srv = Replay()
    # poll often: shutdown() waits for the loop's next poll (0.5 s by default)
    poll = {"poll_interval": 0.02}
    thread = threading.Thread(target=srv.serve_forever, kwargs=poll, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("data", "ontologies"):
        shutil.copytree(ROOT / name, tmp_path / name)
    (tmp_path / "data/trials/lupil-2.yaml").unlink()
    return tmp_path


def kg(root: Path, *args: str) -> Run:
    return run_kg(args, root)


def nothing_written(root: Path) -> bool:
    return (
        not (root / "data/registry").exists() and not (root / "data/trials/lupil-2.yaml").exists()
    )


LUPIL2 = (FIXTURES / "registry/NCT02955615.json").read_bytes()
BACKOFF = ("--backoff", "0.05")  # seconds before the second try
ARGS = ("import", "clinicaltrials", "NCT02955615", "--attempts", "2", "--timeout", "2", *BACKOFF)


def test_fetch_success_saves_the_record_and_drafts_the_trial(server: Replay, project: Path) -> None:
    server.answer("/api/v2/studies/NCT02955615", (200, LUPIL2, 0.0))
    run = kg(project, *ARGS, "--api", f"{server.base}/api/v2", "--retrieved", "2026-11-30")
    assert run.code == 0, run.output
    assert server.requests == ["/api/v2/studies/NCT02955615?format=json"]
    assert (project / "data/registry/NCT02955615.json").exists()
    assert "retrieved 2026-11-30" in (project / "data/trials/lupil-2.yaml").read_text("utf-8")


def test_the_api_base_comes_from_the_environment(
    server: Replay, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.answer("/v2/studies/NCT02955615", (200, LUPIL2, 0.0))
    monkeypatch.setenv("KG_CTGOV_API", f"{server.base}/v2")
    run = kg(project, *ARGS)
    assert run.code == 0, run.output
    assert server.requests == ["/v2/studies/NCT02955615?format=json"]


def test_404_is_a_clear_error(server: Replay, project: Path) -> None:
    run = kg(project, *ARGS, "--api", server.base)
    assert run.code == 1
    assert "ClinicalTrials.gov record NCT02955615 not found (HTTP 404)" in run.output
    assert len(server.requests) == 1  # a definite answer is not retried
    assert "Traceback" not in run.output and nothing_written(project)


def test_timeout_is_retried_then_a_clear_error(server: Replay, project: Path) -> None:
    server.answer("/studies/NCT02955615", (200, LUPIL2, 1.5))
    args = ("import", "clinicaltrials", "NCT02955615", "--attempts", "2", "--timeout", "0.3",
            *BACKOFF)  # fmt: skip
    started = time.monotonic()
    run = kg(project, *args, "--api", server.base)
    assert run.code == 1
    assert "no answer within 0.3 s after 2 attempt(s)" in run.output
    assert "--from FILE" in run.output
    assert len(server.requests) == 2
    assert time.monotonic() - started < 10
    assert nothing_written(project)


def test_malformed_json_is_located(server: Replay, project: Path) -> None:
    server.answer("/studies/NCT02955615", (200, b'{"protocolSection": {"identif', 0.0))
    run = kg(project, *ARGS, "--api", server.base)
    assert run.code == 1
    assert f"{server.base}/studies/NCT02955615:1: not valid JSON" in run.output
    assert nothing_written(project)


def test_a_passing_server_error_is_retried(server: Replay, project: Path) -> None:
    """503 once, then the record: the second try comes after the --backoff pause."""
    server.answer("/studies/NCT02955615", (503, b"busy", 0.0), (200, LUPIL2, 0.0))
    run = kg(project, *ARGS, "--backoff", "0.3", "--api", server.base)
    assert run.code == 0, run.output
    assert len(server.requests) == 2
    assert server.times[1] - server.times[0] >= 0.3


def test_the_server_answering_another_study_is_refused(server: Replay, project: Path) -> None:
    other = (FIXTURES / "registry/NCT02084238.json").read_bytes()
    server.answer("/studies/NCT02955615", (200, other, 0.0))
    run = kg(project, *ARGS, "--api", server.base)
    assert run.code == 1
    assert "the API answered with NCT02084238" in run.output
    assert nothing_written(project)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_offline_fails_with_a_clear_message_and_exit_1(project: Path) -> None:
    api = f"http://127.0.0.1:{_closed_port()}/api/v2"
    run = kg(project, *ARGS, "--api", api)
    assert run.code == 1
    assert "cannot fetch ClinicalTrials.gov record NCT02955615: cannot connect" in run.output
    assert "Are you offline?" in run.output and "--from FILE" in run.output
    assert "Traceback" not in run.output and nothing_written(project)


def test_offline_pubmed_fails_with_a_clear_message(project: Path) -> None:
    before = (project / "data/publications.yaml").read_bytes()
    api = f"http://127.0.0.1:{_closed_port()}"
    run = kg(project, "import", "pubmed", "35973803", "--api", api, "--attempts", "1")
    assert run.code == 1
    assert "cannot fetch PubMed record(s) 35973803: cannot connect" in run.output
    assert (project / "data/publications.yaml").read_bytes() == before


def test_pubmed_fetch_completes_an_entry(server: Replay, project: Path) -> None:
    xml = (FIXTURES / "pubmed/lupil-2-and-he-2016.xml").read_bytes()
    server.answer("/efetch.fcgi?id=35973803", (200, xml, 0.0))
    run = kg(project, "import", "pubmed", "35973803", "--api", server.base)
    assert run.code == 0, run.output
    assert server.requests[0].startswith("/efetch.fcgi?db=pubmed&retmode=xml&tool=il2-sle-kg")
    # (the curated title is exact, so the import keeps it and reports the difference)
    assert "Completed PMID:35973803: volume, issue, pages, authors, pmcid." in run.output
    assert "PMC9999999" in (project / "data/publications.yaml").read_text("utf-8")


def test_pubmed_without_the_asked_article_is_an_error(server: Replay, project: Path) -> None:
    xml = (FIXTURES / "pubmed/lupil-2-and-he-2016.xml").read_bytes()
    server.answer("/efetch.fcgi?id=12345", (200, xml, 0.0))
    run = kg(project, "import", "pubmed", "12345", "--api", server.base)
    assert run.code == 1
    assert "no PubMed article for PMID 12345" in run.output
