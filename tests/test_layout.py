"""The package layout: subpackages by what they hold, old flat names still import."""

import importlib

import pytest

import identity_map


@pytest.mark.parametrize("old", sorted(identity_map.MOVED))
def test_every_old_flat_name_is_the_moved_module(old):
    moved = importlib.import_module(f"identity_map.{identity_map.MOVED[old]}")
    assert importlib.import_module(f"identity_map.{old}") is moved


def test_from_import_of_an_old_name_gives_its_functions():
    from identity_map.engine import impact  # noqa: PLC0415 (the point of the test)
    from identity_map.analysis.engine import impact as new_impact

    assert impact is new_impact


def test_an_unknown_flat_name_still_fails():
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("identity_map.no_such_module")
