"""Fetching one public record over HTTP(S), for `kg import`: timeouts, retries, clear errors.

Only `kg import` reaches the network, and only when the user names records without
`--from FILE`. Transient failures (a timeout, a refused or dropped connection, HTTP 429 or
5xx) are retried with a growing pause; a definite answer (HTTP 404, 400) is not. Every
failure ends as a :class:`KGError` that names the URL, what went wrong and the offline
alternative, so the CLI exits 1 with a message instead of a traceback.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from kg import __version__
from kg.errors import KGError

__all__ = ["FetchPolicy", "fetch_bytes"]

USER_AGENT = f"il2-sle-kg/{__version__} (kg import)"
#: the most a record may weigh; a study record is ~10-200 kB, a PubMed article ~10-50 kB
MAX_BYTES = 20_000_000
#: HTTP statuses worth another attempt (rate limit, server trouble)
RETRYABLE = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class FetchPolicy:
    """How hard to try: seconds per attempt, number of attempts, first pause (doubles)."""

    timeout: float = 30.0
    attempts: int = 3
    backoff: float = 1.0


def fetch_bytes(
    url: str,
    what: str,
    offline_hint: str,
    policy: FetchPolicy | None = None,
    accept: str = "application/json",
    sleep: Callable[[float], None] = time.sleep,
) -> bytes:
    """GET url and return the body (at most MAX_BYTES).

    what: the record named in messages ("ClinicalTrials.gov record NCT02955615").
    offline_hint: what the user can do instead ("pass --from FILE ...").
    Raises KGError (field: the URL) for a 404, any other HTTP error, a body that is too
    large, or a network failure/timeout that persists over every attempt.
    """
    policy = policy or FetchPolicy()
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": accept})
    last = ""
    for attempt in range(1, max(1, policy.attempts) + 1):
        try:
            with urllib.request.urlopen(request, timeout=policy.timeout) as response:
                body = response.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise KGError.at(url, None, "", f"{what}: response exceeds {MAX_BYTES:,} bytes")
            return body
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise KGError.at(
                    url, None, "", f"{what} not found (HTTP 404); check the identifier"
                ) from None
            last = f"HTTP {exc.code} {exc.reason}"
            if exc.code not in RETRYABLE:
                raise KGError.at(url, None, "", f"{what}: the server answered {last}") from None
        except TimeoutError:
            last = f"no answer within {policy.timeout:g} s"
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                last = f"no answer within {policy.timeout:g} s"
            else:
                last = f"cannot connect ({reason})"
        except (OSError, http.client.HTTPException) as exc:
            last = f"connection failed ({exc})"
        if attempt < policy.attempts:
            sleep(policy.backoff * 2 ** (attempt - 1))
    raise KGError.at(
        url,
        None,
        "",
        f"cannot fetch {what}: {last} after {policy.attempts} attempt(s). Are you offline? "
        f"{offline_hint}",
    )
