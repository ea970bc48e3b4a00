"""HTTP(S) GET for `kg import` and `kg ontologies fetch`: one way to sort failures, one retry rule.

Only those two commands reach the network (`kg import` only without `--from FILE`). A
failure is one of three kinds:
- transient (:class:`Transient`): a timeout, a refused or dropped connection, a transfer cut
  short, HTTP 408/425/429/5xx; retried after a pause that doubles (:func:`with_retries`);
- definite: any other HTTP status (404 ...), raised as urllib's HTTPError for the caller to
  word ("record not found", "not downloaded");
- no network: a host name that does not resolve; a :class:`KGError` at once, since retrying
  cannot help.
Callers turn what is left after the last attempt into a KGError that names the URL, what went
wrong and the offline alternative, so the CLI exits 1 with a message instead of a traceback.
"""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from kg import __version__
from kg.errors import KGError

__all__ = [
    "RETRYABLE",
    "FetchPolicy",
    "Transient",
    "fetch_bytes",
    "open_url",
    "user_agent",
    "with_retries",
]

T = TypeVar("T")

#: the most a record may weigh; a study record is ~10-200 kB, a PubMed article ~10-50 kB
MAX_BYTES = 20_000_000
#: HTTP statuses worth another attempt (timeout, too early, rate limit, server trouble)
RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504})


class Transient(Exception):
    """A failure worth another attempt; its text says what happened."""


@dataclass(frozen=True)
class FetchPolicy:
    """How hard to try: seconds per attempt, number of attempts, first pause (doubles)."""

    timeout: float = 30.0
    attempts: int = 3
    backoff: float = 1.0


def user_agent(purpose: str) -> str:
    """The User-Agent header: the project, its version and the command ("kg import")."""
    return f"il2-sle-kg/{__version__} ({purpose})"


def open_url(
    url: str, headers: dict[str, str], timeout: float, offline_hint: str = ""
) -> http.client.HTTPResponse:
    """urlopen(url) with its failures sorted into the kinds of this module's docstring.

    Raises Transient, urllib.error.HTTPError (a definite HTTP answer), or KGError (the host
    does not resolve; the message ends with offline_hint).
    """
    request = urllib.request.Request(url, headers=headers)
    try:
        response: http.client.HTTPResponse = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code in RETRYABLE:
            raise Transient(f"HTTP {exc.code} {exc.reason}") from None
        raise
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, socket.gaierror):  # no such host, or no network
            host = urlsplit(url).hostname
            raise KGError.at(
                url,
                None,
                "",
                f"cannot resolve the host {host} ({reason.strerror}): check the network "
                "connection (a proxy is read from HTTPS_PROXY / HTTP_PROXY)"
                + (f". {offline_hint}" if offline_hint else ""),
            ) from None
        if isinstance(reason, TimeoutError):
            raise Transient(f"no answer within {timeout:g} s") from None
        raise Transient(f"cannot connect ({reason})") from None
    except TimeoutError:
        raise Transient(f"no answer within {timeout:g} s") from None
    except (OSError, http.client.HTTPException) as exc:
        raise Transient(f"connection failed ({exc})") from None
    return response


def with_retries(
    attempt: Callable[[], T], policy: FetchPolicy, sleep: Callable[[float], None] = time.sleep
) -> T:
    """attempt() until it returns; after a Transient failure, pause and try again.

    Pauses policy.backoff * 2**(k-1) seconds after the k-th failure; makes at most
    policy.attempts attempts (at least one), then raises the last Transient. Other
    exceptions propagate at once.
    """
    attempts = max(1, policy.attempts)
    for k in range(1, attempts + 1):
        try:
            return attempt()
        except Transient:
            if k == attempts:
                raise
            sleep(policy.backoff * 2 ** (k - 1))
    raise AssertionError("unreachable")  # pragma: no cover


def fetch_bytes(
    url: str,
    what: str,
    offline_hint: str,
    policy: FetchPolicy | None = None,
    accept: str = "application/json",
    sleep: Callable[[float], None] = time.sleep,
) -> bytes:
    """GET url and return the body (at most MAX_BYTES), for `kg import`.

    what: the record named in messages ("ClinicalTrials.gov record NCT02955615").
    offline_hint: what the user can do instead ("pass --from FILE ...").
    Raises KGError (file: the URL) for a 404, any other definite HTTP error, a body that is
    too large, a host that does not resolve, or a transient failure over every attempt.
    """
    policy = policy or FetchPolicy()
    headers = {"User-Agent": user_agent("kg import"), "Accept": accept}

    def attempt() -> bytes:
        with open_url(url, headers, policy.timeout, offline_hint) as response:
            try:
                body = response.read(MAX_BYTES + 1)
            except TimeoutError:
                raise Transient(f"no answer within {policy.timeout:g} s") from None
            except (OSError, http.client.HTTPException) as exc:
                raise Transient(f"connection failed ({exc})") from None
        if len(body) > MAX_BYTES:
            raise KGError.at(url, None, "", f"{what}: response exceeds {MAX_BYTES:,} bytes")
        return body

    try:
        return with_retries(attempt, policy, sleep)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise KGError.at(
                url, None, "", f"{what} not found (HTTP 404); check the identifier"
            ) from None
        raise KGError.at(
            url, None, "", f"{what}: the server answered HTTP {exc.code} {exc.reason}"
        ) from None
    except Transient as exc:
        raise KGError.at(
            url,
            None,
            "",
            f"cannot fetch {what}: {exc} after {policy.attempts} attempt(s). Are you offline? "
            f"{offline_hint}",
        ) from None
