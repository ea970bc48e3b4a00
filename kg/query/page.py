"""The endpoint's HTML page: a query box, and the named competency queries to start from.

Everything from outside the template (questions, query text, names) passes through
html.escape; results are put on the page with textContent, never innerHTML, so a
label holding markup stays text. The page is served with a Content-Security-Policy
that allows only its own inline script and requests to this origin.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from kg.query.catalog import NamedQuery

__all__ = ["CONTENT_SECURITY_POLICY", "render_page"]

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

_DEFAULT_QUERY = """SELECT ?trial ?label ?phase WHERE {
  ?trial a kgv:ClinicalTrial ; rdfs:label ?label ; kgv:phase ?phase .
}
ORDER BY ?label"""

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:70rem;padding:0 1rem}
textarea{width:100%;height:14rem;font:13px ui-monospace,monospace}
table{border-collapse:collapse;margin-top:1rem;font-size:13px}
td,th{border:1px solid #ccc;padding:.2rem .4rem;text-align:left;vertical-align:top}
pre{background:#f6f6f6;padding:.5rem;overflow:auto}
#status{margin-left:1rem;color:#555}
li{margin:.3rem 0}
"""

_SCRIPT = """
const box = document.getElementById('query');
const out = document.getElementById('results');
const status = document.getElementById('status');
document.querySelectorAll('button[data-load]').forEach(b => b.addEventListener('click', () => {
  box.value = document.getElementById(b.dataset.load).textContent;
  box.focus();
}));
document.getElementById('form').addEventListener('submit', async ev => {
  ev.preventDefault();
  status.textContent = 'running…';
  out.replaceChildren();
  const t0 = performance.now();
  const resp = await fetch('query', {method: 'POST', body: box.value, headers: {
    'Content-Type': 'application/sparql-query',
    'Accept': 'application/sparql-results+json, text/turtle;q=0.9'}});
  const text = await resp.text();
  const ms = Math.round(performance.now() - t0);
  if (!resp.ok || !(resp.headers.get('Content-Type') || '').includes('json')) {
    const pre = document.createElement('pre');
    pre.textContent = text;
    out.append(pre);
    status.textContent = resp.ok ? `graph in ${ms} ms` : `error ${resp.status}`;
    return;
  }
  const data = JSON.parse(text);
  if ('boolean' in data) { status.textContent = `answer: ${data.boolean} (${ms} ms)`; return; }
  const vars = data.head.vars, table = document.createElement('table');
  const head = table.insertRow();
  vars.forEach(v => { const th = document.createElement('th'); th.textContent = v;
                      head.append(th); });
  data.results.bindings.forEach(b => { const row = table.insertRow();
    vars.forEach(v => { row.insertCell().textContent = b[v] ? b[v].value : ''; }); });
  out.append(table);
  status.textContent = `${data.results.bindings.length} rows in ${ms} ms`;
});
"""


def render_page(queries: Sequence[NamedQuery], max_rows: int, timeout: float) -> bytes:
    """The whole page as UTF-8 bytes (built once when the server starts)."""
    items = "\n".join(
        f'<li><button type="button" data-load="q-{i}">{escape(q.name)}</button> '
        f"{escape(q.question)}<details><summary>SPARQL</summary>"
        f'<pre id="q-{i}">{escape(q.text)}</pre></details></li>'
        for i, q in enumerate(queries)
    )
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>IL-2 / SLE knowledge graph — SPARQL</title>
<style>{_STYLE}</style></head>
<body>
<h1>IL-2 / SLE knowledge graph — SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1. Send queries to <code>/query</code> (GET <code>?query=</code> or POST).
The project's prefixes are predeclared; the default graph is the union of all graphs.
Answers are capped at {max_rows:,} rows and {timeout:g} s.</p>
<form id="form"><textarea id="query" name="query" spellcheck="false">{escape(_DEFAULT_QUERY)}
</textarea><br><button type="submit">Run</button><span id="status"></span></form>
<div id="results"></div>
<h2>Competency questions</h2>
<ul>
{items}
</ul>
<script>{_SCRIPT}</script>
</body></html>
"""
    return html.encode("utf-8")
