"""Ranges of days in the organisation file: the theme calendar and the campaign's events.

A range is ``dd/mm`` to ``dd/mm`` (every year; it may cross the new year) or ``dd/mm/yyyy`` to
``dd/mm/yyyy`` (that year only: for dates that move each year, as Tết does).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, field_validator, model_validator

DAY = r"^\d{2}/\d{2}(/\d{4})?$"


def _parts(value: str) -> tuple[int, int, int | None]:
    numbers = [int(part) for part in value.split("/")]
    return numbers[0], numbers[1], numbers[2] if len(numbers) == 3 else None


class DayRange(BaseModel):
    start: str = Field(pattern=DAY)
    end: str = Field(pattern=DAY)

    @field_validator("start", "end")
    @classmethod
    def _real_day(cls, value: str) -> str:
        day, month, year = _parts(value)
        date(year or 2024, month, day)  # a leap year, so 29/02 is allowed; raises on 31/04
        return value

    @model_validator(mode="after")
    def _one_form(self) -> DayRange:
        dated = [_parts(self.start)[2] is not None, _parts(self.end)[2] is not None]
        if dated[0] != dated[1]:
            raise ValueError(f"range_forms|{self.start}-{self.end}")
        if dated[0] and self.first() > self.last():
            raise ValueError(f"range_order|{self.start}-{self.end}")
        return self

    @property
    def dated(self) -> bool:
        return _parts(self.start)[2] is not None

    def first(self) -> date:
        """The one first day of a dated range."""
        day, month, year = _parts(self.start)
        return date(year or 2024, month, day)

    def last(self) -> date:
        day, month, year = _parts(self.end)
        return date(year or 2024, month, day)

    def contains(self, day: date) -> bool:
        if self.dated:
            return self.first() <= day <= self.last()
        start, end, today = self._md(self.start), self._md(self.end), (day.month, day.day)
        if start <= end:
            return start <= today <= end
        return today >= start or today <= end  # a range across the new year

    def next_start(self, after: date) -> date | None:
        """The first day of this range strictly after ``after``; None when none comes."""
        if self.dated:
            return self.first() if self.first() > after else None
        month, day = self._md(self.start)
        for year in (after.year, after.year + 1, after.year + 2):
            try:
                candidate = date(year, month, day)
            except ValueError:  # 29/02 outside a leap year
                continue
            if candidate > after:
                return candidate
        return None

    def in_year(self, year: int) -> tuple[date, date] | None:
        """The days of the range that starts in ``year`` (None: it has none that year)."""
        if self.dated:
            return (self.first(), self.last()) if self.first().year == year else None
        (sm, sd), (em, ed) = self._md(self.start), self._md(self.end)
        try:
            start = date(year, sm, sd)
        except ValueError:  # 29/02 outside a leap year
            start = date(year, 3, 1)
        end_year = year + 1 if (em, ed) < (sm, sd) else year
        try:
            end = date(end_year, em, ed)
        except ValueError:
            end = date(end_year, 2, 28)
        return start, end

    def latest(self, today: date) -> tuple[date, date]:
        """The occurrence that has begun by ``today`` (or, when none has, the first to come)."""
        if self.dated:
            return self.first(), self.last()
        for year in (today.year, today.year - 1):
            found = self.in_year(year)
            if found is not None and found[0] <= today:
                return found
        found = self.in_year(today.year)
        assert found is not None
        return found

    @staticmethod
    def _md(value: str) -> tuple[int, int]:
        day, month, _ = _parts(value)
        return month, day


class Event(DayRange):
    """A wave or event of the campaign (Tết Nhân ái, Tháng Nhân đạo ...): an item belongs to
    it when its day falls in the range and its unit in one of ``units``' subtrees (none: all)."""

    key: str = Field(pattern=r"^[a-z0-9_-]{1,32}$")
    title: str = Field(min_length=2, max_length=120)
    units: list[str] = []
    hashtag: str | None = None

    @field_validator("hashtag")
    @classmethod
    def _hashtag(cls, value: str | None) -> str | None:
        if value is not None and (not value.startswith("#") or " " in value):
            raise ValueError(f"hashtag|{value}")
        return value
