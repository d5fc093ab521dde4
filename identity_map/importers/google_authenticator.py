"""Google Authenticator's "Transfer accounts" QR codes.

Each QR code holds one `otpauth-migration://offline?data=BASE64` URI; the
data is a protobuf `MigrationPayload` (google/google-authenticator-android,
and the many decoders of it):

    message MigrationPayload {
      repeated OtpParameters otp_parameters = 1;
      int32 version = 2; int32 batch_size = 3; int32 batch_index = 4; int32 batch_id = 5;
    }
    message OtpParameters {
      bytes secret = 1; string name = 2; string issuer = 3;
      Algorithm algorithm = 4; DigitCount digits = 5; OtpType type = 6; int64 counter = 7;
    }

The input is a text file with one such URI per line (what a QR reader gives).
The wire format is decoded here by hand: only `name` and `issuer` are kept,
the `secret` field's bytes are skipped without being copied.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from urllib.parse import unquote

from .authenticators import otp_export, otp_pair
from .entry import ParsedExport, Source
from .errors import ImportFailure
from .signature import EXACT, Signature
from .textio import decode_text

SOURCE = Source(
    fmt="google-authenticator",
    label="Google Authenticator",
    app_id="google-authenticator",
    app_name="Google Authenticator",
    kind="authenticator",
    item_word="account",
    login_hint="the codes live in the app on the phone; if they sync to your Google account, add sso:google",
)
URI = re.compile(r"otpauth-migration://offline\?\S*", re.IGNORECASE)
HELP = (
    "In Google Authenticator choose Transfer accounts > Export accounts, scan each QR code with a "
    "QR reader and save the otpauth-migration:// lines in a text file, one per line."
)

# Protobuf wire types.
VARINT, I64, LEN, I32 = 0, 1, 2, 5


class _Malformed(Exception):
    """The payload is not a MigrationPayload (internal; never shown as is)."""


@dataclass(frozen=True)
class _Field:
    number: int
    wire: int
    value: int | bytes


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    """Return (value, next position) of the varint at `pos`."""
    result = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise _Malformed
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def _fields(buf: bytes) -> list[_Field]:
    """Return the top-level fields of one protobuf message."""
    out, pos = [], 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise _Malformed
        if wire == VARINT:
            value, pos = _varint(buf, pos)
            out.append(_Field(number, wire, value))
        elif wire == LEN:
            size, pos = _varint(buf, pos)
            if pos + size > len(buf):
                raise _Malformed
            out.append(_Field(number, wire, buf[pos : pos + size]))
            pos += size
        elif wire in (I64, I32):
            pos += 8 if wire == I64 else 4
            if pos > len(buf):
                raise _Malformed
        else:
            raise _Malformed
    return out


def _text(field: _Field) -> str:
    """Return a string field's text."""
    if not isinstance(field.value, bytes):
        raise _Malformed
    return field.value.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class _Batch:
    entries: tuple[tuple[str, str], ...]  # (issuer, account) of each code
    size: int  # how many QR codes the export was split into (0 if unknown)
    index: int
    batch_id: int


def _decode_payload(payload: bytes) -> _Batch:
    """Return the accounts of one MigrationPayload; the secret (field 1 of
    each OtpParameters) is never turned into a value."""
    entries, size, index, batch_id = [], 0, 0, 0
    for field in _fields(payload):
        if field.number == 1 and isinstance(field.value, bytes):
            params = {f.number: f for f in _fields(field.value) if f.number in (2, 3)}
            name = _text(params[2]) if 2 in params else ""
            issuer = _text(params[3]) if 3 in params else ""
            entries.append(otp_pair(issuer, "", name))
        elif field.wire == VARINT and isinstance(field.value, int):
            if field.number == 3:
                size = field.value
            elif field.number == 4:
                index = field.value
            elif field.number == 5:
                batch_id = field.value
    return _Batch(tuple(entries), size, index, batch_id)


def _payload_of(uri: str) -> bytes:
    """Return the decoded `data` parameter of a migration URI. The value is
    percent-decoded without turning '+' into a space (QR readers differ in
    whether they escape it), then base64-decoded."""
    query = uri.split("?", 1)[1] if "?" in uri else ""
    raw = next((p[5:] for p in query.split("&") if p.lower().startswith("data=")), "")
    value = unquote(raw).strip().replace(" ", "+")
    if not value:
        raise _Malformed
    value += "=" * (-len(value) % 4)
    try:
        return base64.b64decode(value, altchars=b"-_" if ("-" in value or "_" in value) else None, validate=True)
    except (binascii.Error, ValueError):
        raise _Malformed from None


def parse(data: bytes, filename: str) -> ParsedExport:
    """Return the accounts of one or more Google Authenticator migration URIs."""
    what = "a Google Authenticator export"
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise ImportFailure(filename, f"this is an image, not the text of its QR code. {HELP}")
    uris = URI.findall(decode_text(data, filename, what))
    if not uris:
        raise ImportFailure(filename, f"there is no otpauth-migration:// line in this file, so it is not {what}. {HELP}")
    batches = []
    for number, uri in enumerate(uris, start=1):
        try:
            batches.append(_decode_payload(_payload_of(uri)))
        except (_Malformed, KeyError):
            raise ImportFailure(
                filename, f"the data of migration URI {number} is incomplete or damaged (a truncated line?). {HELP}"
            ) from None
    # A large export is split over several QR codes; say when some are missing.
    sizes: dict[int, int] = {}
    indexes: dict[int, set[int]] = {}
    for batch in batches:
        if batch.size > 1:
            sizes[batch.batch_id] = max(sizes.get(batch.batch_id, 0), batch.size)
            indexes.setdefault(batch.batch_id, set()).add(batch.index)
    warnings = tuple(
        f"Google Authenticator split this export into {size} QR codes but {len(indexes[batch_id])} were given; "
        "import the missing ones too."
        for batch_id, size in sizes.items()
        if len(indexes[batch_id]) < size
    )
    return otp_export(SOURCE, (pair for b in batches for pair in b.entries), warnings)


def _score(text: str) -> float:
    return EXACT if "otpauth-migration://" in text[:1_000_000].lower() else 0.0


SIGNATURE = Signature(text=_score)
