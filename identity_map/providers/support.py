"""What a site supports, for proposals: the checklist proposes only what an
account's site offers, and says so when the site is unknown.

`support_of(account)` wraps the account's directory match. Each question
answers True, False, or None (the directory does not know the site, or
lists it only for passkeys).
"""

from __future__ import annotations

from dataclasses import dataclass

from identity_map.format.model import Thing
from identity_map.providers.directory import TOTP, U2F, Directory, Site
from identity_map.providers.match import match_account

# What a proposal may add -> how a person names it.
AUTHENTICATOR, SECURITY_KEY, PASSKEY, RECOVERY_CODES = "authenticator", "security-key", "passkey", "recovery-codes"
WORDS = {AUTHENTICATOR: "an authenticator app", SECURITY_KEY: "a security key", PASSKEY: "a passkey"}


@dataclass(frozen=True, slots=True)
class Support:
    """An account's site, as far as the directory knows it."""

    site: Site | None

    def offers(self, what: str) -> bool | None:
        """Whether the site offers `what` (AUTHENTICATOR, SECURITY_KEY, PASSKEY,
        RECOVERY_CODES); None when unknown. Recovery codes come with a second
        factor: a site without any cannot offer them; with one, the site's
        own page says which (None).

        >>> s = Support(Site("a.test", "A", tfa=frozenset({"totp"})))
        >>> s.offers(AUTHENTICATOR), s.offers(SECURITY_KEY), s.offers(PASSKEY), s.offers(RECOVERY_CODES)
        (True, False, False, None)
        >>> Support(None).offers(PASSKEY) is None
        True
        """
        site = self.site
        if site is None:
            return None
        if what == PASSKEY:
            return site.has_passkeys or (None if site.tfa is None else False)
        if what == RECOVERY_CODES:
            return None if site.has_2fa or site.tfa is None else False
        return site.offers({AUTHENTICATOR: TOTP, SECURITY_KEY: U2F}[what])

    @property
    def known(self) -> bool:
        return self.site is not None

    def second_factors(self) -> tuple[str, ...]:
        """The independent second factors the site offers, best first (a key
        and a passkey resist phishing; an app whose seeds you keep comes next)."""
        return tuple(w for w in (SECURITY_KEY, PASSKEY, AUTHENTICATOR) if self.offers(w))

    def possible(self, what: str) -> bool:
        """Whether proposing `what` can make sense: offered, or not known to be missing."""
        return self.offers(what) is not False

    def pages(self) -> tuple[tuple[str, str], ...]:
        """(what, URL) of the site's 2FA and recovery documentation."""
        site = self.site
        if site is None:
            return ()
        return tuple((w, u) for w, u in (("how to set it up", site.documentation),
                                          ("if you are locked out", site.recovery)) if u)


def support_of(account: Thing, directory: Directory | None = None) -> Support:
    """The account's site support (cheap: a few look-ups; the directory is cached).

    >>> support_of(Thing(id="gh", kind="account", name="GitHub")).second_factors()
    ('security-key', 'passkey', 'authenticator')
    """
    found = match_account(account, directory)
    return Support(found.site if found else None)
