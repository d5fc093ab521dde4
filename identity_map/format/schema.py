"""The JSON Schema of the inventory format, built from the tables in `model.py`.

Editors with a YAML language server (e.g. VS Code's YAML extension) use it
to validate and complete inventories as the user types. It checks shape and
spelling; the loader remains the judge (ids that exist, kinds of ids, YAML
1.1 traps).
"""

from __future__ import annotations

from identity_map.format.model import (
    ACCOUNT_KINDS, DEVICE_KINDS, FIELDS, ID_MAX, ID_PATTERN, REQUIRED, SECTIONS, TERM_KINDS,
)

_ID = {"type": "string", "pattern": f"^{ID_PATTERN.pattern}$", "maxLength": ID_MAX}
_TERM_PATTERN = (r"^\s*(?:(?:" + "|".join(k for k in TERM_KINDS if k) + r"):)?[a-z0-9][a-z0-9._-]*\s*"
                 r"(?:\+\s*(?:(?:" + "|".join(k for k in TERM_KINDS if k) + r"):)?[a-z0-9][a-z0-9._-]*\s*)*$")
_METHOD_TEXT = {"type": "string", "pattern": _TERM_PATTERN,
                "description": "terms joined by ' + ' (all needed), e.g. 'password + sms:mobile'"}
_METHOD = {"anyOf": [_METHOD_TEXT, {"type": "array", "items": _METHOD_TEXT, "minItems": 1}]}
_METHODS = {"anyOf": [_METHOD_TEXT, {"type": "array", "items": _METHOD, "minItems": 1}],
            "description": "methods, any one of which works"}
_TEXT = {"type": "string"}

_FIELD_SCHEMAS = {
    "name": {**_TEXT, "description": "display name (defaults to the id)"},
    "notes": _TEXT,
    "critical": {"type": "boolean", "description": "counts in rankings and resilience"},
    "provider": _TEXT,
    "user": {**_TEXT, "description": "an identifier such as an e-mail address, never a secret"},
    "url": _TEXT,
    "number": _TEXT,
    "device": {**_ID, "description": "the device holding the SIM"},
    "login": _METHODS,
    "recovery": {**_METHODS, "description": "tried only when no login method works"},
    "copies": {"type": "array", "items": _ID, "minItems": 1,
               "description": "accounts, devices or places holding a copy ('memory': known by heart)"},
    "unlock": {**_METHODS, "description": "what it takes to use the device once in hand, e.g. [password]"},
    "site": {**_ID, "description": "where it is: home, carried, parents, bank-vault, ..."},
    "part_of": {**_ID, "description": "the account this one is part of (gmail: google)"},
    "legacy": {**_METHODS, "description": "methods that work only after your death, e.g. [person:anna]"},
    "relation": {**_TEXT, "description": "partner, child, executor, friend, ..."},
    "needs": {**_METHOD, "description": "what every copy also needs (all of it)"},
    "account": {**_ID, "description": "the account the purchase is tied to"},
    "price": {"type": "number", "minimum": 0},
    "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "default": "EUR"},
}


def _thing_schema(section: str) -> dict:
    fields = ("name", "notes", "critical", *FIELDS[section])
    props = {f: _FIELD_SCHEMAS[f] for f in fields if f != "kind"}
    if "kind" in FIELDS[section]:
        kinds = DEVICE_KINDS if section == "devices" else ACCOUNT_KINDS
        props["kind"] = {"type": "string", "enum" if section == "devices" else "examples": list(kinds)}
    schema = {"type": ["object", "null"], "properties": props, "additionalProperties": False}
    if section in REQUIRED:
        schema["type"] = "object"
        schema["required"] = list(REQUIRED[section])
    return schema


def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of inventory format version 1."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "identity-map inventory",
        "description": "Accounts, logins, second factors, recovery paths, devices, data and purchases.",
        "type": "object",
        "required": ["version"],
        "additionalProperties": False,
        "properties": {
            "version": {"const": 1},
            "owner": _TEXT,
            **{
                section: {
                    "type": ["object", "null"],
                    "description": f"the {kind} things, by id",
                    "propertyNames": _ID,
                    "additionalProperties": _thing_schema(section),
                }
                for section, kind in SECTIONS.items()
            },
        },
    }
