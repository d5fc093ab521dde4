"""User text made harmless wherever it is shown as plain characters.

A name may hold anything a YAML string can: a bare carriage return that
starts a new CSV row or Markdown line, ESC or OSC 52 sequences that a
terminal would obey (recolour, retitle, write the clipboard), C1 controls
that 8-bit terminals read as ESC, or bidi overrides that reorder what the
reader sees. Every such character is shown as a visible `\\uXXXX` escape,
which is also a valid escape inside a JSON string, so one rule serves
text, CSV, Markdown and JSON printed to a terminal.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, line/paragraph separators, bidi embeddings, overrides and isolates.
_OTHERS = "\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_ANY = re.compile(f"[\x00-\x1f{_OTHERS}]")
_BUT_LAYOUT = re.compile(f"[\x00-\x08\x0b-\x1f{_OTHERS}]")  # keeps \t and \n


def _escape(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"


def visible(text: str) -> str:
    """`text` with every control character (newlines and tabs too) as a
    visible `\\uXXXX` escape: one line, nothing a terminal, spreadsheet or
    Markdown renderer would act on. Cost: one regex pass.

    >>> visible("Bank\\r=2+3\\x1b]52;c;eA==\\x07")
    'Bank\\\\u000d=2+3\\\\u001b]52;c;eA==\\\\u0007'
    """
    return _ANY.sub(_escape, text)


def for_terminal(text: str) -> str:
    """Output for a terminal: newlines and tabs kept (the layout), every
    other control character escaped as in `visible`. Cost: one regex pass.

    >>> for_terminal("a\\tb\\n\\x1b[31mred\\x9b")
    'a\\tb\\n\\\\u001b[31mred\\\\u009b'
    """
    return _BUT_LAYOUT.sub(_escape, text)
