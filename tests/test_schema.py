"""The JSON Schema accepts the examples and rejects typos the loader rejects."""

import re
from pathlib import Path

import yaml

from identity_map.format.schema import json_schema

ROOT = Path(__file__).parent.parent


def check(doc, schema, path="$"):
    """A tiny validator for the subset of JSON Schema we emit (no network, no extra dependency)."""
    errors = []
    if "anyOf" in schema:
        if all(check(doc, s, path) for s in schema["anyOf"]):
            errors.append(f"{path}: matches no alternative")
        return errors
    if "const" in schema and doc != schema["const"]:
        errors.append(f"{path}: not {schema['const']}")
    types = schema.get("type")
    if types:
        types = [types] if isinstance(types, str) else types
        pytypes = {"object": dict, "array": list, "string": str, "number": (int, float), "boolean": bool,
                   "null": type(None)}
        if not any(isinstance(doc, pytypes[t]) for t in types):
            return [f"{path}: not {types}"]
    if isinstance(doc, str) and "pattern" in schema and not re.search(schema["pattern"], doc):
        errors.append(f"{path}: does not match {schema['pattern']}")
    if isinstance(doc, str) and "enum" in schema and doc not in schema["enum"]:
        errors.append(f"{path}: not in enum")
    if isinstance(doc, list):
        if len(doc) < schema.get("minItems", 0):
            errors.append(f"{path}: too few items")
        for i, item in enumerate(doc):
            errors += check(item, schema.get("items", {}), f"{path}[{i}]")
    if isinstance(doc, dict):
        for key in schema.get("required", []):
            if key not in doc:
                errors.append(f"{path}: missing {key}")
        props = schema.get("properties", {})
        for key, value in doc.items():
            if "propertyNames" in schema:
                errors += check(key, schema["propertyNames"], f"{path}.{key}(name)")
            if key in props:
                errors += check(value, props[key], f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: unknown {key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += check(value, schema["additionalProperties"], f"{path}.{key}")
    return errors


def test_examples_match_the_schema():
    schema = json_schema()
    for path in [*ROOT.glob("examples/*.yaml"), ROOT / "inventories" / "template.yaml",
                 ROOT / "tests" / "fixtures" / "spec.yaml"]:
        assert check(yaml.safe_load(path.read_text()), schema) == [], path


def test_schema_rejects_a_misspelt_field_and_a_bad_term():
    schema = json_schema()
    assert check({"version": 1, "accounts": {"a": {"logni": ["password"]}}}, schema)
    assert check({"version": 1, "accounts": {"a": {"login": ["smss:phone"]}}}, schema)
    assert check({"version": 1, "purchases": {"p": {"price": 3}}}, schema)  # account required


def test_committed_schema_file_is_current():
    import json
    assert json.loads((ROOT / "inventory.schema.json").read_text()) == json_schema()
