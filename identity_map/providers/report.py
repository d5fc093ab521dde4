"""The second-factor report as text, Markdown, JSON and CSV (`identity-map
factors`, and the app's download). Every format carries the same rows; user
text is escaped in Markdown and made formula-safe in CSV.
"""

from __future__ import annotations

import csv
import io
import json
import re

from identity_map.output.report import csv_cell, md
from identity_map.providers.factors import FactorRow

FORMATS = ("text", "md", "json", "csv")
SOURCES = ("Site data: 2fa.directory (MIT) and passkeys.directory (CC BY 4.0), "
           "bundled snapshot; see identity_map/providers/data/NOTICE.")


_SAFE_URL = re.compile(r"https?://[^\s<>]+")


def link_md(label: str, url: str) -> str:
    """`label: <URL>` (an autolink that reads well raw); a URL that is not a
    plain http(s) address is shown escaped, as text.

    >>> link_md("recovery", "https://a.example/x_y"), link_md("x", "javascript:alert(1)")
    ('recovery: <https://a.example/x_y>', 'x: javascript:alert(1)')
    """
    return f"{md(label)}: <{url}>" if _SAFE_URL.fullmatch(url) else f"{md(label)}: {md(url)}"


def links_text(links) -> str:
    """'label: URL; label: URL'."""
    return "; ".join(f"{label}: {url}" for label, url in links)


def matched_text(row: FactorRow) -> str:
    """How the account was matched, in words (the CLI and the app show this).

    >>> from identity_map.providers.factors import FactorRow
    >>> matched_text(FactorRow("x", "X", False, 0, None, (), (), (), (), ()))
    'not in the directory (give it a url or provider to match it)'
    """
    if row.match is None:
        return "not in the directory (give it a url or provider to match it)"
    return "matched " + row.match.describe()


def _about(row: FactorRow) -> str:
    figures = (["critical"] if row.critical else []) + [f"{row.dependents} other thing(s) fall with it"]
    return ", ".join(figures)


def _uses(row: FactorRow) -> str:
    if row.through:
        return "signs in through " + ", ".join(row.through) + " (its findings apply)"
    uses = ", ".join(row.used) or "nothing"
    return uses + (f"; recovery: {', '.join(row.recovery)}" if row.recovery else "")


def factors_text(rows: list[FactorRow]) -> str:
    """For the terminal: one block per account, findings indented.

    >>> from identity_map.providers.factors import FactorRow
    >>> print(factors_text([FactorRow("x", "X", True, 2, None, (), ("password",), (), (), ())]), end="")
    Second factors: 1 account(s), 0 matched, 0 finding(s)
    <BLANKLINE>
    X (x): critical, 2 other thing(s) fall with it
      not in the directory (give it a url or provider to match it)
      uses: password
    <BLANKLINE>
    Site data: 2fa.directory (MIT) and passkeys.directory (CC BY 4.0), bundled snapshot; see identity_map/providers/data/NOTICE.
    """
    lines = [_headline(rows), ""]
    for row in rows:
        lines.append(f"{row.name} ({row.id}): {_about(row)}" if row.name != row.id else f"{row.id}: {_about(row)}")
        lines.append(f"  {matched_text(row)}")
        lines.append(f"  uses: {_uses(row)}")
        if row.offered:
            lines.append(f"  site offers: {', '.join(row.offered)}")
        for f in row.findings:
            lines.append(f"  [{f.severity}] {f.title}: {f.detail}")
            lines += [f"      {label}: {url}" for label, url in f.links]
        lines.append("")
    return "\n".join(lines + [SOURCES]) + "\n"


def _headline(rows: list[FactorRow]) -> str:
    n_findings = sum(len(r.findings) for r in rows)
    return (f"Second factors: {len(rows)} account(s), {sum(r.match is not None for r in rows)} matched, "
            f"{n_findings} finding(s)")


def factors_markdown(rows: list[FactorRow], title: str = "") -> str:
    """Markdown that reads well raw: a heading per account, findings as a list."""
    lines = [f"# Second factors{(' — ' + md(title)) if title else ''}", "", _headline(rows)]
    for row in rows:
        lines += ["", f"## {md(row.name)} (`{row.id}`)", "", f"- {md(_about(row))}", f"- {md(matched_text(row))}",
                  f"- uses: {md(_uses(row))}"]
        if row.offered:
            lines.append(f"- site offers: {md(', '.join(row.offered))}")
        for f in row.findings:
            lines.append(f"- **{f.severity}**: {md(f.title)}. {md(f.detail)}")
            lines += [f"  - {link_md(label, url)}" for label, url in f.links]
    return "\n".join(lines + ["", md(SOURCES)]) + "\n"


def row_json(row: FactorRow) -> dict:
    """One row as JSON: match, methods and findings."""
    match = row.match
    return {
        "id": row.id, "name": row.name, "critical": row.critical, "dependents": row.dependents,
        "match": None if match is None else {"site": match.site.name, "domain": match.site.domain,
                                              "by": match.by, "key": match.key},
        "through": list(row.through), "uses": list(row.used), "recovery": list(row.recovery),
        "offers": list(row.offered),
        "findings": [{"kind": f.kind, "severity": f.severity, "title": f.title, "detail": f.detail,
                      "links": [{"label": label, "url": url} for label, url in f.links]}
                     for f in row.findings],
    }


_CSV_FIELDS = ("id", "name", "critical", "dependents", "site", "domain", "matched_by", "through", "uses",
               "recovery", "offers", "finding", "severity", "detail", "links")


def _csv(rows: list[FactorRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_FIELDS)
    for row in rows:
        m = row.match
        head = [row.id, row.name, row.critical, row.dependents, m.site.name if m else "", m.site.domain if m else "",
                f"{m.by} {m.key}" if m else "", " ".join(row.through), "; ".join(row.used), "; ".join(row.recovery),
                "; ".join(row.offered)]
        for f in row.findings or (None,):  # one line per finding; an account without any still gets its line
            tail = [f.kind, f.severity, f.detail, links_text(f.links)] if f else ["", "", "", ""]
            writer.writerow([csv_cell(x) for x in head + tail])
    return out.getvalue()


def export_factors(rows: list[FactorRow], fmt: str, title: str = "") -> str:
    """The report in one of `FORMATS`; ValueError for another."""
    if fmt == "text":
        return factors_text(rows)
    if fmt == "md":
        return factors_markdown(rows, title)
    if fmt == "json":
        return json.dumps({"accounts": [row_json(r) for r in rows], "sources": SOURCES}, indent=2,
                          ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _csv(rows)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
