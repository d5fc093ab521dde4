"""Explanations lead back to the lost ids."""

from pathlib import Path

from identity_map.analysis.engine import analyze
from identity_map.analysis.explain import explanations, method_states, why
from identity_map.format.load import load_file, load_text

SPEC = Path(__file__).parent / "fixtures" / "spec.yaml"


def test_spec_sentence_for_github_is_reproduced():
    r = analyze(load_file(SPEC), ["microsoft"])
    assert why(r, "github") == (
        'login "password + totp:ms-authenticator" fails: ms-authenticator is lost '
        '(login "device:iphone + sso:microsoft" fails: microsoft was lost in the scenario); '
        'recovery "codes:drawer" works')


def test_every_lost_or_recoverable_explanation_names_a_scenario_id():
    r = analyze(load_file(SPEC), ["microsoft"])
    for tid, text in explanations(r).items():
        assert "microsoft was lost in the scenario" in text, (tid, text)


def test_degraded_says_what_still_works():
    r = analyze(load_file(SPEC), ["drawer"])
    assert why(r, "github") == ('recovery "codes:drawer" no longer works: drawer was lost in the scenario; '
                                'login "password + totp:ms-authenticator" still works')


def test_recoverable_names_the_recovery_it_waits_for():
    # The SMS comes back only once the carrier re-issues the SIM (second edition).
    r = analyze(load_file(SPEC), ["iphone"])
    assert r.status("gmail") == "recoverable"
    assert why(r, "gmail") == 'login "password + sms:mobile" works once mobile is recovered: recovery "account:carrier" works'
    assert why(r, "photos") == ('copy "onedrive" works once onedrive is recovered: login "sso:microsoft" works once '
                                'microsoft is recovered: recovery "email:gmail" works')


def test_ok_has_no_explanation_and_unreachable_says_what_is_missing():
    r = analyze(load_text("version: 1\naccounts:\n  a: {login: [email:b]}\n  b: {login: [email:a]}\n  c: {}\n"))
    assert why(r, "c") == ""
    assert why(r, "a") == 'unreachable even with nothing lost: login "email:b" needs b'


def test_method_states():
    r = analyze(load_file(SPEC), ["microsoft"])
    states = method_states(r, "github")
    assert [(s.role, s.text, s.works, s.gone) for s in states] == [
        ("login", "password + totp:ms-authenticator", False, ("ms-authenticator",)),
        ("recovery", "codes:drawer", True, ()),
    ]


def test_long_chains_stay_bounded():
    chain = "".join(f"  a{i}: {{login: [email:a{i - 1}]}}\n" for i in range(1, 60))
    r = analyze(load_text("version: 1\naccounts:\n  a0: {}\n" + chain), ["a0"])
    text = why(r, "a59")
    assert text.count("(") <= 4 and "a58 is lost" in text
