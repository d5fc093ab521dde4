"""Turning parsed logins into inventory accounts, in a new draft or merged
into an existing inventory, one rule set for both.

For each login the export proves a few facts: the password is saved in the
vault, a one-time-code seed is saved in an app, a passkey is saved in the
vault, the username is an address at some mailbox. Each fact becomes a term,
added only where the account does not have it yet, so that importing the
same export twice changes nothing:

- TOTP in app A: if no login method uses `totp:A`, every method with a
  password and no one-time code gets `+ totp:A` (the codes are a second
  factor of *that* login); if there is none, `password + totp:A` is added.
- password in vault V: if no method uses `password:V`, each method with a
  remembered `password` gets a twin using `password:V` instead (both work);
  if there is none, `password:V` (with its TOTP term) is added.
- passkey in vault V: a method `passkey:V` is added.
- username at a mailbox in the inventory: recovery `email:MAILBOX`.

Nothing the person wrote is removed or reordered; every added line gets a
`# inferred ...` comment above it saying from what.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .domains import RESERVED_IDS, clamp_id, domain_label, host_of, looks_like_domain, registrable_domain, slug, user_slug
from .entry import Entry, ParsedExport, Source
from .errors import ImportFailure
from .yamldoc import Layout, add_item, add_key, block, comment_item, scalar

SECTION_ORDER = ("version", "owner", "devices", "places", "phones", "accounts", "data", "purchases")
ID_SECTIONS = ("devices", "places", "phones", "accounts", "data", "purchases")
_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")

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
    """Return the registrable domains whose account holds this address's mailbox."""
    domain = address.rpartition("@")[2].strip().lower()
    return MAIL_PROVIDERS.get(domain, (registrable_domain(domain),) if host_of(domain) else ())


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


def _has_password(terms: list[str]) -> bool:
    return any(t == "password" or t.startswith("password:") for t in terms)


def _has_code(terms: list[str]) -> bool:
    return any(t.startswith("totp:") for t in terms)


@dataclass
class AccountInfo:
    """What matching needs to know of an account already in the document."""

    id: str
    name: str = ""
    provider: str = ""
    user: str = ""
    kind: str = ""
    domain: str = ""  # registrable domain of its provider or url, if any

    @property
    def names(self) -> set[str]:
        """Return the id-like names the account goes by."""
        found = {self.id, slug(self.name), slug(self.provider)}
        if self.domain:
            found.add(domain_label(self.domain))
        return found - {""}


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
        return bool(self.added or self.updated or self.devices)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


class Draft:
    """An inventory document being extended with one export's logins."""

    def __init__(self, doc: CommentedMap, layout: Layout, parsed: ParsedExport) -> None:
        self.doc = doc
        self.layout = layout
        self.source: Source = parsed.source
        self.parsed = parsed
        self.outcome = Outcome()
        self.created: set[str] = set()  # accounts made in this run: no implicit `password` login
        self.touched: list[str] = []  # site accounts this export spoke about, for the mail pass
        self.app_ids: set[str] = set()
        self.app = ""  # id of the app's own account, set by ensure_app
        # Existing accounts written without `user` that a login of this export
        # matched: a second login with another username is another account.
        self.claimed: dict[str, str] = {}
        self._infos: dict[str, AccountInfo] = {}  # accounts' matching facts; only `create_account` and `kind` change them

    # -- reading the document -------------------------------------------------

    def section(self, name: str) -> CommentedMap:
        """Return a top-level section, creating it in its usual place if absent."""
        node = self.doc.get(name)
        if node is None:
            node = CommentedMap()
            order = SECTION_ORDER.index(name)
            keys = list(self.doc.keys())
            position = sum(1 for k in keys if k in SECTION_ORDER[:order]) if all(k in SECTION_ORDER for k in keys) else len(keys)
            if name in self.doc:  # `accounts:` written with nothing under it
                self.doc[name] = node
            else:
                add_key(self.doc, name, node, position=min(position, len(keys)))
        if not isinstance(node, CommentedMap):
            raise ImportFailure("the inventory to merge into", f"its '{name}' section is not a mapping of ids; fix it and retry.")
        return block(node)

    def taken(self) -> set[str]:
        """Return every id in use, in any section (one namespace)."""
        ids = set(RESERVED_IDS)
        for name in ID_SECTIONS:
            node = self.doc.get(name)
            if isinstance(node, dict):
                ids.update(str(k) for k in node)
        return ids

    def info(self, acc_id: str) -> AccountInfo:
        """Return the matching facts of an existing account."""
        if acc_id not in self._infos:
            self._infos[acc_id] = self._read_info(acc_id)
        return self._infos[acc_id]

    def _read_info(self, acc_id: str) -> AccountInfo:
        node = self.section("accounts").get(acc_id)
        node = node if isinstance(node, dict) else {}
        provider, url = _text(node.get("provider")), _text(node.get("url"))
        host = host_of(provider) if looks_like_domain(provider) else host_of(url) if url else ""
        return AccountInfo(
            id=str(acc_id),
            name=_text(node.get("name")),
            provider=provider,
            user=_text(node.get("user")).strip(),
            kind=_text(node.get("kind")),
            domain=registrable_domain(host) if host else "",
        )

    def accounts(self) -> list[AccountInfo]:
        """Return every account in document order."""
        return [self.info(k) for k in self.section("accounts")]

    def methods(self, acc_id: str, key: str) -> list[list[str]]:
        """Return an account's login or recovery methods, defaults expanded
        (`login` of an account written without one is `[password]`)."""
        node = self.section("accounts").get(acc_id)
        if isinstance(node, dict) and key in node:
            return methods_of(node[key])
        return [["password"]] if key == "login" and acc_id not in self.created else []

    # -- writing --------------------------------------------------------------

    def indent(self, depth: int) -> int:
        """Return the column of a key `depth` levels deep."""
        return depth * self.layout.mapping

    def account_node(self, acc_id: str) -> CommentedMap:
        """Return an account's mapping, turning `id:` (null) or `{...}` into a block mapping."""
        accounts = self.section("accounts")
        node = accounts[acc_id]
        if node is None:
            node = accounts[acc_id] = CommentedMap()
        if not isinstance(node, CommentedMap):
            raise ImportFailure("the inventory to merge into", f"account '{acc_id}' is not a mapping; fix it and retry.")
        return block(node)

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
            raise ImportFailure("the inventory to merge into", f"'{key}' of account '{acc_id}' is not a list; fix it and retry.")
        return block(value)

    def add_method(self, acc_id: str, key: str, terms: list[str], comment: str) -> None:
        """Add a method to an account's login or recovery, with its comment.
        An existing account written without `login` gets its implicit
        `password` written out first, so its meaning does not change."""
        text = scalar(" + ".join(terms))
        seq = self.method_list(acc_id, key)
        item_indent = self.indent(2) + self.layout.offset
        if seq is None:
            seq = CommentedSeq()
            if key == "login" and acc_id not in self.created:
                seq.append("password")
            seq.append(text)
            comment_item(seq, len(seq) - 1, comment, item_indent)
            add_key(self.account_node(acc_id), key, seq, indent=self.indent(2))
        else:
            add_item(seq, text, comment=comment, indent=item_indent)
        self.outcome.inferred += 1
        self.mark_updated(acc_id)

    def amend_method(self, acc_id: str, index: int, term: str, comment: str) -> None:
        """Add a term to an existing login method (AND), with a comment above it."""
        seq = self.method_list(acc_id, "login")
        if seq is None:  # the implicit `[password]`
            self.add_method(acc_id, "login", ["password", term], comment)
            return
        item = seq[index]
        if isinstance(item, list):
            item.append(scalar(term))
        else:
            seq[index] = scalar(f"{item} + {term}")
        comment_item(seq, index, comment, self.indent(2) + self.layout.offset)
        self.outcome.inferred += 1
        self.mark_updated(acc_id)

    def mark_updated(self, acc_id: str) -> None:
        if acc_id not in self.created and acc_id not in self.outcome.updated:
            self.outcome.updated.append(acc_id)

    def new_id(self, base: str, variants: list[str]) -> str:
        """Return the first free id among `base`, then `variants`, then
        `base-2`, `base-3`... (deterministic, so the same export gives the same ids)."""
        taken = self.taken()
        for candidate in [base, *variants]:
            candidate = clamp_id(candidate)
            if candidate and _ID.fullmatch(candidate) and candidate not in taken:
                return candidate
        n = 2
        while (candidate := f"{clamp_id(base)[: 60]}-{n}") in taken:
            n += 1
        return candidate

    def create_account(self, acc_id: str, fields: dict[str, str], comment: str) -> None:
        """Add a new account (without login yet) at the end of `accounts`."""
        node = CommentedMap()
        for key, value in fields.items():
            if value:
                node[key] = scalar(value)
        add_key(self.section("accounts"), scalar(acc_id), node, comment=comment, indent=self.indent(1))
        self.created.add(acc_id)
        self.outcome.added.append(acc_id)

    # -- the app (vault or authenticator) -------------------------------------

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
        self.outcome.devices.append(dev_id)
        self.outcome.inferred += 1
        return dev_id

    def ensure_app(self) -> str:
        """Return the id of the account of the app the export comes from,
        creating it (vault: `[password]`; authenticator: `[device:PHONE]`)."""
        if self.app:
            return self.app
        src = self.source
        wanted = {src.app_id, slug(src.label), slug(src.app_name)}
        for info in self.accounts():
            if info.id == src.app_id or (wanted & {slug(info.name)} and info.kind in ("", src.kind)):
                self.app_ids.add(info.id)
                self.app = info.id
                return info.id
        app_id = self.new_id(src.app_id, [f"{src.app_id}-app"])
        holds = "one-time codes" if src.is_authenticator else "passwords"
        self.create_account(
            app_id,
            {"name": src.app_name, "kind": src.kind},
            f"inferred from the {src.label} export: the app that holds the {holds} below",
        )
        first = f"device:{self.ensure_phone()}" if src.is_authenticator else "password"
        self.add_method(app_id, "login", [first], f"inferred: {src.login_hint}")
        self.app_ids.add(app_id)
        self.app = app_id
        return app_id

    # -- one login ------------------------------------------------------------

    def origin(self, entry: Entry) -> str:
        return f'{self.source.label} {self.source.item_word} "{entry.label}"'

    def find_account(self, entry: Entry) -> str | None:
        """Return the existing account this login belongs to: same domain (or,
        lacking one, the same name), and no different username."""
        base = domain_label(entry.domain) if entry.domain else slug(entry.title or entry.user)
        found = []
        for info in self.accounts():
            if info.id in self.app_ids:
                continue
            user = info.user or self.claimed.get(info.id, "")
            if entry.user and user and entry.user.lower() != user.lower():
                continue
            if entry.domain and info.domain:
                same = entry.domain == info.domain
            else:
                same = bool(base) and base in info.names
            if same:
                found.append(info)
        found.sort(key=lambda info: not (entry.user and info.user.lower() == entry.user.lower()))
        if not found:
            return None
        if entry.user and not found[0].user:
            self.claimed.setdefault(found[0].id, entry.user)
        return found[0].id

    def new_site_account(self, entry: Entry) -> str:
        """Create the account for a login no account matches; return its id."""
        base = domain_label(entry.domain) if entry.domain else slug(entry.title or entry.user) or "account"
        by_user = f"{base}-{user_slug(entry.user)}" if entry.user and user_slug(entry.user) else ""
        by_domain = slug(entry.domain) if entry.domain else ""
        holder_domain = self.info(base).domain if base in self.section("accounts") else ""
        variants = [by_domain, by_user] if holder_domain and holder_domain != entry.domain else [by_user, by_domain]
        acc_id = self.new_id(base, [v for v in variants if v])
        sites = mail_sites(entry.user) if "@" in entry.user else ()
        mailbox = entry.domain in sites if entry.domain else base in {domain_label(s) for s in sites}
        fields = {
            "name": entry.label if entry.label != acc_id else "",
            "provider": entry.domain,
            "user": entry.user,
        }
        where = f" ({entry.host})" if entry.host else ""
        self.create_account(acc_id, fields, f"inferred from {self.origin(entry)}{where}")
        if mailbox:
            add_key(
                self.account_node(acc_id), "kind", "email", indent=self.indent(2),
                comment=f"inferred: {entry.user} is a mailbox at {entry.domain or entry.label}",
            )
            self._infos.pop(acc_id, None)
            self.outcome.inferred += 1
        return acc_id

    def apply(self, entry: Entry) -> None:
        """Add one login's facts to its account (found or created)."""
        src = self.source
        app = self.ensure_app()
        if not src.is_authenticator and (
            entry.domain in src.vendor_domains or (not entry.domain and slug(entry.title) in {src.app_id, slug(src.label)})
        ):
            self.outcome.notes.append(
                f"The {src.label} {src.item_word} for {src.label} itself was not made a dependency on {app}: "
                "it would depend on itself."
            )
            return
        acc_id = self.find_account(entry) or self.new_site_account(entry)
        if acc_id not in self.touched:
            self.touched.append(acc_id)
        origin = self.origin(entry)
        vault = None if src.is_authenticator else app
        codes_in = app if entry.totp else None
        first = f"password:{vault}" if vault and entry.password else "password"
        fresh = [first] + ([f"totp:{codes_in}"] if codes_in else [])
        why = []
        why.append(f"password saved in {src.label}" if first != "password" else "a password you remember (review)")
        if codes_in:
            why.append(f"one-time codes from {src.label}")

        if codes_in:
            methods = self.methods(acc_id, "login")
            if not any(f"totp:{codes_in}" in m for m in methods):
                amend = [i for i, m in enumerate(methods) if _has_password(m) and not _has_code(m)]
                for i in amend:
                    self.amend_method(acc_id, i, f"totp:{codes_in}", f"inferred from {origin}: one-time codes from {src.label}")
                if not amend:
                    self.add_method(acc_id, "login", fresh, f"inferred from {origin}: {', '.join(why)}")
        if vault and entry.password:
            methods = self.methods(acc_id, "login")
            if not any(f"password:{vault}" in m for m in methods):
                twins = [[first if t == "password" else t for t in m] for m in methods if "password" in m]
                for twin in twins or [fresh]:
                    if not any(set(twin) <= set(m) for m in self.methods(acc_id, "login")):
                        note = "; the remembered password also works" if twins else ""
                        self.add_method(acc_id, "login", twin, f"inferred from {origin}: {', '.join(why)}{note}")
        if vault and entry.passkey_sites:
            if not any(f"passkey:{vault}" in m for m in self.methods(acc_id, "login")):
                sites = ", ".join(entry.passkey_sites)
                self.add_method(acc_id, "login", [f"passkey:{vault}"], f"inferred from {origin}: a passkey for {sites} is saved in {src.label}")

    # -- mailboxes ------------------------------------------------------------

    def mailbox_of(self, address: str, exclude: str) -> str | None:
        """Return the account holding this address's mailbox, if the inventory has it."""
        address = address.strip().lower()
        sites = set(mail_sites(address))
        mail_domain = address.rpartition("@")[2]
        strong, weak = [], []
        for info in self.accounts():
            if info.id == exclude or info.id in self.app_ids:
                continue
            at_site = info.domain in sites or bool(info.names & {domain_label(s) for s in sites} | {domain_label(mail_domain)})
            if info.user.lower() == address and (info.kind == "email" or info.domain in sites):
                strong.append(info.id)
            elif not info.user and info.kind == "email" and at_site:
                weak.append(info.id)
        return (strong or weak or [None])[0]

    def add_mail_recovery(self) -> None:
        """Give each account this export touched `email:MAILBOX` recovery when
        its username is an address at a mailbox in the inventory."""
        for acc_id in self.touched:
            user = self.info(acc_id).user
            if "@" not in user:
                continue
            mailbox = self.mailbox_of(user, exclude=acc_id)
            if mailbox is None or any(f"email:{mailbox}" in m for m in self.methods(acc_id, "recovery")):
                continue
            self.add_method(
                acc_id, "recovery", [f"email:{mailbox}"],
                f"inferred from the username {user}: a reset link can go to that mailbox",
            )


def apply_export(doc: CommentedMap, layout: Layout, parsed: ParsedExport) -> Outcome:
    """Add an export's logins to `doc` in place; return what changed."""
    draft = Draft(doc, layout, parsed)
    draft.section("accounts")
    draft.ensure_app()
    for entry in sorted(parsed.entries, key=_entry_order):
        draft.apply(entry)
    draft.add_mail_recovery()
    return draft.outcome


def _entry_order(entry: Entry) -> tuple[str, ...]:
    """Sort key making ids independent of the export's item order: by site,
    then username, then everything else."""
    site = entry.domain or "~" + slug(entry.title or entry.user)
    return (site, entry.user.lower(), entry.user, entry.title, entry.host, str(entry.password), str(entry.totp), ",".join(entry.passkey_sites))
