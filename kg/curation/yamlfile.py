"""Reading one YAML file with the line of every key and item, for located errors.

The file is composed once into a node tree (each node knows its line) and the plain Python
data is constructed from that same tree. ruamel.yaml (YAML 1.2) defines what a file means
and every error message. Its pure-Python scanner took ~0.33 s of CPU per build on today's
data, so a file is first composed by libyaml (PyYAML's C binding, ~0.03 s) with ruamel's
YAML 1.2 implicit resolvers and integer rules; whenever that fast path meets anything it
does not mirror exactly (a syntax error, a duplicate key, a merge key, a tag outside the
core schema, a %YAML directive, a character libyaml treats differently), the file is read
again by ruamel, which then gives the answer or the located error.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml as pyyaml
import yaml.constructor
import yaml.resolver
from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import Node
from ruamel.yaml.resolver import implicit_resolvers as _RUAMEL_RESOLVERS

from kg.errors import KGError

__all__ = ["YamlFile", "field_path", "read_yaml"]

MAX_BYTES = 20_000_000


class _Constructor(SafeConstructor):
    """Safe constructor that keeps dates as text: an impossible date such as 2017-13-45
    then reaches the schema, which reports it with its field, instead of crashing the parser."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_str)


# ---- the libyaml fast path (must mean exactly what ruamel reads; else it steps aside) ----


class _Fallback(Exception):
    """The fast path does not mirror ruamel here: read the file with ruamel."""


class _CoreResolver(pyyaml.resolver.BaseResolver):
    """ruamel.yaml's YAML 1.2 implicit resolvers (its own table, in its order)."""


for _versions, _tag, _regexp, _first in _RUAMEL_RESOLVERS:
    if (1, 2) in _versions:
        _CoreResolver.add_implicit_resolver(_tag, _regexp, _first)

#: tags the fast path constructs; anything else (merge, binary, sets, custom) goes to ruamel
_CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq",
                                      "timestamp")
)  # fmt: skip
#: text the two parsers may read differently: a version directive, byte-order mark, and the
#: characters YAML 1.1 (libyaml) takes as line breaks but YAML 1.2 (ruamel) does not
#: text libyaml and ruamel read differently: a %YAML directive, a byte-order mark, Unicode line
#: breaks, and tabs (libyaml allows a tab after a plain scalar, `0<TAB>`, where ruamel refuses
#: it; curated files indent with spaces, so they never pay for the step aside)
_NOT_MIRRORED = re.compile("^%YAML|\ufeff|[\x85\u2028\u2029\t]", re.MULTILINE)


class _CoreConstructor(pyyaml.constructor.SafeConstructor):
    """PyYAML's safe constructor with ruamel's YAML 1.2 rules: integers as ruamel reads them,
    dates kept as text, and a duplicate key, merge key or non-core tag handed to ruamel."""

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        if node.tag not in _CORE_TAGS:
            raise _Fallback(node.tag)
        return super().construct_object(node, deep)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if not isinstance(node, pyyaml.MappingNode):
            raise _Fallback("not a mapping")
        data = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                if key in data:
                    raise _Fallback("duplicate key")  # ruamel says which, and where
            except TypeError:
                raise _Fallback("unhashable key") from None
            data[key] = self.construct_object(value_node, deep=deep)
        return data

    def construct_yaml_int(self, node: Any) -> int:
        # ruamel.yaml's SafeConstructor.construct_yaml_int for YAML 1.2 ("017" is 17)
        text = self.construct_scalar(node).replace("_", "")
        sign = -1 if text[0] == "-" else 1
        if text[0] in "+-":
            text = text[1:]
        for prefix, base in (("0b", 2), ("0x", 16), ("0o", 8)):
            if text.startswith(prefix):
                return sign * int(text[2:], base)
        return sign * int(text)


_CoreConstructor.add_constructor("tag:yaml.org,2002:int", _CoreConstructor.construct_yaml_int)
_CoreConstructor.add_constructor("tag:yaml.org,2002:timestamp", _CoreConstructor.construct_yaml_str)


_CParser = getattr(getattr(pyyaml, "cyaml", None), "CParser", None)  # None without libyaml

if _CParser is not None:

    class _FastLoader(_CParser, _CoreConstructor, _CoreResolver):  # type: ignore[misc]
        """libyaml's parser and composer, with the constructor and resolver above."""

        def __init__(self, text: str) -> None:
            _CParser.__init__(self, text)
            _CoreConstructor.__init__(self)
            _CoreResolver.__init__(self)


def _fast_compose(text: str) -> tuple[Any, Any] | None:
    """(node tree, data) by libyaml, or None where ruamel must read the file."""
    if _CParser is None or _NOT_MIRRORED.search(text):
        return None
    loader = _FastLoader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except (pyyaml.YAMLError, _Fallback, ValueError, RecursionError):
        return None
    finally:
        loader.dispose()
    if node is None or _not_mirrored(node):
        return None
    return node, data


def _not_mirrored(root: Any) -> bool:
    """Whether the tree holds what ruamel places differently, so that ruamel must read it.

    - a node that occurs twice (an anchor and alias);
    - an empty value of a block mapping (`note:` and nothing after it): libyaml marks the
      null at its key's line, ruamel at the next token, which may be lines further on.
    """
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if node.id == "mapping":
            block = not node.flow_style
            for k, v in node.value:
                if block and v.id == "scalar" and v.value == "" and not v.style:
                    return True
                stack += (k, v)
        elif node.id == "sequence":
            stack += node.value
    return False


@dataclass(frozen=True)
class YamlFile:
    """A parsed YAML document: plain Python data plus the node tree that knows lines."""

    path: str
    data: Any
    node: Node  # a ruamel or PyYAML node: both have .id, .value and .start_mark
    sha256: str = ""  # of the bytes parsed (the file is read once)

    def line(self, path: Sequence[str | int]) -> int:
        """1-based line of the deepest node along path that exists (a missing key: its parent).

        A key missing from the document's root mapping is reported at the root record's
        first key, not at line 1 (which is usually a comment).
        """
        node, line = self.node, 1
        if node.id == "mapping" and node.value:
            line = node.value[0][0].start_mark.line + 1
        for step in path:
            if node.id == "mapping":
                pair = next((kv for kv in node.value if str(kv[0].value) == str(step)), None)
                if pair is None:
                    break
                line = pair[0].start_mark.line + 1
                node = pair[1]
            elif node.id == "sequence" and isinstance(step, int) and step < len(node.value):
                node = node.value[step]
                line = node.start_mark.line + 1
            else:
                break
        return line


def field_path(path: Sequence[str | int]) -> str:
    """Render ('arms', 0, 'dose', 'unit') as arms[0].dose.unit."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def read_yaml(path: Path, display: str) -> YamlFile:
    """Parse a YAML file; any unreadable content is a located KGError."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KGError.at(display, None, "", f"cannot read file: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise KGError.at(
            display, None, "", f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise KGError.at(
            display,
            line,
            "",
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
        ) from None
    fast = _fast_compose(text)
    if fast is not None:
        return YamlFile(display, _plain(fast[1]), fast[0], hashlib.sha256(raw).hexdigest())
    try:
        node, data = _ruamel_compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "invalid YAML"
        if "'\\t'" in what:
            what = "found a tab character; indent with spaces, not tabs"
        context = exc.context_mark
        if "flow" in (exc.context or "") and context and mark and context.line != mark.line:
            what += f" ({exc.context} that starts at line {context.line + 1})"
        raise KGError.at(display, line, "", f"invalid YAML: {what}") from None
    except YAMLError as exc:
        raise KGError.at(display, None, "", f"invalid YAML: {exc}") from None
    if node is None:
        raise KGError.at(display, 1, "", "file is empty")
    return YamlFile(display, _plain(data), node, hashlib.sha256(raw).hexdigest())


def _ruamel_compose(text: str) -> tuple[Any, Any]:
    """(node tree, data) as ruamel.yaml reads text (YAML 1.2); raises ruamel's YAMLError."""
    yaml = YAML(typ="safe", pure=True)
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    node = yaml.compose(text)
    return node, None if node is None else yaml.constructor.construct_document(node)


def _plain(node: Any) -> Any:
    """Constructed data with text keys (YAML allows `1: x`), so validation sees plain values."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, _dt.datetime):
        return node
    if isinstance(node, _dt.date):
        return _dt.date(node.year, node.month, node.day)
    return node
