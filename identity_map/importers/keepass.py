"""KeePass exports: the KeePassXC CSV and the KeePass 2 XML (KDBX XML).

KeePassXC's CsvExporter writes `Group,Title,Username,Password,URL,Notes`
and, since 2.6, `TOTP,Icon,Last Modified,Created`. The XML export is
`KeePassFile/Root/Group` with nested `Group`s and `Entry`s, each entry a list
of `String` pairs (`Key`, `Value`): Title, UserName, Password, URL, Notes,
and for one-time codes `otp` (KeePassXC), `TimeOtp-Secret*` (KeePass 2.47+)
or `TOTP Seed` (older plugins); KeePassXC stores a passkey as
`KPEX_PASSKEY_*` strings. Entry `History` and the recycle bin are skipped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace

from .entry import Entry, ParsedExport, Source, make_entry
from .errors import ImportFailure
from .signature import EXACT, Signature
from .tabular import Columns, csv_export
from .textio import decode_text, read_csv

SOURCE_KEEPASSXC_CSV = Source(
    fmt="keepassxc-csv",
    label="KeePassXC",
    app_id="keepassxc",
    app_name="KeePassXC",
    kind="password-manager",
    item_word="entry",
    login_hint="the database password is remembered; add where the database file lives (e.g. + device:laptop) and any key file",
)
SOURCE_KEEPASS_XML = replace(SOURCE_KEEPASSXC_CSV, fmt="keepass-xml", label="KeePass", app_id="keepass", app_name="KeePass")

CSV_COLUMNS = ("group", "title", "username", "password", "url")
RECYCLE_BIN_NAMES = frozenset({"recycle bin", "trash"})
_OTP_KEYS = re.compile(r"^(otp|totp seed|timeotp-secret.*|hmacotp-secret.*)$", re.IGNORECASE)
_UNSAFE_XML = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
XML_HELP = "In KeePass 2 use File > Export > KeePass XML (2.x); in KeePassXC use Database > Export > XML File."


def parse_keepassxc_csv(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of a KeePassXC CSV export, without the recycle bin."""
    what = "a KeePassXC CSV export"
    table = read_csv(decode_text(data, filename, what), filename, what, CSV_COLUMNS)
    entries, skipped = [], 0
    for row in table.rows:
        groups = {part.strip().lower() for part in row["group"].split("/")}
        entry = make_entry(
            row["title"], [row["url"]], row["username"],
            password=bool(row["password"]), totp=bool(row.get("totp", "").strip()),
        )
        if groups & RECYCLE_BIN_NAMES or entry is None:
            skipped += 1
            continue
        entries.append(entry)
    return ParsedExport(SOURCE_KEEPASSXC_CSV, tuple(entries), skipped)


def _xml_entry(element: ET.Element) -> Entry | None:
    """Return the Entry of one `<Entry>` (its `<History>` is not looked at)."""
    public: dict[str, str] = {}
    password = totp = False
    for pair in element.findall("String"):
        key = (pair.findtext("Key") or "").strip()
        value = pair.find("Value")
        filled = value is not None and bool((value.text or "").strip())
        if key == "Password":
            password = filled
        elif _OTP_KEYS.match(key):
            totp = totp or filled
        elif key in ("Title", "UserName", "URL", "KPEX_PASSKEY_RELYING_PARTY", "KPEX_PASSKEY_USERNAME") and filled:
            public[key] = value.text or ""  # type: ignore[union-attr]
    return make_entry(
        public.get("Title"),
        [public.get("URL", "")],
        public.get("UserName") or public.get("KPEX_PASSKEY_USERNAME", ""),
        password=password,
        totp=totp,
        passkey_sites=[public.get("KPEX_PASSKEY_RELYING_PARTY", "")],
    )


def parse_keepass_xml(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of a KeePass 2 / KeePassXC XML export. Documents
    with a DOCTYPE or entities are refused: an export never has them, and
    they are how XML bombs work."""
    what = "a KeePass XML export"
    text = decode_text(data, filename, what)
    if _UNSAFE_XML.search(data):
        raise ImportFailure(filename, f"this XML declares a DOCTYPE or entities, which {what} never does; it is not imported.")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line, col = exc.position
        truncated = "no element found" in str(exc) or "unclosed token" in str(exc)
        reason = "the XML ends too early: the file looks truncated" if truncated else "this is not well-formed XML"
        raise ImportFailure(filename, f"{reason} (line {line}, column {col}). {XML_HELP}") from None
    if root.tag != "KeePassFile" or root.find("Root") is None:
        raise ImportFailure(filename, f"this XML is not {what} (its root is not <KeePassFile>). {XML_HELP}")
    generator = root.findtext("Meta/Generator") or ""
    source = SOURCE_KEEPASS_XML
    if "keepassxc" in generator.lower():
        source = replace(SOURCE_KEEPASS_XML, label="KeePassXC", app_id="keepassxc", app_name="KeePassXC")
    recycle_bin = ""
    if (root.findtext("Meta/RecycleBinEnabled") or "True").strip().lower() == "true":
        recycle_bin = (root.findtext("Meta/RecycleBinUUID") or "").strip()
    entries, skipped = [], 0
    stack = list(root.findall("Root/Group"))  # a list, not recursion: nesting depth is the file's choice
    while stack:
        group = stack.pop()
        if recycle_bin and (group.findtext("UUID") or "").strip() == recycle_bin:
            skipped += sum(len(g.findall("Entry")) for g in group.iter("Group"))
            continue
        for element in group.findall("Entry"):
            if (entry := _xml_entry(element)) is None:
                skipped += 1
            else:
                entries.append(entry)
        stack.extend(reversed(group.findall("Group")))
    return ParsedExport(source, tuple(entries), skipped)


SIGNATURE_KEEPASSXC_CSV = Signature(csv_headers=(
    ("group", "title", "username", "password", "url", "notes", "totp", "icon", "last modified", "created"),
    ("group", "title", "username", "password", "url", "notes"),
))


def _xml_score(text: str) -> float:
    head = text[:4096]
    return EXACT if "<KeePassFile" in head else 0.0


SIGNATURE_KEEPASS_XML = Signature(text=_xml_score)

# KeePass 1.x (and KeePass 2's "KeePass CSV (1.x)" export) quotes every
# field and writes Windows line ends.
SOURCE_KEEPASS1_CSV = replace(SOURCE_KEEPASS_XML, fmt="keepass1-csv")
KEEPASS1_COLUMNS = ("account", "login name", "password", "web site", "comments")
SIGNATURE_KEEPASS1_CSV = Signature(csv_headers=(KEEPASS1_COLUMNS,))


def parse_keepass1_csv(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of a KeePass 1.x CSV export."""
    columns = Columns(("account",), ("web site",), ("login name",), ("password",))
    return csv_export(data, filename, SOURCE_KEEPASS1_CSV, ("account", "login name", "password", "web site"), columns)
