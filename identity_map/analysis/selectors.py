"""Scenarios are rules: selectors, evaluated on the inventory they are applied to.

A selector is an id, or one of
- `site:S`: every device and place whose `site` is S;
- `provider:P`: every account whose `provider` is P (case-insensitive), with
  its parts and parts of parts;
- `kind:K`: every thing whose `kind` field is K (`kind:phone` is devices of
  kind phone, never phone numbers), or every thing of a section
  (`kind:account`, `kind:device`, `kind:place`, `kind:data`, ...).

Because a scenario keeps its selectors, not the ids they matched, a
checklist change that adds a backup disk at `home` is lost in the fire at
`home` like everything else there (`select` on the changed inventory).
"""

from __future__ import annotations

from itertools import islice

import dataclasses
import difflib
from collections.abc import Iterable, Sequence

from identity_map.analysis.engine import Graph, Impact, impact
from identity_map.analysis.graph import inventory_of
from identity_map.format.model import SECTIONS, Inventory, Thing

SELECTOR_KINDS = ("site", "provider", "kind")
# Section kinds a `kind:` selector may name; `phone` is left out on purpose:
# `kind:phone` means handsets (devices of kind phone), not phone numbers.
_SECTION_KINDS = tuple(k for k in SECTIONS.values() if k != "phone")


class SelectorError(ValueError):
    """A selector that matches nothing; the message says what would match."""


def sites(inventory: Inventory) -> dict[str, list[str]]:
    """Site -> the ids of the devices and places there, in file order.
    Cost: O(things).

    >>> from identity_map.format.load import load_text
    >>> sites(load_text("version: 1\\ndevices:\\n  disk: {site: home}\\nplaces:\\n  safe: {site: bank}\\n"))
    {'home': ['disk'], 'bank': ['safe']}
    """
    out: dict[str, list[str]] = {}
    for t in inventory:
        if t.site:
            out.setdefault(t.site, []).append(t.id)
    return out


def _wholes(inventory: Inventory, t: Thing):
    """t, its whole, the whole's whole, ... (never circular: the loader refuses that)."""
    while True:
        yield t
        if not t.part_of:
            return
        t = inventory[t.part_of]


def _selects(inventory: Inventory, t: Thing, prefix: str, value: str) -> bool:
    """Whether the selector `prefix:value` (site, provider or kind) takes t."""
    if prefix == "site":
        return t.site == value
    if prefix == "provider":
        wanted = value.casefold()
        return t.kind == "account" and any(w.provider.casefold() == wanted for w in _wholes(inventory, t))
    return t.subkind == value or (value in _SECTION_KINDS and t.kind == value)


def _takes(inventory: Inventory, t: Thing, selector: str) -> bool:
    prefix, colon, value = selector.partition(":")
    if colon and prefix in SELECTOR_KINDS:
        return _selects(inventory, t, prefix, value)
    return t.id == selector


def label(inventory: Inventory, selector: str) -> str:
    """A selector in words, for people: the thing's name for an id,
    "everything at home" for `site:home`, "every Microsoft account" for
    `provider:Microsoft`, "every phone" for `kind:phone`. Plain text.

    >>> from identity_map.format.load import load_text
    >>> inv = load_text("version: 1\\nplaces:\\n  safe: {name: Home safe, site: home}\\n")
    >>> [label(inv, s) for s in ("safe", "site:home", "provider:Google", "kind:place")]
    ['Home safe', 'everything at home', 'every Google account', 'every place']
    """
    prefix, colon, value = selector.partition(":")
    if not (colon and prefix in SELECTOR_KINDS):
        thing = inventory.things.get(selector)
        return thing.name if thing else selector
    if prefix == "site":
        return f"everything at {value}"
    if prefix == "provider":
        return f"every {value} account"
    return f"every {value}"


def match(inventory: Inventory, selector: str) -> list[str]:
    """The ids one selector names, in file order; raises SelectorError when
    it names nothing (saying what would). Cost: O(things), O(1) for an id."""
    prefix, colon, value = selector.partition(":")
    if not (colon and prefix in SELECTOR_KINDS):
        if selector in inventory.things:
            return [selector]
        ids = list(inventory.things)
        close = difflib.get_close_matches(selector, ids, n=1)
        raise SelectorError(f"unknown id '{selector}'" + (f"; did you mean '{close[0]}'?" if close else "")
                            + f" (an id such as {', '.join(ids[1:4]) or 'memory'}, or site:S, provider:P, kind:K)")
    found = [t.id for t in inventory if _selects(inventory, t, prefix, value)]
    if found:
        return found
    if prefix == "site":
        known = list(sites(inventory))
        hint = (f"sites in this inventory: {', '.join(known)}" if known else
                "no device or place has a 'site' yet: add e.g. 'site: home' to them")
    elif prefix == "provider":
        known = sorted({t.provider for t in inventory.of_kind("account") if t.provider}, key=str.casefold)
        hint = f"providers in this inventory: {', '.join(known)}" if known else "no account has a 'provider' yet"
    else:
        known = list(dict.fromkeys([*(k for k in _SECTION_KINDS if inventory.of_kind(k)),
                                    *(t.subkind for t in inventory if t.subkind)]))
        hint = f"kinds in this inventory: {', '.join(known)}"
    close = difflib.get_close_matches(value, known, n=1)
    raise SelectorError(f"'{selector}' matches nothing"
                        + (f"; did you mean '{prefix}:{close[0]}'?" if close else "") + f" ({hint})")


def select(inventory: Inventory, selectors: Sequence[str]) -> frozenset[str]:
    """The ids a scenario of `selectors` loses on `inventory`: the union of
    what each matches. Raises SelectorError for one that matches nothing.
    Cost: O(things x selectors).

    >>> from identity_map.format.load import load_text
    >>> inv = load_text("version: 1\\ndevices:\\n  phone: {kind: phone, site: carried}\\n"
    ...                 "  disk: {site: home}\\naccounts:\\n  ms: {provider: Microsoft}\\n"
    ...                 "  xbox: {part_of: ms}\\n")
    >>> sorted(select(inv, ["site:home", "provider:microsoft"]))
    ['disk', 'ms', 'xbox']
    >>> select(inv, ["site:hom"])
    Traceback (most recent call last):
    ...
    identity_map.analysis.selectors.SelectorError: 'site:hom' matches nothing; did you mean 'site:home'? (sites in this inventory: carried, home)
    """
    out: set[str] = set()
    for selector in selectors:
        out.update(match(inventory, selector))
    return frozenset(out)


def matches_among(inventory: Inventory, selectors: Sequence[str], things: Iterable[Thing]) -> frozenset[str]:
    """The ids of `things` (some of `inventory`'s: those a checklist change
    added) that `selectors` take, without raising for a selector that takes
    none of them. Cost: O(len(things) x selectors), not the inventory's size.

    >>> from identity_map.format.load import load_text
    >>> inv = load_text("version: 1\\nplaces:\\n  safe: {site: home}\\n  disk: {site: home}\\n  box: {site: bank}\\n")
    >>> sorted(matches_among(inv, ["site:home"], [inv["disk"], inv["box"]]))
    ['disk']
    """
    return frozenset(t.id for t in things if any(_takes(inventory, t, s) for s in selectors))


def scenario_impact(G: Graph, selectors: Sequence[str], after_death: bool = False) -> Impact:
    """`engine.impact` of the ids `selectors` take on G's inventory, with
    the selectors kept in the result (`after_death` as in `engine.impact`).
    Cost: `select` plus `impact`.

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  g: {provider: Google}\\n  gmail: {part_of: g}\\n"))
    >>> r = scenario_impact(G, ["provider:google"])
    >>> sorted(r.lost), r.selectors
    (['g', 'gmail'], ('provider:google',))
    """
    return dataclasses.replace(impact(G, select(inventory_of(G), selectors), after_death), selectors=tuple(selectors))
