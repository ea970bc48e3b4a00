"""Load the property graph into a running Neo4j over Bolt, in idempotent batches.

Sends the statements of kg/export/cypher.py (the same ones `load.cypher` holds) as
parameterised batches: first the Neo4j 5 constraints and indexes, then every node batch,
then every relationship batch, each batch in its own managed write transaction (retried by
the driver on transient errors). Running it twice leaves the database as after one run.

Connection problems a user can fix (server unreachable, wrong password, missing password
variable, a server that rejects a statement) become a KGError with one clear line.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from kg.errors import KGError
from kg.export.cypher import Batch, batches, schema_statements
from kg.property_graph.graph import PropertyGraph

__all__ = [
    "LoadReport",
    "Neo4jTarget",
    "connect",
    "load_graph",
    "password_from_env",
]

Progress = Callable[[str], None]
SCHEMES = ("neo4j", "bolt", "neo4j+s", "neo4j+ssc", "bolt+s", "bolt+ssc")


@dataclass(frozen=True)
class LoadReport:
    """What a load sent: schema statements, nodes, relationships and batches."""

    schema_statements: int
    nodes: int
    relationships: int
    batches: int


def password_from_env(variable: str) -> str:
    """The password held in an environment variable; KGError if it is unset or empty."""
    value = os.environ.get(variable)
    if not value:
        raise KGError(
            f"environment variable {variable} is not set: export the Neo4j password in it "
            f"(export {variable}=...) or name another with --password-env"
        )
    return value


class Neo4jTarget:
    """An open, verified connection to one Neo4j server; use as a context manager.

    `connect()` fails fast (before any graph is built) when the server is unreachable or
    refuses the credentials.
    """

    def __init__(self, uri: str, auth: tuple[str, str] | None, database: str | None) -> None:
        from neo4j import GraphDatabase
        from neo4j.exceptions import DriverError

        scheme = uri.split("://", 1)[0] if "://" in uri else ""
        if scheme not in SCHEMES:
            raise KGError(
                f"--uri {uri!r} is not a Bolt address: expected neo4j:// or bolt:// and "
                "host:port (e.g. neo4j://localhost:7687)"
            )
        self.uri, self.database = uri, database
        self.user = auth[0] if auth else None
        _quiet_driver_log()
        try:
            self._driver = GraphDatabase.driver(uri, auth=auth)
        except (ValueError, DriverError) as exc:
            raise KGError(f"cannot use {uri!r} as a Neo4j address: {_message(exc)}") from None

    def __enter__(self) -> Neo4jTarget:
        with self._errors(schema=False):
            self._driver.verify_connectivity()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._driver.close()

    def load(
        self,
        graph: PropertyGraph,
        batch_size: int = 500,
        *,
        schema: bool = True,
        progress: Progress | None = None,
    ) -> LoadReport:
        """MERGE graph into the database: schema statements, then node and relationship batches."""
        _check_batch_size(batch_size)
        say = progress or (lambda _msg: None)
        ddl = schema_statements(graph) if schema else []
        n_batches = 0
        with self._errors(schema), self._driver.session(database=self.database) as session:
            for statement in ddl:
                session.run(statement).consume()
            say(f"Schema: {len(ddl)} constraints and indexes")
            for batch in batches(graph, batch_size):
                session.execute_write(_write_batch, batch)
                n_batches += 1
                say(f"Wrote {batch.kind} {batch.what} ({len(batch.rows)})")
        return LoadReport(len(ddl), len(graph.nodes), len(graph.edges), n_batches)

    def read(self, query: str, **parameters: Any) -> list[dict[str, Any]]:
        """Run a read query through this connection; its records as dicts (for checks)."""
        with self._errors(schema=False), self._driver.session(database=self.database) as session:
            return [record.data() for record in session.run(query, parameters)]

    def counts(self) -> tuple[int, int]:
        """(nodes, relationships) now in the database."""
        nodes = self.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
        rels = self.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
        return int(nodes), int(rels)

    @contextmanager
    def _errors(self, schema: bool) -> Iterator[None]:
        """Turn the driver's errors a user can fix into one-line KGErrors."""
        from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable

        uri = self.uri
        try:
            yield
        except AuthError as exc:
            who = f"user {self.user!r}" if self.user else "no user"
            raise KGError(
                f"Neo4j at {uri} refused the credentials ({who}): {_message(exc)}; check --user "
                "and the password in the --password-env variable"
            ) from None
        except ServiceUnavailable as exc:
            raise KGError(
                f"cannot reach a Neo4j server at {uri}: {_message(exc)} (is it running, and is "
                "the Bolt port right?)"
            ) from None
        except Neo4jError as exc:
            hint = " (use --no-schema for servers without Neo4j 5 DDL)" if schema else ""
            raise KGError(f"Neo4j at {uri} rejected a statement: {_message(exc)}{hint}") from None
        except DriverError as exc:
            raise KGError(f"lost the connection to Neo4j at {uri}: {_message(exc)}") from None


def connect(uri: str, auth: tuple[str, str] | None, database: str | None = None) -> Neo4jTarget:
    """A connection to verify and load through: `with connect(...) as target: target.load(g)`."""
    return Neo4jTarget(uri, auth, database)


def load_graph(
    graph: PropertyGraph,
    uri: str,
    auth: tuple[str, str] | None,
    database: str | None = None,
    batch_size: int = 500,
    *,
    schema: bool = True,
    progress: Progress | None = None,
) -> LoadReport:
    """Connect, verify and load graph in one call; KGError when the server cannot be used."""
    _check_batch_size(batch_size)
    with connect(uri, auth, database) as target:
        return target.load(graph, batch_size, schema=schema, progress=progress)


def _check_batch_size(batch_size: int) -> None:
    if batch_size < 1:
        raise KGError(f"--batch-size must be at least 1, got {batch_size}")


def _write_batch(tx: Any, batch: Batch) -> None:
    tx.run(batch.query, rows=list(batch.rows)).consume()


def _quiet_driver_log() -> None:
    """Keep the driver's own log lines off standard error: what a user can fix reaches them
    once, as the KGError `_errors` raises (with the URI and a hint).

    With no logging configured, Python prints a library's ERROR records to standard error
    (the `lastResort` handler), so a closed port printed the driver's bare "Unable to
    retrieve routing information" above the error. A NullHandler on the driver's logger
    stops that; a program that configures logging still receives the records.
    """
    log = logging.getLogger("neo4j")
    if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
        log.addHandler(logging.NullHandler())


def _message(exc: Exception) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())
