"""Host names, registrable domains and inventory ids derived from them.

Everything here works on public, non-secret text (URLs, titles, usernames).
URLs are reduced to their host at once: paths and query strings can carry
tokens, so they never travel further than `host_of`.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import urlsplit

ID_MAX = 64
RESERVED_IDS = frozenset({"memory"})

# Second-level public suffixes common enough to matter for a personal
# inventory. A full Public Suffix List would be a dependency for little gain:
# a wrong guess only changes an id, which the person can rename.
_MULTI_LABEL_SUFFIXES = frozenset(
    f"{sld}.{tld}"
    for tld, slds in {
        "uk": ("co", "org", "ac", "gov", "me", "ltd", "plc", "net", "nhs", "police"),
        "au": ("com", "net", "org", "edu", "gov", "id", "asn"),
        "nz": ("co", "org", "net", "govt", "ac", "geek"),
        "jp": ("co", "ne", "or", "ac", "go", "gr"),
        "br": ("com", "net", "org", "gov", "edu"),
        "mx": ("com", "org", "gob", "edu"),
        "in": ("co", "net", "org", "gov", "ac", "firm", "gen"),
        "za": ("co", "org", "gov", "ac", "web"),
        "cn": ("com", "net", "org", "gov", "edu"),
        "tr": ("com", "net", "org", "gov", "edu"),
        "kr": ("co", "or", "ne", "go", "ac"),
        "sg": ("com", "net", "org", "gov", "edu"),
        "hk": ("com", "net", "org", "gov", "edu"),
        "tw": ("com", "net", "org", "gov", "edu"),
        "il": ("co", "org", "net", "gov", "ac"),
        "ar": ("com", "net", "org", "gob"),
        "co": ("com", "net", "org", "gov"),
        "id": ("co", "or", "ac", "go", "web"),
        "my": ("com", "net", "org", "gov", "edu"),
        "ph": ("com", "net", "org", "gov", "edu"),
        "ua": ("com", "net", "org", "gov"),
        "pl": ("com", "net", "org", "gov"),
        "es": ("com", "org", "gob", "nom"),
        "pt": ("com", "org", "gov"),
        "gr": ("com", "net", "org", "gov"),
        "at": ("co", "or", "gv", "ac"),
        "be": ("ac",),
        "fr": ("gouv", "asso", "com"),
    }.items()
    for sld in slds
)

_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_SLUG_DROP = re.compile(r"[^a-z0-9]+")
_SCHEMES = ("http", "https", "ftp", "ftps", "ssh", "sftp", "ws", "wss", "imap", "imaps", "smtp", "smtps")


def host_of(url: str) -> str:
    """Return the lowercase host name of a URL or bare host ("github.com"),
    or "" when there is none a person would recognise as a web site (app
    links, `chrome://` pages, placeholders, IP addresses are kept as "")."""
    text = url.strip()
    if not text or any(ch.isspace() for ch in text):
        return ""
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
    except ValueError:
        return ""
    if parts.scheme.lower() not in _SCHEMES:
        return ""
    host = host.rstrip(".")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return ""
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        return ""
    try:
        ipaddress.ip_address(host)
        return ""
    except ValueError:
        pass
    if labels[-1].isdigit():
        return ""
    return host


def registrable_domain(host: str) -> str:
    """Return the part of a host a person registers: `accounts.google.com` ->
    `google.com`, `www.bbc.co.uk` -> `bbc.co.uk`."""
    labels = host.split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in _MULTI_LABEL_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def domain_label(domain: str) -> str:
    """Return the name part of a registrable domain: `bbc.co.uk` -> `bbc`."""
    return domain.split(".", 1)[0]


def slug(text: str) -> str:
    """Return `text` as an id fragment: ASCII lowercase letters, digits and
    single hyphens ("Home Router (5 GHz)" -> "home-router-5-ghz"), possibly "".
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
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
