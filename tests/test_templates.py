"""Provider templates: each adds a valid account whose parts and data fall
with a ban of the whole; `identity-map add` keeps comments, a .bak, and
writes nothing invalid."""

from __future__ import annotations

from pathlib import Path

import pytest

from identity_map.analysis.engine import LOST, analyze
from identity_map.cli import main
from identity_map.format.load import load_text
from identity_map.providers.match import match_account
from identity_map.providers.templates import TEMPLATES, apply_template

ROOT = Path(__file__).resolve().parents[1]
MALIK = ROOT / "examples" / "malik.yaml"
HOUSEHOLD = ROOT / "examples" / "household.yaml"


@pytest.mark.parametrize("key", sorted(TEMPLATES))
@pytest.mark.parametrize("base", ["version: 1\n", MALIK.read_text(encoding="utf-8")], ids=["empty", "malik"])
def test_template_is_valid_and_falls_with_its_whole(key, base):
    added = apply_template(base, key, "someone@example.org")
    assert added.problems == ()
    inventory = load_text(added.text)
    template = TEMPLATES[key]
    whole = added.ids[0]
    parts = added.ids[1:1 + len(template.parts)]
    held = added.ids[1 + len(template.parts):]
    assert len(held) == len(template.held)
    assert {inventory[p].kind for p in (whole, *parts)} == {"account"}
    assert inventory[whole].provider == template.provider and inventory[whole].user == "someone@example.org"
    result = analyze(inventory, [whole])
    assert all(result.status(i) == LOST for i in added.ids), {i: result.status(i) for i in added.ids}
    match = match_account(inventory[whole])  # the factors report knows the provider
    assert match is not None and match.by == "provider"
    if base != "version: 1\n":
        before = analyze(load_text(base), ["microsoft"])
        assert analyze(inventory, ["microsoft"]).lost >= before.lost  # the file's own meaning is unchanged


def test_ids_do_not_clash_and_stay_together():
    once = apply_template("version: 1\n", "google", "anna@gmail.com").text
    twice = apply_template(once, "google", "ben@gmail.com")
    assert twice.problems == ()
    assert twice.ids[:2] == ("google-ben", "gmail-ben")
    thrice = apply_template(twice.text, "google", "ben@gmail.com")
    assert thrice.ids[0] == "google-2" and thrice.problems == ()


def test_choices_use_the_inventory_ids():
    text = apply_template(MALIK.read_text(encoding="utf-8"), "microsoft", "m@outlook.com").text
    assert "#   - password + sms:mobile" in text and "#   - passkey:iphone" in text
    assert "Against a ban" in text


def test_cli_add_keeps_comments_and_a_backup(tmp_path, capsys):
    target = tmp_path / "me.yaml"
    original = HOUSEHOLD.read_text(encoding="utf-8")
    target.write_text(original, encoding="utf-8")
    assert main(["add", "proton", str(target), "--user", "me@proton.me"]) == 0
    text = target.read_text(encoding="utf-8")
    old_comments = [line.strip() for line in original.splitlines() if line.strip().startswith("#")]
    assert all(c in text for c in old_comments)
    assert (tmp_path / "me.yaml.bak").read_text(encoding="utf-8") == original
    assert "proton-mail" in capsys.readouterr().err
    inventory = load_text(text)
    assert inventory["proton-mail"].user == "me@proton.me"


def test_cli_add_creates_a_missing_file(tmp_path):
    target = tmp_path / "new.yaml"
    assert main(["add", "amazon", str(target)]) == 0
    assert load_text(target.read_text(encoding="utf-8"))["amazon"].name == "Amazon account"
    assert not (tmp_path / "new.yaml.bak").exists()


def test_cli_add_refuses_an_invalid_inventory(tmp_path, capsys):
    target = tmp_path / "bad.yaml"
    bad = "version: 1\naccounts:\n  a: {login: [sms:nowhere]}\n"
    target.write_text(bad, encoding="utf-8")
    assert main(["add", "google", str(target)]) == 1
    err = capsys.readouterr().err
    assert f"{target}:3:" in err and "nothing written" in err and "Traceback" not in err
    assert target.read_text(encoding="utf-8") == bad and not (tmp_path / "bad.yaml.bak").exists()


def test_user_text_is_quoted_not_parsed():
    added = apply_template("version: 1\n", "meta", "yes: #no")
    assert added.problems == ()
    assert load_text(added.text)["meta"].user == "yes: #no"


def test_cli_add_unknown_template(tmp_path, capsys):
    assert main(["add", "myspace", str(tmp_path / "x.yaml")]) == 1
    assert "use one of amazon, apple, google, meta, microsoft, proton" in capsys.readouterr().err
    assert not (tmp_path / "x.yaml").exists()
