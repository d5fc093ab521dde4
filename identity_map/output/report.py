"""Impact, takeover and ranking reports: plain text, Markdown and JSON-ready dicts.

The CLI prints these and the app offers them as downloads, so both show the
same figures. The JSON shapes are a contract (see the README).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from identity_map.analysis.engine import DEGRADED, LOST, RECOVERABLE, STATUSES, UNREACHABLE, Impact, RankRow
from identity_map.output.safe import visible

if TYPE_CHECKING:
    from identity_map.analysis.takeover import ExposureRow, Takeover

# The explanations and the takeover analysis are imported by the reports that
# use them: `identity-map rank` starts without either (tests/test_startup.py).

SHOWN = (LOST, RECOVERABLE, DEGRADED, UNREACHABLE)


def money(amounts: dict[str, float]) -> str:
    """'EUR 1,400.00 + USD 10.00', or 'none'.

    >>> money({"EUR": 1400.0, "USD": 10.0}), money({})
    ('EUR 1,400.00 + USD 10.00', 'none')
    """
    if not amounts:  # most rows of a ranking: no generator to start
        return "none"
    return " + ".join(f"{cur} {value:,.2f}" for cur, value in amounts.items())


def impact_json(result: Impact) -> dict:
    """The `impact --format json` document: every id of the inventory in `nodes`;
    an after-death scenario says so (`"after_death": true`)."""
    from identity_map.analysis.explain import explanations

    c = result.compiled
    whys = explanations(result)
    s = result.summary
    scenario = {"lost": sorted(result.scenario), "selectors": list(result.selectors or sorted(result.scenario))}
    if result.after_death:
        scenario["after_death"] = True
    return {
        "scenario": scenario,
        "nodes": {
            tid: {"status": status, "kind": c.things[c.index[tid]].kind, "name": c.things[c.index[tid]].name,
                  "why": whys.get(tid, "")}
            for tid, status in result.statuses.items()
        },
        "summary": {"counts": s.counts, "money_lost": s.money_lost, "critical_lost": list(s.critical_lost)},
    }


def _sections(result: Impact) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """[(status, [(id, name, why)])] for the statuses worth reporting."""
    from identity_map.analysis.explain import explanations

    whys = explanations(result)
    names = {t.id: t.name for t in result.compiled.things}
    return [(status, [(tid, names[tid], whys.get(tid, "")) for tid, st in result.statuses.items() if st == status])
            for status in SHOWN]


def _headline(result: Impact) -> list[str]:
    s = result.summary
    names = {t.id: t.name for t in result.compiled.things}
    lost = ", ".join(sorted(result.scenario)) or "nothing (baseline)"
    asked = ", ".join(result.selectors)
    return [
        ("After death (legacy methods count): " if result.after_death else "")
        + f"Scenario: lose {lost}" + (f" (selected by {asked})" if asked and set(result.selectors) != result.scenario
                                       else ""),
        " · ".join(f"{status} {s.counts[status]}" for status in STATUSES),
        f"Money lost: {money(s.money_lost)}",
        "Critical things lost: " + (", ".join(f"{names[t]} ({t})" for t in s.critical_lost) or "none"),
    ] + ([f"Already unreachable with nothing lost, so losing them changes nothing: "
          f"{', '.join(f'{names[t]} ({t})' for t in result.already_unreachable)}"]
         if result.already_unreachable else [])


def impact_text(result: Impact) -> str:
    """A readable report with every explanation, for the terminal."""
    lines = _headline(result)
    for status, rows in _sections(result):
        if rows:
            lines += ["", f"{status.upper()} ({len(rows)})"]
            for tid, name, why in rows:
                lines.append(f"  {tid}" + (f"  ({name})" if name != tid else ""))
                if why:
                    lines.append(f"      {why}")
    return "\n".join(lines) + "\n"


# What turns user text into markup anywhere in a line (CommonMark, GFM tables and
# strikethrough, Streamlit's $math$), and what only does at the start of a line.
# Everything else stays as typed, so the Markdown reads well raw.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~$])")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_MD_LEADING = re.compile(r"^(\s*)([#+\-=]|\d+(?=[.)]))")
_LINE_BREAK = re.compile(r"\r\n?|\n")


def md(text: str) -> str:
    """User text made inert in Markdown, on one line (line breaks become
    spaces, other control characters visible escapes): a backslash before each
    character that would become markup (`*`, `_`, backticks, brackets, `<`, `>`,
    `|`, `~`, `$`, an `&` starting an entity, a backslash) and before a leading
    `#`, `-`, `+`, `=` or the dot of a leading number. Cost: O(len(text)).

    >>> md("Photos (2013-2024). *Not* <b>bold</b>")
    'Photos (2013-2024). \\\\*Not\\\\* \\\\<b\\\\>bold\\\\</b\\\\>'
    >>> md("1. first"), md("- item")
    ('1\\\\. first', '\\\\- item')
    >>> md("Costs $5\\r# not a heading")
    'Costs \\\\$5 # not a heading'
    """
    text = _MD_ENTITY.sub("\\&", _MD_INLINE.sub(r"\\\1", visible(_LINE_BREAK.sub(" ", text))))
    match = _MD_LEADING.match(text)
    if match:
        at = match.end() if match.group(2)[0].isdigit() else match.start(2)
        text = f"{text[:at]}\\{text[at:]}"
    return text


def csv_cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula: on one line
    (a bare carriage return would start a new row or cell that begins with
    `=`), and quoted when it starts like a formula.

    >>> csv_cell("=HYPERLINK(1)"), csv_cell(3)
    ("'=HYPERLINK(1)", '3')
    """
    text = visible(str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def impact_markdown(result: Impact, title: str = "") -> str:
    """The impact report as Markdown, user text escaped."""
    head = _headline(result)
    lines = [f"# Impact report{(' — ' + md(title)) if title else ''}", "", f"**{md(head[0])}**", ""]
    lines += [f"- {md(h)}" for h in head[1:]]
    for status, rows in _sections(result):
        if rows:
            lines += ["", f"## {status.capitalize()} ({len(rows)})", ""]
            for tid, name, why in rows:
                lines.append(f"- **{md(name)}** (`{tid}`)" + (f": {md(why)}" if why else ""))
    return "\n".join(lines) + "\n"


def rank_json(rows: list[RankRow]) -> list[dict]:
    """The `rank --format json` list, worst first."""
    return [{"id": r.id, "name": r.name, "kind": r.kind, "lost": r.lost, "recoverable": r.recoverable,
             "degraded": r.degraded, "money_lost": r.money_lost, "critical_lost": list(r.critical_lost)}
            for r in rows]


def rank_text(rows: list[RankRow]) -> str:
    """A table of single points of failure, worst first."""
    header = f"{'#':>3}  {'id':<24} {'kind':<8} {'lost':>5} {'recov':>5} {'degr':>5}  {'money lost':<18} critical lost"
    lines = [header]
    for n, r in enumerate(rows, 1):
        lines.append(f"{n:>3}  {r.id:<24} {r.kind:<8} {r.lost:>5} {r.recoverable:>5} {r.degraded:>5}  "
                     f"{money(r.money_lost):<18} {', '.join(r.critical_lost) or '-'}")
    return "\n".join(lines) + "\n"


# -- Takeover: what an attacker gets -----------------------------------------


def takeover_json(result: Takeover) -> dict:
    """The `takeover --format json` document: every id of the inventory in `nodes`."""
    from identity_map.analysis.takeover import explanations

    c = result.compiled
    whys = explanations(result)
    s = result.summary
    return {
        "scenario": {"gained": sorted(result.gained), "selectors": list(result.selectors)},
        "nodes": {tid: {"status": status, "kind": c.things[c.index[tid]].kind, "name": c.things[c.index[tid]].name,
                        "why": whys.get(tid, "")} for tid, status in result.statuses.items()},
        "summary": {"counts": s.counts, "critical_taken": list(s.critical_taken), "money_taken": s.money_taken},
    }


def _takeover_lines(result: Takeover) -> tuple[list[str], list[tuple[str, str, str]]]:
    """(headline lines, [(id, name, why)] of the taken things in file order)."""
    from identity_map.analysis.takeover import SAFE, TAKEN, explanations

    s = result.summary
    names = {t.id: t.name for t in result.compiled.things}
    head = [
        "Takeover: the attacker gains " + (", ".join(sorted(result.gained)) or "nothing"),
        f"taken {s.counts[TAKEN]} · safe {s.counts[SAFE]}",
        f"Money taken: {money(s.money_taken)}",
        "Critical things taken: " + (", ".join(f"{names[t]} ({t})" for t in s.critical_taken) or "none"),
    ]
    whys = explanations(result)
    return head, [(tid, names[tid], whys[tid]) for tid in result.compiled.ids if tid in result.taken]


def takeover_text(result: Takeover) -> str:
    """What the attacker takes and how, for the terminal."""
    head, rows = _takeover_lines(result)
    lines = [*head, "", f"TAKEN ({len(rows)})"] if rows else head
    for tid, name, why in rows:
        lines.append(f"  {tid}" + (f"  ({name})" if name != tid else ""))
        lines.append(f"      {why}")
    return "\n".join(lines) + "\n"


def takeover_markdown(result: Takeover, title: str = "") -> str:
    """The takeover report as Markdown, user text escaped."""
    head, rows = _takeover_lines(result)
    lines = [f"# Takeover report{(' — ' + md(title)) if title else ''}", "", f"**{md(head[0])}**", ""]
    lines += [f"- {md(h)}" for h in head[1:]]
    if rows:
        lines += ["", f"## Taken ({len(rows)})", ""]
        lines += [f"- **{md(name)}** (`{tid}`): {md(why)}" for tid, name, why in rows]
    return "\n".join(lines) + "\n"


def exposure_json(rows: list[ExposureRow]) -> list[dict]:
    """The `exposure --format json` list, worst first; `taken` counts the OTHER things taken."""
    return [{"id": r.id, "name": r.name, "kind": r.kind, "taken": r.taken, "money_taken": r.money_taken,
             "critical_taken": list(r.critical_taken)} for r in rows]


def exposure_text(rows: list[ExposureRow]) -> str:
    """A table of what each thing gained alone gives away, worst first."""
    lines = [f"{'#':>3}  {'id':<24} {'kind':<8} {'taken':>5}  {'money taken':<18} critical taken"]
    for n, r in enumerate(rows, 1):
        lines.append(f"{n:>3}  {r.id:<24} {r.kind:<8} {r.taken:>5}  {money(r.money_taken):<18} "
                     f"{', '.join(r.critical_taken) or '-'}")
    return "\n".join(lines) + "\n"
