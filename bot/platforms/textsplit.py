"""Splitting a long message into parts a platform accepts, at line or sentence boundaries."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

_TAG = re.compile(r"<[^>]+>")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def visible_html_len(text: str) -> int:
    """Length as Telegram counts it: after entity parsing, in UTF-16 code units."""
    return utf16_len(html.unescape(_TAG.sub("", text)))


def split(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """Parts of at most ``limit`` by ``measure``, cut between lines, else between sentences,
    else between words. Our templates open and close every tag on one line, so a cut between
    lines never breaks the HTML."""
    if measure(text) <= limit:
        return [text]
    pieces: list[str] = []
    for line in text.split("\n"):
        if measure(line) <= limit:
            pieces.append(line)
            continue
        for sentence in _SENTENCE.split(line):
            if measure(sentence) <= limit:
                pieces.append(sentence)
            else:
                pieces.extend(_hard_cut(sentence, limit, measure))
    parts: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}\n{piece}" if current else piece
        if current and measure(candidate) > limit:
            parts.append(current)
            current = piece
        else:
            current = candidate
    if current.strip():
        parts.append(current)
    return [part for part in parts if part.strip()]


def _hard_cut(text: str, limit: int, measure: Callable[[str], int]) -> list[str]:
    out: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if measure(candidate) <= limit:
            current = candidate
            continue
        if current:
            out.append(current)
        while measure(word) > limit:  # one enormous "word": cut it by characters
            cut = limit
            while measure(word[:cut]) > limit:
                cut -= 1
            out.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        out.append(current)
    return out
