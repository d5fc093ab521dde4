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

from identity_map.checklist.formats import first_heading
from identity_map.checklist import (ADVICE, ADVICE_GROUP, FIX, HARDEN, INFO, Checklist, Item, apply, build_checklist,
                                    verification_text)
from identity_map.checklist.takeover import takeover_text
from identity_map.analysis.engine import DEGRADED, LOST, OK, RECOVERABLE, UNREACHABLE, Impact, RankRow, rank
from identity_map.analysis.cascade import cascade
from identity_map.analysis.scenarios import worst
from identity_map.analysis.explain import method_states, why
from identity_map.analysis.selectors import SelectorError, match, scenario_impact, select, sites
from identity_map.analysis.selectors import label as selector_label
from identity_map.analysis.graph import build_graph
from identity_map.analysis.heirs import DIRECT, HEADINGS, OUT, PROCEDURE, Reach, person_title, reach
from identity_map.format.load import Problem
from identity_map.format.model import LOSABLE_KINDS, MEMORY, Inventory
from identity_map.output.render import COLORS, render_html, sandboxed, takeover_html
from identity_map.output.report import md, money
from identity_map.providers.factors import FactorRow
from identity_map.providers.report import link_md, matched_text
from identity_map.analysis.resilience import MAX_K, TEXT_EXAMPLES, Row
from identity_map.analysis.takeover import SAFE, TAKEN, ExposureRow, Takeover, attack_candidates, takeover
from identity_map.analysis.takeover import why as takeover_why
from identity_map.analysis.validate import Validation, validate_text

FOCUS_ABOVE = 300  # things; above this the graph opens on the blast radius only
GRAPH_HEIGHT = 470  # px of the vis canvas: with the pickers and figures it fits a 1280x800 screen
LEGEND_HEIGHT = 46  # px the legend above the canvas takes (two lines at 1280 px)
CASCADE_SHOWN = 150  # lines of the cascade tree; the rest is counted
CHART_TOP = 20  # rows of the ranking drawn in the bar chart
CHECKLIST_SHOWN = 30  # items listed beside the graph; the downloads hold them all
CHECKLIST_AUTO_MAX = 1000  # things; above this the checklist is built only when asked (it takes seconds)


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


def scenario(analysis: Analysis, lost: Sequence[str], after_death: bool = False) -> Impact:
    """The impact of the selectors `lost` (after death: see `engine.impact`),
    ignoring those the text no longer matches (an edit may remove a thing
    that was selected)."""
    return scenario_impact(analysis.graph, known_selectors(analysis.inventory, lost), after_death)


# -- Labels ---------------------------------------------------------------


def label(inv: Inventory, thing_id: str) -> str:
    """Plain text: 'Name (id)', or the id alone when it has no other name; a
    selector in words: 'everything at home (site:home)'."""
    name = inv.things[thing_id].name if thing_id in inv.things else selector_label(inv, thing_id)
    return thing_id if name == thing_id else f"{name} ({thing_id})"


def status_label(result: Impact, thing_id: str) -> str:
    """Plain text: 'Name (id) - status'."""
    return f"{label(result.compiled.inventory, thing_id)} - {result.status(thing_id)}"


def lose_options(inv: Inventory) -> list[str]:
    """What can be picked to lose: every account, device, phone and place,
    then `memory` (what the owner remembers), then the selectors that name
    several things at once: each site and each provider."""
    return ([t.id for t in inv if t.kind in LOSABLE_KINDS] + [MEMORY]
            + [f"site:{s}" for s in sites(inv)]
            + [f"provider:{p}" for p in dict.fromkeys(t.provider for t in inv.of_kind("account") if t.provider)])


# -- Summary --------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    help: str
    delta: str | None = None  # the change from `before`, when one is given and it differs
    delta_color: str = "off"  # st.metric's: "inverse" when fewer is better


def _count_delta(after: int, before: int) -> str | None:
    return None if after == before else f"{after - before:+d}"


def _money_delta(after: dict[str, float], before: dict[str, float]) -> str | None:
    """'-EUR 1,470.00' when every changed currency went the same way; else
    both figures."""
    diff = {cur: after.get(cur, 0.0) - before.get(cur, 0.0) for cur in dict.fromkeys([*before, *after])}
    diff = {cur: d for cur, d in diff.items() if abs(d) >= 0.005}
    if not diff:
        return None
    if all(d < 0 for d in diff.values()):
        return "-" + money({cur: -d for cur, d in diff.items()})
    if all(d > 0 for d in diff.values()):
        return "+" + money(diff)
    return f"was {money(before)}"


def metrics(result: Impact, before: Impact | None = None) -> list[Metric]:
    """The summary figures; with `before` (the same scenario on the file as
    it stands), each says how the what-if changes moved it."""
    s = result.summary
    b = before.summary if before is not None else None

    def delta(key: str) -> str | None:
        return _count_delta(s.counts[key], b.counts[key]) if b else None

    return [
        Metric("Lost", str(s.counts[LOST]), "Things no longer reachable, the ones lost in the scenario included.",
               delta(LOST), "inverse"),
        Metric("Recoverable", str(s.counts[RECOVERABLE]), "Reachable only through a recovery method now.",
               delta(RECOVERABLE)),
        Metric("Degraded", str(s.counts[DEGRADED]), "Still reachable, but with fewer ways in.", delta(DEGRADED)),
        Metric("Money lost", money(s.money_lost), "Purchases and licences tied to lost accounts.",
               _money_delta(s.money_lost, b.money_lost) if b else None, "inverse"),
        Metric("Critical lost", str(len(s.critical_lost)), "Things marked critical that are lost.",
               _count_delta(len(s.critical_lost), len(b.critical_lost)) if b else None, "inverse"),
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
    text = ("**Losing:** " + ", ".join(lost)) if lost else "**Losing:** nothing (the baseline)"
    if result.already_unreachable:
        text += (" (already unreachable with nothing lost, so losing it changes nothing: "
                 + ", ".join(md(label(inv, t)) for t in result.already_unreachable) + ")")
    return text


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


def opening_lost(analysis: Analysis) -> tuple[str, ...]:
    """What a new session loses first: the worst single point of failure
    (the app's default scenario, and the graph the launcher paints first)."""
    return tuple(worst(analysis.ranking))


def opening_graph_page(analysis: Analysis, vis_src: str | None = None) -> str:
    """The graph a new session opens on, exactly as the app's first run
    draws it: the opening loss, focused on it above FOCUS_ABOVE things.
    Cost: one impact and one graph page.

    >>> mine = analyse("version: 1\\naccounts:\\n  mail: {}\\n  shop: {login: [mail]}\\n", "me.yaml")
    >>> opening_lost(mine), 'sandbox="allow-scripts"' in opening_graph_page(mine)
    (('mail',), True)
    """
    return graph_page(analysis, opening_lost(analysis), focus_by_default(analysis.inventory), vis_src=vis_src)


def graph_page(analysis: Analysis, lost: Sequence[str], focus: bool, after_death: bool = False,
               vis_src: str | None = None) -> str:
    """The standalone graph page for the scenario (see identity_map.render)."""
    return graph_page_of(analysis.graph, scenario(analysis, lost, after_death), focus, vis_src)


def graph_page_of(G: nx.DiGraph, result: Impact, focus: bool, vis_src: str | None = None) -> str:
    """The graph page of any graph and impact on it (the what-if graph),
    sandboxed for embedding (see `render.sandboxed`); vis-network inline, or
    loaded from `vis_src` (`render.APP_VIS_SRC` when the server serves it)."""
    return sandboxed(render_html(G, result, focus=focus, height=f"{GRAPH_HEIGHT}px", vis_src=vis_src))


def cascade_md(result: Impact, limit: int = CASCADE_SHOWN) -> str:
    """Markdown: what falls because of what, as a nested list from each lost
    id of the scenario (names escaped; a status word after recoverable
    things). A note says what to do when nothing falls.

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.engine import impact
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  a: {name: A*}\\n  b: {login: [email:a]}\\n"))
    >>> print(cascade_md(impact(G, ["a"])))
    - **A\\* (a)**
        - b
    """
    inv = result.compiled.inventory
    lines: list[str] = []
    total = 0
    stack = [(tree, 0) for tree in reversed(cascade(result))]
    while stack:
        fall, depth = stack.pop()
        total += 1
        if len(lines) < limit:
            text = md(label(inv, fall.id)) + (" _(recoverable)_" if fall.status == RECOVERABLE else "")
            lines.append("    " * depth + "- " + (f"**{text}**" if depth == 0 else text))
        stack.extend((child, depth + 1) for child in reversed(fall.children))
    if not lines:
        return ("Nothing else falls in this scenario. Pick another loss above, or try a preset "
                "such as *house fire* or *phone lost or stolen*.")
    if total > len(lines):
        lines.append(f"\n_and {total - len(lines)} more (the graph and the exports have them all)_")
    return "\n".join(lines)


def empty_checklist_md(result: Impact, whole: bool) -> str:
    """What an empty checklist means, and what to do next (no user text)."""
    if whole or not result.scenario:
        return ("Nothing to fix: no single loss takes anything else. Add the accounts, phones and devices your "
                "logins depend on (Start my map, or the Edit page), and the checklist follows.")
    return ("Nothing to propose for this scenario: no change the checklist knows would save anything here. "
            "Turn on *Whole inventory* for every single point of failure.")


# -- The checklist beside the graph ---------------------------------------------


def known_selectors(inventory: Inventory, lost: Sequence[str]) -> list[str]:
    """`lost` (selectors) without those that match nothing in `inventory`
    any more (an edit may remove a thing that was picked), in order, once each."""
    out = []
    for selector in dict.fromkeys(lost):
        try:
            match(inventory, selector)
        except SelectorError:
            continue
        out.append(selector)
    return out


def checklist(analysis: Analysis, lost: Sequence[str], whole: bool = False, after_death: bool = False) -> Checklist:
    """The verified checklist for the scenario `lost` (as the CLI's
    `checklist --lose`; after death with `after_death`), or for every single
    point of failure when `whole` or when nothing is lost (and not after death)."""
    if after_death and not whole:
        return build_checklist(analysis.graph, known_selectors(analysis.inventory, lost), after_death=True)
    scope = None if whole else (known_selectors(analysis.inventory, lost) or None)
    return build_checklist(analysis.graph, scope)


def checklist_by_default(inv: Inventory) -> bool:
    """Whether the checklist is built without asking: on very large
    inventories it takes seconds (one graph rebuild per proposed change)."""
    return len(inv) <= CHECKLIST_AUTO_MAX


@dataclass(frozen=True)
class ChecklistEntry:
    """One checklist item as the app shows it. The *_md fields are Markdown
    with user text escaped; `change` lines are plain text."""

    id: str
    kind: str
    action_md: str
    detail_md: str
    verified_md: str
    gains_md: str  # the critical things it makes harder to lose ('' when none)
    takeover_md: str  # what it lets an attacker take, or stops ('' for info and advice)
    change: tuple[str, ...]
    also: int  # other scenarios in scope it helps in

    @property
    def can_try(self) -> bool:
        """Whether it has a change the what-if toggle can apply."""
        return bool(self.change)


_TAGS = {INFO: " _(to know)_", ADVICE: " _(advice)_", HARDEN: " _(against takeover)_"}


def _losses(k: int | None) -> str:
    return f"more than {MAX_K}" if k is None else str(k)


def gains_md(item: Item, inventory: Inventory) -> str:
    """Markdown: the critical things the item's change makes harder to lose,
    as the fewest simultaneous losses before and after ('' when none, or
    when the checklist does not say)."""
    gains = getattr(item, "resilience_gains", ())
    if not gains:
        return ""
    parts = [f"{md(label(inventory, g.id))} ({_losses(g.before)} → {_losses(g.after)})" for g in gains]
    return "Harder to lose (fewest losses that take it, before → after): " + ", ".join(parts) + "."


def checklist_entry(item: Item, inventory: Inventory) -> ChecklistEntry:
    verified = verification_text(item.verification, inventory).render(md) if item.verification else ""
    if verified and item.kind == FIX:
        verified = "Verified: " + verified
    return ChecklistEntry(item.id, item.kind, f"**{item.action.render(md)}**" + _TAGS.get(item.kind, ""),
                          item.detail.render(md), verified, gains_md(item, inventory),
                          takeover_text(item, inventory).render(md), tuple(item.change_text()),
                          len(item.also))


def checklist_groups(items: Sequence[Item], inventory: Inventory,
                     limit: int = CHECKLIST_SHOWN) -> list[tuple[str, list[ChecklistEntry]]]:
    """The first `limit` items as (heading Markdown, entries), in the
    checklist's order: its head ("Do these 5 first"), then the rest, already
    grouped by what they concern."""
    groups: list[tuple[str, list[ChecklistEntry]]] = []
    last = None
    head = getattr(items, "first", 0)
    for n, item in enumerate(list(items)[:limit]):
        group = HEAD if n < head else item.group
        if group != last or not groups:
            heading = (first_heading(head) if group is HEAD else "General advice" if group == ADVICE_GROUP
                       else md(item.group_name))
            groups.append((f"**{heading}**", []))
            last = group
        groups[-1][1].append(checklist_entry(item, inventory))
    return groups


HEAD = object()  # the checklist's head: the fixes to do first, whatever they concern


def checklist_scope_md(items: Checklist, inventory: Inventory) -> str:
    """Markdown: what the checklist covers, how many items, and what doing
    every fix achieves in its worst scenario."""
    fixes = sum(1 for i in items if i.kind == FIX)
    if items.whole:
        scope = f"every single point of failure ({len(items.scenarios)})"
    elif items.after_death:
        scope = "what your people can reach after your death"
    else:
        names = [md(label(inventory, tid)) for tid in (items.scenarios[0] if items.scenarios else ())]
        scope = "losing " + (", ".join(names) if names else "nothing")
    lines = [f"Covers {scope}: {len(items)} item{'s' if len(items) != 1 else ''}, "
             f"{fixes} of them verified fixes."]
    if items.combined:
        v = items.combined[0]
        lead = "after your death" if v.after_death else \
            f"if you lose {', '.join(md(label(inventory, t)) for t in v.scenario)}"
        lines.append(f"All fixes together: {lead}, "
                     f"{v.lost_after} thing{'s' if v.lost_after != 1 else ''} lost instead of {v.lost_before}.")
    return "  \n".join(lines)


@dataclass(frozen=True)
class WhatIf:
    """The scenario re-run on the inventory with chosen checklist changes
    applied (in memory only: the file is not touched)."""

    items: tuple[Item, ...]
    graph: nx.DiGraph
    result: Impact

    @property
    def inventory(self) -> Inventory:
        return self.result.compiled.inventory


def what_if(analysis: Analysis, lost: Sequence[str], items: Sequence[Item],
            after_death: bool = False) -> WhatIf | None:
    """The same scenario after the changes of `items`; None when none of
    them changes anything (info and advice items have no change)."""
    chosen = tuple(i for i in items if i.change)
    if not chosen:
        return None
    changed = apply(analysis.inventory, chosen)
    G = build_graph(changed)
    # The scenario's selectors, applied again to the changed inventory.
    return WhatIf(chosen, G, scenario_impact(G, known_selectors(changed, lost), after_death))


def what_if_md(what: WhatIf) -> str:
    """Markdown: the note that the view shows changes not saved anywhere."""
    n = len(what.items)
    return (f"**What if:** the figures, the graph and the explanations below show this scenario after "
            f"{n} change{'s' if n != 1 else ''} from the checklist. They are **not saved** to the file: "
            "make the same edits in the Edit tab (each item says which) to keep them.")


# -- Resilience ---------------------------------------------------------------


def resilience_rows(rows: Sequence[Row], inventory: Inventory, after: Sequence[Row] | None = None,
                    shown: int = TEXT_EXAMPLES, takeover_rows: Sequence[Row] = ()) -> list[dict]:
    """Table rows, weakest first: each critical thing, the fewest
    simultaneous losses that lose it ("1" = a single point of failure),
    how many such sets there are and the first few (ids joined by ' + ').
    With `after` (the what-if inventory's rows), a column says what the
    changes make of it; with `takeover_rows` (the dual's), two columns say
    the fewest gains that let an attacker take it, and the first sets. Plain text."""
    later = {r.id: r for r in after} if after is not None else None
    dual = {r.id: r for r in takeover_rows}
    out = []
    for r in rows:
        sets = "; ".join(" + ".join(s) for s in r.examples[:shown])
        if r.count > shown:
            sets += f"; and {r.count - shown} more"
        row = {"thing": label(inventory, r.id), "kind": r.kind, "losses to lose it": r.label,
               "sets": r.count, "for example": sets}
        if later is not None:
            row["with the changes"] = later[r.id].label if r.id in later else ""
        if r.id in dual:
            row["gains to take it"] = dual[r.id].label
            row["for example, gaining"] = "; ".join(" + ".join(s) for s in dual[r.id].examples[:shown])
        out.append(row)
    return out


# -- Import -------------------------------------------------------------------


def import_notes_md(notes: Sequence[str]) -> str:
    """The importer's notes as a Markdown list (user text escaped: they name
    the export's file and the accounts)."""
    return "\n".join(f"- {md(n)}" for n in notes)


# -- What your people can reach ------------------------------------------------


HEIRS_GROUPS = tuple(HEADINGS.items())


def heirs_choices(inv: Inventory) -> list[str]:
    """"" (everyone together), then each person of `people:`. Cost: O(things).

    >>> from identity_map.format.load import load_text
    >>> heirs_choices(load_text("version: 1\\npeople:\\n  anna: {}\\n"))
    ['', 'anna']
    """
    return ["", *(t.id for t in inv.of_kind("person"))]


def heirs_label(inv: Inventory, person: str) -> str:
    """Plain text for a choice of `heirs_choices`."""
    return "Everyone together" if not person else person_title(inv[person])


def heirs_reach(analysis: Analysis, person: str) -> Reach:
    """What `person` ("" = everyone together) reaches after your death (`heirs.reach`)."""
    return reach(analysis.graph, person or None)


def heirs_metrics(r: Reach) -> list[Metric]:
    """Counts and money of the three groups."""
    return [
        Metric("Directly", str(len(r.group(DIRECT))), "A login works for them: a device, or a password on the "
               "emergency sheet."),
        Metric("By procedure", str(len(r.group(PROCEDURE))), "Only after a recovery or a legacy "
               "procedure (legacy contact, inactive account manager, emergency access)."),
        Metric("Out of reach", str(len(r.group(OUT))), "Nothing they hold opens it."),
        Metric("Money reachable", money(r.money(DIRECT, PROCEDURE)), "Purchases tied to accounts they reach."),
        Metric("Money out of reach", money(r.money(OUT)), "Purchases tied to accounts they cannot reach."),
    ]


def heirs_rows(r: Reach, group: str) -> list[dict]:
    """Plain-text rows of one group, critical first (for a dataframe)."""
    return [{"thing": e.name, "how": e.how, "critical": "yes" if e.critical else "",
             "money": money(e.money) if e.money else ""} for e in r.group(group)]


# -- Takeover: what an attacker gets ------------------------------------------------


def gain_options(inv: Inventory) -> list[str]:
    """What can be picked for the attacker to gain: the attack candidates
    (`takeover.attack_candidates`), then each site (a burglary) and provider
    (a breach), as in `lose_options`."""
    return attack_candidates(inv) + [s for s in lose_options(inv) if ":" in s]


def takeover_scenario(analysis: Analysis, gained: Sequence[str]) -> Takeover:
    """The takeover by the selectors `gained`, ignoring those the text no longer matches."""
    known = known_selectors(analysis.inventory, gained)
    return takeover(analysis.graph, select(analysis.inventory, known), known)


def takeover_metrics(result: Takeover) -> list[Metric]:
    """The takeover's summary figures."""
    s = result.summary
    return [
        Metric("Taken", str(s.counts[TAKEN]), "Things the attacker gets, what they gained included."),
        Metric("Safe", str(s.counts[SAFE]), "Things the attacker cannot reach with what they gained."),
        Metric("Money taken", money(s.money_taken), "Purchases and licences tied to taken accounts."),
        Metric("Critical taken", str(len(s.critical_taken)), "Things marked critical that the attacker gets."),
    ]


def gained_md(result: Takeover) -> str:
    """Markdown naming what the attacker gains, then the critical things taken."""
    inv = result.compiled.inventory
    gained = [md(label(inv, tid)) for tid in inv.things if tid in result.gained]
    lines = ["**The attacker gains:** " + (", ".join(gained) or "nothing")]
    if result.summary.critical_taken:
        lines.append("**Critical things taken:** "
                     + ", ".join(md(label(inv, tid)) for tid in result.summary.critical_taken))
    return "  \n".join(lines)


def default_taken_explained(result: Takeover) -> str:
    """The thing to explain first: a critical thing taken beyond what was
    gained, else any such thing, else the first id."""
    c = result.compiled
    fallout = [tid for tid in c.ids if tid in result.taken and tid not in result.gained]
    critical = [tid for tid in fallout if c.inventory[tid].critical]
    return next(iter(critical or fallout or c.ids))


def takeover_status_label(result: Takeover, thing_id: str) -> str:
    """Plain text: 'Name (id) - taken'."""
    return f"{label(result.compiled.inventory, thing_id)} - {result.status(thing_id)}"


def takeover_explanation_md(result: Takeover, thing_id: str) -> str:
    """Markdown: whether the attacker gets the thing, then how."""
    head = f"**{md(label(result.compiled.inventory, thing_id))}** " + (
        "is taken by the attacker." if thing_id in result.taken else "is safe from this attacker.")
    reason = takeover_why(result, thing_id)
    return head + (f"\n\n{md(reason)}" if reason else "")


def takeover_graph_page(analysis: Analysis, gained: Sequence[str], focus: bool, vis_src: str | None = None) -> str:
    """The standalone graph page of the takeover (see output.render.takeover_html)."""
    return sandboxed(takeover_html(analysis.graph, takeover_scenario(analysis, gained), focus=focus,
                                   height=f"{GRAPH_HEIGHT}px", vis_src=vis_src))


def exposure_rows(rows: Sequence[ExposureRow]) -> list[dict]:
    """The exposure ranking as table rows, worst first; `also taken` counts what ELSE is taken."""
    return [{"id": r.id, "name": r.name, "kind": r.kind, "also taken": r.taken, "money taken": money(r.money_taken),
             "critical taken": ", ".join(r.critical_taken)} for r in rows]


def factor_table(rows: Sequence[FactorRow]) -> list[dict]:
    """The second-factor report as dataframe rows (plain text): the account,
    what matched, what it uses against what its site offers, its findings."""
    return [{
        "account": f"{r.name} ({r.id})" if r.name != r.id else r.id,
        "critical": "yes" if r.critical else "",
        "fall with it": r.dependents,
        "site": matched_text(r),
        "uses": ("through " + ", ".join(r.through)) if r.through else ", ".join(r.used),
        "site offers": ", ".join(r.offered),
        "findings": "; ".join(f"{f.severity}: {f.title}" for f in r.findings),
    } for r in rows]


def factor_findings_md(row: FactorRow) -> str:
    """One account's findings with the site's pages, as Markdown (user text escaped)."""
    lines = [f"**{md(row.name)}**: {md(matched_text(row))}."]
    if row.through:
        lines.append(f"Signs in through {md(', '.join(row.through))}: look there.")
    for f in row.findings:
        lines.append(f"- **{f.severity}**: {md(f.title)}. {md(f.detail)}")
        lines += [f"  - {link_md(label, url)}" for label, url in f.links]
    if not row.findings and not row.through:
        lines.append("Nothing to report." if row.match else "The directory does not know this site.")
    return "\n".join(lines)
