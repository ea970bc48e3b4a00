"""`kg query`: resolving a QUERY argument, predeclared prefixes, errors, output formats."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples
from pyoxigraph import QueryResultsFormat, RdfFormat, Store, parse, parse_query_results
from rich.console import Console
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import KGError
from kg.query.catalog import QUERIES_DIR, QueryText, named_queries, question_of, resolve
from kg.query.sparql import execute, query_command, syntax_problem, write_plain
from kg.query.store import load_store
from kg.query.syntax import query_form, uses_service

ROOT = Path(__file__).resolve().parents[1]
QUERIES = QUERIES_DIR
runner = CliRunner()


@pytest.fixture(scope="module")
def store(exports: Path) -> Store:
    return load_store(exports)


def kg(*args: str) -> tuple[int, str, str]:
    """Run the CLI the way the console script does (KGError -> message + exit 1)."""
    from kg import cli

    result = runner.invoke(app, list(args), catch_exceptions=True)
    if isinstance(result.exception, KGError):
        return 1, result.stdout, "\n".join(str(p) for p in result.exception.problems)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert cli.main  # the console entry point exists
    return result.exit_code, result.stdout, result.stderr if result.stderr_bytes else ""


# ---- resolving QUERY --------------------------------------------------------------------


def test_resolve_a_name_a_file_and_inline_text(tmp_path: Path) -> None:
    by_name = resolve("rct_primary_endpoints", QUERIES)
    assert Path(by_name.origin).resolve() == QUERIES / "rct_primary_endpoints.rq"
    path = tmp_path / "mine.rq"
    path.write_text("ASK {}", "utf-8")
    assert resolve(str(path), QUERIES) == QueryText("ASK {}", str(path))
    inline = resolve("SELECT * WHERE { ?s ?p ?o } LIMIT 1", QUERIES)
    assert inline.origin == "<query>"


def test_unknown_name_and_missing_file_are_user_errors() -> None:
    with pytest.raises(KGError, match=r"no named query 'nope' \(`kg query --list` shows"):
        resolve("nope", QUERIES)
    with pytest.raises(KGError, match="query file not found"):
        resolve("missing.rq", QUERIES)


def test_a_mistyped_query_name_gets_a_did_you_mean() -> None:
    with pytest.raises(KGError) as info:
        resolve("rct_primary_endpoint", QUERIES)
    assert str(info.value.problems[0]) == (
        "no named query 'rct_primary_endpoint'; did you mean 'rct_primary_endpoints' or "
        "'rct_primary_endpoint_met'? "
        "(`kg query --list` shows them); pass a .rq file or SPARQL text instead"
    )


def test_question_of_reads_the_comment() -> None:
    assert question_of("# Question: Why?\nASK {}") == "Why?"
    assert question_of("ASK {}") is None


def test_a_named_query_without_a_question_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.rq").write_text("ASK {}\n", "utf-8")
    with pytest.raises(KGError, match=r"must start with a '# Question: \.\.\.' comment"):
        named_queries(tmp_path)


# ---- lexical checks -----------------------------------------------------------------------


def test_query_form_skips_prologue_comments_strings_and_names() -> None:
    assert query_form("PREFIX ex: <http://x/select>\n# INSERT\nSELECT * {}") == "SELECT"
    assert query_form("BASE <x> PREFIX : <y>\n  insert data { :a :b 'SELECT' }") == "INSERT"
    assert query_form('ASK { ?s ?p "DELETE" }') == "ASK"
    assert query_form("what is this") is None


def test_service_detection_ignores_variables_names_and_strings() -> None:
    assert uses_service("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert uses_service("select * { service silent <http://x> {} }")
    assert not uses_service('SELECT ?service { ?s ex:service ?o ; ?p "service" }')


# ---- running --------------------------------------------------------------------------------


def test_project_prefixes_are_predeclared_and_can_be_overridden(store: Store) -> None:
    text = "SELECT ?l WHERE { MONDO:0007915 rdfs:label ?l }"
    result = execute(store, QueryText(text, "<query>"))
    assert "systemic lupus erythematosus" in {s["l"].value for s in result}  # type: ignore[union-attr]
    override = "PREFIX rdfs: <http://example.org/not-rdfs#>\n" + text
    assert list(execute(store, QueryText(override, "<query>"))) == []  # type: ignore[arg-type]


def test_syntax_error_line_and_column_are_those_of_the_users_text(store: Store) -> None:
    text = "SELECT ?s\nWHERE {\n  ?s rdfs:label ?l\n  FILTER(\n}"
    with pytest.raises(KGError) as info:
        execute(store, QueryText(text, "mine.rq"))
    (problem,) = info.value.problems
    assert (problem.file, problem.line) == ("mine.rq", 5)
    # the engine's column is just past the token it could not accept (the "}" in column 1)
    assert problem.message.startswith("SPARQL syntax error at column 2: expected one of")


def test_unknown_prefix_is_named(store: Store) -> None:
    with pytest.raises(KGError, match=r"unknown prefix foo: \(declare it with PREFIX"):
        execute(store, QueryText("SELECT * WHERE { ?s foo:bar ?o }", "<query>"))


def test_syntax_problem_without_a_position() -> None:
    problem = syntax_problem("x", SyntaxError("something odd"))
    assert (problem.line, problem.column) == (None, None)
    assert str(problem) == "SPARQL syntax error: something odd"


def test_update_is_refused(store: Store) -> None:
    with pytest.raises(KGError, match=r"SPARQL UPDATE \(INSERT\) is not allowed: .*read-only"):
        execute(store, QueryText("INSERT DATA { <a:b> <a:c> <a:d> }", "<query>"))


def test_missing_exports_name_the_folder_and_the_option(tmp_path: Path) -> None:
    """The error says where it looked and how to point elsewhere (--exports)."""
    with pytest.raises(KGError) as missing:
        load_store(tmp_path / "nowhere")
    [problem] = missing.value.problems
    assert problem.file.endswith("nowhere")
    assert f"looked for {tmp_path / 'nowhere' / 'kg.nq'}" in problem.message
    assert "run `kg build` first, or point --exports at the folder a build wrote" in str(problem)
    with pytest.raises(KGError) as unbuilt:
        load_store(tmp_path)
    [problem] = unbuilt.value.problems
    assert problem.file == str(tmp_path / "kg.nq")
    assert f"no built graph in {tmp_path}/: run `kg build` first, or point --exports" in str(
        problem
    )
    with pytest.raises(KGError, match=r"run `kg build --ontology-mode full` first"):
        load_store(tmp_path, full=True)


# ---- the CLI ----------------------------------------------------------------------------------


def test_cli_list_shows_every_named_query_with_its_question() -> None:
    code, out, _ = kg("query", "--list", "--queries", str(QUERIES))
    assert code == 0
    flat = " ".join(out.split())
    for q in named_queries(QUERIES):
        assert q.name in flat
    assert "Which randomised placebo-controlled trials" in flat


def test_cli_csv_json_tsv_xml(exports: Path) -> None:
    base = (
        "query",
        "lupus_nephritis_benefit",
        "--exports",
        str(exports),
        "--queries",
        str(QUERIES),
    )
    code, out, _ = kg(*base, "--format", "csv")
    assert code == 0
    assert out.splitlines()[0].startswith("acronym,measure,arm,responders")
    assert "53.85" in out
    code, out, _ = kg(*base, "--format", "json")
    doc = json.loads(out)
    assert doc["head"]["vars"][0] == "acronym"
    assert len(doc["results"]["bindings"]) == 3
    for fmt, rf in (("tsv", QueryResultsFormat.TSV), ("xml", QueryResultsFormat.XML)):
        code, out, _ = kg(*base, "--format", fmt)
        assert code == 0
        assert len(list(parse_query_results(out.encode(), format=rf))) == 3  # type: ignore[arg-type]


def test_cli_list_refuses_an_answer_format_and_honours_plain() -> None:
    code, _, err = kg("query", "--list", "-f", "csv")
    assert code == 1
    assert err == (
        "--list prints the named queries as a table (name<TAB>question lines in a pipe); "
        "--format csv is for a query's answer: drop one of them"
    )
    code, out, _ = kg("query", "--list", "-f", "plain", "--queries", str(QUERIES))
    assert code == 0
    assert out.splitlines() == [f"{q.name}\t{q.question}" for q in named_queries(QUERIES)]


def test_every_answer_ends_with_a_newline(exports: Path, tmp_path: Path) -> None:
    """An ASK answer as CSV/TSV is one bare word: it still ends its line."""
    ask = ("query", "any_rct_met_primary", "--exports", str(exports), "--queries", str(QUERIES))
    for fmt in ("csv", "tsv", "json", "xml", "plain", "table"):
        code, out, _ = kg(*ask, "-f", fmt)
        assert code == 0
        assert out.endswith("\n") and not out.endswith("\n\n"), (fmt, out)
        target = tmp_path / f"answer.{fmt}"
        assert kg(*ask, "-f", fmt, "-o", str(target))[0] == 0
        assert target.read_text("utf-8") == out
    assert kg(*ask, "-f", "csv")[1] in ("true\n", "false\n")


def test_plain_is_the_table_off_a_terminal_and_tsv_is_sparql_tsv(exports: Path) -> None:
    args = ("query", "cell_types_reduced", "--exports", str(exports), "--queries", str(QUERIES))
    plain = kg(*args, "-f", "plain")[1]
    assert plain == kg(*args)[1]  # the default in a pipe
    tsv = kg(*args, "-f", "tsv")[1]
    assert plain.splitlines()[0] == tsv.splitlines()[0].replace("?", "")
    assert "CL:0000899" in plain and "<http://purl.obolibrary.org/obo/CL_0000899>" in tsv


def test_cli_table_on_a_terminal_is_boxed(exports: Path) -> None:
    """Only a terminal gets the boxed table (CURIEs, a row count; long cells may be cut)."""
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=80, color_system=None)
    query_command("cell_types_reduced", None, None, exports, False, console, QUERIES)
    text = screen.getvalue()
    assert "CL:0000899" in text  # IRIs are shown as CURIEs
    assert re.search(r"\n\d+ rows", text)
    assert "┃" in text or "│" in text


def test_cli_table_in_a_pipe_or_file_keeps_every_value(exports: Path, tmp_path: Path) -> None:
    """Off a terminal the table is tab-separated, one row a line, no cell cut short."""
    args = ("query", "sri4_results", "--exports", str(exports))
    code, out, _ = kg(*args)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split("\t") == [
        "acronym", "arm", "timePoint", "population", "percent", "comparedTo", "pValue", "met"
    ]  # fmt: skip
    assert "…" not in out
    assert {len(line.split("\t")) for line in lines} == {8}
    store = load_store(exports)
    expected = execute(store, resolve("sri4_results", QUERIES))
    assert len(lines) - 1 == len(list(expected))  # type: ignore[arg-type]
    target = tmp_path / "answer.txt"
    code, _, _ = kg(*args, "--out", str(target))
    assert code == 0
    assert target.read_text("utf-8") == out


def test_cli_construct_defaults_to_turtle(exports: Path, tmp_path: Path) -> None:
    args = ("query", "sle_description", "--exports", str(exports), "--queries", str(QUERIES))
    code, out, _ = kg(*args)
    assert code == 0
    assert "@prefix" in out
    triples = list(parse(out.encode(), format=RdfFormat.TURTLE))
    assert any(t.object.value == "systemic lupus erythematosus" for t in triples)
    target = tmp_path / "sle.nt"
    code, _, _ = kg(*args, "--format", "nt", "--out", str(target))
    assert code == 0
    assert len(list(parse(path=str(target), format=RdfFormat.N_TRIPLES))) == len(triples)


def test_cli_format_that_does_not_fit_the_answer_is_an_error(exports: Path) -> None:
    args = ("--exports", str(exports), "--queries", str(QUERIES))
    code, _, err = kg("query", "sle_description", "--format", "csv", *args)
    assert code == 1
    assert "a CONSTRUCT or DESCRIBE answer is a graph: use --format ttl or nt" in err
    code, _, err = kg("query", "graph_sizes", "--format", "ttl", *args)
    assert code == 1
    assert "a SELECT or ASK answer needs table, plain, csv, tsv, json or xml" in err
    code, _, err = kg("query", "graph_sizes", "--format", "yaml", *args)
    assert code == 1
    assert "unknown --format 'yaml'" in err


def test_cli_bad_query_exits_1_with_line_and_column(exports: Path) -> None:
    code, _, err = kg("query", "SELECT ?s WHERE {\n ?s ?p \n}", "--exports", str(exports))
    assert code == 1
    assert err.startswith("<query>:3: SPARQL syntax error at column 2:")


def test_cli_without_a_build(tmp_path: Path) -> None:
    code, _, err = kg("query", "ASK {}", "--exports", str(tmp_path / "exports"))
    assert code == 1
    assert "run `kg build` first" in err


def test_console_script_prints_error_and_exits_1(tmp_path: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "kg.cli", "query", "ASK {}", "--exports", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 1
    assert "Error:" in proc.stderr
    assert "no built graph in" in proc.stderr
    assert "run `kg build` first" in " ".join(proc.stderr.split())


def test_every_command_help_shows_an_example() -> None:
    """Every command and command group, nested ones too, shows an example of itself."""
    import click
    import typer.main

    def paths(command: click.Command, path: tuple[str, ...]) -> list[tuple[str, ...]]:
        subs = getattr(command, "commands", {})
        return [path, *(p for name, sub in subs.items() for p in paths(sub, (*path, name)))]

    every = paths(typer.main.get_command(app), ())
    assert {("query",), ("neo4j",), ("neo4j", "load"), ("import",), ("ontologies",)} <= set(every)
    for path in every:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0
        flat = " ".join(result.stdout.split())
        assert "Example:" in flat, path
        assert " ".join(("kg", *path)) in flat[flat.index("Example:") :], path


def test_default_graph_is_the_set_union_of_the_named_graphs(store: Store) -> None:
    """SLE's label is in the curation graph and in the MONDO module: one triple, not two."""
    union = execute(store, QueryText("SELECT ?l WHERE { MONDO:0007915 rdfs:label ?l }", "<q>"))
    per_graph = execute(
        store, QueryText("SELECT ?g WHERE { GRAPH ?g { MONDO:0007915 rdfs:label ?l } }", "<q>")
    )
    graphs = len(list(per_graph))  # type: ignore[arg-type]
    assert len(list(union)) == 1  # type: ignore[arg-type]
    assert graphs >= 1  # 2 once the MONDO module is in ontologies/


def test_serve_without_a_build_or_with_bad_limits(tmp_path: Path, exports: Path) -> None:
    code, _, err = kg("serve", "--exports", str(tmp_path / "exports"), "--port", "17999")
    assert code == 1
    assert "run `kg build` first" in err
    code, _, err = kg("serve", "--exports", str(exports), "--port", "0")
    assert code == 1
    assert "--port must be between 1 and 65535, got 0" in err
    result = runner.invoke(app, ["serve", "--exports", str(exports), "--timeout", "-1"])
    assert result.exit_code == 2  # a usage error: --timeout is 0 (no limit) or more


_UNESCAPE = re.compile(r"\\(\\|t|n|r|u[0-9a-f]{4})")


def _unescape(cell: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        simple = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
        return simple[code] if code in simple else chr(int(code[1:], 16))

    return _UNESCAPE.sub(one, cell)


@settings(max_examples=examples(60), deadline=None)
@given(
    st.lists(st.text(alphabet=st.characters(exclude_categories=("Cs",))), min_size=1, max_size=5)
)
def test_plain_output_keeps_one_row_a_line_and_every_value(values: list[str]) -> None:
    """Whatever a literal holds (tabs, line separators, backslashes), the plain table has
    one line per row and one cell per column, and unescaping gives the value back."""
    from pyoxigraph import Literal, NamedNode, Quad

    store = Store()
    for i, value in enumerate(values):
        store.add(Quad(NamedNode(f"http://example.org/{i}"), NamedNode("http://example.org/v"),
                       Literal(value)))  # fmt: skip
    result = store.query(
        "SELECT ?s ?v WHERE { ?s <http://example.org/v> ?v } ORDER BY ?s", prefixes={}
    )
    out = io.StringIO()
    write_plain(result, out)  # type: ignore[arg-type]
    lines = out.getvalue().splitlines()
    assert lines[0] == "s\tv"
    rows = [line.split("\t") for line in lines[1:]]
    assert [len(r) for r in rows] == [2] * len(values)
    assert [_unescape(r[1]) for r in rows] == values
