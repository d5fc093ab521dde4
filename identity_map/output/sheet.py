"""The printable emergency sheet: one or two A4 pages for your people.

Built from the after-death reach of everyone together (`analysis.heirs`):
the people to contact, where things are (sites, places, what they hold),
where each secret is kept (never the secret), which accounts to reach first
and how, what is time-critical, and the purchases at stake. Notes pass
through `secrets.scrub`, so a PIN or seed written in them never reaches
the page; every piece of user text is HTML-escaped.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import networkx as nx

from identity_map.analysis.graph import inventory_of
from identity_map.analysis.heirs import DIRECT, OUT, PROCEDURE, Reach, person_title, reach
from identity_map.format.model import Inventory, Thing
from identity_map.output.report import money
from identity_map.output.secrets import scrub

# Rows of a list and names of the out-of-reach line that fit the two pages;
# the rest is counted, and the heirs report lists everything.
FIRST_SHOWN = 14
LIST_SHOWN = 12
OUT_SHOWN = 30
MORE = "see the heirs report (identity-map heirs) for the rest"
_TIME = re.compile(r"inactiv|delet|expir|laps|renew|subscri|yearly|monthly|annual|time-?out|deadline|cancel"
                   r"|\b\d+\s*(days?|weeks?|months?|years?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Line:
    """One row of the sheet: a heading cell and its text (both plain text)."""

    head: str
    text: str


@dataclass(frozen=True)
class Sheet:
    title: str
    people: tuple[Line, ...]
    places: tuple[Line, ...]  # per site: what is there
    secrets: tuple[Line, ...]  # per place: which passwords and codes it keeps
    first: tuple[Line, ...]  # accounts to reach first, and how
    time_critical: tuple[Line, ...]
    purchases: tuple[Line, ...]
    out_of_reach: str
    reach: Reach


def _note(t: Thing) -> str:
    return scrub(t.notes).text if t.notes else ""


def _with_note(t: Thing) -> str:
    note = _note(t)
    return f"{t.name} — {note}" if note else t.name


def build_sheet(G: nx.DiGraph, person: str | None = None) -> Sheet:
    """The sheet's content for everyone together (or one person, as in
    `heirs.reach`). Cost: one after-death impact plus O(terms).

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> s = build_sheet(build_graph(load_text("version: 1\\nplaces:\\n  safe: {name: Safe, notes: 'PIN: 4711'}\\n"
    ...                                       "accounts:\\n  vault: {login: [password:safe]}\\n")))
    >>> s.secrets, s.places[0].text
    ((Line(head='Safe', text='passwords of vault'),), 'Safe — [secret-looking text left out]')
    """
    inv = inventory_of(G)
    r = reach(G, person)
    by_id = {e.id: e for e in r.entries}
    return Sheet(
        title=f"Emergency sheet{' — ' + inv.owner if inv.owner else ''}",
        people=tuple(_people(inv)),
        places=tuple(_places(inv)),
        secrets=tuple(_secrets(inv)),
        first=_capped((Line(e.name + (" (critical)" if e.critical else ""),
                         ("directly: " if e.group == DIRECT else "") + e.how)
                    for e in r.entries if e.group in (DIRECT, PROCEDURE) and e.kind == "account"
                    and (e.critical or e.money or e.group == PROCEDURE)), FIRST_SHOWN),
        time_critical=_capped([Line(t.name, _note(t) or "renews or lapses: check it soon")
                               for t in inv if t.kind not in ("memory", "self")
                               and (_TIME.search(t.name) or _TIME.search(_note(t)))], LIST_SHOWN),
        purchases=_capped([Line(p.name, f"{money({p.currency: p.price})} on {inv[p.account].name}: "
                                + ("out of reach" if by_id.get(p.account) and by_id[p.account].group == OUT
                                   else "reachable"))
                           for p in sorted(inv.of_kind("purchase"), key=lambda p: -p.price)], LIST_SHOWN),
        out_of_reach=_names(r.group(OUT)),
        reach=r,
    )


def _capped(lines, most: int) -> tuple[Line, ...]:
    """The first `most` lines, and one that counts the others."""
    lines = list(lines)
    if len(lines) <= most:
        return tuple(lines)
    return (*lines[:most], Line(f"and {len(lines) - most} more", MORE))


def _names(entries) -> str:
    shown = ", ".join(e.name for e in entries[:OUT_SHOWN])
    return shown + (f", and {len(entries) - OUT_SHOWN} more: {MORE}" if len(entries) > OUT_SHOWN else "")


def _people(inv: Inventory):
    legacy: dict[str, list[str]] = {}
    for t in inv.of_kind("account"):
        for m in t.legacy:
            for term in m.terms:
                if term.kind == "person":
                    legacy.setdefault(term.target, []).append(t.provider or t.name)
    for p in inv.of_kind("person"):
        roles = list(dict.fromkeys(legacy.get(p.id, [])))
        text = ("legacy contact for " + ", ".join(roles)) if roles else ""
        note = _note(p)
        yield Line(person_title(p), "; ".join(x for x in (text, note) if x) or "—")


def _places(inv: Inventory):
    by_site: dict[str, list[Thing]] = {}
    for t in inv.of_kind("device", "place"):
        if t.site or t.kind == "place":
            by_site.setdefault(t.site, []).append(t)
    for site, things in sorted(by_site.items(), key=lambda kv: kv[0] == ""):
        yield Line(site or "places", "; ".join(_with_note(t) if t.kind == "place" else t.name for t in things))


def _secrets(inv: Inventory):
    """Per place: whose passwords and codes it keeps (terms naming it)."""
    kept: dict[str, dict[str, list[str]]] = {}
    for t in inv:
        for _, methods in t.roles:
            for m in methods:
                for term in m.terms:
                    if inv[term.target].kind == "place" and term.kind in ("password", "codes"):
                        what = "passwords of" if term.kind == "password" else "recovery codes of"
                        names = kept.setdefault(term.target, {}).setdefault(what, [])
                        if t.name not in names:
                            names.append(t.name)
    for place, whats in kept.items():
        yield Line(inv[place].name, "; ".join(f"{what} {', '.join(names)}" for what, names in whats.items()))


_CSS = """
@page { size: A4; margin: 12mm 13mm; }
* { box-sizing: border-box; }
body { font: 9pt/1.32 "DejaVu Sans", Arial, sans-serif; color: #111; margin: 0; }
h1 { font-size: 15pt; margin: 0 0 2pt; }
h2 { font-size: 10.5pt; margin: 9pt 0 3pt; border-bottom: 1.2pt solid #333; padding-bottom: 1pt; }
p.lead { margin: 0 0 4pt; color: #333; }
table { width: 100%; border-collapse: collapse; }
td { vertical-align: top; padding: 1.6pt 4pt 1.6pt 0; border-bottom: 0.4pt solid #ccc; }
td.h { width: 31%; font-weight: bold; }
h2 { break-after: avoid; }
tr { break-inside: avoid; }
.box { border: 1pt solid #333; padding: 4pt 6pt; margin-top: 4pt; }
@media screen { body { max-width: 190mm; margin: 10mm auto; } }
"""


def _table(lines) -> str:
    rows = "".join(f'<tr><td class="h">{html.escape(x.head)}</td><td>{html.escape(x.text)}</td></tr>' for x in lines)
    return f"<table>{rows}</table>" if rows else "<p>—</p>"


def sheet_html(sheet: Sheet) -> str:
    """The sheet as a self-contained HTML page with print CSS (A4), no
    script, no external resource, every user text escaped. Cost: O(lines).

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> page = sheet_html(build_sheet(build_graph(load_text("version: 1\\nowner: <i>Me</i>\\n"))))
    >>> "<title>Emergency sheet — &lt;i&gt;Me&lt;/i&gt;</title>" in page, "<script" in page
    (True, False)
    """
    r = sheet.reach
    sections = [
        ("People to contact", _table(sheet.people)),
        ("Where things are", _table(sheet.places)),
        ("Where the secrets are kept (never written on this sheet)", _table(sheet.secrets)),
        ("Reach these first, and how", _table(sheet.first)),
        ("Time-critical", _table(sheet.time_critical)),
        ("Purchases at stake", _table(sheet.purchases)),
        ("Out of reach for your people", f"<p>{html.escape(sheet.out_of_reach) or '—'}</p>"),
    ]
    body = "".join(f"<section><h2>{html.escape(h)}</h2>{content}</section>" for h, content in sections)
    lead = (f"What {html.escape(r.subject)} can reach: "
            f"{len(r.group(DIRECT))} things directly, {len(r.group(PROCEDURE))} through a recovery or legacy "
            f"procedure, {len(r.group(OUT))} out of reach. Money reachable: "
            f"{html.escape(money(r.money(DIRECT)))} directly, {html.escape(money(r.money(PROCEDURE)))} through a "
            f"procedure; out of reach: {html.escape(money(r.money(OUT)))}.")
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(sheet.title)}</title><style>{_CSS}</style></head><body>"
            f"<h1>{html.escape(sheet.title)}</h1><p class=\"lead\">{lead}</p>"
            "<div class=\"box\">This sheet holds no password, code or seed: it says where each one is kept.</div>"
            f"{body}</body></html>\n")


def emergency_sheet(G: nx.DiGraph, person: str | None = None) -> str:
    """`sheet_html(build_sheet(G, person))`: the page. Cost: as `build_sheet`.

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> emergency_sheet(build_graph(load_text("version: 1\\n"))).startswith("<!DOCTYPE html>")
    True
    """
    return sheet_html(build_sheet(G, person))
