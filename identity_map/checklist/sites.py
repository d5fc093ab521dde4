"""What the checklist says about an account's site: which second factors it
can propose there, and the site's own pages, from the provider directory
(`identity_map.providers.support`). One place for "propose only what the
site supports; say so when it is unknown".
"""

from __future__ import annotations

import re

from identity_map.checklist.model import T, Text, U, join
from identity_map.providers.support import AUTHENTICATOR, PASSKEY, SECURITY_KEY, WORDS, Support

# A directory URL shown as our own text must stay inert in Markdown: no
# brackets, parentheses, backticks, stars, pipes or angle brackets.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9._~:/?#@=%&+,;-]+")


def url_text(url: str) -> Text:
    """A page address as text: our own words when it cannot become markup,
    else escaped like user text.

    >>> str(url_text("https://a.test/x_y")), url_text("https://a.test/[x]").parts[0][1]
    ('https://a.test/x_y', True)
    """
    return T(url if _PLAIN_URL.fullmatch(url) else U(url))


def second_factor(support: Support) -> str | None:
    """The second factor to propose: the best the site offers (a security
    key, a passkey, an authenticator app), an authenticator app when the
    site is unknown, None when the site is known to offer none of them."""
    offered = support.second_factors()
    if offered:
        return offered[0]
    if all(support.offers(w) is False for w in (SECURITY_KEY, PASSKEY, AUTHENTICATOR)):
        return None
    return AUTHENTICATOR


def offers_text(support: Support, name: U) -> Text:
    """'GitHub offers a security key, a passkey and an authenticator app.' or,
    for a site the directory does not know, that it does not know."""
    if not support.known:
        return T("identity-map does not know which second factors ", name, " offers: check its security settings.")
    offered = support.second_factors()
    if not offered:
        others = support.site.labels()
        return T(name, " offers no authenticator app, security key or passkey",
                 f" (only {', '.join(others)})" if others else "", ".")
    return T(name, " offers ", join([T(WORDS[w]) for w in offered]), ".")


def pages_text(support: Support) -> Text:
    """' How: URL. If you are locked out: URL.' (empty without pages)."""
    out = T("")
    for what, url in support.pages():
        out += T(f" {what[0].upper()}{what[1:]}: ", url_text(url), ".")
    return out
