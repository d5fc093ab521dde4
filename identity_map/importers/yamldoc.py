"""Round-trip YAML editing with ruamel.yaml: adding keys, list items and
comments to a person's inventory without disturbing what they wrote.

ruamel.yaml keeps comments, but it attaches the comment lines that follow a
node to that node's last leaf. Appending after such a node would put the new
node *below* comments that introduce the next section; `_move_trailing`
moves those lines after the new node so they stay where they were.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

Node = CommentedMap | CommentedSeq


@dataclass(frozen=True)
class Layout:
    """The indentation an inventory uses: spaces per mapping level, and how
    far a list's dash sits right of its parent key."""

    mapping: int = 2
    offset: int = 2

    def yaml(self) -> YAML:
        """Return a round-trip YAML instance that writes in this layout."""
        y = YAML(typ="rt")
        y.indent(mapping=self.mapping, sequence=self.offset + 2, offset=self.offset)
        y.preserve_quotes = True
        y.width = 4096  # never fold a long name or comment onto two lines
        return y


_KEY_LINE = re.compile(r"^( *)[^\s#\-][^#]*?:(\s|$)")
_DASH_LINE = re.compile(r"^( *)- ")


def guess_layout(text: str) -> Layout:
    """Return the indentation the text already uses (defaults: 2 and 2)."""
    mapping = offset = None
    previous_key_indent: int | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if dash := _DASH_LINE.match(line):
            if offset is None and previous_key_indent is not None:
                offset = max(0, len(dash.group(1)) - previous_key_indent)
            continue
        if key := _KEY_LINE.match(line):
            indent = len(key.group(1))
            if indent and (mapping is None or indent < mapping):
                mapping = indent
            previous_key_indent = indent
    mapping = mapping or 2
    return Layout(mapping=mapping, offset=mapping if offset is None else offset)


def load(text: str, layout: Layout) -> Any:
    """Return the round-trip document of `text`."""
    return layout.yaml().load(text)


def dump(doc: Any, layout: Layout) -> str:
    """Return the YAML text of a round-trip document."""
    out = io.StringIO()
    layout.yaml().dump(doc, out)
    return out.getvalue()


# Plain text that every YAML 1.1 reader takes as itself: starts with a letter,
# no `: ` or ` #`, not a boolean or null word. Checked first because asking
# PyYAML costs a parse per string.
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9 ._@/()+:-]*[A-Za-z0-9._@/()+-]|[A-Za-z_]")
_YAML11_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def scalar(text: str) -> str:
    """Return `text` ready to be written as a YAML value or key: double-quoted
    when a YAML 1.1 reader (PyYAML, which the loader uses) would not read
    it back as the same string (`yes`, `0123`, `2024-01-01`, `a: b`)."""
    if _PLAIN.fullmatch(text) and ": " not in text and text.lower() not in _YAML11_WORDS:
        return text
    try:
        same = pyyaml.safe_load(text) == text
    except pyyaml.YAMLError:
        same = False
    return text if same and text == text.strip() else DoubleQuotedScalarString(text)


_FLOW_UNSAFE = re.compile(r"[,\[\]{}#]")


def flow_scalar(text: str) -> str:
    """Return `text` as it must be written inside a `{...}`/`[...]` flow
    collection: plain when `scalar` keeps it plain and it has no flow
    indicator, else double-quoted (a JSON string is a valid YAML one).

    >>> flow_scalar("password:bitwarden + totp:aegis"), flow_scalar("A, B"), flow_scalar("yes")
    ('password:bitwarden + totp:aegis', '"A, B"', '"yes"')
    """
    if not isinstance(scalar(text), DoubleQuotedScalarString) and not _FLOW_UNSAFE.search(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def is_flow(node: Any) -> bool:
    """True for a `{...}` or `[...]` collection."""
    return isinstance(node, (CommentedMap, CommentedSeq)) and bool(node.fa.flow_style())


def _last_key(node: Node) -> Any:
    """Return the last key (or index) of a non-empty collection, in constant time."""
    return next(reversed(node)) if isinstance(node, CommentedMap) else len(node) - 1


def _slot(node: Node, key: Any) -> list[Any] | None:
    """Return ruamel's comment record of one key or index, if any."""
    return node.ca.items.get(key)


def _eol_index(node: Node) -> int:
    # ruamel keeps a map value's end-of-line comment at [2], a list item's at [0].
    return 2 if isinstance(node, CommentedMap) else 0


def _leaf_path(node: Node, key: Any) -> list[tuple[Node, Any]]:
    """Return the (container, key) pairs from `node[key]` down to its last
    block-style leaf, outermost first."""
    path = [(node, key)]
    value = node[key]
    while isinstance(value, (CommentedMap, CommentedSeq)) and len(value) and not is_flow(value):
        last = _last_key(value)
        path.append((value, last))
        value = value[last]
    return path


def _cut_trailing(node: Node, key: Any) -> str:
    """Remove and return the comment lines that follow `node[key]` (its own
    end-of-line comment stays)."""
    tails = []
    for container, k in reversed(_leaf_path(node, key)):
        record = _slot(container, k)
        i = _eol_index(container)
        token = record[i] if record and len(record) > i else None
        if not isinstance(token, CommentToken):
            continue
        head, sep, tail = token.value.partition("\n")
        if tail:
            tails.append(tail)
            if head.strip():
                token.value = head + "\n"
            else:
                record[i] = None
    return "".join(tails)


def _attach_trailing(node: Node, key: Any, tail: str) -> None:
    """Put comment lines after `node[key]`'s last leaf."""
    if not tail:
        return
    container, k = _leaf_path(node, key)[-1]
    i = _eol_index(container)
    record = container.ca.items.setdefault(k, [None, None, None, None])
    token = record[i]
    if isinstance(token, CommentToken):
        token.value = token.value.rstrip("\n") + "\n" + tail
    else:
        record[i] = CommentToken("\n" + tail, CommentMark(0), None)


def _comment_above(node: Node, key: Any, comment: str, indent: int) -> None:
    if comment:
        node.yaml_set_comment_before_after_key(key, before=comment, indent=indent)


def add_key(node: CommentedMap, key: str, value: Any, *, comment: str = "", indent: int = 0, position: int | None = None) -> None:
    """Add `key: value` to a mapping (at the end, or before the key now at
    `position`), with a comment line above it; comments that introduced
    whatever follows stay in front of it."""
    # Appending (the common case) looks at the last key only: listing every
    # key per insert made a large import quadratic.
    if position is None or position >= len(node):
        before = _last_key(node) if len(node) else None
    else:
        before = list(node.keys())[position - 1] if position > 0 else None
    tail = _cut_trailing(node, before) if before is not None else ""
    if position is None or position >= len(node):
        node[key] = value
    else:
        node.insert(position, key, value)
    _comment_above(node, key, comment, indent)
    _attach_trailing(node, key, tail)


def add_item(node: CommentedSeq, value: Any, *, comment: str = "", indent: int = 0) -> None:
    """Append an item to a list, with a comment line above it."""
    tail = _cut_trailing(node, len(node) - 1) if len(node) else ""
    node.append(value)
    _comment_above(node, len(node) - 1, comment, indent)
    _attach_trailing(node, len(node) - 1, tail)


def comment_item(node: Node, key: Any, comment: str, indent: int) -> None:
    """Add a comment line above an existing key or item (after any comment
    the person already wrote there)."""
    _comment_above(node, key, comment, indent)


def block(node: Node) -> Node:
    """Switch a `{...}`/`[...]` collection to block style so that new keys,
    items and comments can go in; return it."""
    if is_flow(node):
        node.fa.set_block_style()
    return node
