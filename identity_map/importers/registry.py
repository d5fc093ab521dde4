"""Every export format the importers read: its name, parser, signature and
how to make the export in the app itself (for `import --list` and errors)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import authenticators as auth
from . import bitwarden, browsers, google_authenticator, keepass, onepassword, vaults
from .entry import ParsedExport, Source
from .signature import Signature

Parser = Callable[[bytes, str], ParsedExport]


@dataclass(frozen=True)
class Format:
    """One export format: FORMAT name, the app, how its files look, how to make one."""

    name: str
    parse: Parser
    source: Source
    signature: Signature
    file: str  # what the export is ("CSV", "JSON", ".1pux zip")
    steps: str  # how to export it in the app, unencrypted

    @property
    def app(self) -> str:
        """Return the app's name as people know it."""
        return self.source.app_name if self.source.fmt == "otpauth-list" else self.source.label


FORMATS: tuple[Format, ...] = (
    Format("bitwarden-json", bitwarden.parse_json_export, bitwarden.SOURCE_JSON, bitwarden.SIGNATURE_JSON, "JSON",
           "Tools > Export vault, file format .json (not encrypted)"),
    Format("bitwarden-csv", bitwarden.parse_csv_export, bitwarden.SOURCE_CSV, bitwarden.SIGNATURE_CSV, "CSV",
           "Tools > Export vault, file format .csv"),
    Format("1password-1pux", onepassword.parse_1pux, onepassword.SOURCE_1PUX, onepassword.SIGNATURE_1PUX, ".1pux zip",
           "1Password 8: File > Export, choose the account, format 1PUX"),
    Format("1password-csv", onepassword.parse_csv_export, onepassword.SOURCE_CSV, onepassword.SIGNATURE_CSV, "CSV",
           "1Password 8: File > Export, choose the account, format CSV"),
    Format("1password-1pif", onepassword.parse_1pif, onepassword.SOURCE_1PIF, onepassword.SIGNATURE_1PIF, ".1pif text",
           "1Password 7 (or 4 to 6): File > Export > All Items, format 1Password Interchange File (.1pif)"),
    Format("1password7-csv", onepassword.parse_1password7_csv, onepassword.SOURCE_7_CSV, onepassword.SIGNATURE_7_CSV,
           "CSV", "1Password 7: File > Export > All Items, format CSV (Mac) or Comma Delimited Text (Windows), with column labels"),
    Format("lastpass-csv", vaults.parse_lastpass, vaults.LASTPASS, vaults.LASTPASS_SIGNATURE, "CSV",
           "browser extension: Account > Fix a problem yourself > Advanced options > Export items > LastPass CSV File"),
    Format("apple-passwords-csv", vaults.parse_apple, vaults.APPLE, vaults.APPLE_SIGNATURE, "CSV",
           "Passwords app (macOS 15): File > Export All Passwords to File; Safari: File > Export > Passwords"),
    Format("dashlane-csv", vaults.parse_dashlane_csv, vaults.DASHLANE_CSV, vaults.DASHLANE_CSV_SIGNATURE, "zip of CSVs",
           "Settings > Export data > Export to CSV (import the zip, or its credentials.csv)"),
    Format("dashlane-json", vaults.parse_dashlane_json, vaults.DASHLANE_JSON, vaults.DASHLANE_JSON_SIGNATURE, "JSON",
           "desktop app: File > Export > Unsecured archive (readable) in JSON format"),
    Format("nordpass-csv", vaults.parse_nordpass, vaults.NORDPASS, vaults.NORDPASS_SIGNATURE, "CSV",
           "Settings > Export items"),
    Format("protonpass-json", vaults.parse_protonpass_json, vaults.PROTON_PASS_JSON, vaults.PROTON_PASS_JSON_SIGNATURE,
           "zip with JSON", "Settings > Export, format JSON (not PGP-encrypted)"),
    Format("protonpass-csv", vaults.parse_protonpass_csv, vaults.PROTON_PASS_CSV, vaults.PROTON_PASS_CSV_SIGNATURE, "CSV",
           "Settings > Export, format CSV"),
    Format("enpass-json", vaults.parse_enpass, vaults.ENPASS, vaults.ENPASS_SIGNATURE, "JSON",
           "File > Export, format .json"),
    Format("keeper-csv", vaults.parse_keeper, vaults.KEEPER, vaults.KEEPER_SIGNATURE, "CSV without header",
           "Web Vault: Settings > Export > Export to .csv File"),
    Format("keepassxc-csv", keepass.parse_keepassxc_csv, keepass.SOURCE_KEEPASSXC_CSV, keepass.SIGNATURE_KEEPASSXC_CSV,
           "CSV", "Database > Export > CSV File"),
    Format("keepass-xml", keepass.parse_keepass_xml, keepass.SOURCE_KEEPASS_XML, keepass.SIGNATURE_KEEPASS_XML, "XML",
           "KeePass 2: File > Export > KeePass XML (2.x); KeePassXC: Database > Export > XML File"),
    Format("keepass1-csv", keepass.parse_keepass1_csv, keepass.SOURCE_KEEPASS1_CSV, keepass.SIGNATURE_KEEPASS1_CSV, "CSV",
           "KeePass 1.x: File > Export > CSV File; KeePass 2: File > Export > KeePass CSV (1.x)"),
    Format("chrome-csv", browsers.parse_chrome, browsers.SOURCE_CHROME, browsers.SIGNATURE_CHROME, "CSV",
           "Google Password Manager (chrome://password-manager/settings) > Export passwords"),
    Format("firefox-csv", browsers.parse_firefox, browsers.SOURCE_FIREFOX, browsers.SIGNATURE_FIREFOX, "CSV",
           "about:logins > ... menu > Export Logins"),
    Format("aegis-json", auth.parse_aegis, auth.SOURCE_AEGIS, auth.SIGNATURE_AEGIS, "JSON",
           "Settings > Import & Export > Export, format Aegis (.JSON), 'Encrypt the vault' unticked"),
    Format("otpauth-list", auth.parse_otpauth_list, auth.SOURCE_OTPAUTH, auth.SIGNATURE_OTPAUTH, "text, one otpauth:// URI a line",
           "Aegis: Settings > Import & Export > Export, format Plain text (.txt); FreeOTP+: Export > Export URI list"),
    Format("2fas-json", auth.parse_2fas, auth.SOURCE_2FAS, auth.SIGNATURE_2FAS, ".2fas JSON",
           "Settings > 2FAS Backup > Export to file, without a password"),
    Format("google-authenticator", google_authenticator.parse, google_authenticator.SOURCE, google_authenticator.SIGNATURE,
           "text, otpauth-migration:// URIs", "Transfer accounts > Export accounts, then save each QR code's text (one URI a line)"),
    Format("andotp-json", auth.parse_andotp, auth.SOURCE_ANDOTP, auth.SIGNATURE_ANDOTP, "JSON",
           "Backups > Backup (plain)"),
    Format("freeotp-plus-json", auth.parse_freeotp, auth.SOURCE_FREEOTP, auth.SIGNATURE_FREEOTP, "JSON",
           "menu > Export > Export JSON format"),
    Format("ente-auth", auth.parse_ente, auth.SOURCE_ENTE, auth.SIGNATURE_ENTE, "text, otpauth:// URIs",
           "Settings > Data > Export codes > Plain text"),
    Format("proton-authenticator-json", auth.parse_proton_authenticator, auth.SOURCE_PROTON_AUTH, auth.SIGNATURE_PROTON_AUTH,
           "JSON", "Settings > Export (without a password)"),
    Format("raivo-json", auth.parse_raivo, auth.SOURCE_RAIVO, auth.SIGNATURE_RAIVO, "JSON from the zip",
           "Settings > Export OTPs to ZIP archive; open the zip with the master password and import raivo-otp-export.json"),
    Format("stratum-json", auth.parse_stratum, auth.SOURCE_STRATUM, auth.SIGNATURE_STRATUM, "JSON (.authpro)",
           "Backup > Back up to file, password left empty"),
)
BY_NAME: dict[str, Format] = {f.name: f for f in FORMATS}
