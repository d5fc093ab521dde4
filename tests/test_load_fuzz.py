"""No input gives a traceback: whatever the bytes, the loader returns an
Inventory or raises InventoryError with located problems."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identity_map.format.load import InventoryError, load_bytes
from identity_map.analysis.validate import validate_bytes

MALIK = (Path(__file__).parent.parent / "examples" / "malik.yaml").read_bytes()
YAMLISH = st.sampled_from(list(":-[]{}&*!|>'\"#%@`,?\n\t ") + ["version: 1\n", "accounts:\n", "  a: ", "login: ",
                                                                "+ ", "sms:", "yes", "012", "!!python/name:os.system",
                                                                "&a ", "*a", "\xe9", "\ufeff", "---\n", "~"])


def loads_or_reports(data: bytes) -> None:
    try:
        load_bytes(data, "fuzz.yaml")
    except InventoryError as exc:
        assert exc.problems
        for p in exc.problems:
            assert str(p).startswith("fuzz.yaml:") and p.line >= 1 and p.col >= 1 and p.message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(YAMLISH, max_size=60).map("".join))
def test_yaml_like_text_never_raises_anything_else(text):
    loads_or_reports(text.encode("utf-8"))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise_anything_else(data):
    loads_or_reports(data)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(MALIK) - 1), st.integers(1, 40), st.binary(max_size=8))
def test_damaged_example_never_raises_anything_else(at, cut, junk):
    damaged = MALIK[:at] + junk + MALIK[at + cut:]
    loads_or_reports(damaged)
    checked = validate_bytes(damaged, "fuzz.yaml")  # the warnings pass runs the engine on what loads
    assert checked.ok == (checked.inventory is not None)
