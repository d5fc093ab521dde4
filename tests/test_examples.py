"""The bundled examples reproduce the story's cases and validate as promised."""

from pathlib import Path

import pytest

from identity_map.analysis.engine import analyze, impact, rank
from identity_map.analysis.explain import why
from identity_map.analysis.validate import validate_bytes

ROOT = Path(__file__).parent.parent


def checked(name: str):
    path = ROOT / name
    v = validate_bytes(path.read_bytes(), str(path))
    assert v.ok, v.errors
    return v


def test_malik_losing_microsoft_loses_everything_in_the_story():
    v = checked("examples/malik.yaml")
    r = impact(v.graph, ["microsoft"])
    story = {
        "outlook-mail", "contacts", "calendar",  # Outlook mail, contacts, calendars
        "photos", "study-work", "job-documents", "vault-documents",  # OneDrive, Personal Vault included
        "bitlocker-key", "laptop-disk",  # the key, and the data it unlocks
        "ms-authenticator", "github", "university", "paypal",  # the authenticator and the sites it guards
        "xbox-library", "office-365",
    }
    assert story <= r.lost
    assert r.summary.money_lost == {"EUR": 1400.0}
    assert {"photos", "bitlocker-key", "laptop-disk"} <= set(r.summary.critical_lost)


def test_malik_cascade_runs_through_the_authenticator():
    r = impact(checked("examples/malik.yaml").graph, ["microsoft"])
    for site in ("github", "university", "paypal"):
        text = why(r, site)
        assert "totp:ms-authenticator" in text and "ms-authenticator is lost" in text
        assert "microsoft was lost in the scenario" in text


def test_malik_worst_single_point_is_microsoft():
    assert rank(checked("examples/malik.yaml").graph)[0].id == "microsoft"


def test_google_father_loses_mail_calendar_photos_and_every_sign_in_with_google():
    v = checked("examples/google-father.yaml")
    r = impact(v.graph, ["google"])
    assert {"gmail", "mail", "calendar", "photos", "google-photos"} <= r.lost
    sso_sites = [t.id for t in v.inventory.of_kind("account")
                 if any(term.kind == "sso" and term.target == "google" for m in t.login for term in m.terms)
                 and t.id not in ("gmail", "google-photos", "google-fi")]
    assert len(sso_sites) >= 4
    assert set(sso_sites) <= r.lost


def test_household_is_big_realistic_and_warning_free():
    v = checked("examples/household.yaml")
    assert v.warnings == []
    inv = v.inventory
    accounts = inv.of_kind("account")
    assert len(accounts) >= 60
    kinds = {a.subkind for a in accounts}
    assert {"email", "identity", "bank", "shop", "work", "social", "government",
            "password-manager", "authenticator"} <= kinds
    assert sum(1 for a in accounts if a.subkind == "authenticator") >= 2
    terms = {term.kind for t in inv for m in t.methods for term in m.terms}
    assert {"passkey", "key", "sms", "totp", "password"} <= terms
    assert any(d.subkind == "security-key" for d in inv.of_kind("device"))
    vault = [t for t in inv for m in t.login for term in m.terms if term.kind == "password"
             and term.target != "memory"]
    assert len(vault) > len(accounts) / 2  # the password manager holds most passwords


def test_household_has_a_recovery_loop_that_is_still_reachable():
    v = checked("examples/household.yaml")
    inv = v.inventory
    loops = [(a.id, b.id) for a in inv.of_kind("account") for b in inv.of_kind("account")
             if a.id < b.id and a.recovery and b.recovery
             and all(m.targets == {b.id} for m in a.recovery) and all(m.targets == {a.id} for m in b.recovery)]
    assert loops
    a, b = loops[0]
    r = analyze(inv)
    assert r.status(a) == r.status(b) == "ok"


@pytest.mark.parametrize("name", ["examples/malik.yaml", "examples/google-father.yaml",
                                  "examples/household.yaml", "inventories/template.yaml"])
def test_files_start_with_the_schema_comment(name):
    assert (ROOT / name).read_text().startswith("# yaml-language-server: $schema=../inventory.schema.json")
