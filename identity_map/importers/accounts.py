"""Finding the account a login belongs to, and the mailbox an address is at.

The document's accounts are indexed once by domain, name and username, so a
vault of a few thousand logins is matched in linear time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .domains import domain_label, host_of, looks_like_domain, registrable_domain, slug

# Mail domains whose mailbox is the account at another site (the Google
# account holds Gmail). A username at one of these makes that account a mailbox.
MAIL_PROVIDERS: dict[str, tuple[str, ...]] = {
    "gmail.com": ("google.com", "gmail.com"),
    "googlemail.com": ("google.com", "gmail.com"),
    "outlook.com": ("microsoft.com", "live.com", "outlook.com"),
    "hotmail.com": ("microsoft.com", "live.com", "outlook.com"),
    "live.com": ("microsoft.com", "live.com", "outlook.com"),
    "msn.com": ("microsoft.com", "live.com", "outlook.com"),
    "icloud.com": ("apple.com", "icloud.com"),
    "me.com": ("apple.com", "icloud.com"),
    "mac.com": ("apple.com", "icloud.com"),
    "yahoo.com": ("yahoo.com",),
    "proton.me": ("proton.me", "protonmail.com"),
    "protonmail.com": ("proton.me", "protonmail.com"),
    "pm.me": ("proton.me", "protonmail.com"),
    "tuta.io": ("tuta.com", "tutanota.com"),
    "tutanota.com": ("tuta.com", "tutanota.com"),
    "gmx.de": ("gmx.de", "gmx.net"),
    "gmx.net": ("gmx.net", "gmx.de"),
    "yandex.ru": ("yandex.ru", "yandex.com"),
}


def mail_sites(address: str) -> tuple[str, ...]:
    """Return the registrable domains whose account holds this address's
    mailbox (`alice@gmail.com` -> google.com, gmail.com), or () if none."""
    domain = address.rpartition("@")[2].strip().lower()
    if domain in MAIL_PROVIDERS:
        return MAIL_PROVIDERS[domain]
    return (registrable_domain(domain),) if host_of(domain) else ()


def provider_sites(address: str) -> tuple[str, ...]:
    """Return the sites whose account holds this address's mailbox when the
    address is at a known mail provider (`al@gmail.com` -> google.com,
    gmail.com); () for any other domain: an address at example.com says
    nothing about whether example.com's account is a mailbox.

    >>> provider_sites("al@outlook.com")[0], provider_sites("al@example.com")
    ('microsoft.com', ())
    """
    return MAIL_PROVIDERS.get(address.rpartition("@")[2].strip().lower(), ())


def mail_labels(address: str) -> set[str]:
    """Return the id-like names of the sites holding this address's mailbox."""
    return {domain_label(site) for site in mail_sites(address)}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class AccountInfo:
    """What matching needs to know of an account in the document."""

    id: str
    name: str = ""
    provider: str = ""
    user: str = ""
    kind: str = ""
    domain: str = ""  # registrable domain of its provider or url, if any
    names: frozenset[str] = field(default=frozenset())  # id-like names it goes by

    @classmethod
    def of(cls, acc_id: str, node: Any, domain: str | None = None) -> AccountInfo:
        """Return the facts of an account from its YAML mapping (or null);
        `domain` when the caller already knows it (an account it made)."""
        node = node if isinstance(node, dict) else {}
        provider, url = _text(node.get("provider")), _text(node.get("url"))
        if domain is None:
            host = host_of(provider) if looks_like_domain(provider) else host_of(url) if url else ""
            domain = registrable_domain(host) if host else ""
        name = _text(node.get("name"))
        names = {acc_id, slug(name), slug(provider)} | ({domain_label(domain)} if domain else set())
        return cls(
            id=acc_id,
            name=name,
            provider=provider,
            user=_text(node.get("user")).strip(),
            kind=_text(node.get("kind")),
            domain=domain,
            names=frozenset(names - {""}),
        )


class AccountIndex:
    """The accounts of a document, in document order, looked up by domain,
    name or username."""

    def __init__(self) -> None:
        self.infos: dict[str, AccountInfo] = {}  # insertion order is document order
        self._order: dict[str, int] = {}
        self._by_domain: dict[str, list[str]] = defaultdict(list)
        self._by_name: dict[str, list[str]] = defaultdict(list)
        self._by_user: dict[str, list[str]] = defaultdict(list)

    def add(self, info: AccountInfo) -> None:
        """Index an account (a new one goes last, as in the document)."""
        self._order.setdefault(info.id, len(self._order))
        self.infos[info.id] = info
        if info.domain:
            self._by_domain[info.domain].append(info.id)
        for name in info.names:
            self._by_name[name].append(info.id)
        if info.user:
            self._by_user[info.user.lower()].append(info.id)

    def update(self, info: AccountInfo) -> None:
        """Replace an account's facts when only its `kind` changed."""
        self.infos[info.id] = info

    def _sorted(self, ids: set[str]) -> list[AccountInfo]:
        return [self.infos[i] for i in sorted(ids, key=self._order.__getitem__)]

    def same_site(self, domain: str, base: str) -> list[AccountInfo]:
        """Return the accounts of a site, in document order: those with the
        same registrable domain, and those without a domain whose id or name
        is `base` (also, when `domain` is "", those with a domain whose name
        is `base`: an authenticator's "GitHub" is github.com's account)."""
        ids = set(self._by_domain.get(domain, ())) if domain else set()
        for acc_id in self._by_name.get(base, ()) if base else ():
            if not (domain and self.infos[acc_id].domain):
                ids.add(acc_id)
        return self._sorted(ids)

    def mailbox(self, address: str, exclude: set[str]) -> str | None:
        """Return the account holding this address's mailbox: one whose user
        is the address and which is a mailbox (kind email, or at the mail
        provider's site); else a mailbox account with no user at that site."""
        address = address.strip().lower()
        sites, labels = set(mail_sites(address)), mail_labels(address)
        providers = set(provider_sites(address))
        strong = {
            i for i in self._by_user.get(address, ())
            if i not in exclude and (self.infos[i].kind == "email" or self.infos[i].domain in providers)
        }
        if strong:
            return self._sorted(strong)[0].id
        near = {i for s in sites for i in self._by_domain.get(s, ())} | {i for n in labels for i in self._by_name.get(n, ())}
        weak = {i for i in near - exclude if self.infos[i].kind == "email" and not self.infos[i].user}
        return self._sorted(weak)[0].id if weak else None
