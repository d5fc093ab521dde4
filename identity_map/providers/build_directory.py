"""Rebuild the bundled provider directory from snapshots of its two sources.

    python -m identity_map.providers.build_directory TWOFA_DIR PASSKEYS_DIR

reads `TWOFA_DIR/entries.json` (or a file given instead of the folder) (2factorauth/twofactorauth, MIT) and
`PASSKEYS_DIR/entries.json` (2factorauth/passkeys, CC BY 4.0), each
`{"source", "commit", "date", "entries": {DOMAIN: {...}}}`, and writes
`identity_map/providers/data/sites.json`: one site per line, only the fields
identity-map uses, with both sources' commits. Nothing is fetched: the
library reads only the bundled file, and the NOTICE beside it carries the
licences and the list of changes made (fields dropped, the two directories
merged per domain, the umbrella accounts below added).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

BUNDLE = Path(__file__).with_name("data") / "sites.json"
TFA_METHODS = ("sms", "call", "email", "totp", "u2f", "custom-software", "custom-hardware")

# The directories list a big provider's services (mail.google.com, drive.google.com,
# outlook.com, onedrive.live.com, ...) but not the account they all sign in with,
# which is what an inventory's `provider: Google` means. Each umbrella takes its
# methods from the service named, whose login *is* that account.
UMBRELLAS = {
    "google.com": {"name": "Google", "domains": ["accounts.google.com", "myaccount.google.com"],
                   "tfa_from": "mail.google.com", "passkeys_from": "mail.google.com"},
    "microsoft.com": {"name": "Microsoft", "domains": ["account.microsoft.com", "login.live.com", "live.com"],
                      "tfa_from": "outlook.com", "passkeys_from": "m365.cloud.microsoft"},
}


def _as_list(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _site(domain: str, tfa: dict | None, pk: dict | None) -> dict:
    """One compact site record from a 2FA entry and/or a passkeys entry."""
    first = tfa or pk or {}
    site: dict = {"domain": domain, "name": first.get("name", domain)}
    extra = sorted(set(_as_list((tfa or {}).get("additional-domains")) + _as_list((pk or {}).get("additional-domains"))))
    if extra:
        site["domains"] = extra
    if tfa is not None:  # listed there: no `tfa` means the site offers no 2FA
        site["tfa"] = [m for m in TFA_METHODS if m in tfa.get("tfa", [])]
        for field in ("custom-software", "custom-hardware"):
            if tfa.get(field):
                site[field] = _as_list(tfa[field])
    if pk is not None:
        site["passkeys"] = [mode for mode in ("mfa", "passwordless") if pk.get(mode)]
    for field in ("documentation", "recovery"):
        value = (tfa or {}).get(field) or (pk or {}).get(field)
        if value:
            site[field] = value
    if pk is not None and pk.get("documentation") and pk["documentation"] != site.get("documentation"):
        site["passkey-documentation"] = pk["documentation"]
    notes = list(dict.fromkeys(n for n in ((tfa or {}).get("notes"), (pk or {}).get("notes")) if n))
    if notes:
        site["notes"] = notes
    return site


def build(tfa_doc: dict, pk_doc: dict) -> dict:
    """The bundle: sources with their commits, and every site sorted by domain.

    >>> doc = {"source": "s", "commit": "c", "date": "d", "entries": {"a.com": {"name": "A", "tfa": ["totp"]}}}
    >>> build(doc, {**doc, "entries": {"a.com": {"name": "A", "mfa": "allowed"}}})["sites"]
    [{'domain': 'a.com', 'name': 'A', 'tfa': ['totp'], 'passkeys': ['mfa']}]
    """
    tfa_entries, pk_entries = tfa_doc["entries"], pk_doc["entries"]
    sites = {d: _site(d, tfa_entries.get(d), pk_entries.get(d)) for d in sorted(set(tfa_entries) | set(pk_entries))}
    for domain, umbrella in UMBRELLAS.items():
        if domain in sites or umbrella["tfa_from"] not in tfa_entries:
            continue
        site = _site(domain, tfa_entries[umbrella["tfa_from"]], pk_entries.get(umbrella["passkeys_from"]))
        site["name"], site["domains"] = umbrella["name"], umbrella["domains"]
        site["derived-from"] = [umbrella["tfa_from"], umbrella["passkeys_from"]]
        sites[domain] = site
    sources = {key: {"source": doc["source"], "commit": doc["commit"], "date": doc["date"], "licence": licence}
               for key, doc, licence in (("2fa-directory", tfa_doc, "MIT"), ("passkeys-directory", pk_doc, "CC BY 4.0"))}
    return {"sources": sources, "sites": [sites[d] for d in sorted(sites)]}


def dumps(bundle: dict) -> str:
    """One site per line, so a rebuild's diff shows what changed."""
    lines = ['{"sources": ' + json.dumps(bundle["sources"], sort_keys=True) + ',', ' "sites": [']
    lines += [json.dumps(s, ensure_ascii=False) + ("," if i < len(bundle["sites"]) - 1 else "")
              for i, s in enumerate(bundle["sites"])]
    return "\n".join(lines) + "\n]}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("twofa", type=Path, help="the 2fa-directory entries.json, or its folder")
    parser.add_argument("passkeys", type=Path, help="the passkeys-directory entries.json, or its folder")
    parser.add_argument("-o", "--output", type=Path, default=BUNDLE)
    args = parser.parse_args(argv)
    try:
        docs = [json.loads((path / "entries.json" if path.is_dir() else path).read_text(encoding="utf-8"))
                for path in (args.twofa, args.passkeys)]
        bundle = build(*docs)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        print(f"build_directory: cannot read the snapshots: {exc!r}", file=sys.stderr)
        return 1
    args.output.write_text(dumps(bundle), encoding="utf-8")
    print(f"wrote {args.output}: {len(bundle['sites'])} sites", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
