"""One reading of "a number typed or pressed" (a submission, a page, a choice, a member).

``str.isdigit()`` says yes to ``²`` (which ``int()`` refuses) and to ``١٢`` (which ``int()``
reads as 12), and a number past 2**31 - 1 overflows the ids' INTEGER columns on PostgreSQL
(asyncpg refuses the query): such input is a usage error or a stale button, never an internal
error.
"""

from __future__ import annotations

MAX_ID = 2**31 - 1  # the ids are PostgreSQL INTEGER (32-bit) columns


def number(text: str | None) -> int | None:
    """ASCII digits only (``#27`` too), 0 to MAX_ID; otherwise None."""
    if text is None:
        return None
    word = text.strip().removeprefix("#")
    if not (word.isascii() and word.isdigit()) or len(word) > len(str(MAX_ID)):
        return None
    value = int(word)
    return value if value <= MAX_ID else None
