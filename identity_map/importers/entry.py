"""What every parser produces: logins reduced to their non-secret facts.

Parsers copy into an `Entry` only the title, the host of the URL, the
username and *whether* a password, a one-time-code seed or a passkey is
stored; the secret values themselves are never copied out of the parsed
export, so nothing downstream can leak them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .domains import host_of, looks_like_domain, registrable_domain

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SPACES = re.compile(r"\s+")
TEXT_MAX = 120


def present(value: object) -> bool:
    """True when a secret field holds something; only that fact is kept,
    never the value.

    >>> present(" s3cret "), present("  "), present(None)
    (True, False, False)
    """
    return isinstance(value, str) and bool(value.strip())


def clean_text(value: object, limit: int = TEXT_MAX) -> str:
    """Return `value` as one printable line of at most `limit` characters
    ("" for anything that is not a string): titles and usernames end up in
    YAML values and comments, where a newline would break the line."""
    if not isinstance(value, str):
        return ""
    if value.isprintable() and "  " not in value and len(value) <= limit and value == value.strip():
        return value  # the common case, without two regular-expression passes
    text = _SPACES.sub(" ", _CONTROL.sub(" ", value)).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Entry:
    """One login from an export, without any secret."""

    title: str  # the item's name in the source, "" if none
    host: str = ""  # host of the first usable URL ("accounts.google.com")
    domain: str = ""  # its registrable domain ("google.com")
    user: str = ""  # username or account name (an identifier, not a secret)
    password: bool = False  # a password is stored in the source
    totp: bool = False  # a one-time-code seed is stored in the source
    passkey_sites: tuple[str, ...] = ()  # relying parties of stored passkeys

    @property
    def label(self) -> str:
        """Return how comments name the entry: its title, else its host."""
        return self.title or self.host or self.user


def make_entry(
    title: object,
    urls: Iterable[object] = (),
    user: object = "",
    *,
    password: bool = False,
    totp: bool = False,
    passkey_sites: Iterable[object] = (),
    host_from_title: bool = True,
) -> Entry | None:
    """Return an Entry from raw export fields, or None when nothing identifies
    the login (no title, usable URL or username). The host comes from the
    first URL that names a web site; a title that is itself a domain
    ("github.com") also gives one unless `host_from_title` is false (Android
    package names look like domains)."""
    host = ""
    for url in urls:
        if isinstance(url, str) and (host := host_of(url)):
            break
    name = clean_text(title)
    if not host and host_from_title and looks_like_domain(name):
        host = name.lower().rstrip(".")
    sites = tuple(
        sorted({h for h in (host_of(s) for s in passkey_sites if isinstance(s, str)) if h})
    )
    if not host and sites:
        host = sites[0]
    login = clean_text(user)
    if not (name or host or login):
        return None
    return Entry(
        title=name,
        host=host,
        domain=registrable_domain(host) if host else "",
        user=login,
        password=bool(password),
        totp=bool(totp),
        passkey_sites=sites,
    )


@dataclass(frozen=True, slots=True)
class Source:
    """The app an export comes from; it becomes an account of its own."""

    fmt: str  # the FORMAT name ("bitwarden-json")
    label: str  # "Bitwarden"
    app_id: str  # preferred id for the app's account ("bitwarden")
    app_name: str  # display name of that account
    kind: str  # "password-manager" or "authenticator"
    item_word: str = "item"  # what the app calls one login ("item", "entry")
    vendor_domains: tuple[str, ...] = ()  # the app's own sites: their login is the app's own
    login_hint: str = ""  # comment above the app account's own login method

    @property
    def is_authenticator(self) -> bool:
        """True for apps that hold one-time codes but no passwords."""
        return self.kind == "authenticator"


@dataclass(frozen=True)
class ParsedExport:
    """The logins read from one export, and how many other items were left out."""

    source: Source
    entries: tuple[Entry, ...]
    skipped: int = 0  # items that are not logins: cards, notes, archived or deleted ones
    warnings: tuple[str, ...] = ()  # human lines about what could not be read
