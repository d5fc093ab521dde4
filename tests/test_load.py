"""The loader: every kind of bad input gives located, helpful errors, never a traceback."""

import time
from pathlib import Path

import pytest

from identity_map.format.load import MAX_BYTES, InventoryError, load_bytes, load_file, load_text
from identity_map.format.model import MEMORY, Term

SPEC = Path(__file__).parent / "fixtures" / "spec.yaml"


def problems(text: str) -> list[str]:
    with pytest.raises(InventoryError) as info:
        load_text(text, "inv.yaml")
    return [str(p) for p in info.value.problems]


def one(text: str) -> str:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


def test_spec_example_loads_with_defaults_expanded():
    inv = load_file(SPEC)
    assert inv.owner == "Malik"
    assert [str(m) for m in inv["microsoft"].login] == ["password + sms:mobile", "passkey:iphone"]
    assert [str(m) for m in inv["carrier"].login] == ["password"]  # account default
    assert [str(m) for m in inv["mobile"].login] == ["device:iphone"]  # phone default
    assert [str(m) for m in inv["laptop-disk"].login] == ["laptop + bitlocker-key"]  # copy + needs
    assert [str(m) for m in inv["xbox-library"].login] == ["account:microsoft"]  # purchase default
    assert inv["office-365"].price == 400.0 and inv["office-365"].currency == "EUR"
    assert inv["microsoft"].critical and not inv["github"].critical
    assert MEMORY in inv.things and inv["carrier"].login[0].terms == (Term("password", MEMORY),)


def test_method_forms_string_list_and_nested_list_are_equivalent():
    inv = load_text(
        "version: 1\nphones:\n  m: {}\naccounts:\n"
        "  a: {login: password + sms:m}\n"
        "  b: {login: [password + sms:m]}\n"
        "  c: {login: [[password, sms:m]]}\n"
        "  d: {login: [[password + sms:m]]}\n"
    )
    assert {tuple(m.terms for m in inv[x].login) for x in "abcd"} == {tuple(m.terms for m in inv["a"].login)}


def test_malformed_yaml_is_located():
    msg = one("version: 1\naccounts:\n  mail: {login: [password\n  shop: {}\n")
    assert msg.startswith("inv.yaml:") and "malformed YAML" in msg


def test_top_level_must_be_a_mapping():
    assert "the top level must be a mapping" in one("- version: 1\n")


def test_empty_file():
    assert "the file is empty" in one("# nothing here\n")


def test_missing_version():
    assert "'version: 1' is missing" in one("accounts:\n  mail: {}\n")


def test_wrong_version():
    assert "version must be 1" in one("version: 2\n")


def test_unknown_section_suggests():
    msg = one("version: 1\naccount:\n  mail: {}\n")
    assert msg.startswith("inv.yaml:2:1:") and "unknown section 'account'" in msg and "did you mean 'accounts'" in msg


def test_unknown_field_suggests_and_lists_valid():
    msg = one("version: 1\naccounts:\n  mail:\n    logni: [password]\n")
    assert msg.startswith("inv.yaml:4:5:") and "did you mean 'login'" in msg and "valid:" in msg


def test_unknown_id_in_term_suggests():
    msg = one("version: 1\naccounts:\n  gmail: {}\n  shop: {login: [email:gmial]}\n")
    assert "unknown id 'gmial'" in msg and "did you mean 'gmail'" in msg
    assert msg.startswith("inv.yaml:4:")


def test_term_column_points_at_the_term():
    msg = one("version: 1\naccounts:\n  shop: {login: [password + email:nobody]}\n")
    line, col = msg.split(":")[1:3]
    assert (line, col) == ("3", str(len("  shop: {login: [password + ") + 1))


def test_wrong_kind_of_id():
    msg = one("version: 1\naccounts:\n  gmail: {}\n  shop: {login: [sms:gmail]}\n")
    assert "'gmail' is an account" in msg
    assert "needs a phone" in msg


def test_unknown_term_kind_suggests():
    assert "did you mean 'totp'" in one("version: 1\ndevices:\n  p: {}\naccounts:\n  a: {login: [topt:p]}\n")


def test_duplicate_key_in_section_is_refused():
    msg = one("version: 1\naccounts:\n  mail: {}\n  mail: {name: again}\n")
    assert msg.startswith("inv.yaml:4:3:") and "duplicate key 'mail' (first at line 3)" in msg


def test_duplicate_key_in_fields_is_refused():
    assert "duplicate key 'name'" in one("version: 1\naccounts:\n  mail: {name: a, name: b}\n")


def test_same_id_in_two_sections_is_refused():
    assert "already used at line 3" in one("version: 1\ndevices:\n  x: {}\naccounts:\n  x: {}\n")


def test_yaml11_boolean_key_is_read_as_typed_not_true():
    inv = load_text("version: 1\ndevices:\n  yes: {kind: phone}\n  'on': {}\n  no: {name: no}\n")
    assert {"yes", "on", "no"} <= set(inv.things)
    assert inv["no"].name == "no"  # never False


def test_yaml11_numbers_are_read_as_typed():
    inv = load_text("version: 1\nplaces:\n  012: {name: 1_000}\n")
    assert "012" in inv.things and inv["012"].name == "1_000"


def test_boolean_word_in_a_term_is_read_as_typed():
    inv = load_text("version: 1\ndevices:\n  on: {}\naccounts:\n  a: {login: [on]}\n")
    assert inv["a"].login[0].terms == (Term("", "on"),)


def test_quoted_critical_is_an_error():
    assert "must be true or false (unquoted)" in one("version: 1\naccounts:\n  a: {critical: 'yes'}\n")


def test_python_tag_is_refused_never_executed(tmp_path):
    flag = tmp_path / "pwned"
    text = f"version: 1\nowner: !!python/object/apply:os.system ['touch {flag}']\n"
    assert "YAML tags are not allowed" in one(text)
    assert not flag.exists()


def test_other_tags_are_refused():
    assert "tags are not allowed" in one("version: 1\nowner: !!binary aGVsbG8=\n")
    assert "tags are not allowed" in one("version: 1\naccounts: !!set {a}\n")


def test_alias_bomb_is_refused_fast():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        lines.append(f"{chr(ord('a') + i)}: &{chr(ord('a') + i)} [*{prev},*{prev},*{prev},*{prev},*{prev},"
                     f"*{prev},*{prev},*{prev},*{prev}]")
    text = "version: 1\n" + "\n".join(lines) + "\n"
    start = time.perf_counter()
    found = problems(text)
    elapsed = time.perf_counter() - start
    assert any("anchors are not allowed (&a)" in p for p in found)
    assert elapsed < 0.5, elapsed  # a bound on a refusal, not a benchmark: it should be ~1 ms


def test_small_alias_is_refused_clearly():
    msg = one("version: 1\naccounts:\n  a: {}\n  b: *x\n")
    assert msg.startswith("inv.yaml:4:6:") and "aliases are not allowed (*x)" in msg


@pytest.mark.parametrize("text, where", [
    ("version: 1\naccounts:\n  a: &x {}\n", "inv.yaml:3:6:"),  # an anchor with no alias, as the docs say
    ("version: 1\nowner: &me Malik\n", "inv.yaml:2:8:"),
    ("version: 1\naccounts:\n  a: {login: &m [password]}\n", "inv.yaml:3:14:"),
])
def test_anchors_are_refused_where_they_stand(text, where):
    msg = one(text)
    assert msg.startswith(where) and "anchors are not allowed" in msg


def test_deep_nesting_is_refused_without_crashing():
    # libyaml's own composer overflows the C stack on this
    text = "version: 1\nowner: " + "[" * 200_000 + "]" * 200_000 + "\n"
    assert "nesting deeper than" in one(text)


def test_file_over_the_size_limit_is_refused_before_parsing(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"version: 1\n" + b"#" * MAX_BYTES)
    with pytest.raises(InventoryError) as info:
        load_file(big)
    assert "larger than" in str(info.value)


def test_not_utf8_is_located():
    with pytest.raises(InventoryError) as info:
        load_bytes(b"version: 1\nowner: caf\xe9\n", "inv.yaml")
    assert str(info.value).startswith("inv.yaml:2:11:") and "not UTF-8" in str(info.value)


def test_missing_file_is_an_error_not_a_traceback(tmp_path):
    with pytest.raises(InventoryError) as info:
        load_file(tmp_path / "nope.yaml")
    assert "cannot read the file" in str(info.value)


def test_invalid_id_suggests_a_slug():
    msg = one("version: 1\naccounts:\n  My Bank: {}\n")
    assert "invalid id 'My Bank'" in msg and "try 'my-bank'" in msg


def test_reserved_memory_id():
    assert "'memory' is reserved" in one("version: 1\nplaces:\n  memory: {}\n")


def test_negative_price():
    assert "must be a decimal number from 0" in one("version: 1\naccounts:\n  a: {}\npurchases:\n  p: {account: a, price: -5}\n")


def test_non_numeric_price():
    assert "must be a decimal number from 0" in one("version: 1\naccounts:\n  a: {}\npurchases:\n  p: {account: a, price: lots}\n")


def test_price_with_leading_zero_is_read_as_typed():
    inv = load_text("version: 1\naccounts:\n  a: {}\npurchases:\n  p: {account: a, price: 012}\n")
    assert inv["p"].price == 12.0  # not octal 10


def test_bad_currency():
    assert "ISO 4217" in one("version: 1\naccounts:\n  a: {}\npurchases:\n  p: {account: a, currency: euro}\n")


def test_empty_login_list():
    assert "empty list" in one("version: 1\naccounts:\n  a: {login: []}\n")


def test_empty_method_in_list():
    assert "empty method" in one("version: 1\naccounts:\n  a: {login: [[]]}\n")


def test_empty_term():
    assert "empty term" in one("version: 1\naccounts:\n  a: {login: [password + ]}\n")


def test_empty_login_value():
    assert "is empty" in one("version: 1\naccounts:\n  a:\n    login:\n")


def test_data_needs_copies_and_purchase_needs_account():
    found = problems("version: 1\ndata:\n  d: {name: x}\npurchases:\n  p: {price: 1}\n")
    assert any("needs 'copies'" in p for p in found) and any("needs 'account'" in p for p in found)


def test_copies_must_be_account_device_or_place():
    found = problems("version: 1\nphones:\n  m: {}\ndata:\n  d: {copies: [m]}\n")
    assert any("'m' is a phone" in p for p in found)


def test_device_kind_is_checked():
    assert "did you mean 'phone'" in one("version: 1\ndevices:\n  p: {kind: phnoe}\n")


def test_account_kind_typo_is_caught_but_own_words_are_kept():
    assert "did you mean 'email'" in one("version: 1\naccounts:\n  a: {kind: emial}\n")
    assert load_text("version: 1\naccounts:\n  a: {kind: insurance}\n")["a"].subkind == "insurance"


def test_all_problems_are_collected_in_line_order():
    found = problems("version: 1\naccounts:\n  a: {logni: x}\n  b: {login: [sms:nothing]}\nplaces:\n  Bad: {}\n")
    assert len(found) == 3
    assert [int(p.split(":")[1]) for p in found] == [3, 4, 6]


def test_multiple_documents_refused():
    assert "only one YAML document" in one("version: 1\n---\nversion: 1\n")


def test_complex_key_refused():
    assert "a key must be plain text" in " ".join(problems("version: 1\n? [a, b]\n: x\n"))
