"""The `kg import` commands: draft curation from public records (bodies in kg/registry, kg/pubmed).

Network only when asked: both commands read `--from FILE` offline, and fetch from the public
API (or the one named by --api / KG_CTGOV_API / KG_EUTILS_API) only when no file is given.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kg.errors import KGError

__all__ = ["app"]

app = typer.Typer(
    name="import",
    help="Draft curation from public records: ClinicalTrials.gov studies, PubMed citations."
    "\n\nExample: kg import clinicaltrials NCT02955615 && kg import pubmed 35973803",
    no_args_is_help=True,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

DATA = Annotated[Path, typer.Option("--data", help="Directory of curated YAML files.")]
TIMEOUT = Annotated[
    float, typer.Option("--timeout", min=0.1, help="Seconds to wait for each answer.")
]
ATTEMPTS = Annotated[
    int, typer.Option("--attempts", min=1, help="Tries per record (timeouts, HTTP 429/5xx).")
]
BACKOFF = Annotated[
    float,
    typer.Option("--backoff", min=0, help="Seconds to wait before the second try (then doubled)."),
]
RETRIEVED = Annotated[
    str | None,
    typer.Option(
        "--retrieved",
        metavar="YYYY-MM-DD",
        help="When the record was retrieved (default: today); give it with --from FILE.",
    ),
]


def _date(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise KGError.at("--retrieved", None, "", f"expected YYYY-MM-DD, got {value!r}") from None


def _say(text: str) -> None:
    out.print(text, markup=False, soft_wrap=True, emoji=False)


@app.command("clinicaltrials")
def clinicaltrials(
    ncts: Annotated[
        list[str] | None,
        typer.Argument(metavar="NCT...", help="NCT numbers to fetch (or the one in --from)."),
    ] = None,
    from_file: Annotated[
        Path | None,
        typer.Option("--from", help="A saved API v2 study record (JSON); no network."),
    ] = None,
    data: DATA = Path("data"),
    ontologies: Annotated[
        Path,
        typer.Option("--ontologies", help="Ontology modules whose labels map conditions."),
    ] = Path("ontologies"),
    trial_id: Annotated[
        str | None, typer.Option("--id", help="Trial id (default: from the acronym or NCT).")
    ] = None,
    api: Annotated[
        str | None,
        typer.Option("--api", help="API v2 base URL (default: $KG_CTGOV_API or the public API)."),
    ] = None,
    timeout: TIMEOUT = 30.0,
    attempts: ATTEMPTS = 3,
    backoff: BACKOFF = 1.0,
    retrieved: RETRIEVED = None,
) -> None:
    """Draft data/trials/<id>.yaml from a ClinicalTrials.gov study record and save the record
    as data/registry/<NCT>.json (what `kg validate` cross-checks the trial against).

    An existing trial file is never overwritten: the draft goes beside it as
    <id>.draft.yaml and the differences are printed.

    Example: kg import clinicaltrials NCT02955615   (offline: --from NCT02955615.json)
    """
    from kg.download import FetchPolicy
    from kg.registry.importer import import_study
    from kg.registry.record import DEFAULT_API

    names = list(ncts or [])
    if from_file is not None and len(names) > 1:
        raise KGError("--from FILE holds one record: name at most one NCT number with it")
    if from_file is None and not names:
        raise KGError("name an NCT number, or pass a saved record with --from FILE")
    base = api or os.environ.get("KG_CTGOV_API") or DEFAULT_API
    policy = FetchPolicy(timeout=timeout, attempts=attempts, backoff=backoff)
    when = _date(retrieved)
    for nct in names or [None]:
        done = import_study(
            nct,
            data,
            ontologies if ontologies.is_dir() else None,
            from_file=from_file,
            api=base,
            policy=policy,
            retrieved=when,
            trial_id=trial_id,
        )
        _say(f"Record {done.draft.nct} {done.record_status}: {done.record_file}")
        if done.existing is None:
            _say(f"Wrote {done.trial_file} (trial {done.draft.trial_id}).")
        else:
            _say(
                f"{done.existing} already covers {done.draft.nct}; it is unchanged. The draft is "
                f"beside it as {done.trial_file} (kg validate skips it); the differences:"
            )
            _say(done.diff.rstrip("\n") or "(none)")
        for todo in done.draft.todos:
            _say(f"  TODO {todo}")
        if done.draft.todos:
            _say(f"{len(done.draft.todos)} TODO(s) for the curator (also at the top of the file).")


@app.command("pubmed")
def pubmed(
    pmids: Annotated[
        list[str] | None,
        typer.Argument(metavar="PMID...", help="PMIDs to fetch (or to pick from --from)."),
    ] = None,
    from_file: Annotated[
        Path | None,
        typer.Option("--from", help="Saved PubMed EFetch XML (PubmedArticleSet); no network."),
    ] = None,
    data: DATA = Path("data"),
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Take PubMed's value where the file's value differs."),
    ] = False,
    api: Annotated[
        str | None,
        typer.Option("--api", help="E-utilities base URL (default: $KG_EUTILS_API or NCBI's)."),
    ] = None,
    timeout: TIMEOUT = 30.0,
    attempts: ATTEMPTS = 3,
    backoff: BACKOFF = 1.0,
    retrieved: RETRIEVED = None,
) -> None:
    """Add or complete entries of data/publications.yaml from PubMed (EFetch XML): exact
    title, all authors, journal, volume, issue, pages, year, dates, DOI, PMCID.

    Comments and formatting of the file are kept; a value that differs from PubMed is
    reported and left alone unless --replace.

    Example: kg import pubmed 35973803 31537547   (offline: --from efetch.xml)
    """
    from kg.download import FetchPolicy
    from kg.pubmed.efetch import DEFAULT_EUTILS, fetch_efetch, parse_efetch
    from kg.pubmed.entries import complete_publications
    from kg.registry.importer import write_atomically

    wanted = [p.removeprefix("PMID:") for p in pmids or []]
    bad = [p for p in wanted if not p.isdigit() or p.startswith("0") or len(p) > 9]
    if bad:
        raise KGError(f"expected PMIDs such as 35973803, got {', '.join(map(repr, bad))}")
    if from_file is None and not wanted:
        raise KGError("name PMIDs, or pass saved EFetch XML with --from FILE")
    if from_file is not None:
        try:
            raw = from_file.read_bytes()
        except OSError as exc:
            raise KGError.at(str(from_file), None, "", f"cannot read: {exc.strerror}") from None
        source = str(from_file)
    else:
        base = api or os.environ.get("KG_EUTILS_API") or DEFAULT_EUTILS
        policy = FetchPolicy(timeout=timeout, attempts=attempts, backoff=backoff)
        raw = fetch_efetch(wanted, base, policy)
        source = f"{base}/efetch.fcgi"
    citations = parse_efetch(raw, source, offline=from_file is not None)
    if wanted:
        found = {c.pmid for c in citations}
        missing = [p for p in wanted if p not in found]
        if missing:
            raise KGError.at(source, None, "", f"no PubMed article for PMID {', '.join(missing)}")
        citations = [c for c in citations if c.pmid in wanted]
    path = data / "publications.yaml"
    text, changes = complete_publications(path, citations, _date(retrieved), replace)
    if any(c.changed for c in changes):
        write_atomically([(path, text)])
    for change in changes:
        if change.added:
            _say(f"Added {change.entry_id} to {path}.")
        elif change.filled:
            _say(f"Completed {change.entry_id}: {', '.join(change.filled)}.")
        else:
            _say(f"{change.entry_id} already agrees with PubMed.")
        for diff in change.differs:
            _say(f"  differs (kept; --replace takes PubMed's): {diff}")
        for hint in change.hints:
            _say(f"  check: {hint}")
