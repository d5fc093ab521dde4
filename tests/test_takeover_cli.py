"""`identity-map takeover` and `exposure`: the JSON contract, text and Markdown,
the Honan example's chain, and clear errors."""

import json
from pathlib import Path

from identity_map.cli import main
from identity_map.format.load import load_file

ROOT = Path(__file__).parent.parent
HONAN = str(ROOT / "examples" / "honan.yaml")
MALIK = str(ROOT / "examples" / "malik.yaml")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_takeover_json_contract_on_the_honan_chain(capsys):
    code, out, _ = run(capsys, "takeover", HONAN, "--gain", "amazon", "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert doc["scenario"] == {"gained": ["amazon"], "selectors": ["amazon"]}
    assert list(doc["nodes"]) == list(load_file(HONAN).things)  # an entry for every id
    assert all(set(n) == {"status", "kind", "name", "why"} for n in doc["nodes"].values())
    taken = {tid for tid, n in doc["nodes"].items() if n["status"] == "taken"}
    # Amazon -> Apple ID -> Gmail -> Twitter, and what hangs on them.
    assert taken == {"amazon", "icloud", "gmail", "twitter", "icloud-mail", "kindle-books", "itunes"}
    assert {n["status"] for tid, n in doc["nodes"].items() if tid not in taken} == {"safe"}
    assert doc["nodes"]["twitter"]["why"].startswith('recovery "email:gmail" works for the attacker: gmail is taken')
    assert "amazon is taken (gained by the attacker)" in doc["nodes"]["gmail"]["why"]
    assert doc["nodes"]["macbook"]["why"] == ""
    assert doc["summary"] == {"counts": {"taken": 7, "safe": len(doc["nodes"]) - 7},
                              "critical_taken": ["icloud", "gmail", "twitter"], "money_taken": {"USD": 1100.0}}


def test_takeover_text_and_markdown(capsys):
    code, out, _ = run(capsys, "takeover", MALIK, "--gain", "mobile")
    assert code == 0 and "taken 17 · safe 6" in out
    assert 'recovery "sms:mobile" works for the attacker: mobile is taken (SIM swap)' in out
    code, out, _ = run(capsys, "takeover", HONAN, "--gain", "amazon", "--gain", "memory", "--format", "md")
    assert code == 0 and out.startswith("# Takeover report — Mat (the 2012 Honan hack, retold)")
    assert "- **Twitter (@mat)** (`twitter`):" in out


def test_takeover_unknown_id_and_missing_gain_are_clear_errors(capsys):
    code, _, err = run(capsys, "takeover", HONAN, "--gain", "amazn")
    assert code == 1 and "--gain: unknown id 'amazn'; did you mean 'amazon'?" in err
    try:
        main(["takeover", HONAN])
    except SystemExit as exc:
        assert exc.code == 2
    assert "--gain" in capsys.readouterr().err


def test_exposure_json_ranks_what_each_gain_gives_away(capsys):
    code, out, _ = run(capsys, "exposure", HONAN, "--format", "json")
    rows = json.loads(out)
    assert code == 0
    assert [r["id"] for r in rows[:3]] == ["memory", "amazon", "icloud"]
    amazon = rows[1]
    assert amazon == {"id": "amazon", "name": "Amazon", "kind": "account", "taken": 6,
                      "money_taken": {"USD": 1100.0}, "critical_taken": ["icloud", "gmail", "twitter"]}
    code, out, _ = run(capsys, "exposure", HONAN)
    assert code == 0 and out.splitlines()[2].split()[1] == "amazon"


def test_takeover_takes_selectors(capsys):
    code, out, _ = run(capsys, "takeover", HONAN, "--gain", "provider:apple", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["scenario"] == {"gained": ["icloud"], "selectors": ["provider:apple"]}
    code, _, err = run(capsys, "takeover", HONAN, "--gain", "site:home")
    assert code == 1 and "--gain: 'site:home' matches nothing" in err
