"""Importers and the provider directory: a login at an identity provider's
sign-in page is that provider's account, never a password account of its own."""

from __future__ import annotations

from pathlib import Path

from identity_map.format.load import load_text
from identity_map.importers import run_import

ROOT = Path(__file__).resolve().parents[2]
HEADER = "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n"


def export(*rows: str) -> bytes:
    return (HEADER + "".join(f",,login,{row},x,\n" for row in rows)).encode()


def test_a_sign_in_page_login_joins_the_providers_account():
    malik = (ROOT / "examples" / "malik.yaml").read_text(encoding="utf-8")
    result = run_import("bitwarden-csv", export("Microsoft,,,0,https://login.live.com/,malik.k@outlook.com"),
                        "v.csv", malik)
    inventory = load_text(result.text)
    assert "live" not in inventory.things and "microsoft-2" not in inventory.things
    assert "password:bitwarden + sms:mobile" in [str(m) for m in inventory["microsoft"].login]


def test_a_new_sign_in_provider_account_is_named_after_the_provider():
    result = run_import("bitwarden-csv", export("MS,,,0,https://login.live.com/,someone"), "v.csv")
    inventory = load_text(result.text)
    account = inventory["microsoft"]
    assert (account.provider, account.subkind) == ("Microsoft", "identity")
    # any other site stays a site of its own
    other = load_text(run_import("bitwarden-csv", export("Shop,,,0,https://shop.example/,someone"), "v.csv").text)
    assert other["shop"].provider == "shop.example"
