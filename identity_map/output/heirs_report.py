"""The heirs report ("what your people can reach"): text, Markdown, JSON.

`identity-map heirs` prints these, the app shows the same figures; the HTML
form is the printable emergency sheet (`output.sheet`). Notes are never
printed here, so no secret written in them can reach the report.
"""

from __future__ import annotations

from identity_map.analysis.heirs import DIRECT, GROUPS, HEADINGS, OUT, PROCEDURE, Entry, Reach
from identity_map.output.report import md, money


def _label(e: Entry) -> str:
    flags = (["critical"] if e.critical else []) + ([money(e.money)] if e.money else [])
    return e.name + (f" [{', '.join(flags)}]" if flags else "")


def _totals(r: Reach) -> str:
    return (f"money reached: {money(r.money(DIRECT))} directly, {money(r.money(PROCEDURE))} through a procedure; "
            f"out of reach: {money(r.money(OUT))}")


def heirs_text(reaches: list[Reach]) -> str:
    """Every person's lists with the plain-word chains, for the terminal.
    Cost: O(entries).

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> from identity_map.analysis.heirs import heirs
    >>> print(heirs_text(heirs(build_graph(load_text("version: 1\\n")))).splitlines()[0])
    What your people together can reach after your death
    """
    lines = []
    for r in reaches:
        lost = sorted(r.impact.scenario)
        lines += [f"What {r.subject} can reach after your death", f"(lost: {', '.join(lost)})", _totals(r)]
        for group in GROUPS:
            entries = r.group(group)
            lines += ["", f"{HEADINGS[group].upper()} ({len(entries)})"]
            for e in entries:
                lines += [f"  {_label(e)}  ({e.id})", f"      {e.how}"]
        lines.append("")
    return "\n".join(lines)


def heirs_markdown(reaches: list[Reach], owner: str = "") -> str:
    """The same as Markdown, user text escaped. Cost: O(entries).

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> from identity_map.analysis.heirs import heirs
    >>> heirs_markdown(heirs(build_graph(load_text("version: 1\\n"))), "<b>Me</b>").splitlines()[0]
    '# What your people can reach — \\\\<b\\\\>Me\\\\</b\\\\>'
    """
    lines = [f"# What your people can reach{(' — ' + md(owner)) if owner else ''}", ""]
    for r in reaches:
        lines += [f"## {md(r.title)}", "", f"_{md(_totals(r))}_"]
        for group in GROUPS:
            entries = r.group(group)
            lines += ["", f"### {HEADINGS[group]} ({len(entries)})", ""]
            lines += [f"- **{md(_label(e))}** (`{e.id}`): {md(e.how)}" for e in entries]
        lines.append("")
    return "\n".join(lines)


def heirs_json(reaches: list[Reach]) -> dict:
    """The `heirs --format json` document.

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> from identity_map.analysis.heirs import heirs
    >>> doc = heirs_json(heirs(build_graph(load_text("version: 1\\naccounts:\\n  a: {}\\n"))))
    >>> doc["people"][0]["entries"][0]["group"]
    'out of reach'
    """
    return {"after_death": True, "people": [
        {"person": r.person, "title": r.title, "lost": sorted(r.impact.scenario),
         "money": {g: r.money(g) for g in GROUPS},
         "entries": [{"id": e.id, "name": e.name, "kind": e.kind, "group": e.group, "how": e.how,
                      "money": e.money, "critical": e.critical} for e in r.entries]}
        for r in reaches]}
