"""The second-factor report: per account, what its site offers against what
the inventory uses, and findings in the words password managers use.

Findings (kind: severity):
- `inactive-2fa`: high: a login method is a password alone where the site
  offers two-step login ("Inactive two-step login", "Inactive 2FA");
- `key-without-backup`: high: every login method needs a hardware key and
  only one key is registered (the site's own notes quoted);
- `sms-only`: medium: SMS is the only second factor where the site offers an
  authenticator app, a security key or passkeys;
- `passkey-available`: low: the site supports passkeys, none is used;
- `security-key-possible`: low: the site accepts security keys, none is used;
- `no-2fa`: info: the site offers no second factor at all;
- `docs`: info: the site's 2FA and recovery pages.
An account that signs in only through another account ("Sign in with",
`account:`, or as a part of it) gets no findings: that account's apply.
Rows are ordered critical first, then by how many things fall with the
account (`engine.rank`), then file order.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from identity_map.analysis.engine import rank
from identity_map.analysis.graph import inventory_of
from identity_map.format.model import MEMORY, Method, Thing
from identity_map.providers.directory import TOTP, U2F, Directory, Site
from identity_map.providers.match import Match, match_account

HIGH, MEDIUM, LOW, INFO = "high", "medium", "low", "info"
SEVERITIES = (HIGH, MEDIUM, LOW, INFO)
FINDING_KINDS = ("inactive-2fa", "key-without-backup", "sms-only", "passkey-available", "security-key-possible",
                 "no-2fa", "docs")

# Inventory term kind -> how the report names it (same words as `Site.labels`).
USED_LABELS = {
    "password": "password", "sms": "SMS", "totp": "authenticator app (TOTP)", "push": "app approval (push)",
    "key": "security key", "passkey": "passkey", "email": "email code", "codes": "recovery codes",
    "device": "trusted device",
}
SECOND_FACTORS = ("sms", "totp", "push", "key", "passkey", "email")
THROUGH = ("sso", "account")


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing to know or fix about an account's second factors."""

    kind: str
    severity: str
    title: str
    detail: str
    links: tuple[tuple[str, str], ...] = ()  # (what the page is, its URL), from the directory


@dataclass(frozen=True, slots=True)
class FactorRow:
    """One account: its match, what it uses, what its site offers, findings.
    `through` names the accounts it signs in with when it has no login of its own."""

    id: str
    name: str
    critical: bool
    dependents: int  # other things lost with it
    match: Match | None
    through: tuple[str, ...]
    used: tuple[str, ...]  # in login methods
    recovery: tuple[str, ...]  # in recovery methods
    offered: tuple[str, ...]
    findings: tuple[Finding, ...]

    @property
    def worst(self) -> str:
        """The most severe finding's severity, or "" when there is none."""
        return min((f.severity for f in self.findings), key=SEVERITIES.index, default="")


def _kinds(method: Method) -> set[str]:
    return {t.kind for t in method.terms}


def through_accounts(account: Thing) -> tuple[str, ...]:
    """The accounts an account signs in through, when every login method needs
    one (`sso:` or `account:`); () when it has a login of its own.

    >>> from identity_map.format.model import Term
    >>> through_accounts(Thing(id="drive", kind="account", name="Drive", login=(Method((Term("sso", "google"),)),)))
    ('google',)
    """
    through = [[t.target for t in m.terms if t.kind in THROUGH] for m in account.login]
    if not account.login or not all(through):
        return ()
    return tuple(dict.fromkeys(tid for ids in through for tid in ids))


def _used(methods: tuple[Method, ...]) -> tuple[str, ...]:
    kinds = {k for m in methods for k in _kinds(m)}
    return tuple(USED_LABELS[k] for k in USED_LABELS if k in kinds)


def _password_alone(method: Method) -> bool:
    return all(t.kind == "password" or (t.kind == "" and t.target == MEMORY) for t in method.terms)


def _strong(site: Site) -> list[str]:
    """What the site offers that beats SMS, in words."""
    out = [w for m, w in ((TOTP, "an authenticator app"), (U2F, "a security key")) if site.offers(m)]
    return out + (["passkeys"] if site.has_passkeys else [])


def _link(label: str, url: str) -> tuple[tuple[str, str], ...]:
    return ((label, url),) if url else ()


def _docs_finding(site: Site) -> Finding | None:
    pages = (_link("two-step login", site.documentation) + _link("recovery", site.recovery)
             + _link("passkeys", site.passkey_documentation))
    if not pages:
        return None
    return Finding("docs", INFO, f"{site.name}'s help pages",
                   "How to set up a second factor" + (" and how to get back in without it." if site.recovery else "."),
                   pages)


def findings(account: Thing, site: Site) -> tuple[Finding, ...]:
    """Every finding for an account with its own login at `site`, worst first.
    Cost: O(terms of the account).

    >>> from identity_map.format.model import Term
    >>> site = Site("a.com", "A", tfa=frozenset({"totp"}))
    >>> [f.kind for f in findings(Thing(id="a", kind="account", name="A", login=(Method((Term("password", "memory"),)),)), site)]
    ['inactive-2fa']
    """
    logins = account.login
    used = {k for m in logins for k in _kinds(m)}
    second = used & set(SECOND_FACTORS)
    out: list[Finding] = []
    setup = _link("set up", site.documentation)
    if site.has_2fa and any(_password_alone(m) for m in logins):
        out.append(Finding("inactive-2fa", HIGH, "Inactive two-step login",
                           f"{site.name} offers two-step login, but a password alone signs you in.", setup))
    keys = {t.target for m in logins for t in m.terms if t.kind == "key"}
    if keys and all("key" in _kinds(m) for m in logins) and len(keys) == 1:
        said = " The site says: " + " ".join(f'"{n}"' for n in site.notes) if site.notes else ""
        out.append(Finding("key-without-backup", HIGH, "Hardware key without a backup method",
                           f"Every way in needs the one key {next(iter(keys))}: lose it and only recovery is left."
                           + said, _link("recovery", site.recovery) or setup))
    strong = _strong(site)
    if second == {"sms"} and strong:
        out.append(Finding("sms-only", MEDIUM, "SMS is the only second factor",
                           f"A lost phone or a SIM swap takes SMS codes; {site.name} also offers "
                           f"{' and '.join(strong)}.", setup))
    if site.has_passkeys and "passkey" not in used:
        out.append(Finding("passkey-available", LOW, "Passkeys available",
                           f"{site.name} supports passkeys; none is in your inventory.",
                           _link("passkeys", site.passkey_documentation) or setup))
    if site.offers(U2F) and "key" not in used:
        out.append(Finding("security-key-possible", LOW, "Security key possible but not registered",
                           f"{site.name} accepts security keys; none is registered in your inventory.", setup))
    if not site.has_2fa and site.tfa is not None:
        out.append(Finding("no-2fa", INFO, "No two-step login at this site",
                           f"{site.name} offers no second factor: a unique password and a recovery "
                           "address that survives are what protects it."))
    docs = _docs_finding(site)
    return tuple(out) + ((docs,) if docs else ())


def factor_rows(G: nx.DiGraph, directory: Directory | None = None) -> list[FactorRow]:
    """The report's rows, critical and most depended-on first. Cost: the
    single-loss sweep (`engine.rank`, cached on the graph) plus O(accounts).

    >>> from identity_map.analysis.graph import build_graph
    >>> from identity_map.format.load import load_text
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  gh: {name: GitHub}\\n  x: {critical: true}\\n"))
    >>> [(r.id, r.worst) for r in factor_rows(G)]
    [('x', ''), ('gh', 'high')]
    """
    inventory = inventory_of(G)
    dependents = {r.id: r.lost for r in rank(G)}
    rows = []
    for account in inventory.of_kind("account"):
        match = match_account(account, directory)
        through = through_accounts(account)
        found = findings(account, match.site) if match and not through else ()
        rows.append(FactorRow(account.id, account.name, account.critical, dependents.get(account.id, 0), match,
                              through, _used(account.login), _used(account.recovery),
                              tuple(match.site.labels()) if match else (), found))
    order = {r.id: i for i, r in enumerate(rows)}
    return sorted(rows, key=lambda r: (not r.critical, -r.dependents, order[r.id]))
