"""Reading the words a secretary types after /report: the period, and the unit.

"tuan", "thang", "quy", "6thang", "nam" are the current ones ("... truoc": the one before);
"thang 10/2026", "quy 3/2026" (or "quy III/2026"), "6thang 2/2026", "nam 2025",
"tuan 45/2026" (ISO week), "tuan 12/11/2026" (the week of that day) and
"tu 01/09/2026 den 30/09/2026" name a given one. Diacritics and case do not matter, and
"donvi <name or code>" at the end asks for one unit.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.engine import numbers
from handlers.engine.textnorm import fold
from handlers.engine.texts import render
from handlers.engine.types import Say
from handlers.reports.report_data import Period
from storage.models import Unit

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
# How many months each named period spans; "tuan" is handled apart (weeks cross months).
MONTHS = {"thang": 1, "quy": 3, "6thang": 6, "nam": 12}
_SIX_MONTHS = re.compile(r"\b(?:6|sau) thang\b")


class PeriodError(ValueError):
    """The words name no period; the caller answers with the usage."""


def parse_period(text: str, *, today: date, tz: ZoneInfo) -> tuple[Period, str | None]:
    words, unit = _split_unit(text)
    folded = _SIX_MONTHS.sub("6thang", fold(" ".join(words)))
    tokens = folded.split() or ["thang"]
    head, rest = tokens[0], tokens[1:]
    if head == "tuan":
        kind, start, end = "tuan", *_week(rest, today)
    elif head in MONTHS:
        kind, start, end = head, *_months(head, rest, today)
    else:
        kind, start, end = "khoang", *_range(tokens)
    return make_period(kind, start, end, tz), unit


def make_period(kind: str, start: date, end: date, tz: ZoneInfo) -> Period:
    label = render(Say("report/period.j2", {"kind": kind, "start": start, "end": end}), "plain")
    after = end + timedelta(days=1)
    return Period(kind, start, end, label, midnight_utc(start, tz), midnight_utc(after, tz))


def midnight_utc(day: date, tz: ZoneInfo) -> datetime:
    # The local midnight, so an item at 23:30 local on the last day belongs to the period.
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def _split_unit(text: str) -> tuple[list[str], str | None]:
    """The words before "donvi" (or "đơn vị") and, as typed, those after it."""
    raw = text.split()
    folded = [fold(word) for word in raw]
    for i, word in enumerate(folded):
        skip = 1 if word == "donvi" else 2 if folded[i : i + 2] == ["don", "vi"] else 0
        if skip:
            unit = " ".join(raw[i + skip :])
            if not unit:
                raise PeriodError("donvi without a unit")
            return raw[:i], unit
    return raw, None


def _week(rest: list[str], today: date) -> tuple[date, date]:
    if rest == ["truoc"]:
        day = today - timedelta(days=7)
    elif not rest:
        day = today
    elif len(rest) == 2:
        try:
            day = date.fromisocalendar(_year(rest[1]), _number(rest[0]), 1)
        except ValueError as error:
            raise PeriodError(rest) from error
    else:
        day = _date(rest)
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _months(head: str, rest: list[str], today: date) -> tuple[date, date]:
    span = MONTHS[head]
    if rest == ["truoc"]:
        start, _ = _months(head, [], today)
        return _months(head, [], start - timedelta(days=1))
    if head == "nam":
        if len(rest) > 1:
            raise PeriodError(rest)
        year, index = (_year(rest[0]) if rest else today.year), 1
    else:
        if len(rest) > 2:
            raise PeriodError(rest)
        index = _number(rest[0]) if rest else (today.month - 1) // span + 1
        year = _year(rest[1]) if len(rest) == 2 else today.year
        if not 1 <= index <= 12 // span:
            raise PeriodError(rest)
    first = (index - 1) * span + 1
    start = date(year, first, 1)
    following = date(year + 1, 1, 1) if first + span > 12 else date(year, first + span, 1)
    return start, following - timedelta(days=1)


def _range(tokens: list[str]) -> tuple[date, date]:
    """[tu] d m y [den] d m y."""
    rest = tokens[1:] if tokens[0] == "tu" else tokens
    first, rest = rest[:3], rest[3:]
    start, end = _date(first), _date(rest[1:] if rest[:1] == ["den"] else rest)
    if end < start:
        raise PeriodError(tokens)
    return start, end


def _date(parts: list[str]) -> date:
    if len(parts) != 3:
        raise PeriodError(parts)
    try:
        return date(_year(parts[2]), _number(parts[1]), _number(parts[0]))
    except ValueError as error:
        raise PeriodError(parts) from error


def _number(word: str) -> int:
    if word in ROMAN:
        return ROMAN[word]
    value = numbers.number(word)
    if value is None or len(word) > 2:
        raise PeriodError(word)
    return value


def _year(word: str) -> int:
    value = numbers.number(word)
    if value is None or len(word) != 4 or not 2000 <= value <= 2100:
        raise PeriodError(word)
    return value


class UnitNotFound(LookupError):
    def __init__(self, words: str, candidates: list[str]) -> None:
        super().__init__(words)
        self.words, self.candidates = words, candidates


def find_unit(units: Sequence[Unit], words: str) -> Unit:
    """By code, by full name, then by whole words of the name ("an lac")."""
    typed = fold(words)
    for found in (
        [u for u in units if fold(u.code) == typed],
        [u for u in units if fold(u.name) == typed],
        [u for u in units if typed and f" {typed} " in f" {fold(u.name)} "],
    ):
        if len(found) == 1:
            return found[0]
        if found:
            raise UnitNotFound(words, [u.name for u in found])
    raise UnitNotFound(words, [])


def tree(units: Sequence[Unit], root: str | None, depth: int) -> Iterator[tuple[Unit, int]]:
    """The units below ``root`` (None: the roots down), parents before their children."""
    codes = {u.code for u in units}
    children: defaultdict[str | None, list[Unit]] = defaultdict(list)
    for unit in units:
        children[unit.parent_code if unit.parent_code in codes else None].append(unit)
    seen: set[str] = set()  # a loop of parents in a hand-edited file must not hang the bot

    def walk(code: str | None, level: int) -> Iterator[tuple[Unit, int]]:
        for child in children[code]:
            if child.code not in seen:
                seen.add(child.code)
                yield child, level
                yield from walk(child.code, level + 1)

    return walk(root, depth)
