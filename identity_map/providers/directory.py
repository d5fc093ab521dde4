"""The provider directory: which second factors and passkeys each site offers.

Bundled as `data/sites.json` (rebuilt by `build_directory` from snapshots of
2fa.directory and passkeys.directory; licences in `data/NOTICE`), read once
per process. Sites are indexed by every domain they list; `lookup_host`
applies the matching rules for a host name (see `identity_map.providers.match`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from publicsuffixlist import PublicSuffixList

BUNDLE = Path(__file__).with_name("data") / "sites.json"

# What the directory calls a method -> what the inventory writes for it.
SMS, CALL, EMAIL, TOTP, U2F, APP, HARDWARE = ("sms", "call", "email", "totp", "u2f", "custom-software",
                                             "custom-hardware")
METHOD_LABELS = {
    SMS: "SMS", CALL: "phone call", EMAIL: "email code", TOTP: "authenticator app (TOTP)",
    U2F: "security key", APP: "the site's own app", HARDWARE: "the site's own hardware token",
}


@dataclass(frozen=True, slots=True)
class Site:
    """One directory entry. `tfa` is None when the 2FA directory does not list
    the site (only the passkeys one does): its other methods are unknown."""

    domain: str
    name: str
    domains: tuple[str, ...] = ()  # additional domains
    tfa: frozenset[str] | None = None
    software: tuple[str, ...] = ()  # named apps behind custom-software
    hardware: tuple[str, ...] = ()  # named tokens behind custom-hardware
    passkeys: tuple[str, ...] | None = None  # "mfa", "passwordless"; None: not in the passkeys directory
    documentation: str = ""
    recovery: str = ""
    passkey_documentation: str = ""
    notes: tuple[str, ...] = ()

    @property
    def has_2fa(self) -> bool:
        """Whether the site offers any second factor (passkeys count)."""
        return bool(self.tfa) or self.has_passkeys

    @property
    def has_passkeys(self) -> bool:
        return self.passkeys is not None

    def offers(self, method: str) -> bool | None:
        """Whether the site offers a directory method; None when unknown."""
        return None if self.tfa is None else method in self.tfa

    def labels(self) -> list[str]:
        """The methods in words, passkeys last: what the factors report shows.

        >>> Site("a.test", "A", tfa=frozenset({"totp", "custom-software"}), software=("A App",), passkeys=()).labels()
        ['authenticator app (TOTP)', "the site's own app (A App)", 'passkey']
        """
        named = {APP: self.software, HARDWARE: self.hardware}
        out = []
        for method, label in METHOD_LABELS.items():
            if self.tfa and method in self.tfa:
                out.append(label + (f" ({', '.join(named[method])})" if named.get(method) else ""))
        if self.passkeys is not None:
            modes = {"mfa": "as a second factor", "passwordless": "instead of the password"}
            out.append("passkey" + (f" ({', '.join(modes[m] for m in self.passkeys)})" if self.passkeys else ""))
        return out


def _site(record: dict) -> Site:
    return Site(
        domain=record["domain"], name=record.get("name", record["domain"]),
        domains=tuple(record.get("domains", ())),
        tfa=frozenset(record["tfa"]) if "tfa" in record else None,
        software=tuple(record.get("custom-software", ())), hardware=tuple(record.get("custom-hardware", ())),
        passkeys=tuple(record["passkeys"]) if "passkeys" in record else None,
        documentation=record.get("documentation", ""), recovery=record.get("recovery", ""),
        passkey_documentation=record.get("passkey-documentation", ""), notes=tuple(record.get("notes", ())),
    )


@cache
def _psl() -> PublicSuffixList:
    # The package bundles the list: building it reads a local file, never the network.
    return PublicSuffixList()


def registrable(host: str) -> str:
    """The registrable domain of a host (`mail.google.com` -> `google.com`,
    `www.amazon.co.uk` -> `amazon.co.uk`), or "" for a public suffix itself.

    >>> registrable("photos.google.com"), registrable("co.uk")
    ('google.com', '')
    """
    return _psl().privatesuffix(host) or ""


class Directory:
    """Sites indexed by domain and by name. Cost: O(sites) to build; a lookup
    walks the labels of one host name."""

    def __init__(self, sites: list[Site], sources: dict | None = None):
        self.sites = sites
        self.sources = sources or {}
        self.by_domain: dict[str, Site] = {}
        self.by_registrable: dict[str, list[Site]] = {}
        self.by_name: dict[str, Site] = {}
        for site in sites:  # sorted by domain: a domain two sites claim goes to the first
            for domain in (site.domain, *site.domains):
                self.by_domain.setdefault(domain, site)
                group = self.by_registrable.setdefault(registrable(domain), [])
                if site not in group:
                    group.append(site)
            self.by_name.setdefault(normal_name(site.name), site)

    @classmethod
    def from_json(cls, text: str) -> Directory:
        """A directory from bundle text (`build_directory.dumps`).

        >>> d = Directory.from_json('{"sites": [{"domain": "a.com", "name": "A", "tfa": []}]}')
        >>> d.lookup_host("www.a.com").name, d.lookup_host("b.com")
        ('A', None)
        """
        doc = json.loads(text)
        return cls([_site(r) for r in doc["sites"]], doc.get("sources"))

    def lookup_host(self, host: str) -> Site | None:
        """The site for a host name: the host itself or its nearest parent that a
        site lists (stopping at the registrable domain), else the one site under
        the same registrable domain when there is exactly one; None otherwise.

        >>> d = Directory.from_json('{"sites": [{"domain": "mail.b.com", "name": "B"}]}')
        >>> d.lookup_host("b.com").name, d.lookup_host("x.mail.b.com").name
        ('B', 'B')
        """
        host = host.strip().rstrip(".").lower()
        base = registrable(host)
        if not base:
            return None
        labels = host.split(".")
        for i in range(len(labels) - base.count(".")):
            site = self.by_domain.get(".".join(labels[i:]))
            if site is not None:
                return site
        group = self.by_registrable.get(base, [])
        return group[0] if len(group) == 1 else None

    def lookup_name(self, name: str) -> Site | None:
        """The site whose directory name is `name` (case and spacing ignored)."""
        return self.by_name.get(normal_name(name))


def normal_name(name: str) -> str:
    """A name compared case- and spacing-insensitively: `' Git  Hub'` and `'git hub'` agree.

    >>> normal_name("  PayPal ")
    'paypal'
    """
    return " ".join(name.casefold().split())


@cache
def bundled() -> Directory:
    """The bundled directory, parsed once per process (about 0.1 s, 2,600 sites).

    >>> bundled().lookup_host("github.com").name
    'GitHub'
    """
    return Directory.from_json(BUNDLE.read_text(encoding="utf-8"))
