"""kg.download: the one rule both network commands follow (kg import, kg ontologies fetch):
which failures are retried, how long it pauses, and when it gives up."""

from __future__ import annotations

import http.server
import threading
import urllib.error
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from kg.download import RETRYABLE, FetchPolicy, Transient, open_url, with_retries


class _Status(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = int(self.path.strip("/"))
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Status)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join()


@pytest.mark.parametrize("status", [200, 400, 403, 404, 408, 410, 425, 429, 500, 502, 503, 504])
def test_an_http_status_is_transient_exactly_when_it_is_retryable(base: str, status: int) -> None:
    if status == 200:
        with open_url(f"{base}/200", {}, timeout=5) as response:
            assert response.read() == b"ok"
    elif status in RETRYABLE:
        with pytest.raises(Transient, match=f"HTTP {status}"):
            open_url(f"{base}/{status}", {}, timeout=5)
    else:
        with pytest.raises(urllib.error.HTTPError) as info:
            open_url(f"{base}/{status}", {}, timeout=5)
        assert info.value.code == status


@given(
    outcomes=st.lists(st.sampled_from(["transient", "ok", "definite"]), min_size=1, max_size=6),
    attempts=st.integers(min_value=0, max_value=5),
    backoff=st.floats(min_value=0, max_value=10, allow_nan=False),
)
@settings(max_examples=examples(200))
def test_retries_follow_one_rule(outcomes: list[str], attempts: int, backoff: float) -> None:
    """Transient failures are retried up to `attempts` tries in all (at least one) with pauses
    backoff * 1, 2, 4 ...; a success or any other failure ends at once."""
    calls: list[int] = []
    pauses: list[float] = []

    def attempt() -> str:
        calls.append(1)
        outcome = outcomes[min(len(calls), len(outcomes)) - 1]
        if outcome == "transient":
            raise Transient(f"try {len(calls)}")
        if outcome == "definite":
            raise ValueError("definite")
        return f"ok after {len(calls)}"

    policy = FetchPolicy(timeout=1, attempts=attempts, backoff=backoff)
    allowed = max(1, attempts)
    first_end = next((i for i, o in enumerate(outcomes, 1) if o != "transient"), None)
    try:
        result = with_retries(attempt, policy, sleep=pauses.append)
    except Transient as exc:
        assert first_end is None or first_end > allowed
        assert len(calls) == allowed and str(exc) == f"try {allowed}"
    except ValueError:
        assert first_end is not None and first_end <= allowed
        assert outcomes[first_end - 1] == "definite" and len(calls) == first_end
    else:
        assert first_end is not None and outcomes[first_end - 1] == "ok"
        assert result == f"ok after {first_end}"
    assert pauses == [backoff * 2**k for k in range(len(calls) - 1)]
