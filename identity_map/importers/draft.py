"""Turning parsed logins into inventory accounts, in a new draft or merged
into an existing inventory, with one rule set for both.

For each login the export proves a few facts: the password is saved in the
vault, a one-time-code seed is saved in an app, a passkey is saved in the
vault, the username is an address at some mailbox. Each fact becomes a term,
added only where the account does not have it yet, so that importing the
same export twice changes nothing:

- codes in app A: if no login method uses `totp:A`, every method with a
  password and no one-time code gets `+ totp:A` (the codes are the second
  factor of *that* login); if there is none, `password + totp:A` is added.
- password in vault V: if no method uses `password:V`, each method with a
  remembered `password` gets a twin with `password:V` instead (both work);
  if there is none, `password:V` (with its codes term) is added.
- passkey in vault V: a method `passkey:V` is added.
- username at a mailbox in the inventory: recovery `email:MAILBOX`.

Nothing the person wrote is removed or reordered; every added line gets a
`# inferred ...` comment above it saying from what.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from identity_map.format.model import Thing
from identity_map.providers.match import is_site, sign_in_provider

from .accounts import AccountIndex, AccountInfo, provider_sites
from .domains import RESERVED_IDS, clamp_id, domain_label, slug, user_slug
from .entry import Entry, ParsedExport, Source
from .errors import ImportFailure
from .yamldoc import Layout, add_item, add_key, block, comment_item, flow_scalar, scalar

SECTION_ORDER = ("version", "owner", "devices", "places", "phones", "accounts", "data", "purchases")
ID_SECTIONS = ("devices", "places", "phones", "accounts", "data", "purchases")
MERGE_TARGET = "the inventory to merge into"
APP_KINDS = frozenset({"password-manager", "authenticator"})


def terms_of(method: Any) -> list[str]:
    """Return the terms of one method written as `a + b` or as a list."""
    if isinstance(method, str):
        return [t.strip() for t in method.split("+") if t.strip()]
    if isinstance(method, list):
        return [t for item in method for t in terms_of(item)]
    return []


def methods_of(value: Any) -> list[list[str]]:
    """Return the methods of a `login` or `recovery` value (a plain string is one method)."""
    if isinstance(value, str):
        return [terms_of(value)]
    if isinstance(value, list):
        return [terms_of(item) for item in value]
    return []


def same_user(a: str, b: str) -> bool:
    """True when two usernames name the same person at a site: equal, or a
    handle matching an address's local part (an authenticator's
    "alice-example" and a vault's "alice.example@gmail.com"). Two different
    addresses are never the same user."""
    if a.lower() == b.lower():
        return True
    if "@" in a and "@" in b:
        return False
    return bool(user_slug(a)) and user_slug(a) == user_slug(b)


def _has_password(terms: list[str]) -> bool:
    return any(t == "password" or t.startswith("password:") for t in terms)


def _with_password(terms: list[str], password: str) -> list[str]:
    """Return a method with its password term replaced by `password`.

    >>> _with_password(["password:bitwarden", "totp:aegis"], "password:1password")
    ['password:1password', 'totp:aegis']
    """
    return [password if t == "password" or t.startswith("password:") else t for t in terms]


def _with_code(terms: list[str], code: str) -> list[str]:
    """Return a method with its one-time-code terms replaced by `code`.

    >>> _with_code(["password:bitwarden", "totp:bitwarden"], "totp:aegis")
    ['password:bitwarden', 'totp:aegis']
    """
    kept = [t for t in terms if not t.startswith("totp:")]
    return kept + [code]


def _has_code(terms: list[str]) -> bool:
    return any(t.startswith("totp:") for t in terms)


@dataclass
class Outcome:
    """What the import changed, for the notes and `ImportResult.added`."""

    added: list[str] = field(default_factory=list)  # account ids created
    updated: list[str] = field(default_factory=list)  # existing account ids given new terms
    devices: list[str] = field(default_factory=list)  # device ids created
    inferred: int = 0  # terms and kinds added
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when the document was modified."""
        return bool(self.added or self.updated or self.devices)


@dataclass
class NewAccount:
    """An account this import creates. It stays out of the round-trip
    document until the end: building and emitting ruamel nodes costs about a
    millisecond per account, so a 50,000-login vault took minutes; these are
    written as one compact flow line each, with their comments above."""

    id: str
    fields: dict[str, str]  # name, provider, user, kind: in that order, only those given
    comments: list[str]  # why it exists, then the inference behind each kind or method added
    origin: str = ""  # the export item it was made from, as its comments name it
    login: list[list[str]] = field(default_factory=list)
    recovery: list[list[str]] = field(default_factory=list)

    def methods(self, key: str) -> list[list[str]]:
        """Return a copy of its login or recovery methods."""
        return [list(m) for m in (self.login if key == "login" else self.recovery)]

    def comment(self) -> str:
        """Return its comments as one line: why it exists, then each
        inference without the origin they share.

        >>> NewAccount("a", {}, ['inferred from X item "A (b)" (a.com)', 'inferred from X item "A (b)": password saved in X',
        ...                      "inferred: al@gmail.com is a mailbox at gmail.com"], origin='X item "A (b)"').comment()
        'inferred from X item "A (b)" (a.com): password saved in X; al@gmail.com is a mailbox at gmail.com'
        """
        first, *rest = self.comments
        shared = f"inferred from {self.origin}: "
        reasons = [c.removeprefix(shared).removeprefix("inferred: ").removeprefix("inferred ") for c in rest]
        joint = "; " if ":" in first else ": "
        return first + (joint + "; ".join(reasons) if reasons else "")

    def line(self) -> str:
        """Return its `id: {...}` flow mapping (without indentation).

        >>> NewAccount("yes", {"name": "A, B"}, [], login=[["password"]]).line()
        '"yes": {name: "A, B", login: [password]}'
        """
        parts = [f"{key}: {flow_scalar(value)}" for key, value in self.fields.items()]
        for key, methods in (("login", self.login), ("recovery", self.recovery)):
            if methods:
                parts.append(f"{key}: [{', '.join(flow_scalar(' + '.join(m)) for m in methods)}]")
        return f"{flow_scalar(self.id)}: {{{', '.join(parts)}}}"

    def node(self) -> CommentedMap:
        """Return it as a round-trip flow mapping (for a merge)."""
        node = CommentedMap((k, scalar(v)) for k, v in self.fields.items())
        for key, methods in (("login", self.login), ("recovery", self.recovery)):
            if methods:
                seq = CommentedSeq(scalar(" + ".join(m)) for m in methods)
                seq.fa.set_flow_style()
                node[key] = seq
        node.fa.set_flow_style()
        return node


class Draft:
    """An inventory document being extended with one export's logins."""

    def __init__(self, doc: CommentedMap, layout: Layout, source: Source) -> None:
        self.doc = doc
        self.layout = layout
        self.source = source
        self.outcome = Outcome()
        self.new: dict[str, NewAccount] = {}  # the accounts made in this run, in order
        self._updated: set[str] = set()  # outcome.updated, for constant-time membership
        self.touched: dict[str, None] = {}  # site accounts this export spoke about (ordered set), for the mail pass
        self.app = ""  # id of the app's own account, set by ensure_app
        # Existing accounts written without `user` that a login of this export
        # matched: a second login with another username is another account.
        self.claimed: dict[str, str] = {}
        self.index = AccountIndex()
        for acc_id, node in self.section("accounts").items():
            self.index.add(AccountInfo.of(str(acc_id), node))
        self.taken = set(RESERVED_IDS)
        for name in ID_SECTIONS:
            if isinstance(self.doc.get(name), dict):
                self.taken.update(str(k) for k in self.doc[name])

    # -- the document ---------------------------------------------------------

    def section(self, name: str) -> CommentedMap:
        """Return a top-level section, creating it after the sections that
        usually precede it if absent."""
        node = self.doc.get(name)
        if node is None:
            node = CommentedMap()
            if name in self.doc:  # `accounts:` written with nothing under it
                self.doc[name] = node
            else:
                rank = SECTION_ORDER.index(name)
                keys = list(self.doc.keys())
                after = [i + 1 for i, k in enumerate(keys) if k in SECTION_ORDER and SECTION_ORDER.index(k) < rank]
                add_key(self.doc, name, node, position=max(after, default=0))
        if not isinstance(node, CommentedMap):
            raise ImportFailure(MERGE_TARGET, f"its '{name}' section is not a mapping of ids; fix it and retry.")
        return block(node)

    def indent(self, depth: int) -> int:
        """Return the column of a key `depth` levels deep."""
        return depth * self.layout.mapping

    @property
    def item_indent(self) -> int:
        """Return the column of the dash of a `login`/`recovery` item."""
        return self.indent(2) + self.layout.offset

    def account_node(self, acc_id: str) -> CommentedMap:
        """Return an account's mapping, turning `id:` (null) or `{...}` into a block mapping."""
        accounts = self.section("accounts")
        node = accounts[acc_id]
        if node is None:
            node = accounts[acc_id] = CommentedMap()
        if not isinstance(node, CommentedMap):
            raise ImportFailure(MERGE_TARGET, f"account '{acc_id}' is not a mapping; fix it and retry.")
        return block(node)

    def methods(self, acc_id: str, key: str) -> list[list[str]]:
        """Return an account's login or recovery methods, defaults expanded
        (`login` of an account written without one is `[password]`)."""
        if acc_id in self.new:
            return self.new[acc_id].methods(key)
        node = self.section("accounts").get(acc_id)
        if isinstance(node, dict) and key in node:
            return methods_of(node[key])
        return [["password"]] if key == "login" and acc_id not in self.new else []

    def method_list(self, acc_id: str, key: str) -> CommentedSeq | None:
        """Return an account's `login`/`recovery` as a block list, or None when
        absent; a one-method string becomes a one-item list."""
        node = self.account_node(acc_id)
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = node[key] = CommentedSeq([value])
        if not isinstance(value, CommentedSeq):
            raise ImportFailure(MERGE_TARGET, f"'{key}' of account '{acc_id}' is not a list; fix it and retry.")
        return block(value)

    def add_method(self, acc_id: str, key: str, terms: list[str], comment: str) -> None:
        """Add a method to an account's login or recovery, with its comment.
        An existing account written without `login` gets its implicit
        `password` written out first, so its meaning does not change."""
        if acc_id in self.new:
            new = self.new[acc_id]
            (new.login if key == "login" else new.recovery).append(list(terms))
            new.comments.append(comment)
            self._changed(acc_id)
            return
        text = scalar(" + ".join(terms))
        seq = self.method_list(acc_id, key)
        if seq is None:
            seq = CommentedSeq()
            if key == "login" and acc_id not in self.new:
                seq.append("password")
            seq.append(text)
            comment_item(seq, len(seq) - 1, comment, self.item_indent)
            add_key(self.account_node(acc_id), key, seq, indent=self.indent(2))
        else:
            add_item(seq, text, comment=comment, indent=self.item_indent)
        self._changed(acc_id)

    def amend_method(self, acc_id: str, index: int, term: str, comment: str) -> None:
        """Add a term to an existing login method (AND), with a comment above it."""
        if acc_id in self.new:
            self.new[acc_id].login[index].append(term)
            self.new[acc_id].comments.append(comment)
            self._changed(acc_id)
            return
        seq = self.method_list(acc_id, "login")
        if seq is None:  # the implicit `[password]`, written out to be amended
            seq = CommentedSeq(["password"])
            add_key(self.account_node(acc_id), "login", seq, indent=self.indent(2))
        item = seq[index]
        if isinstance(item, list):
            item.append(scalar(term))
        else:
            seq[index] = scalar(f"{item} + {term}")
        comment_item(seq, index, comment, self.item_indent)
        self._changed(acc_id)

    def _changed(self, acc_id: str) -> None:
        self.outcome.inferred += 1
        if acc_id not in self.new and acc_id not in self._updated:
            self._updated.add(acc_id)
            self.outcome.updated.append(acc_id)

    def new_id(self, base: str, variants: list[str]) -> str:
        """Return the first free id among `base`, then `variants`, then
        `base-2`, `base-3`... (deterministic: the same export gives the same ids)."""
        for candidate in [base, *variants]:
            candidate = clamp_id(candidate)
            if candidate and candidate not in self.taken:
                return candidate
        n = 2
        while (candidate := f"{clamp_id(base)[:60]}-{n}") in self.taken:
            n += 1
        return candidate

    def create_account(self, acc_id: str, fields: dict[str, str], comment: str, origin: str = "") -> None:
        """Add a new account (without login yet) at the end of `accounts`."""
        given = {key: value for key, value in fields.items() if value}
        self.new[acc_id] = NewAccount(acc_id, given, [comment], origin=origin)
        self.taken.add(acc_id)
        self.index.add(AccountInfo.of(acc_id, given, domain=given.get("provider", "")))
        self.outcome.added.append(acc_id)

    def text(self, dump: Callable[[CommentedMap], str]) -> str:
        """Return the inventory's text with the new accounts in it: appended
        as text after the document when `accounts` is its last, empty
        section (a new draft: linear time), else added as flow mappings to
        the round-trip document (a merge keeps everything around them)."""
        accounts = self.doc.get("accounts")
        last = list(self.doc.keys())[-1] if len(self.doc) else None
        if isinstance(accounts, CommentedMap) and not accounts and last == "accounts" and not self.doc.ca.end:
            del self.doc["accounts"]
            pad = " " * self.indent(1)
            lines = ["accounts:"]
            for new in self.new.values():
                lines.append(f"{pad}# {new.comment()}")
                lines.append(pad + new.line())
            return dump(self.doc) + "\n".join(lines) + "\n"
        for new in self.new.values():
            add_key(self.section("accounts"), scalar(new.id), new.node(), comment=new.comment(), indent=self.indent(1))
        return dump(self.doc)

    # -- the app the export comes from ----------------------------------------

    def ensure_phone(self) -> str:
        """Return the id of the phone an authenticator app runs on: the first
        device of kind phone, else a new device `phone`."""
        devices = self.doc.get("devices")
        if isinstance(devices, dict):
            for dev_id, dev in devices.items():
                if isinstance(dev, dict) and dev.get("kind") == "phone":
                    return str(dev_id)
        dev_id = self.new_id("phone", ["my-phone"])
        node = CommentedMap()
        node["name"] = "Phone"
        node["kind"] = "phone"
        add_key(
            self.section("devices"), dev_id, node, indent=self.indent(1),
            comment=f"inferred from the {self.source.label} export: the phone the app runs on (rename it to yours)",
        )
        self.taken.add(dev_id)
        self.outcome.devices.append(dev_id)
        self.outcome.inferred += 1
        return dev_id

    def ensure_app(self) -> str:
        """Return the id of the account of the app the export comes from: one
        already there by id or name, else a new one (a vault opens with
        `password`, an authenticator with `device:PHONE`)."""
        if self.app:
            return self.app
        src = self.source
        wanted = {src.app_id, slug(src.label), slug(src.app_name)}
        for info in self.index.infos.values():
            if info.id == src.app_id or (slug(info.name) in wanted and info.kind in ("", src.kind)):
                self.app = info.id
                return self.app
        self.app = self.new_id(src.app_id, [f"{src.app_id}-app"])
        holds = "one-time codes" if src.is_authenticator else "passwords"
        self.create_account(
            self.app,
            {"name": src.app_name, "kind": src.kind},
            f"inferred from the {src.label} export: the app that holds the {holds} below",
        )
        first = f"device:{self.ensure_phone()}" if src.is_authenticator else "password"
        self.add_method(self.app, "login", [first], f"inferred: {src.login_hint}")
        return self.app

    # -- one login ------------------------------------------------------------

    def origin(self, entry: Entry) -> str:
        """Return how comments name a login: `Bitwarden item "GitHub"`."""
        return f'{self.source.label} {self.source.item_word} "{entry.label}"'

    @staticmethod
    def base_id(entry: Entry) -> str:
        """Return the id a login's account is named after: the domain's name
        (`bbc.co.uk` -> `bbc`), else its title or username as a slug."""
        return domain_label(entry.domain) if entry.domain else slug(entry.title or entry.user)

    def find_account(self, entry: Entry) -> str | None:
        """Return the account this login belongs to: same site (by domain, or
        by name where either has no domain) and no other username."""
        found = []
        for info in self.index.same_site(entry.domain, self.base_id(entry)):
            user = info.user or self.claimed.get(info.id, "")
            # A vault's or authenticator's own account is never a website's
            # login: a keepassxc.org login merged into the KeePassXC vault
            # would make the vault depend on whatever holds that login. (An
            # authenticator's "Bitwarden" codes are the vault's second factor.)
            if info.id == self.app or (info.kind in APP_KINDS and not self.source.is_authenticator):
                continue
            if not (entry.user and user and not same_user(entry.user, user)):
                found.append(info)
        if not found:
            found = self._sign_in_accounts(entry)
        if not found:
            return None
        exact = [i for i in found if entry.user and i.user.lower() == entry.user.lower()]
        best = (exact or found)[0]
        if entry.user and not best.user:
            self.claimed.setdefault(best.id, entry.user)
        return best.id

    def _sign_in_accounts(self, entry: Entry) -> list[AccountInfo]:
        """A login at an identity provider's sign-in page (login.live.com,
        accounts.google.com) belongs to the provider's account already in the
        inventory (`provider: Microsoft`), however that account is written."""
        site = sign_in_provider(entry.host or entry.domain)
        if site is None:
            return []
        return [info for info in self.index.infos.values()
                if info.id != self.app and not (entry.user and info.user and not same_user(entry.user, info.user))
                and is_site(Thing(id=info.id, kind="account", name=info.name or info.id, provider=info.provider,
                                  user=info.user, subkind=info.kind), site)]

    def new_site_account(self, entry: Entry) -> str:
        """Create the account for a login no account matches; return its id.
        A clash with another site's account adds the domain (`amazon-de`),
        a second user at the same site adds the user (`github-bob`)."""
        provider = sign_in_provider(entry.host or entry.domain)
        base = slug(provider.name) if provider else self.base_id(entry) or "account"
        by_user = f"{base}-{user_slug(entry.user)}" if user_slug(entry.user) else ""
        by_domain = slug(entry.domain)
        holder = self.index.infos.get(base)
        other_site = holder is not None and holder.domain and holder.domain != entry.domain
        variants = [by_domain, by_user] if other_site else [by_user, by_domain]
        acc_id = self.new_id(base, [v for v in variants if v])
        fields = {"name": entry.label if entry.label != acc_id else "", "provider": entry.domain, "user": entry.user}
        if provider:  # the account others sign in with, not a site with a password of its own
            fields.update(provider=provider.name, kind="identity")
        where = f" ({entry.host})" if entry.host else ""
        self.create_account(acc_id, fields, f"inferred from {self.origin(entry)}{where}", origin=self.origin(entry))
        # Only a known mail provider's own site makes its account a mailbox:
        # alice@example.com at example.com may as well be a shop login.
        providers = provider_sites(entry.user)
        at_mail_site = entry.domain in providers if entry.domain else base in {domain_label(p) for p in providers}
        if "@" in entry.user and at_mail_site:
            new = self.new[acc_id]
            new.fields["kind"] = "email"
            new.comments.append(f"inferred: {entry.user} is a mailbox at {entry.domain or entry.label}")
            self.index.update(AccountInfo.of(acc_id, new.fields, domain=new.fields.get("provider", "")))
            self.outcome.inferred += 1
        return acc_id

    def is_own_login(self, entry: Entry) -> bool:
        """True for a vault's entry for the vault itself (vault.bitwarden.com
        in Bitwarden): the vault cannot open itself."""
        src = self.source
        if src.is_authenticator:
            return False
        return entry.domain in src.vendor_domains or (not entry.domain and slug(entry.title) in {src.app_id, slug(src.label)})

    def apply(self, entry: Entry) -> None:
        """Add one login's facts to its account (found or created)."""
        src, app = self.source, self.ensure_app()
        if self.is_own_login(entry):
            self.outcome.notes.append(
                f"The {src.label} {src.item_word} for {src.label} itself was not made a dependency on {app}: "
                "it would depend on itself."
            )
            return
        acc_id = self.find_account(entry) or self.new_site_account(entry)
        self.touched.setdefault(acc_id)
        origin = self.origin(entry)
        vault = "" if src.is_authenticator else app
        first = f"password:{vault}" if vault and entry.password else "password"
        fresh = [first] + ([f"totp:{app}"] if entry.totp else [])
        why = f"password saved in {src.label}" if vault and entry.password else "a password you remember (review)"
        why += f", one-time codes from {src.label}" if entry.totp else ""

        if entry.totp and not any(f"totp:{app}" in m for m in self.methods(acc_id, "login")):
            # These codes are the site's second factor: they complete every
            # password login that has none, and work in place of the codes of
            # any other app (every password copy with every code source, so
            # that the order of the exports does not matter).
            methods = self.methods(acc_id, "login")
            single = [i for i, m in enumerate(methods) if _has_password(m) and not _has_code(m)]
            for i in single:
                self.amend_method(acc_id, i, f"totp:{app}", f"inferred from {origin}: one-time codes from {src.label}")
            others = [_with_code(m, f"totp:{app}") for m in methods if _has_password(m) and _has_code(m)]
            for twin in others:
                if not any(set(twin) <= set(m) for m in self.methods(acc_id, "login")):
                    self.add_method(acc_id, "login", twin, f"inferred from {origin}: one-time codes also from {src.label}")
            if not (single or others):
                self.add_method(acc_id, "login", fresh, f"inferred from {origin}: {why}")
        if vault and entry.password and not any(f"password:{vault}" in m for m in self.methods(acc_id, "login")):
            # The same password saved in this vault works wherever another
            # password term does, with that method's other factors: so the
            # result does not depend on which export came first.
            twins = [_with_password(m, first) for m in self.methods(acc_id, "login") if _has_password(m)]
            also = "; the password saved elsewhere, or remembered, also works" if twins else ""
            for twin in twins or [fresh]:
                if not any(set(twin) <= set(m) for m in self.methods(acc_id, "login")):
                    self.add_method(acc_id, "login", twin, f"inferred from {origin}: {why}{also}")
        if vault and entry.passkey_sites and not any(f"passkey:{vault}" in m for m in self.methods(acc_id, "login")):
            sites = ", ".join(entry.passkey_sites)
            self.add_method(acc_id, "login", [f"passkey:{vault}"], f"inferred from {origin}: a passkey for {sites} is saved in {src.label}")

    def add_mail_recovery(self) -> None:
        """Give `email:MAILBOX` recovery to each account whose username is an
        address at a mailbox in the inventory, when this export spoke about
        the account or created the mailbox (so that a mailbox imported after
        the sites that use it is found just the same). Linear in the accounts."""
        for acc_id, info in list(self.index.infos.items()):
            if "@" not in info.user or acc_id == self.app:
                continue
            mailbox = self.index.mailbox(info.user, exclude={acc_id, self.app})
            if mailbox is None or not (acc_id in self.touched or mailbox in self.new):
                continue
            if any(f"email:{mailbox}" in m for m in self.methods(acc_id, "recovery")):
                continue
            user = info.user
            self.add_method(
                acc_id, "recovery", [f"email:{mailbox}"],
                f"inferred from the username {user}: a reset link can go to that mailbox",
            )


def apply_export(doc: CommentedMap, layout: Layout, parsed: ParsedExport) -> Draft:
    """Add an export's logins to the draft of `doc`; return the draft (its
    `outcome` says what changed, `text` writes it). Cost: linear in the
    number of logins and of the document's accounts."""
    draft = Draft(doc, layout, parsed.source)
    draft.ensure_app()
    for entry in sorted(parsed.entries, key=_entry_order):
        draft.apply(entry)
    draft.add_mail_recovery()
    return draft


def _entry_order(entry: Entry) -> tuple[str, ...]:
    """Sort key making ids independent of the export's item order: by site,
    then username, then everything else."""
    site = entry.domain or "~" + slug(entry.title or entry.user)
    return (site, entry.user.lower(), entry.user, entry.title, entry.host, str(entry.password), str(entry.totp), ",".join(entry.passkey_sites))
