"""The checklist as text: Markdown task list, JSON, CSV and a printable HTML page.

Every format says the same things; Markdown and HTML share the lines under
each item (`_item_lines`), JSON and CSV carry the figures as fields too.
User text (names) is always escaped: Markdown-escaped, HTML-escaped, and
CSV cells kept on one line and quoted when a spreadsheet would run them as a formula.
"""

from __future__ import annotations

import csv
import html
import io
import json

from identity_map.checklist.takeover import takeover_text
from identity_map.checklist.model import (ADVICE, CHANGES, FIX, HARDEN, INFO, Gain, Item, T, Text, U, Verification, join, losses_label, money_text,
                              plural, shortlist)
from identity_map.analysis.engine import DEATH_LOSES
from identity_map.analysis.selectors import label
from identity_map.format.model import Inventory
from identity_map.output.report import csv_cell, md
from identity_map.output.safe import visible

FORMATS = ("md", "json", "csv", "html")
SHOWN_CHANGES = 6  # change lines shown in md and html; JSON and CSV carry all
SHOWN_GAINS = 6  # critical things named in a resilience sentence; JSON and CSV carry all
TAGS = {INFO: "to know", ADVICE: "advice", HARDEN: "against takeover"}
FIRST_GROUP = ""  # the head has no thing of its own (shown without an id, like the general advice)


def _namer(inventory: Inventory | None):
    def name(tid: str) -> U:
        if inventory is not None and tid in inventory.things:
            return U(inventory[tid].name)
        return U(tid)
    return name


# -- Sentences -------------------------------------------------------------------


def _scenario_words(v: Verification, inventory: Inventory | None, name) -> Text:
    """The scenario as asked: names of plain ids, "everything at home" for
    a site, and so on (the ids alone when the selectors are not known)."""
    if inventory is None or not v.selectors or set(v.selectors) == set(v.scenario):
        return join([name(i) for i in v.scenario])
    return join([name(s) if s in inventory.things else U(label(inventory, s)) for s in v.selectors])


def _lead(v: Verification, inventory: Inventory | None, name, start: str = "I") -> Text:
    """"If you lose X", or "After your death" (", with X lost too"); `start`
    "i" begins it in lower case, inside a sentence."""
    if not v.after_death:
        return T(start + "f you lose ", _scenario_words(v, inventory, name))
    after = "After" if start == "I" else "after"
    extra = [s for s in v.selectors if s not in DEATH_LOSES]
    if not extra:
        return T(after + " your death")
    return T(after + " your death, with ", join([name(s) if inventory is None or s in inventory.things
                                               else U(label(inventory, s)) for s in extra]), " lost too")


def verification_text(v: Verification | None, inventory: Inventory | None = None) -> Text:
    """The figures in words: 'If you lose X: 16 things lost instead of 18. Saved: ...'."""
    if v is None:
        return T("")
    name = _namer(inventory)
    crit = set(v.critical_saved)
    scen = _lead(v, inventory, name)
    if v.money_at_stake and not v.saved:
        return T(scen, f": {money_text(v.money_at_stake)} of purchases are lost with "
                 f"{'it' if len(v.scenario) == 1 else 'them'} (this item saves nothing by itself).")
    if not v.saved:
        return T(scen, f": {plural(v.lost_after, 'thing')} lost, as before (this action alone "
                 "saves none of them there).")
    saved = [T(name(i), " (critical)" if i in crit else "") for i in v.saved]
    out = T(scen, f": {plural(v.lost_after, 'thing')} lost instead of {v.lost_before}. Saved: ",
            join(saved), ".")
    if v.money_saved:
        out += T(f" Money kept: {money_text(v.money_saved)}.")
    return out


def _gain_text(gains: tuple[Gain, ...], name, lead: str) -> Text:
    shown = [T("'", name(g.id), f"' from {losses_label(g.before)} to {losses_label(g.after)} losses") for g in gains]
    return T(lead, join(shortlist(shown, SHOWN_GAINS, "more critical things")), ".")


def gains_text(item: Item, inventory: Inventory | None = None) -> Text:
    """The resilience the item adds in words: "Raises '13 years of photos'
    from 1 to 2 losses." (the fewest losses at once that lose it, before and
    after); empty when it raises none."""
    if not item.resilience_gains:
        return T("")
    return _gain_text(item.resilience_gains, _namer(inventory), "Raises ")


def _also_text(item: Item, inventory: Inventory | None) -> Text:
    if not item.also:
        return T("")
    name = _namer(inventory)
    return T("Also helps if you lose ", join([T(join([name(i) for i in v.scenario]), f" ({len(v.saved)} saved)")
                                              for v in item.also], " or "), ".")


def _scope(items, inventory: Inventory | None) -> list[Text]:
    """Lines saying what was checked and what doing everything achieves."""
    name = _namer(inventory)
    scenarios = getattr(items, "scenarios", None)
    lines = []
    if scenarios is not None:
        if getattr(items, "whole", True):
            shown = shortlist([name(s[0]) for s in scenarios], 8)
            lines.append(T(f"Scope: every single point of failure, {len(scenarios)} of them: ", join(shown), ".")
                         if scenarios else T("Scope: every single point of failure; there are none."))
        elif getattr(items, "after_death", False):
            lines.append(T("Scope: what your people can reach after your death (what you knew by heart and "
                           "you in person are gone; legacy contacts and emergency access work)."))
        elif scenarios:
            lines.append(T("Scope: the scenario of losing ", join([name(i) for i in scenarios[0]]), "."))
    lines.append(T("Each action is a change to the inventory; the engine re-ran the scenario with the "
                   "change applied and the figures below are its result, with the fewest losses at once that "
                   "lose each critical thing before and after (1: a single point of failure). Actions that "
                   "neither save anything nor make a critical thing harder to lose are not listed."))
    for v in list(getattr(items, "combined", ()))[:3]:
        lines.append(T("With every action done: ", _lead(v, inventory, name, "i"),
                       f", {plural(v.lost_after, 'thing')} lost instead of {v.lost_before}."))
    gains = getattr(items, "combined_gains", ())
    if gains:
        lines.append(_gain_text(gains, name, "With every action done: raises "))
    if not items:
        lines.append(T("Nothing to do: no action would save anything or make a critical thing harder to lose "
                       "in the scenarios checked."))
    return lines


def _item_lines(item: Item, inventory: Inventory | None) -> list[tuple[str, Text]]:
    """The lines under an item's action, each with its class (as in the HTML):
    detail, verified, resilience, also. The change lines are each format's own."""
    lines = []
    if item.detail:
        lines.append(("detail", item.detail))
    if item.verification is not None:
        lines.append(("verified", T({FIX: "Verified: ", HARDEN: "Lockout checked: "}.get(item.kind, ""),
                                    verification_text(item.verification, inventory))))
    if item.resilience_gains:
        lines.append(("resilience", gains_text(item, inventory)))
    if item.also:
        lines.append(("also", _also_text(item, inventory)))
    if item.kind in CHANGES:
        lines.append(("takeover", takeover_text(item, inventory)))
    return lines


def _shown_changes(item: Item) -> tuple[list[str], int]:
    lines = item.change_text()
    return lines[:SHOWN_CHANGES], max(0, len(lines) - SHOWN_CHANGES)


def _more(more: int) -> list[str]:
    return [f"and {more} more like these"] if more else []


def first_heading(n: int) -> str:
    """The head's title: 'Do these 5 first'."""
    return "Do this first" if n == 1 else f"Do these {n} first"


def _grouped(items) -> list[tuple[str, str, list[Item]]]:
    """(group, heading, items): the head of fixes to do first, then the rest
    by what they concern."""
    head = getattr(items, "first", 0)
    out = [(FIRST_GROUP, first_heading(head), list(items[:head]))] if head else []
    groups: dict[str, tuple[str, list[Item]]] = {}
    for item in items[head:]:
        groups.setdefault(item.group, (item.group_name, []))[1].append(item)
    return out + [(g, n, its) for g, (n, its) in groups.items()]


def _title(inventory: Inventory | None, escape=str) -> str:
    owner = inventory.owner if inventory is not None else ""
    return "Mitigation checklist" + (f" — {escape(owner)}" if owner else "")


# -- Formats ------------------------------------------------------------------------


def item_json(item: Item, inventory: Inventory | None = None) -> dict:
    """One item as JSON. In `resilience_gains`, `before` and `after` are the
    fewest losses at once that lose the thing (null: more than resilience.MAX_K)."""
    name = _namer(inventory)
    return {
        "id": item.id, "kind": item.kind, "rule": item.rule, "group": item.group, "group_name": item.group_name,
        "action": str(item.action), "detail": str(item.detail),
        "verified": str(verification_text(item.verification, inventory)),
        "verification": item.verification.as_json() if item.verification else None,
        "resilience": str(gains_text(item, inventory)),
        "resilience_gains": [{"id": g.id, "name": str(name(g.id)), "before": g.before, "after": g.after}
                             for g in item.resilience_gains],
        "also": [v.as_json() for v in item.also],
        "takeover": str(takeover_text(item, inventory)),
        "takeover_added": [o.as_json() for o in item.takeover_added],
        "takeover_saved": [o.as_json() for o in item.takeover_saved],
        "safer": item.safer or None,
        "safer_than": item.safer_than or None,
        "change": [op.as_json() for op in item.change],
        "change_text": item.change_text(),
    }


def _markdown(items, inventory: Inventory | None) -> str:
    lines = [f"# {_title(inventory, md)}", ""]
    lines += [line.render(md) for line in _scope(items, inventory)]
    for group, group_name, its in _grouped(items):
        lines += ["", f"## {md(group_name)}" + (f" (`{group}`)" if group and group_name != group else ""), ""]
        for item in its:
            tag = f" _({TAGS[item.kind]})_" if item.kind in TAGS else ""
            lines.append(f"- [ ] **{item.action.render(md)}**{tag}")
            lines += [f"  - {text.render(md)}" for _, text in _item_lines(item, inventory)]
            if item.change:
                shown, more = _shown_changes(item)
                # names may hold backticks: they become quotes inside the code spans
                spans = [f"`{visible(c).replace('`', chr(39))}`" for c in shown]
                lines.append("  - Change to the inventory: " + "; ".join(spans + _more(more)))
    return "\n".join(lines) + "\n"


_CSV_FIELDS = ("id", "kind", "rule", "group", "group_name", "action", "detail", "verified", "scenario",
               "lost_before", "lost_after", "saved", "critical_saved", "money_saved", "money_at_stake",
               "resilience", "resilience_gains", "takeover", "takeover_added", "takeover_saved", "change",
               "safer", "safer_than")


def _csv(items, inventory: Inventory | None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_FIELDS)
    for item in items:
        v = item.verification
        writer.writerow([csv_cell(x) for x in (
            item.id, item.kind, item.rule, item.group, item.group_name, item.action, item.detail,
            verification_text(v, inventory), " ".join(v.scenario) if v else "",
            v.lost_before if v else "", v.lost_after if v else "", " ".join(item.saved), " ".join(item.critical_saved),
            money_text(v.money_saved) if v and v.money_saved else "",
            money_text(v.money_at_stake) if v and v.money_at_stake else "",
            gains_text(item, inventory),
            "; ".join(f"{g.id} {losses_label(g.before)} -> {losses_label(g.after)}" for g in item.resilience_gains),
            takeover_text(item, inventory),
            *("; ".join(f"{o.preset} {' '.join(o.gained)} -> {' '.join(o.added)}" for o in opened)
              for opened in (item.takeover_added, item.takeover_saved)),
            "; ".join(item.change_text()), item.safer, item.safer_than)])
    return out.getvalue()


_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 50em; margin: 2em auto; padding: 0 1em; color: #111; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
ul.items { list-style: none; padding-left: 0; }
li.item { margin: 0.8em 0; padding-left: 1.8em; position: relative; break-inside: avoid; }
span.box { position: absolute; left: 0; top: -0.1em; font-size: 1.3em; }
p { margin: 0.2em 0; } .verified { color: #05612b; } .info .verified { color: #8a4b00; }
.resilience { color: #05612b; } .takeover { color: #6a1b9a; }
.change, .also, .scope { color: #555; font-size: 0.9em; } code { font-size: 0.95em; }
.tag { color: #666; font-style: italic; font-weight: normal; }
@media print { body { margin: 0; max-width: none; } }
"""


def _html(items, inventory: Inventory | None) -> str:
    e = html.escape
    title = _title(inventory)
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{e(title)}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>", f"<h1>{e(title)}</h1>"]
    out += [f'<p class="scope">{e(str(line))}</p>' for line in _scope(items, inventory)]
    for group, group_name, its in _grouped(items):
        label = e(group_name) + (f" <code>{e(group)}</code>" if group and group != group_name else "")
        out += ["<section>", f"<h2>{label}</h2>", '<ul class="items">']
        for item in its:
            tag = f' <span class="tag">({TAGS[item.kind]})</span>' if item.kind in TAGS else ""
            out.append(f'<li class="item {e(item.kind)}"><span class="box">&#9744;</span>'
                       f"<p><strong>{e(str(item.action))}</strong>{tag}</p>")
            out += [(f'<p class="{cls}">' if cls != "detail" else "<p>") + f"{e(str(text))}</p>"
                    for cls, text in _item_lines(item, inventory)]
            if item.change:
                shown, more = _shown_changes(item)
                out.append('<p class="change">Change to the inventory: '
                           + "; ".join([f"<code>{e(c)}</code>" for c in shown] + _more(more)) + "</p>")
            out.append("</li>")
        out += ["</ul>", "</section>"]
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def export(items, fmt: str, inventory: Inventory | None = None) -> str:
    """The checklist as text: "md" (task boxes), "json" (a list of items with
    their verification figures), "csv" (a header and one row per item) or
    "html" (a printable standalone page, no network)."""
    if fmt == "md":
        return _markdown(items, inventory)
    if fmt == "json":
        return json.dumps([item_json(i, inventory) for i in items], indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _csv(items, inventory)
    if fmt == "html":
        return _html(items, inventory)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
