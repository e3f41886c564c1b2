"""Folding Vietnamese text for matching what people type: "Tin tốt", "tin tot", "TIN TỐT";
and the one rule for characters no page, feed or file may hold.

XML 1.0's ``Char`` (https://www.w3.org/TR/xml/#charsets) excludes the C0 controls but tab,
newline and carriage return, lone surrogates, U+FFFE and U+FFFF: one of them in the Atom feed
makes every reader refuse it, openpyxl refuses it in a cell, PostgreSQL refuses a NUL. A
person's typed text that holds one is refused with a polite word (members' answers, editors'
post texts and corrections); whatever reaches a page, a feed or a file anyway (a name, an old
row) is written without them."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NOT_WORD = re.compile(r"[^a-z0-9]+")
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def has_forbidden(text: str) -> bool:
    return FORBIDDEN.search(text) is not None


def without_forbidden(text: str) -> str:
    return FORBIDDEN.sub("", text)


@lru_cache(maxsize=8192)  # the same labels and answers come back on every update
def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", bare.lower()).strip()
