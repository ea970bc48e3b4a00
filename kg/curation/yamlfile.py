"""Reading one YAML file with the line of every key and item, for located errors.

The file is composed once into ruamel's node tree (each node knows its line) with the
plain safe scanner (the round-trip scanner spends half its time gathering comments we do
not keep), and the plain Python data is constructed from that same tree.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from kg.errors import KGError

__all__ = ["YamlFile", "field_path", "read_yaml"]

MAX_BYTES = 20_000_000


class _Constructor(SafeConstructor):
    """Safe constructor that keeps dates as text: an impossible date such as 2017-13-45
    then reaches the schema, which reports it with its field, instead of crashing the parser."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_str)


@dataclass(frozen=True)
class YamlFile:
    """A parsed YAML document: plain Python data plus the node tree that knows lines."""

    path: str
    data: Any
    node: Node
    sha256: str = ""  # of the bytes parsed (the file is read once)

    def line(self, path: Sequence[str | int]) -> int:
        """1-based line of the deepest node along path that exists (a missing key: its parent).

        A key missing from the document's root mapping is reported at the root record's
        first key, not at line 1 (which is usually a comment).
        """
        node, line = self.node, 1
        if isinstance(node, MappingNode) and node.value:
            line = node.value[0][0].start_mark.line + 1
        for step in path:
            if isinstance(node, MappingNode):
                pair = next((kv for kv in node.value if str(kv[0].value) == str(step)), None)
                if pair is None:
                    break
                line = pair[0].start_mark.line + 1
                node = pair[1]
            elif (
                isinstance(node, SequenceNode) and isinstance(step, int) and step < len(node.value)
            ):
                node = node.value[step]
                line = node.start_mark.line + 1
            else:
                break
        return line


def _index(step: str | int, node: SequenceNode) -> bool:
    return isinstance(step, int) and step < len(node.value)


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
    yaml = YAML(typ="safe", pure=True)
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    try:
        node = yaml.compose(text)
        data = None if node is None else yaml.constructor.construct_document(node)
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
