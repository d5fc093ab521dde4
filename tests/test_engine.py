"""The engine on hand-made cases where the right answer is obvious."""

from pathlib import Path

from identity_map.analysis.engine import (
    DEGRADED, LOST, OK, RECOVERABLE, UNREACHABLE, candidates, fixed_point, impact, rank,
)
from identity_map.analysis.graph import build_graph
from identity_map.format.load import load_file, load_text

SPEC = Path(__file__).parent / "fixtures" / "spec.yaml"


def graph(text: str):
    return build_graph(load_text("version: 1\n" + text))


def test_and_is_not_or():
    G = graph("phones:\n  m: {}\naccounts:\n  a: {login: [password + sms:m]}\n")
    # the phone has no device, so it is unreachable, and an AND with it fails
    assert fixed_point(G) == {"memory"}
    assert impact(G).status("a") == UNREACHABLE


def test_or_needs_only_one():
    G = graph("devices:\n  p: {}\naccounts:\n  a: {login: [password, passkey:p]}\n")
    r = impact(G, ["p"])
    assert r.status("a") == DEGRADED and r.status("p") == LOST


def test_circular_support_grants_nothing():
    G = graph("accounts:\n  a: {login: [email:b]}\n  b: {login: [email:a]}\n")
    assert fixed_point(G) == {"memory"}
    assert impact(G).status("a") == UNREACHABLE


def test_cycle_with_outside_support_falls_with_it():
    G = graph("devices:\n  d: {}\naccounts:\n"
              "  a: {login: [device:d], recovery: [email:b]}\n  b: {login: [email:a]}\n")
    r = impact(G, ["d"])
    assert r.status("a") == LOST and r.status("b") == LOST
    assert fixed_point(G, ["d"]) == {"memory"}


def test_recoverable_needs_recovery_to_work():
    G = graph("places:\n  safe: {}\naccounts:\n  mail: {}\n"
              "  shop: {login: [email:mail], recovery: [codes:safe]}\n")
    assert impact(G, ["mail"]).status("shop") == RECOVERABLE
    assert impact(G, ["mail", "safe"]).status("shop") == LOST


def test_lost_ids_cannot_be_recovered():
    G = graph("accounts:\n  mail: {recovery: [password]}\n")
    assert impact(G, ["mail"]).status("mail") == LOST


def test_losing_memory_loses_every_password():
    G = graph("devices:\n  p: {}\naccounts:\n  a: {}\n  b: {login: [passkey:p]}\n")
    r = impact(G, ["memory"])
    assert r.status("a") == LOST and r.status("b") == OK


def test_unreachable_stays_unreachable_in_every_scenario():
    G = graph("accounts:\n  a: {login: [email:b]}\n  b: {login: [email:a]}\n  c: {}\n")
    r = impact(G, ["c", "a"])
    assert r.status("a") == UNREACHABLE and r.status("c") == LOST


def test_spec_example_statuses_and_summary():
    G = build_graph(load_file(SPEC))
    r = impact(G, ["microsoft"])
    lost = {"microsoft", "onedrive", "ms-authenticator", "photos", "bitlocker-key", "laptop-disk",
            "xbox-library", "office-365"}
    assert r.lost == lost
    assert r.recoverable == {"github"}
    assert r.summary.money_lost == {"EUR": 1400.0}
    assert r.summary.critical_lost == ("microsoft", "photos")
    assert r.summary.counts == {LOST: 8, RECOVERABLE: 1, DEGRADED: 0, OK: 7, UNREACHABLE: 0}


def test_impact_agrees_with_fixed_point_on_every_single_loss():
    G = build_graph(load_file(SPEC))
    for tid in load_file(SPEC).things:
        assert {i for i in load_file(SPEC).things if impact(G, [tid]).available(i)} == fixed_point(G, [tid])


def test_rank_orders_critical_then_money_then_count():
    G = build_graph(load_file(SPEC))
    rows = rank(G)
    assert [r.id for r in rows][:2] == ["microsoft", "onedrive"]
    assert rows[0].lost == 7 and rows[0].money_lost == {"EUR": 1400.0}
    assert {r.id for r in rows} == set(candidates(G))
    keys = [(-len(r.critical_lost), -sum(r.money_lost.values()), -r.lost) for r in rows]
    assert keys == sorted(keys)


def test_money_is_summed_per_currency():
    G = graph("accounts:\n  s: {}\npurchases:\n"
              "  a: {account: s, price: 10}\n  b: {account: s, price: 5.5, currency: USD}\n"
              "  c: {account: s, price: 2, currency: USD}\n")
    assert impact(G, ["s"]).summary.money_lost == {"EUR": 10.0, "USD": 7.5}
