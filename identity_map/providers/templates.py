"""Provider templates: the accounts, parts and data a big provider holds.

`identity-map add google me.yaml --user anna@gmail.com` adds the Google
account with its parts (`part_of`: Gmail, Google Photos, Google Drive,
YouTube), the data that usually lives there, the typical ways in and back as
commented choices, and what the provider offers against a ban as `notes`.
Every part hangs on its whole, so banning the whole takes them all, which is
the point of the story. The inventory is edited round-trip (comments and
layout kept) and validated before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from identity_map.analysis.validate import validate_bytes
from identity_map.format.load import Problem
from identity_map.importers.domains import user_slug
from identity_map.importers.yamldoc import add_key, block, dump, guess_layout, load, scalar

SECTIONS = ("version", "owner", "devices", "places", "phones", "people", "accounts", "data", "purchases")


@dataclass(frozen=True, slots=True)
class Part:
    """A service reached with the whole account (`part_of`). `mailbox`: the
    address given with --user is this part's user too."""

    key: str
    name: str
    kind: str
    mailbox: bool = False
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Held:
    """Data that usually lives in the account: `copies` are keys of the
    template's accounts ("" is the whole)."""

    key: str
    name: str
    copies: tuple[str, ...]
    critical: bool = False
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Template:
    """One provider's ecosystem. `login`, `recovery` and `legacy` are choices
    (a method in inventory terms, what it is), written as comments: PHONE,
    DEVICE, APP, KEY, MAILBOX, PLACE and PERSON are filled with the inventory's
    own ids where it has one."""

    key: str
    name: str
    provider: str
    parts: tuple[Part, ...]
    held: tuple[Held, ...]
    login: tuple[tuple[str, str], ...]
    recovery: tuple[tuple[str, str], ...]
    legacy: tuple[tuple[str, str], ...]
    against_ban: str
    kind: str = "identity"


_SECOND = (
    ("password + sms:PHONE", "a code by text to your number"),
    ("password + totp:APP", "one-time codes from an authenticator app"),
    ("password + key:KEY", "a security key"),
    ("passkey:DEVICE", "a passkey on your phone or computer"),
)

TEMPLATES: dict[str, Template] = {t.key: t for t in (
    Template(
        "google", "Google account", "Google",
        parts=(Part("gmail", "Gmail", "email", mailbox=True), Part("google-photos", "Google Photos", "cloud"),
               Part("google-drive", "Google Drive (and Google One backups)", "cloud"),
               Part("youtube", "YouTube", "social")),
        held=(Held("gmail-mail", "Gmail mail, contacts and calendars", ("gmail",), critical=True),
              Held("google-photos-library", "Photos and videos in Google Photos", ("google-photos",), critical=True),
              Held("drive-files", "Files in Google Drive", ("google-drive",)),
              Held("android-backup", "Android phone backup (apps, messages, settings)", ("google-drive",))),
        login=(("password + push:DEVICE", "a Google prompt on a signed-in phone"), *_SECOND),
        recovery=(("sms:PHONE", "the recovery phone number"), ("email:MAILBOX", "the recovery address"),
                  ("codes:PLACE", "printed backup codes")),
        legacy=(("person:PERSON", "Inactive Account Manager: who is told and gets your data"),),
        against_ban="Against a ban: export everything with Google Takeout (takeout.google.com) to a disk you own, "
                    "regularly; Google One members can reach support by chat; set up Inactive Account Manager "
                    "for your heirs; keep Photos and Drive copied elsewhere."),
    Template(
        "microsoft", "Microsoft account", "Microsoft",
        parts=(Part("outlook", "Outlook.com", "email", mailbox=True), Part("onedrive", "OneDrive", "cloud"),
               Part("xbox", "Xbox", "gaming"),
               Part("ms-authenticator-backup", "Microsoft Authenticator cloud backup", "authenticator",
                    notes="The app's one-time-code seeds are backed up only into this account.")),
        held=(Held("outlook-mail", "Outlook.com mail, contacts and calendars", ("outlook",), critical=True),
              Held("onedrive-files", "Files and photos in OneDrive", ("onedrive",), critical=True),
              Held("bitlocker-key", "BitLocker recovery key", ("",), critical=True,
                   notes="Windows saves it to the account by default: print it or save it to a USB disk too.")),
        login=(("password + push:DEVICE", "an approval in Microsoft Authenticator"), *_SECOND),
        recovery=(("sms:PHONE", "the security-info phone number"), ("email:MAILBOX", "the alternate address"),
                  ("codes:PLACE", "the printed recovery code")),
        legacy=(),
        against_ban="Against a ban: download OneDrive and Outlook to a disk you own, regularly; keep the BitLocker "
                    "key offline; Microsoft 365 subscribers can reach support by chat or phone; Xbox and Office "
                    "purchases are tied to the account and cannot be moved; there is no legacy contact."),
    Template(
        "apple", "Apple Account", "Apple",
        parts=(Part("icloud-mail", "iCloud Mail", "email", mailbox=True), Part("icloud-photos", "iCloud Photos", "cloud"),
               Part("icloud-drive", "iCloud Drive", "cloud"),
               Part("icloud-keychain", "iCloud Keychain (passwords and passkeys)", "password-manager",
                    notes="Other accounts' passkeys saved here: write `passkey:icloud-keychain` in their login.")),
        held=(Held("icloud-mail-data", "iCloud mail", ("icloud-mail",)),
              Held("icloud-photos-library", "Photos and videos in iCloud Photos", ("icloud-photos",), critical=True),
              Held("icloud-drive-files", "Files in iCloud Drive", ("icloud-drive",)),
              Held("keychain-passwords", "Passwords and passkeys in iCloud Keychain", ("icloud-keychain",),
                   critical=True),
              Held("filevault-key", "FileVault recovery key (Mac disk)", ("",), critical=True,
                   notes="Stored with the account when you chose iCloud unlock: write the key down too.")),
        login=(("password + device:DEVICE", "a code shown on a trusted Apple device"), *_SECOND),
        recovery=(("sms:PHONE", "the trusted phone number"), ("person:PERSON", "a recovery contact"),
                  ("codes:PLACE", "the printed recovery key")),
        legacy=(("person:PERSON", "Legacy Contact: access key plus death certificate"),),
        against_ban="Against a ban: copy photos and files to a disk you own (privacy.apple.com also exports your "
                    "data); AppleCare gives phone support; add a Legacy Contact and a recovery contact; App Store "
                    "purchases are tied to the account."),
    Template(
        "meta", "Meta account (Accounts Center)", "Meta", kind="social",
        parts=(Part("facebook", "Facebook", "social"), Part("instagram", "Instagram", "social"),
               Part("messenger", "Messenger", "social")),
        held=(Held("facebook-photos", "Photos and posts on Facebook", ("facebook",)),
              Held("instagram-posts", "Posts and stories on Instagram", ("instagram",)),
              Held("messenger-chats", "Messenger chats", ("messenger",))),
        login=(("password + sms:PHONE", "a code by text"), ("password + totp:APP", "an authenticator app"),
               ("password + key:KEY", "a security key (Facebook)"), ("passkey:DEVICE", "a passkey")),
        recovery=(("email:MAILBOX", "the contact address"), ("sms:PHONE", "the contact number"),
                  ("codes:PLACE", "printed recovery codes")),
        legacy=(("person:PERSON", "Facebook legacy contact (memorialised account)"),),
        against_ban="Against a ban: save everything with Download Your Information, regularly; Meta Verified "
                    "(paid) adds direct support; add a legacy contact on Facebook."),
    Template(
        "amazon", "Amazon account", "Amazon", kind="shop",
        parts=(Part("amazon-photos", "Amazon Photos", "cloud"), Part("kindle", "Kindle", "shop"),
               Part("prime-video", "Prime Video", "shop"), Part("audible", "Audible", "shop")),
        held=(Held("amazon-photos-library", "Photos in Amazon Photos", ("amazon-photos",)),
              Held("kindle-library", "Kindle e-books", ("kindle",),
                   notes="Bought books stay readable only through the account."),
              Held("order-history", "Order history, invoices and warranties", ("",))),
        login=(("password + sms:PHONE", "a code by text"), ("password + totp:APP", "an authenticator app"),
               ("passkey:DEVICE", "a passkey")),
        recovery=(("email:MAILBOX", "the account's address"), ("sms:PHONE", "the account's number")),
        legacy=(),
        against_ban="Against a ban: download Amazon Photos and your invoices to a disk you own; Request Your Data "
                    "exports the rest; Kindle, Audible and Prime Video purchases are tied to the account and cannot "
                    "be moved."),
    Template(
        "proton", "Proton account", "Proton", kind="email",
        parts=(Part("proton-mail", "Proton Mail", "email", mailbox=True), Part("proton-drive", "Proton Drive", "cloud"),
               Part("proton-pass", "Proton Pass", "password-manager")),
        held=(Held("proton-mailbox", "Proton mail", ("proton-mail",), critical=True),
              Held("proton-drive-files", "Files in Proton Drive", ("proton-drive",)),
              Held("proton-pass-vault", "Passwords in Proton Pass", ("proton-pass",), critical=True)),
        login=(("password + totp:APP", "an authenticator app"), ("password + key:KEY", "a security key")),
        recovery=(("email:MAILBOX", "a recovery address at another provider"), ("sms:PHONE", "a recovery number"),
                  ("codes:PLACE", "the recovery phrase, printed: without it a reset leaves old mail unreadable")),
        legacy=(),
        against_ban="An independent, end-to-end encrypted mailbox: paid plans get priority support; print the "
                    "recovery phrase; export mail with Proton's export tool now and then; a domain of your own "
                    "lets you move the address to another provider."),
)}


@dataclass(frozen=True)
class Added:
    """The result of applying a template: the new text and the ids it added
    (`problems` when the result would not be a valid inventory)."""

    text: str
    ids: tuple[str, ...]
    problems: tuple[Problem, ...] = ()


def _ids(template: Template, user: str, taken: set[str]) -> dict[str, str]:
    """Template key -> id: the plain keys, else all with the user's name
    (`google-anna`), else numbered, so one template's ids stay together."""
    keys = [template.key, *(p.key for p in template.parts), *(h.key for h in template.held)]
    suffixes = ([f"-{user_slug(user)}"] if user_slug(user) else []) + [f"-{n}" for n in range(2, 100)]
    for suffix in ["", *suffixes]:
        ids = {k: f"{k}{suffix}"[:64] for k in keys}
        if not taken & set(ids.values()):
            return ids
    raise ValueError("no free ids for the template")  # 100 copies of one template: not a real inventory


def _fill(method: str, own: dict[str, str]) -> str:
    return " + ".join(_fill_term(t, own) for t in method.split(" + "))


def _fill_term(term: str, own: dict[str, str]) -> str:
    kind, _, slot = term.partition(":")
    return f"{kind}:{own.get(slot, slot)}" if slot else term


def _own_ids(doc) -> dict[str, str]:
    """The inventory's first phone, phone device, security key, mailbox,
    place and person, to fill a choice's placeholders with."""
    def first(section: str, kind: str = "") -> str:
        node = doc.get(section) or {}
        for tid, value in node.items() if isinstance(node, dict) else ():
            if not kind or (isinstance(value, dict) and value.get("kind") == kind):
                return str(tid)
        return ""
    found = {"PHONE": first("phones"), "APP": first("accounts", "authenticator"), "DEVICE": first("devices", "phone") or first("devices"),
             "KEY": first("devices", "security-key"), "MAILBOX": first("accounts", "email"),
             "PLACE": first("places"), "PERSON": first("people")}
    return {slot: tid for slot, tid in found.items() if tid}


def _choices(title: str, choices, own: dict[str, str]) -> str:
    width = max((len(_fill(m, own)) for m, _ in choices), default=0)
    return "\n".join([title] + [f"  - {_fill(m, own):<{width}}  ({what})" for m, what in choices])


def _flow(items: list[str]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()  # `[a, b]`, as people write short lists
    return seq


def _section(doc: CommentedMap, name: str) -> CommentedMap:
    node = doc.get(name)
    if not isinstance(node, CommentedMap):
        later = [i for i, k in enumerate(doc) if k in SECTIONS and SECTIONS.index(k) > SECTIONS.index(name)]
        if name in doc:
            doc[name] = node = CommentedMap()
        else:
            node = CommentedMap()
            add_key(doc, name, node, position=min(later, default=len(doc)))
    return block(node)


def apply_template(text: str, key: str, user: str = "", filename: str = "<inventory>") -> Added:
    """Add template `key` to inventory `text` (comments and layout kept);
    `problems` says why the result is not valid (then nothing should be
    written). Cost: one round-trip parse and one validation of the file.

    >>> added = apply_template("version: 1\\n", "proton", "me@proton.me")
    >>> added.ids[:3], added.problems
    (('proton', 'proton-mail', 'proton-drive'), ())
    """
    template = TEMPLATES[key]
    before = validate_bytes(text.encode("utf-8"), filename)
    if before.errors:  # fix the file first: a template must not be blamed for its errors
        return Added(text, (), tuple(before.errors))
    layout = guess_layout(text)
    doc = load(text, layout)
    if not isinstance(doc, CommentedMap):
        doc = CommentedMap(version=1)
    taken = {str(k) for s in SECTIONS[2:] if isinstance(doc.get(s), dict) for k in doc[s]}
    ids = _ids(template, user, taken)
    own = _own_ids(doc)
    accounts, step = _section(doc, "accounts"), layout.mapping
    whole = CommentedMap()
    whole["name"] = scalar(f"{template.name} ({user})" if user else template.name)
    whole["provider"] = template.provider
    whole["kind"] = template.kind
    if user:
        whole["user"] = scalar(user)
    whole["critical"] = True
    whole["notes"] = scalar(template.against_ban)
    whole["login"] = _flow(["password"])
    help_lines = [_choices("Replace [password] with the ways you really sign in (any one works):", template.login, own),
                  _choices("Add `recovery:` with what the provider really has on file:", template.recovery, own)]
    if template.legacy:
        help_lines.append(_choices("Add `legacy:` for what works after your death:", template.legacy, own))
    whole.yaml_set_comment_before_after_key("login", before="\n".join(help_lines), indent=2 * step)
    add_key(accounts, ids[template.key], whole, indent=step,
            comment=f"{template.name}: added by `identity-map add {key}`; review every line")
    for part in template.parts:
        node = CommentedMap(name=part.name, kind=part.kind)
        node["part_of"] = ids[template.key]
        if part.mailbox and user:
            node["user"] = scalar(user)
        if part.notes:
            node["notes"] = scalar(part.notes)
        add_key(accounts, ids[part.key], node, indent=step)
    data = _section(doc, "data")
    for held in template.held:
        node = CommentedMap(name=held.name)
        node["copies"] = _flow([ids[c or template.key] for c in held.copies])
        if held.critical:
            node["critical"] = True
        if held.notes:
            node["notes"] = scalar(held.notes)
        add_key(data, ids[held.key], node, indent=step,
                comment=(f"Usually kept in the {template.provider} account: add every other copy you keep"
                         if held is template.held[0] else ""))
    out = dump(doc, layout)
    checked = validate_bytes(out.encode("utf-8"), filename)
    return Added(out, tuple(ids.values()), tuple(checked.errors))
