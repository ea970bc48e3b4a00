"""The libyaml fast path of kg.curation.yamlfile reads exactly what ruamel.yaml reads.

Either the fast path steps aside (returns None, and ruamel reads the file) or it gives the
same data and the same line for every key and item. Checked on every curated file and
on generated documents (block and flow styles, odd scalars, hostile text).
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from kg.curation.yamlfile import _fast_compose, _plain, _ruamel_compose

ROOT = Path(__file__).resolve().parents[1]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], int]]:
    """(path, line) of every key and item of a node tree (ruamel or PyYAML)."""
    out = [(prefix, node.start_mark.line)]
    if node.id == "mapping":
        for k, v in node.value:
            out += _paths(v, (*prefix, str(k.value), k.start_mark.line))
    elif node.id == "sequence":
        for i, v in enumerate(node.value):
            out += _paths(v, (*prefix, i))
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _check(text: str) -> None:
    fast = _fast_compose(text)
    if fast is None:
        return
    try:
        slow = _ruamel_compose(text)
    except YAMLError as exc:  # pragma: no cover - a failure is a bug of the fast path
        pytest.fail(f"fast path accepted what ruamel refuses: {exc}\n{text!r}")
    assert _same(_plain(fast[1]), _plain(slow[1])), text
    assert _paths(fast[0]) == _paths(slow[0]), text


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "data").rglob("*.yaml")) + sorted((ROOT / "tests").rglob("*.yaml")),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_curated_files_read_the_same(path: Path) -> None:
    text = path.read_text("utf-8")
    _check(text)


def test_curated_files_take_the_fast_path() -> None:
    assert _fast_compose((ROOT / "data" / "entities.yaml").read_text("utf-8")) is not None


_ODD_SCALARS = [
    "017", "0o17", "0x1F", "0b101", "1_000", "+12", "-0", "1e3", "1.5E-3", ".5", "-.inf", ".NaN",
    "yes", "no", "on", "off", "y", "True", "FALSE", "null", "Null", "~", "", "2019-02",
    "2019-02-30", "2001-12-14t21:59:43.10-05:00", "1:30", "190:20:30", "=", "<<", "0.", "+.5",
    "1__0", "0b", "12e", "-", "NULL", "tRue", "0x_1",
]  # fmt: skip


@pytest.mark.parametrize("scalar", _ODD_SCALARS)
def test_odd_plain_scalars(scalar: str) -> None:
    _check(f"a: {scalar}\nb:\n  - {scalar}\n  - [{scalar}, x]\n{scalar or 'k'}: 1\n")


def test_steps_aside_for_duplicates_merges_tags_and_aliases() -> None:
    for text in (
        "a: 1\na: 2\n",
        "base: &b {x: 1}\nderived:\n  <<: *b\n",
        "a: !!binary aGk=\n",
        "a: &x [1]\nb: *x\n",
        "%YAML 1.1\n---\na: yes\n",
        "a: 1\n---\nb: 2\n",
    ):
        assert _fast_compose(text) is None, text


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), _text,
    st.sampled_from(_ODD_SCALARS),
)  # fmt: skip
_docs = st.recursive(
    _scalar,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(_text, kids, max_size=4),
    max_leaves=20,
)


@settings(max_examples=examples(300), deadline=None)
@given(_docs, st.sampled_from([None, True, False]))
def test_generated_documents_read_the_same(doc: Any, flow: bool | None) -> None:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = flow
    buffer = io.StringIO()
    yaml.dump({"record": doc}, buffer)
    _check(buffer.getvalue())


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), _text, st.sampled_from(["", "- ", ": ", "#"])),
                max_size=8))  # fmt: skip
def test_arbitrary_text_reads_the_same_or_steps_aside(lines: list[tuple[int, str, str]]) -> None:
    _check("".join(" " * i + mark + t + "\n" for i, t, mark in lines))


@pytest.mark.parametrize(
    "text", ["0:\n", "a: 1\nb:\n", "a:\n\nb: 1\n", "x:\n  a:\n\n  b: 1\n", "- a:\n\n- 2\n"]
)
def test_empty_block_mapping_values_read_the_same(text: str) -> None:
    """libyaml marks the null of `key:` at the key's line, ruamel at the next token (found by
    the generated-text test above): the fast path steps aside for those files."""
    _check(text)
    assert _fast_compose(text) is None


@pytest.mark.parametrize("text", ["0\t\n", "a: 1\t\n", "a:\t1\n", "- [1,\t2]\n"])
def test_text_with_a_tab_is_read_by_ruamel(text: str) -> None:
    """libyaml accepts a tab after a plain scalar where ruamel refuses it (found by the
    generated-text test above): any text with a tab steps aside to ruamel, the reference."""
    _check(text)
    assert _fast_compose(text) is None
