"""The JSON-LD sink's own indenting writer spells JSON exactly as json.dumps(indent=1) does."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kg.export.jsonld import dumps_indented

_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_json: st.SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=30,
)


@given(_json)
def test_same_bytes_as_json_dumps(doc: Any) -> None:
    assert dumps_indented(doc) == json.dumps(doc, ensure_ascii=False, indent=1)


def test_escapes_and_empty_containers() -> None:
    doc = {'a\n"b': ["\u2028", "é", "\x00", {}, [], 1.1, True, None], "": {"k": []}}
    assert dumps_indented(doc) == json.dumps(doc, ensure_ascii=False, indent=1)
