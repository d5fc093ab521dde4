"""Host names, registrable domains and inventory ids derived from them.

Everything here works on public, non-secret text (URLs, titles, usernames).
URLs are reduced to their host at once: paths and query strings can carry
tokens, so they never travel further than `host_of`.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from publicsuffixlist import PublicSuffixList

ID_MAX = 64
RESERVED_IDS = frozenset({"memory"})

_SPACE = re.compile(r"\s")
_AUTHORITY = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://(?:[^@/?#]*@)?([^:/?#\[\]@]*)(?::[0-9]*)?(?:[/?#]|$)")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_SLUG_DROP = re.compile(r"[^a-z0-9]+")
_SCHEMES = ("http", "https", "ftp", "ftps", "ssh", "sftp", "ws", "wss", "imap", "imaps", "smtp", "smtps")


def host_of(url: str) -> str:
    """Return the lowercase host name of a URL or bare host ("github.com"),
    or "" when there is none a person would recognise as a web site (app
    links, `chrome://` pages, placeholders, IP addresses are kept as "")."""
    text = url.strip()
    if not text or _SPACE.search(text):
        return ""
    if "://" not in text:
        text = "https://" + text
    # A regular expression rather than urlsplit: this runs once per login
    # and dominated a large import. Userinfo and port are skipped.
    match = _AUTHORITY.match(text)
    if match is None or match.group(1).lower() not in _SCHEMES:
        return ""
    host = match.group(2).lower().rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            return ""
    labels = host.split(".")
    # A numeric last label is an IPv4 address (IPv6 has no dots between labels).
    if len(labels) < 2 or labels[-1].isdigit() or not all(_LABEL.fullmatch(label) for label in labels):
        return ""
    return host


@functools.cache
def _suffixes() -> PublicSuffixList:
    # The package bundles the Public Suffix List: read once, no network.
    return PublicSuffixList()


def registrable_domain(host: str) -> str:
    """Return the part of a host a person registers, by the Public Suffix
    List: `accounts.google.com` -> `google.com`, `www.bbc.co.uk` ->
    `bbc.co.uk`, `alice.github.io` -> `alice.github.io` (each such site is
    its owner's); a host that is itself a public suffix stays as it is.

    >>> registrable_domain("www.bbc.co.uk"), registrable_domain("login.example.com.au")
    ('bbc.co.uk', 'example.com.au')
    """
    return _suffixes().privatesuffix(host) or host


def domain_label(domain: str) -> str:
    """Return the name part of a registrable domain: `bbc.co.uk` -> `bbc`."""
    return domain.split(".", 1)[0]


def slug(text: str) -> str:
    """Return `text` as an id fragment: ASCII lowercase letters, digits and
    single hyphens ("Home Router (5 GHz)" -> "home-router-5-ghz"), possibly "".
    """
    folded = text if text.isascii() else unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _SLUG_DROP.sub("-", folded.lower()).strip("-")[:ID_MAX].strip("-")


def looks_like_domain(text: str) -> bool:
    """True when `text` is a bare host such as `github.com` (an issuer field
    sometimes holds one)."""
    return bool(text) and "." in text and host_of(text) == text.strip().lower().rstrip(".")


def clamp_id(candidate: str) -> str:
    """Return `candidate` cut to the id length limit without a trailing separator."""
    return candidate[:ID_MAX].rstrip("-._")


def user_slug(user: str) -> str:
    """Return an id fragment for a username: the local part of an address
    (`alice.w@example.com` -> `alice-w`), else the slug of the whole name."""
    local = user.split("@", 1)[0] if "@" in user else user
    return slug(local)
