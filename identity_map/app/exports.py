"""What the app offers as downloads, built by plain functions.

Each download is built only when the person clicks it (`build` is a
callable), so offering the whole-graph page or a large report costs nothing
on every rerun. The figures are the CLI's: both call `identity_map.report`
and `identity_map.checklist`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import networkx as nx

from identity_map.output import report
from identity_map.checklist import Item, build_checklist, export
from identity_map.analysis.engine import Impact
from identity_map.analysis.graph import inventory_of
from identity_map.format.model import Inventory

_UNSAFE_STEM = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Download:
    label: str
    file_name: str
    mime: str
    build: Callable[[], str]
    short: str = ""  # the label where the context says what it is ("Markdown")


def file_stem(source: str) -> str:
    """A safe file-name stem from an inventory's source name.

    >>> file_stem("inventories/me & you.yaml")
    'me-you'
    >>> file_stem("")
    'inventory'
    """
    name = source.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"\.ya?ml$", "", name, flags=re.IGNORECASE)
    return _UNSAFE_STEM.sub("-", name).strip("-.") or "inventory"


def impact_downloads(result: Impact, title: str, stem: str) -> list[Download]:
    return [
        Download("Impact report (Markdown)", f"{stem}-impact.md", "text/markdown",
                 lambda: report.impact_markdown(result, title)),
        Download("Impact report (JSON)", f"{stem}-impact.json", "application/json",
                 lambda: json.dumps(report.impact_json(result), indent=2, ensure_ascii=False) + "\n"),
    ]


def graph_download(G: nx.DiGraph, result: Impact, stem: str, focus: bool) -> Download:
    from identity_map.output.render import render_html  # pyvis is only needed when the page is built

    return Download("Graph (standalone HTML page, works offline)", f"{stem}-graph.html", "text/html",
                    lambda: render_html(G, result, focus=focus))


CHECKLIST_FORMATS = (("md", "Markdown", "text/markdown"), ("html", "HTML", "text/html"),
                     ("csv", "CSV", "text/csv"), ("json", "JSON", "application/json"))


def checklist_scope(result: Impact, whole: bool = False) -> list[str] | None:
    """What the checklist covers, as `build_checklist` takes it: the scenario
    (like the CLI's `checklist --lose`), or None for every single point of
    failure (`whole`, or when nothing is lost)."""
    return None if whole else (sorted(result.scenario) or None)


def checklist_downloads(G: nx.DiGraph, result: Impact, inventory: Inventory, stem: str, *,
                        whole: bool = False, items: Sequence[Item] | None = None) -> list[Download]:
    """The mitigation checklist in every format. `items` is the checklist
    already built for this scope (the app shows it); without it the checklist
    is built when a download is clicked."""
    scope = checklist_scope(result, whole)

    def builder(fmt: str) -> Callable[[], str]:
        return lambda: export(build_checklist(G, scope, after_death=result.after_death and not whole)
                              if items is None else items, fmt, inventory)

    return [Download(f"Mitigation checklist ({label})", f"{stem}-checklist.{fmt}", mime, builder(fmt), label)
            for fmt, label, mime in CHECKLIST_FORMATS]


def heirs_downloads(G: nx.DiGraph, person: str | None, stem: str) -> list[Download]:
    """The emergency sheet (print it from the browser: A4, no secret on it)
    and the heirs report, for everyone together or one person; built on click.

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> [d.file_name for d in heirs_downloads(build_graph(load_text("version: 1\\n")), None, "me")]
    ['me-emergency-sheet.html', 'me-heirs.md', 'me-heirs.json']
    """
    from identity_map.analysis.heirs import heirs
    from identity_map.output import heirs_report
    from identity_map.output.sheet import emergency_sheet

    owner = inventory_of(G).owner
    return [
        Download("Emergency sheet (HTML, print it on A4)", f"{stem}-emergency-sheet.html", "text/html",
                 lambda: emergency_sheet(G, person), "Emergency sheet"),
        Download("What your people can reach (Markdown)", f"{stem}-heirs.md", "text/markdown",
                 lambda: heirs_report.heirs_markdown(heirs(G, person), owner), "Markdown"),
        Download("What your people can reach (JSON)", f"{stem}-heirs.json", "application/json",
                 lambda: json.dumps(heirs_report.heirs_json(heirs(G, person)), indent=2, ensure_ascii=False) + "\n",
                 "JSON"),
    ]


FACTOR_FORMATS = (("md", "Markdown", "text/markdown"), ("csv", "CSV", "text/csv"),
                  ("json", "JSON", "application/json"), ("text", "text", "text/plain"))


def factors_downloads(G: nx.DiGraph, stem: str) -> list[Download]:
    """The second-factor report (`identity-map factors`) in every format, built on click."""
    from identity_map.providers.factors import factor_rows
    from identity_map.providers.report import export_factors

    owner = inventory_of(G).owner

    def builder(fmt: str) -> Callable[[], str]:
        return lambda: export_factors(factor_rows(G), fmt, owner)

    return [Download(f"Second factors ({label})", f"{stem}-factors.{'txt' if fmt == 'text' else fmt}", mime,
                     builder(fmt), label) for fmt, label, mime in FACTOR_FORMATS]


def downloads(G: nx.DiGraph, result: Impact, *, source: str, focus: bool = False, whole_checklist: bool = False,
              checklist: Sequence[Item] | None = None) -> list[Download]:
    """Every download the Export tab offers, in order."""
    inventory = inventory_of(G)
    stem = file_stem(source)
    return (impact_downloads(result, inventory.owner, stem)
            + [graph_download(G, result, stem, focus)]
            + checklist_downloads(G, result, inventory, stem, whole=whole_checklist, items=checklist)
            + factors_downloads(G, stem))
