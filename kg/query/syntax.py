"""A lexical look at SPARQL text: which form it is, and whether it calls SERVICE.

The engine parses queries itself; this only finds the keywords that matter before
execution: an UPDATE sent to a read-only interface deserves a clear refusal rather
than the parser's "expected CONSTRUCT", and SERVICE would make the engine fetch
URLs (the endpoint refuses it). Strings, IRIs, comments, variables and prefixed
names are skipped, so `?service` or `ex:insert` are not mistaken for keywords.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["QUERY_FORMS", "UPDATE_FORMS", "keywords", "query_form", "uses_service"]

QUERY_FORMS = frozenset({"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"})
UPDATE_FORMS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)

_TOKEN = re.compile(
    r"""
      (?P<skip>
          \#[^\n]*                                  # comment
        | '''(?:[^'\\]|\\.|'(?!''))*'''             # long strings
        | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
        | '(?:[^'\\\n]|\\.)*'                       # strings
        | "(?:[^"\\\n]|\\.)*"
        | <[^<>"{}|^`\\\x00-\x20]*>                 # IRI
        | [?$]\w+                                   # variable
        | @[A-Za-z]+(?:-[A-Za-z0-9]+)*              # language tag
        | (?:[A-Za-z_][\w.-]*)?:[\w.:%-]*           # prefixed name
      )
    | (?P<word>[A-Za-z]+)
    | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)


def keywords(text: str) -> list[str]:
    """The bare words of a query (upper-cased), outside strings, IRIs, comments and names."""
    return [m.group("word").upper() for m in _TOKEN.finditer(text) if m.group("word")]


_PLAIN_PROLOGUE = re.compile(
    r"\s*(?:(?:PREFIX\s+(?:[A-Za-z][\w.-]*)?:\s*|BASE\s*)<[^<>\s]*>\s*)*"
    r"(SELECT|CONSTRUCT|ASK|DESCRIBE|INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def query_form(text: str) -> str | None:
    """SELECT, CONSTRUCT, ASK, DESCRIBE, or the first update keyword; None if neither is found.

    Only the prologue is scanned (the form keyword ends it), so this is cheap.
    """
    plain = _PLAIN_PROLOGUE.match(text)
    if plain:
        return plain.group(1).upper()
    for m in _TOKEN.finditer(text):
        word = m.group("word")
        if word:
            word = word.upper()
            if word in QUERY_FORMS or word in UPDATE_FORMS:
                return word
    return None


@lru_cache(maxsize=4096)
def uses_service(text: str) -> bool:
    """Whether the query has a SERVICE clause (a federated call to another endpoint)."""
    return "service" in text.lower() and "SERVICE" in keywords(text)
