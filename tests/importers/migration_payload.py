"""A tiny protobuf *writer* for Google Authenticator MigrationPayload, used to
make and check the `google-authenticator.txt` fixture (the importer only reads)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import quote


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def length_field(number: int, payload: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def varint_field(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value)


@dataclass(frozen=True)
class Otp:
    secret: bytes
    name: str
    issuer: str = ""
    algorithm: int = 1  # SHA1
    digits: int = 1  # SIX
    otp_type: int = 2  # TOTP
    counter: int = 0


def otp_parameters(otp: Otp) -> bytes:
    out = length_field(1, otp.secret) + length_field(2, otp.name.encode())
    if otp.issuer:
        out += length_field(3, otp.issuer.encode())
    out += varint_field(4, otp.algorithm) + varint_field(5, otp.digits) + varint_field(6, otp.otp_type)
    if otp.counter:
        out += varint_field(7, otp.counter)
    return out


def payload(otps: list[Otp], *, batch_size: int = 1, batch_index: int = 0, batch_id: int = 0) -> bytes:
    out = b"".join(length_field(1, otp_parameters(o)) for o in otps)
    return out + varint_field(2, 1) + varint_field(3, batch_size) + varint_field(4, batch_index) + varint_field(5, batch_id)


def migration_uri(data: bytes) -> str:
    return "otpauth-migration://offline?data=" + quote(base64.b64encode(data).decode(), safe="")


BATCH_ID = 1357924680
FIXTURE_BATCHES = [
    [
        Otp(b"SECRET-GA-SEED-1", "GitHub:alice-example", "GitHub"),
        Otp(b"SECRET-GA-SEED-2", "alice.example@gmail.com", "Google"),
    ],
    [
        Otp(b"SECRET-GA-SEED-3", "Dropbox:alice.example@gmail.com"),
        Otp(b"SECRET-GA-SEED-4", "root@aws", "Amazon Web Services", otp_type=1, counter=7),
    ],
]


def fixture_text() -> str:
    """Return the text of tests/fixtures/importers/google-authenticator.txt."""
    n = len(FIXTURE_BATCHES)
    return "".join(
        migration_uri(payload(b, batch_size=n, batch_index=i, batch_id=BATCH_ID)) + "\n"
        for i, b in enumerate(FIXTURE_BATCHES)
    )


if __name__ == "__main__":
    print(fixture_text(), end="")
