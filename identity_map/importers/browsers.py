"""Browser password exports: Chrome (and other Chromium browsers) and Firefox.

Chrome's "Export passwords" writes `name,url,username,password` and, since
2023, `note`; Firefox's about:logins export writes `url,username,password,
httpRealm,formActionOrigin,guid,timeCreated,timeLastUsed,timePasswordChanged`.
The browser profile that holds the passwords becomes the vault.
"""

from __future__ import annotations

from .entry import ParsedExport, Source, make_entry
from .signature import Signature
from .textio import decode_text, read_csv

SOURCE_CHROME = Source(
    fmt="chrome-csv",
    label="Chrome",
    app_id="chrome",
    app_name="Chrome passwords (Google Password Manager)",
    kind="password-manager",
    item_word="password",
    login_hint="the passwords live in a browser profile; if it syncs, add the Google account (e.g. sso:google)",
)
SOURCE_FIREFOX = Source(
    fmt="firefox-csv",
    label="Firefox",
    app_id="firefox",
    app_name="Firefox passwords",
    kind="password-manager",
    item_word="login",
    vendor_domains=("firefox.com", "mozilla.org", "mozilla.com"),
    login_hint="the passwords live in a browser profile; with Firefox Sync, add the Mozilla account too",
)
CHROME_COLUMNS = ("name", "url", "username", "password")
FIREFOX_COLUMNS = ("url", "username", "password", "httprealm", "formactionorigin")


def parse_chrome(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of a Chrome password CSV; rows for Android apps
    (`android://` URLs) keep their name but get no domain."""
    what = "a Chrome password CSV"
    table = read_csv(decode_text(data, filename, what), filename, what, CHROME_COLUMNS)
    entries = [
        make_entry(row["name"], [row["url"]], row["username"], password=bool(row["password"]), host_from_title=False)
        for row in table.rows
    ]
    found = tuple(e for e in entries if e is not None)
    return ParsedExport(SOURCE_CHROME, found, len(entries) - len(found))


def parse_firefox(data: bytes, filename: str) -> ParsedExport:
    """Return the logins of a Firefox password CSV; entries that are not web
    sites (`chrome://FirefoxAccounts` and similar) are left out."""
    what = "a Firefox password CSV"
    table = read_csv(decode_text(data, filename, what), filename, what, FIREFOX_COLUMNS)
    entries = [
        make_entry("", [row["url"], row["formactionorigin"]], row["username"], password=bool(row["password"]))
        if row["url"].lower().startswith(("http://", "https://"))
        else None
        for row in table.rows
    ]
    found = tuple(e for e in entries if e is not None)
    return ParsedExport(SOURCE_FIREFOX, found, len(entries) - len(found))

SIGNATURE_CHROME = Signature(csv_headers=(("name", "url", "username", "password", "note"), CHROME_COLUMNS))
SIGNATURE_FIREFOX = Signature(csv_headers=((
    "url", "username", "password", "httprealm", "formactionorigin", "guid", "timecreated", "timelastused",
    "timepasswordchanged",
),))
