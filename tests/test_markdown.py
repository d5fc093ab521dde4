"""`report.md`, the one Markdown escaper (impact report, checklist, factors,
the app): user text can never become markup, and what is no markup stays as typed."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from identity_map.output.report import md
from identity_map.output.safe import visible

INLINE = set("\\`*_[]<>|~$")


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


@given(st.text(alphabet=st.sampled_from(list("ab1. -+#*_`[]()<>|~$&;\\!\n=")) | st.characters(), max_size=40))
def test_markup_characters_are_always_escaped(text):
    out = md(text)
    assert "\n" not in out and "\r" not in out
    # line breaks become spaces, other control characters visible escapes (output.safe.visible)
    assert unescape(out) == visible(re.sub(r"\r\n?|\n", " ", text))
    # Every markup character is preceded by an unescaped backslash, i.e. an odd run of them.
    for m in re.finditer(r"(\\*)([\\`*_\[\]<>|~$])", out):
        run = len(m.group(1))
        assert run % 2 == 1 or (m.group(2) == "\\" and run % 2 == 0), (text, out)
    stripped = out.lstrip()
    assert not re.match(r"[#+\-=]|\d+[.)]", stripped), (text, out)


def test_plain_punctuation_reads_raw():
    assert md("Photos (2013-2024), v1.2! Done.") == "Photos (2013-2024), v1.2! Done."
    assert md("Ben's old Gmail: a+b = c") == "Ben's old Gmail: a+b = c"


def test_line_starts_and_entities():
    assert md("# not a heading") == "\\# not a heading"
    assert md("- not a list") == "\\- not a list"
    assert md("+ neither") == "\\+ neither"
    assert md("2024. a year") == "2024\\. a year"
    assert md("3) third") == "3\\) third"
    assert md("&lt;b&gt; & co") == "\\&lt;b\\&gt; & co"
    assert md("a\nb") == "a b"
