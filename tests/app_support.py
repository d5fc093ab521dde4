"""Shared by the app's tests: paths, and the check that Markdown holds no live markup."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
EXAMPLES = ROOT / "examples"
# An inventory whose every user-written field is HTML, script, Markdown or template markup.
XSS = ROOT / "tests" / "fixtures" / "app" / "xss.yaml"


def opened(at):
    """`at` after its first run, as a browser sees the page settle: when that
    run was the first paint (the sidebar says "Loading..."), also the run the
    page's timer asks for, which draws the sidebar and all below the graph."""
    if "Loading..." in [c.value for c in at.sidebar.caption]:
        at.run()
    return at


def unescape(markdown: str) -> str:
    """Markdown as a reader sees it: escapes and bold markers removed."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("**", "")


def unescaped_markup(body: str) -> list[str]:
    """Markup left in Markdown once every backslash escape is removed: HTML
    tags, images and links (an image would be fetched from elsewhere), code.
    An autolink `<https://...>` is the site's page from the bundled provider
    directory (`providers.report.link_md`), never user text: user `<` is escaped."""
    bare = re.sub(r"\\.", "", body)
    return re.findall(r"<(?!https?://[^\s<>]+>)[a-zA-Z/!]|!\[|\]\(|`", bare)
