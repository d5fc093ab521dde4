"""What the app shows, computed by plain functions (no Streamlit here).

`app.py` only lays these out. Every string built here that contains user
text is either meant for a plain-text element (dataframe cells, select
options, st.text) or already escaped with `report.md` for Markdown; the
function names say which (`*_md` returns Markdown).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

from .engine import DEGRADED, LOST, OK, RECOVERABLE, UNREACHABLE, Impact, RankRow, impact, rank
from .explain import method_states, why
from .load import Problem
from .model import LOSABLE_KINDS, MEMORY, Inventory
from .render import COLORS, render_html
from .report import md, money
from .validate import Validation, validate_text

FOCUS_ABOVE = 300  # things; above this the graph opens on the blast radius only
GRAPH_HEIGHT = 640  # px of the vis canvas; the legend sits above it
CHART_TOP = 20  # rows of the ranking drawn in the bar chart


@dataclass(frozen=True)
class Analysis:
    """One editor text, checked; `ranking` is empty when the text is invalid."""

    validation: Validation
    ranking: tuple[RankRow, ...]

    @property
    def ok(self) -> bool:
        return self.validation.ok

    @property
    def graph(self) -> nx.DiGraph:
        assert self.validation.graph is not None, "no graph: the text is invalid"
        return self.validation.graph

    @property
    def inventory(self) -> Inventory:
        assert self.validation.inventory is not None, "no inventory: the text is invalid"
        return self.validation.inventory


def analyse(text: str, filename: str) -> Analysis:
    """Validate and rank. The app caches this per text, so changing the
    scenario never parses again."""
    checked = validate_text(text, filename)
    return Analysis(checked, tuple(rank(checked.graph)) if checked.ok else ())


def scenario(analysis: Analysis, lost: Sequence[str]) -> Impact:
    """The impact of `lost`, ignoring ids the text no longer has (an edit
    may remove a thing that was selected)."""
    known = analysis.inventory.things
    return impact(analysis.graph, [tid for tid in lost if tid in known])


# -- Labels ---------------------------------------------------------------


def label(inv: Inventory, thing_id: str) -> str:
    """Plain text: 'Name (id)', or the id alone when it has no other name."""
    name = inv[thing_id].name
    return thing_id if name == thing_id else f"{name} ({thing_id})"


def status_label(result: Impact, thing_id: str) -> str:
    """Plain text: 'Name (id) - status'."""
    return f"{label(result.compiled.inventory, thing_id)} - {result.status(thing_id)}"


def lose_options(inv: Inventory) -> list[str]:
    """What can be picked to lose: every account, device, phone and place,
    then `memory` (what the owner remembers)."""
    return [t.id for t in inv if t.kind in LOSABLE_KINDS] + [MEMORY]


# -- Summary --------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    help: str


def metrics(result: Impact) -> list[Metric]:
    s = result.summary
    return [
        Metric("Lost", str(s.counts[LOST]), "Things no longer reachable, the ones lost in the scenario included."),
        Metric("Recoverable", str(s.counts[RECOVERABLE]), "Reachable only through a recovery method now."),
        Metric("Degraded", str(s.counts[DEGRADED]), "Still reachable, but with fewer ways in."),
        Metric("Money lost", money(s.money_lost), "Purchases and licences tied to lost accounts."),
        Metric("Critical lost", str(len(s.critical_lost)), "Things marked critical that are lost."),
    ]


def critical_lost_md(result: Impact) -> str:
    """Markdown naming the critical things lost ('' when none)."""
    inv = result.compiled.inventory
    names = [md(label(inv, tid)) for tid in result.summary.critical_lost]
    return ("**Critical things lost:** " + ", ".join(names)) if names else ""


def scenario_md(result: Impact) -> str:
    """Markdown naming what the scenario loses."""
    inv = result.compiled.inventory
    lost = [md(label(inv, tid)) for tid in inv.things if tid in result.scenario]
    return ("**Losing:** " + ", ".join(lost)) if lost else "**Losing:** nothing (the baseline)"


# -- One thing ------------------------------------------------------------

_STATUS_SENTENCE = {
    LOST: "is lost",
    RECOVERABLE: "can still be reached, but only through recovery",
    DEGRADED: "is still reachable by login, with fewer ways in",
    OK: "is not affected",
    UNREACHABLE: "is unreachable even with nothing lost",
}


def default_explained(result: Impact) -> str:
    """The thing to explain first: a critical thing the loss took, else any
    thing it took beyond the scenario itself, else the first lost id."""
    c = result.compiled
    fallout = [tid for tid in c.ids if tid in result.lost and tid not in result.scenario]
    critical = [tid for tid in fallout if c.inventory[tid].critical]
    for pool in (critical, fallout, sorted(result.scenario), c.ids):
        if pool:
            return pool[0]
    return MEMORY


def explanation_md(result: Impact, thing_id: str) -> str:
    """Markdown: the thing's status in a sentence, then why."""
    head = f"**{md(label(result.compiled.inventory, thing_id))}** {_STATUS_SENTENCE[result.status(thing_id)]}."
    reason = why(result, thing_id)
    return head + (f"\n\n{md(reason)}" if reason else "")


def method_rows(result: Impact, thing_id: str) -> list[dict]:
    """Its login and recovery methods as table rows (plain text)."""
    return [{"role": s.role, "method": s.text, "worked before": s.worked_in_baseline, "works now": s.works,
             "missing now": ", ".join(s.gone)} for s in method_states(result, thing_id)]


# -- Tables ---------------------------------------------------------------


def problem_rows(problems: Sequence[Problem], text: str = "") -> list[dict]:
    """Errors or warnings as table rows, each with its line of `text` (the
    editor has no line numbers, so the line itself is the way to find it)."""
    lines = text.splitlines()
    return [{"line": p.line, "column": p.col, "message": p.message,
             "text": lines[p.line - 1].strip() if 0 < p.line <= len(lines) else ""} for p in problems]


def ranking_rows(rows: Sequence[RankRow]) -> list[dict]:
    """The ranking as table rows, worst first; `lost` counts what ELSE is lost."""
    return [{"id": r.id, "name": r.name, "kind": r.kind, "also lost": r.lost, "recoverable": r.recoverable,
             "degraded": r.degraded, "money lost": money(r.money_lost),
             "critical lost": ", ".join(r.critical_lost)} for r in rows]


# The chart's series and their colours: the graph's status colours.
CHART_SERIES = {"also lost": COLORS[LOST], "recoverable": COLORS[RECOVERABLE], "degraded": COLORS[DEGRADED]}


def ranking_chart(rows: Sequence[RankRow], top: int = CHART_TOP) -> dict[str, list]:
    """Columns for a stacked bar chart of the worst `top` single losses that
    affect anything, labelled by id (short, and never markup)."""
    shown = [r for r in rows if r.lost or r.recoverable or r.degraded][:top]
    return {"thing": [r.id for r in shown], "also lost": [r.lost for r in shown],
            "recoverable": [r.recoverable for r in shown], "degraded": [r.degraded for r in shown]}


# -- The graph ------------------------------------------------------------


def focus_by_default(inv: Inventory) -> bool:
    """Large graphs open on the blast radius: drawing every thing is slow
    to read and slower to draw."""
    return len(inv) > FOCUS_ABOVE


def graph_page(analysis: Analysis, lost: Sequence[str], focus: bool) -> str:
    """The standalone graph page for the scenario (see identity_map.render)."""
    return render_html(analysis.graph, scenario(analysis, lost), focus=focus, height=f"{GRAPH_HEIGHT}px")
