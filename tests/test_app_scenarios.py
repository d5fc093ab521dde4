"""identity_map.scenarios: the preset scenarios."""

from __future__ import annotations

import pytest

from app_support import EXAMPLES
from identity_map.analysis import scenarios
from identity_map.analysis.engine import rank
from identity_map.analysis.graph import build_graph
from identity_map.analysis.selectors import select
from identity_map.format.load import load_file, load_text


@pytest.fixture(scope="module")
def malik():
    return load_file(EXAMPLES / "malik.yaml")


@pytest.fixture(scope="module")
def household():
    return load_file(EXAMPLES / "household.yaml")


def test_banned_loses_the_picked_account_or_provider(malik):
    assert scenarios.choices(scenarios.BANNED, malik) == [t.id for t in malik.of_kind("account")] + ["provider:Microsoft"]
    assert scenarios.selectors(scenarios.BANNED, malik, "provider:Microsoft") == ("provider:Microsoft",)
    assert scenarios.selectors(scenarios.BANNED, malik, "github") == ("github",)


def test_phone_lost_offers_devices_of_kind_phone_only(malik, household):
    assert scenarios.choices(scenarios.PHONE_LOST, malik) == ["iphone"]
    assert scenarios.choices(scenarios.PHONE_LOST, household) == ["anna-phone", "ben-phone"]
    assert scenarios.selectors(scenarios.PHONE_LOST, malik, "iphone") == ("iphone",)


def test_a_pick_that_is_not_a_choice_loses_nothing(malik):
    assert scenarios.selectors(scenarios.PHONE_LOST, malik, "laptop") == ()
    assert scenarios.selectors(scenarios.BANNED, malik, None) == ()


def test_house_fire_takes_one_site_not_what_you_carry_nor_the_parents_house(household):
    # The site holding the most things is the default; `carried` is never offered.
    assert scenarios.choices(scenarios.HOUSE_FIRE, household) == ["site:home", "site:parents"]
    assert scenarios.default_pick(scenarios.HOUSE_FIRE, household, []) == "site:home"
    lost = select(household, scenarios.selectors(scenarios.HOUSE_FIRE, household, "site:home"))
    assert {"safe", "nas", "yubikey-spare", "anna-laptop"} <= lost
    assert not lost & {"anna-phone", "ben-phone", "yubikey-anna", "parents", "id-card-ben"}


def test_house_fire_without_sites_spares_phones_and_keys():
    inv = load_text("version: 1\ndevices:\n  p: {kind: phone}\n  k: {kind: security-key}\n  pc: {kind: computer}\n"
                    "places:\n  safe: {}\n")
    assert scenarios.choices(scenarios.HOUSE_FIRE, inv) == []
    assert scenarios.selectors(scenarios.HOUSE_FIRE, inv) == ("pc", "safe")


def test_after_death_loses_memory(malik):
    assert scenarios.selectors(scenarios.AFTER_DEATH, malik) == ("memory",)
    assert scenarios.choices(scenarios.AFTER_DEATH, malik) == []


def test_default_pick_is_the_worst_ranked_choice(malik, household):
    assert scenarios.default_pick(scenarios.BANNED, malik, rank(build_graph(malik))) == "microsoft"
    ranking = rank(build_graph(household))
    phones = [r.id for r in ranking if r.id in ("anna-phone", "ben-phone")]
    assert scenarios.default_pick(scenarios.PHONE_LOST, household, ranking) == phones[0]
    assert scenarios.default_pick(scenarios.HOUSE_FIRE, household, ranking) == "site:home"


def test_no_phone_means_nothing_to_pick():
    inv = load_text("version: 1\ndevices:\n  laptop: {kind: computer}\n")
    assert scenarios.default_pick(scenarios.PHONE_LOST, inv, rank(build_graph(inv))) is None


def test_default_scenario_is_the_worst_single_point_of_failure(malik):
    assert scenarios.worst(rank(build_graph(malik))) == ["microsoft"]
    assert scenarios.worst([]) == []


def test_presets_have_unique_keys():
    assert len(scenarios.BY_KEY) == len(scenarios.PRESETS) == 4
