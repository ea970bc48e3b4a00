"""No code path evaluates data; YAML tags cannot construct objects; the endpoint is local.

The package is scanned as Python syntax trees (not grep, so comments and strings do not
count): no eval/exec/compile/__import__, no pickle/marshal/shelve, no unsafe YAML loader,
no shell=True, no os.system.
"""

from __future__ import annotations

import ast
import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import kg
from kg.errors import KGError

sys.path.insert(0, str(Path(__file__).parent / "bad_input"))
from harness import run_kg
from miniproject import sample_curation, write_project

PACKAGE = Path(kg.__file__).parent
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "execfile"}
FORBIDDEN_MODULES = {"pickle", "cPickle", "dill", "marshal", "shelve", "jsonpickle"}
UNSAFE_YAML = {"unsafe", "full", "base"}


def _sources() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text("utf-8"), filename=str(path))


def _findings(path: Path, tree: ast.Module) -> Iterator[str]:
    where = path.relative_to(PACKAGE.parent) if path.is_relative_to(PACKAGE.parent) else path
    pyyaml = any(
        isinstance(n, ast.Import) and any(a.name == "yaml" for a in n.names) for n in ast.walk(tree)
    )
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names]
            module = node.module if isinstance(node, ast.ImportFrom) else None
            for name in [module, *names] if module else names:
                if name and name.split(".")[0] in FORBIDDEN_MODULES:
                    yield f"{where}:{node.lineno}: imports {name}"
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
            yield f"{where}:{node.lineno}: calls {func.id}()"
        if isinstance(func, ast.Attribute):
            owner = func.value.id if isinstance(func.value, ast.Name) else ""
            if (owner, func.attr) in {("os", "system"), ("os", "popen")}:
                yield f"{where}:{node.lineno}: calls {owner}.{func.attr}()"
            if pyyaml and owner == "yaml" and func.attr in {"load", "load_all", "unsafe_load"}:
                # PyYAML's module-level load (ruamel's YAML(typ="rt").load builds no objects)
                yield f"{where}:{node.lineno}: calls yaml.{func.attr}() (use a safe loader)"
        for kw in node.keywords:
            value = kw.value.value if isinstance(kw.value, ast.Constant) else None
            if kw.arg == "shell" and value is True:
                yield f"{where}:{node.lineno}: subprocess with shell=True"
            if kw.arg == "typ" and value in UNSAFE_YAML:
                yield f"{where}:{node.lineno}: YAML(typ={value!r}) constructs Python objects"
            loader = kw.value.attr if isinstance(kw.value, ast.Attribute) else ""
            if kw.arg == "Loader" and loader in {"Loader", "UnsafeLoader", "FullLoader"}:
                yield f"{where}:{node.lineno}: yaml Loader={loader}"


def test_no_code_path_evaluates_data() -> None:
    found = [f for path, tree in _sources() for f in _findings(path, tree)]
    assert found == []


def test_the_scanner_catches_what_it_looks_for(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import pickle\nimport yaml\nfrom ruamel.yaml import YAML\nimport subprocess, os\n"
        "eval(x)\nYAML(typ='unsafe')\nsubprocess.run(c, shell=True)\nos.system(c)\n"
        "yaml.load(s, Loader=yaml.Loader)\n",
        "utf-8",
    )
    found = list(_findings(bad, ast.parse(bad.read_text("utf-8"))))
    assert len(found) == 7, found


def test_yaml_tags_cannot_construct_objects(tmp_path: Path) -> None:
    """A python/object tag in curated YAML builds no object (the round-trip loader keeps it as
    plain data), so nothing runs; the record is then a located schema error."""
    write_project(tmp_path, sample_curation())
    marker = tmp_path / "pwned"
    (tmp_path / "data" / "statements.yaml").write_text(
        f"statements:\n- !!python/object/apply:os.system ['touch {marker}']\n", "utf-8"
    )
    with pytest.raises(KGError) as info:
        from kg.curation.load import load_curation

        load_curation(tmp_path / "data")
    assert not marker.exists()
    assert [(p.file.endswith("statements.yaml"), p.line) for p in info.value.problems] == [
        (True, 2)
    ]


def _serve_command() -> object:
    import typer.main

    from kg.cli import app

    command = typer.main.get_command(app)
    return command.commands.get("serve")  # type: ignore[attr-defined]


def test_endpoint_binds_to_localhost_by_default() -> None:
    serve = _serve_command()
    assert serve is not None, "no `kg serve` command"
    [host] = [p for p in serve.params if p.name == "host"]  # type: ignore[attr-defined]
    assert host.default in {"127.0.0.1", "localhost", "::1"}
    [cors] = [p for p in serve.params if p.name == "cors"]  # type: ignore[attr-defined]
    assert cors.default is False  # other origins' pages cannot read answers unless asked
    from kg.query.server import ServerConfig, server_arguments

    config = ServerConfig()
    assert config.host in {"127.0.0.1", "localhost", "::1"}
    args = server_arguments(config, Path("store"), Path("oxigraph"))
    assert args[1] == "serve-read-only"  # the store is opened read-only
    assert args[args.index("--bind") + 1] == f"{config.host}:{config.port}"
    assert "--cors" not in args


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012 (shared by the handler instances of one test)

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        _Recorder.hits.append(self.path)
        self.send_response(500)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_queries_cannot_reach_the_network_through_service(tmp_path: Path) -> None:
    """`kg query` runs SERVICE only with --allow-service. (Oxigraph's server, behind
    `kg serve`, does run SERVICE clauses: docs/sparql.md says so and why it stays local.)"""
    write_project(tmp_path, sample_curation())
    assert run_kg(("build",), tmp_path).code == 0
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    poll = {"poll_interval": 0.02}  # shutdown() waits for the next poll (0.5 s by default)
    thread = threading.Thread(target=server.serve_forever, kwargs=poll, daemon=True)
    thread.start()
    _Recorder.hits.clear()
    try:
        url = f"http://127.0.0.1:{server.server_port}/sparql"
        run = run_kg(("query", f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"), tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    assert "Traceback" not in run.output
    assert run.code == 1
    assert "the query calls SERVICE, which fetches another URL; pass --allow-service" in run.output
    assert _Recorder.hits == [], "the query contacted a SERVICE endpoint"


def test_queries_cannot_update_the_graph(tmp_path: Path) -> None:
    write_project(tmp_path, sample_curation())
    assert run_kg(("build",), tmp_path).code == 0
    before = (tmp_path / "exports" / "kg.nq").read_bytes()
    run = run_kg(("query", "INSERT DATA { <http://a/b> <http://a/c> <http://a/d> }"), tmp_path)
    assert run.code == 1 and "read-only" in run.output
    assert (tmp_path / "exports" / "kg.nq").read_bytes() == before
