"""Secret-looking text dropped before anything is printed for other people.

The format never asks for a secret, but `notes` are free text and a person
may still write "PIN: 4711" or paste a TOTP seed there. Whatever is printed
for heirs (the emergency sheet, the heirs report) goes through `scrub`: each
clause that looks like a secret is replaced by a marker, so the sheet says a
secret was left out, never what it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DROPPED = "[secret-looking text left out]"

_CLAUSE = re.compile(r"[^.;\n]+[.;\n]?")
_PATTERNS = (
    # "password: hunter2", "PIN = 4711", "code is 123456", "Passwort: ...".
    re.compile(r"\b(pass(word|wort|phrase|code)?|pw|pwd|pin|puk|code|seed|secret|key|token|otp|totp)"
               r"\s*(is|=|:|-)\s*\S", re.IGNORECASE),
    # A base32 seed, possibly in groups: JBSW Y3DP EHPK 3PXP.
    re.compile(r"\b(?:[A-Z2-7]{4}[ -]?){4,}[A-Z2-7]*\b"),
    # A long token mixing letters and digits (API keys, vault keys, base64).
    re.compile(r"(?=[A-Za-z0-9+/=_-]{16,})(?=[^\s]*\d)(?=[^\s]*[A-Za-z])[A-Za-z0-9+/=_-]{16,}"),
    # An app password as Google prints it: four groups of four letters.
    re.compile(r"\b(?:[a-z]{4}[ -]){3}[a-z]{4}\b"),
    # Digit groups as recovery codes come (1234-5678, 123 456 789), or six digits and more.
    re.compile(r"\b\d{3,}(?:[ -]\d{3,})+\b|\b\d{6,}\b"),
)


@dataclass(frozen=True)
class Scrubbed:
    text: str
    dropped: int  # clauses left out


def looks_secret(clause: str) -> bool:
    """Whether a piece of text looks like a password, code or seed.

    >>> looks_secret("PIN: 4711"), looks_secret("Kept in the home safe")
    (True, False)
    """
    return any(p.search(clause) for p in _PATTERNS)


def scrub(text: str) -> Scrubbed:
    """`text` with every clause (up to a full stop, semicolon or line end)
    that looks like a secret replaced by one marker. Cost: one pass per pattern.

    >>> scrub("On the sheet in the safe. Password: hunter2").text
    'On the sheet in the safe. [secret-looking text left out]'
    """
    out, dropped = [], 0
    for clause in _CLAUSE.findall(text):
        if looks_secret(clause):
            dropped += 1
            if not out or out[-1] != DROPPED:
                out.append(DROPPED)
        elif clause.strip():
            out.append(clause.strip())
    return Scrubbed(" ".join(out), dropped)
