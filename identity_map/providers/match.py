"""Which directory site an account is: the matching rules, in one place.

An account is matched by the first of these that names a known site:

1. `url`: its host name;
2. `provider`: a domain name (`proton.me`) as a host, otherwise a directory
   name (`Google`, `PayPal`; case and spacing ignored);
3. `user`: the domain after `@`, only for accounts of kind `email` or
   `identity` (there the address *is* the account; elsewhere it names the
   mailbox the site writes to, not the site);
4. `name`: the account's display name, or that name without a trailing
   parenthesis, when it is exactly a directory name (`GitHub`, `GitHub (Ben)`).

A host matches a site that lists it (main or additional domains) or its
nearest listed parent, down to the registrable domain (`photos.google.com`
-> `google.com`; `amazon.co.uk` stays itself); failing that, the only site
under the same registrable domain. A public suffix alone (`co.uk`,
`github.io`) matches nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from identity_map.format.model import Inventory, Thing
from identity_map.providers.directory import Directory, Site, bundled

USER_DOMAIN_KINDS = ("email", "identity")
_TRAILING_PAREN = re.compile(r"\s*\([^()]*\)\s*$")


@dataclass(frozen=True, slots=True)
class Match:
    """An account's site and how it was found: `by` is the field (url,
    provider, user or name) and `key` the host or name looked up."""

    site: Site
    by: str
    key: str

    def describe(self) -> str:
        """'GitHub (github.com), by name "GitHub"'."""
        return f'{self.site.name} ({self.site.domain}), by {self.by} "{self.key}"'


def url_host(url: str) -> str:
    """The host of a URL, with or without a scheme; "" when there is none.

    >>> url_host("https://www.github.com/login"), url_host("proton.me"), url_host("not a url")
    ('www.github.com', 'proton.me', '')
    """
    url = url.strip()
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    except ValueError:
        return ""
    return host if "." in host and " " not in host else ""


def _keys(account: Thing) -> list[tuple[str, str, bool]]:
    """(field, key, is_host) in the order the rules try them."""
    keys: list[tuple[str, str, bool]] = []
    if account.url and url_host(account.url):
        keys.append(("url", url_host(account.url), True))
    if account.provider:
        host = url_host(account.provider) if "." in account.provider else ""
        keys.append(("provider", host or account.provider, bool(host)))
    if account.subkind in USER_DOMAIN_KINDS and "@" in account.user:
        host = account.user.rsplit("@", 1)[1]
        if url_host(host):
            keys.append(("user", host.lower(), True))
    if account.name and account.name != account.id:
        keys.append(("name", account.name, False))
        bare = _TRAILING_PAREN.sub("", account.name)
        if bare and bare != account.name:
            keys.append(("name", bare, False))
    return keys


def match_account(account: Thing, directory: Directory | None = None) -> Match | None:
    """The site of one account under the rules above, or None. Cost: a few
    dictionary look-ups per field.

    >>> from identity_map.format.model import Thing
    >>> match_account(Thing(id="gh", kind="account", name="GitHub")).describe()
    'GitHub (github.com), by name "GitHub"'
    >>> match_account(Thing(id="shop", kind="account", name="Corner shop", user="me@gmail.com")) is None
    True
    """
    directory = directory or bundled()
    for by, key, is_host in _keys(account):
        site = directory.lookup_host(key) if is_host else directory.lookup_name(key)
        if site is not None:
            return Match(site, by, key)
    return None


def match_inventory(inventory: Inventory, directory: Directory | None = None) -> dict[str, Match | None]:
    """Every account's match, in file order. Cost: O(accounts).

    >>> from identity_map.format.load import load_text
    >>> inv = load_text("version: 1\\naccounts:\\n  mail: {kind: email, user: me@proton.me}\\n")
    >>> match_inventory(inv)["mail"].site.name
    'Proton'
    """
    return {t.id: match_account(t, directory) for t in inventory.of_kind("account")}


# Sites whose login is an identity others sign in with ("Sign in with Google"):
# a saved login at their sign-in page is that account itself, never a site of its own.
SIGN_IN_PROVIDERS = ("Google", "Microsoft", "Apple", "Facebook")


def sign_in_provider(host: str, directory: Directory | None = None) -> Site | None:
    """The identity provider whose sign-in host this is, or None.

    >>> sign_in_provider("login.live.com").name, sign_in_provider("github.com")
    ('Microsoft', None)
    """
    site = (directory or bundled()).lookup_host(host) if host else None
    return site if site is not None and site.name in SIGN_IN_PROVIDERS else None


def is_site(account: Thing, site: Site, directory: Directory | None = None) -> bool:
    """Whether the account matches `site` under the rules above."""
    found = match_account(account, directory)
    return found is not None and found.site.domain == site.domain
