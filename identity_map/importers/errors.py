"""The one exception the importers raise."""

from __future__ import annotations


class ImportFailure(Exception):
    """An export that cannot be imported. `str()` is a message for the person:
    it names the file and says what to do, and never quotes the file's
    content (which may hold secrets)."""

    def __init__(self, filename: str, message: str) -> None:
        self.filename = filename
        self.message = message
        super().__init__(f"{filename}: {message}")
