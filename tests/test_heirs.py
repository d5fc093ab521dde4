"""What your people can reach: the heirs lists, their plain-word chains, the
CLI's formats, the emergency sheet's content, and secrets never printed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identity_map.analysis.engine import DEGRADED, OK, RECOVERABLE, impact
from identity_map.analysis.graph import build_graph
from identity_map.analysis.heirs import DIRECT, OUT, PROCEDURE, HeirsError, heirs, reach
from identity_map.cli import main
from identity_map.format.generate import dump_spec, random_spec
from identity_map.format.load import load_text
from identity_map.output.heirs_report import heirs_json, heirs_markdown, heirs_text
from identity_map.output.secrets import DROPPED, looks_secret, scrub
from identity_map.output.sheet import build_sheet, emergency_sheet

FIXTURES = Path(__file__).parent / "fixtures" / "heirs"
PLANTED = FIXTURES / "planted.yaml"
# Every secret planted in planted.yaml, as it is written there.
SECRETS = ("4711", "829137", "JBSW", "4821-9917-3306", "correct-horse", "sk_live", "abcd efgh")

FAMILY = """version: 1
people:
  anna: {name: Anna, relation: partner}
  ben: {name: Ben, relation: son}
devices:
  phone: {name: Phone, kind: phone, unlock: [password]}
places:
  safe: {name: Home safe, site: home}
accounts:
  vault: {name: Bitwarden, kind: password-manager, critical: true, login: [password + device:phone, password:safe]}
  apple: {name: Apple ID, provider: Apple, login: [password + device:phone], legacy: [person:anna + codes:safe]}
  google: {name: Google, provider: Google, login: [password + device:phone], legacy: [person:ben]}
  shop: {name: Shop, login: [email:google]}
  game: {name: Games, login: [password + device:phone]}
purchases:
  apps: {account: apple, price: 100}
  library: {account: game, price: 300}
"""


def family():
    return build_graph(load_text(FAMILY))


def by_id(r):
    return {e.id: e for e in r.entries}


def test_each_person_reaches_only_what_they_hold_the_key_to():
    anna, ben = heirs(family())
    assert (anna.person, anna.title, ben.title) == ("anna", "Anna (partner)", "Ben (son)")
    a, b = by_id(anna), by_id(ben)
    assert a["apple"].group == PROCEDURE and b["apple"].group == OUT
    assert a["google"].group == OUT and b["google"].group == PROCEDURE
    assert a["vault"].group == DIRECT == b["vault"].group
    assert a["phone"].group == OUT  # a passcode phone is lost to heirs
    assert "ben" in anna.impact.scenario and "anna" not in anna.impact.scenario


def test_the_chain_in_plain_words():
    a, b = by_id(heirs(family(), "anna")[0]), by_id(heirs(family(), "ben")[0])
    assert a["apple"].how == ("Anna (partner), your legacy contact, asks Apple with the recovery codes in "
                              "Home safe and a death certificate")
    assert a["vault"].how == "sign in with the password kept in Home safe"
    assert b["shop"].how == ("sign in with a code mailed to Google, once that is recovered (Ben (son), your legacy "
                             "contact, asks Google with a death certificate)")
    assert a["phone"].how == "its ways in need what is gone: what you knew by heart"


def test_critical_first_then_money():
    r = heirs(family(), "anna")[0]
    assert [e.id for e in r.entries][:3] == ["vault", "game", "apple"]
    assert r.money(PROCEDURE) == {"EUR": 100.0} and r.money(OUT) == {"EUR": 300.0}


def test_together_nobody_is_lost_and_each_group_matches_the_engine():
    G = family()
    r = reach(G, None)
    assert r.impact.scenario == {"memory"}
    statuses = impact(G, after_death=True).statuses
    for e in r.entries:
        assert e.group == {OK: DIRECT, DEGRADED: DIRECT, RECOVERABLE: PROCEDURE}.get(statuses[e.id], OUT)


def test_a_person_lost_too():
    r = heirs(family(), "ben", lose=["anna"])[0]
    assert by_id(r)["apple"].group == OUT


def test_unknown_person_says_what_would_do():
    with pytest.raises(HeirsError, match="did you mean 'anna'"):
        heirs(family(), "ann")
    with pytest.raises(HeirsError, match="lists no people"):
        heirs(build_graph(load_text("version: 1\n")), "anna")


def test_no_people_gives_one_view():
    [r] = heirs(build_graph(load_text("version: 1\naccounts:\n  a: {login: [password:safe]}\nplaces:\n  safe: {}\n")))
    assert r.title == "Your people together" and by_id(r)["a"].group == DIRECT


@settings(max_examples=60, deadline=None)
@given(st.randoms(use_true_random=False))
def test_groups_agree_with_after_death_statuses_on_generated_inventories(rng):
    G = build_graph(load_text(dump_spec(random_spec(rng))))
    for r in heirs(G):
        statuses = r.impact.statuses
        for e in r.entries:
            assert e.group == {OK: DIRECT, DEGRADED: DIRECT, RECOVERABLE: PROCEDURE}.get(statuses[e.id], OUT)
            assert e.how


# -- Secrets ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["PIN: 4711", "password is hunter2", "JBSWY3DPEHPK3PXP", "JBSW Y3DP EHPK 3PXP",
                                  "codes 4821-9917-3306", "passcode 829137", "sk_live_9f8e7d6c5b4a3f2e1d0c",
                                  "abcd efgh ijkl mnop"])
def test_secret_looking_text_is_detected(text):
    assert looks_secret(text)
    assert scrub(f"Kept in the safe. {text}. Call Anna.").text == f"Kept in the safe. {DROPPED} Call Anna."


@pytest.mark.parametrize("text", ["Kept in the home safe.", "Auto-renew is on, paid by credit card.",
                                  "Family photo archive (since 2009)", "Legacy contact set up in 2024."])
def test_ordinary_notes_are_kept(text):
    assert scrub(text).text == text


def test_no_planted_secret_in_any_heirs_output(tmp_path, capsys):
    for fmt in ("text", "md", "json", "html"):
        assert main(["heirs", str(PLANTED), "--format", fmt]) == 0
        out = capsys.readouterr().out
        for secret in SECRETS:
            assert secret not in out, (fmt, secret)


def test_the_sheet_says_where_secrets_are_and_escapes_user_text():
    G = build_graph(load_text(PLANTED.read_text()))
    page = emergency_sheet(G)
    assert "<script>" not in page and "<img" not in page and "<b>Mallory" not in page
    assert "Anna &lt;script&gt;" in page and "&lt;b&gt;Mallory&lt;/b&gt; &amp; &quot;Co&quot;" in page
    sheet = build_sheet(G)
    kept = {line.head: line.text for line in sheet.secrets}
    assert kept["Home safe <img src=x onerror=alert(2)>"] == "passwords of Bitwarden; recovery codes of Apple ID"
    assert [line.head for line in sheet.time_critical] == ["Bitwarden"]
    assert "Deleted after 2 years of inactivity." in sheet.time_critical[0].text
    people = {line.head: line.text for line in sheet.people}
    assert people["Anna <script>alert(1)</script> (partner)"] == f"legacy contact for Apple; {DROPPED} Lives in Berlin."
    assert "<script" not in re.sub(r"<style>.*?</style>", "", page, flags=re.S).replace("&lt;script", "")


# -- The command line --------------------------------------------------------


def test_cli_heirs_formats(tmp_path, capsys):
    path = tmp_path / "family.yaml"
    path.write_text(FAMILY)
    assert main(["heirs", str(path), "--person", "anna", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["after_death"] is True and [p["person"] for p in doc["people"]] == ["anna"]
    groups = {e["id"]: e["group"] for e in doc["people"][0]["entries"]}
    assert groups["apple"] == PROCEDURE and groups["google"] == OUT
    assert main(["heirs", str(path)]) == 0
    text = capsys.readouterr().out
    assert "What Anna (partner) can reach" in text and "What Ben (son) can reach" in text
    assert main(["heirs", str(path), "--format", "md", "-o", str(tmp_path / "h.md")]) == 0
    assert "## Anna (partner)" in (tmp_path / "h.md").read_text()
    assert main(["heirs", str(path), "--person", "ann"]) == 1
    assert "did you mean 'anna'" in capsys.readouterr().err
    assert main(["heirs", str(path), "--lose", "nothing-here"]) == 1


def test_report_functions_share_the_figures():
    reaches = heirs(family())
    assert heirs_json(reaches)["people"][0]["money"]["out of reach"] == {"EUR": 300.0}
    assert "EUR 300.00" in heirs_text(reaches) and "EUR 300.00" in heirs_markdown(reaches)
