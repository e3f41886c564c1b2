"""The organisation's own data: units, hashtags, trusted sources and the theme calendar.

It comes from a TOML file (see ``config/org.example.toml``) so that each Đoàn or Red Cross
chapter runs the same code with its own facts.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from handlers.engine.texts import environment
from handlers.org_dates import DayRange, Event

Kind = Literal["tin_tot", "cau_chuyen_dep"]


class Unit(BaseModel):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    name: str = Field(min_length=2, max_length=120)
    parent: str | None = None
    # The unit's own publish targets, ``<platform>:<id>`` as in PUBLISH_TARGETS (its fanpage,
    # its site): its approved items go there too, and what it posts there itself is counted.
    targets: list[str] = []
    # Its own targets also get the items of every unit below it.
    take_children: bool = False

    @field_validator("targets")
    @classmethod
    def _targets(cls, value: list[str]) -> list[str]:
        for target in value:
            platform, sep, ident = target.partition(":")
            if not sep or not platform.strip() or not ident.strip() or " " in target:
                raise ValueError(f"target_format|{target}")
        cleaned = [target.strip() for target in value]
        if len(set(cleaned)) != len(cleaned):
            raise ValueError(f"target_twice|{', '.join(cleaned)}")
        return cleaned

    members: int | None = Field(default=None, ge=0, le=1_000_000)  # headcount: participation
    # A branch (a Red Cross chapter in the Youth Union's deployment): its own extra hashtags
    # for its subtree, in place of [hashtags] extra, and the organisation ending its posts.
    extra_hashtags: list[str] | None = None
    signature: str | None = Field(default=None, min_length=2, max_length=120)

    @field_validator("extra_hashtags")
    @classmethod
    def _hashtags(cls, value: list[str] | None) -> list[str] | None:
        for tag in value or []:
            if not tag.startswith("#") or " " in tag:
                raise ValueError(f"hashtag|{tag}")
        return value


class Theme(DayRange):
    """A range of days (see ``handlers.org_dates``) with a focus theme."""

    key: str = Field(pattern=r"^[a-z0-9_-]{1,32}$")
    title: str
    focus: str


class Hashtags(BaseModel):
    tin_tot: str = "#moingay1tintot"
    cau_chuyen_dep: str = "#moituan1cauchuyendep"
    extra: list[str] = []

    @field_validator("tin_tot", "cau_chuyen_dep")
    @classmethod
    def _hashtag(cls, value: str) -> str:
        if not value.startswith("#") or " " in value:
            raise ValueError(f"hashtag|{value}")
        return value

    def for_kind(self, kind: Kind) -> list[str]:
        return [self.tin_tot if kind == "tin_tot" else self.cau_chuyen_dep, *self.extra]


class Slots(BaseModel):
    """Posting slots: with none, an approved item goes out at once."""

    tin_tot: str | None = Field(default=None, pattern=r"^\d{2}:\d{2}$")  # daily, "07:30"
    # weekly: "sun 19:00" (mon tue wed thu fri sat sun)
    cau_chuyen_dep: str | None = Field(
        default=None, pattern=r"^(mon|tue|wed|thu|fri|sat|sun) \d{2}:\d{2}$"
    )
    # Tell the editors once when a slot is this near and nothing is queued for it.
    warn_before_minutes: int = Field(default=120, ge=0, le=24 * 60)

    @field_validator("tin_tot", "cau_chuyen_dep")
    @classmethod
    def _real_time(cls, value: str | None) -> str | None:
        if value is not None:
            hours, minutes = (int(part) for part in value.split(" ")[-1].split(":"))
            if hours > 23 or minutes > 59:
                raise ValueError(f"time|{value}")
        return value


def _default_reasons() -> list[str]:
    reasons = environment("plain").get_template("review/reasons.j2").module.reasons  # type: ignore[attr-defined]
    return [str(reason) for reason in reasons]


class Review(BaseModel):
    remind_after_hours: int = Field(default=24, ge=1, le=24 * 14)
    # When the organisation file names none: templates/review/reasons.j2.
    reject_reasons: list[str] = Field(default_factory=_default_reasons)


class Reports(BaseModel):
    """Who may ask /report, and what goes out by itself (both off by default)."""

    editors_allowed: bool = False
    # The previous month's report to every admin on the 1st, at this local time.
    monthly_to_admins: str | None = Field(default=None, pattern=r"^\d{2}:\d{2}$")
    # One nudge a week to members whose unit they have not submitted for yet this week.
    weekly_member_reminder: str | None = Field(
        default=None, pattern=r"^(mon|tue|wed|thu|fri|sat|sun) \d{2}:\d{2}$"
    )
    # One short word a week to the contacts of each unit with nothing published or waiting.
    weekly_nudge: str | None = Field(
        default=None, pattern=r"^(mon|tue|wed|thu|fri|sat|sun) \d{2}:\d{2}$"
    )
    # The yearly aim for a unit's page followers, in percent (seed 002: at least 5% a year).
    followers_growth_percent: float = Field(default=5.0, ge=0, le=1000)
    # The share of a unit's members (its headcount) who should send something in a period.
    participation_aim_percent: int | None = Field(default=None, ge=1, le=100)


class OrgConfig(BaseModel):
    name: str
    short_name: str
    hashtags: Hashtags = Hashtags()
    trusted_domains: list[str]
    units: list[Unit] = Field(min_length=1)
    themes: list[Theme]
    default_theme: Theme
    events: list[Event] = []
    units_per_page: int = Field(default=8, ge=3, le=20)
    slots: Slots = Slots()
    review: Review = Review()
    reports: Reports = Reports()

    @model_validator(mode="after")
    def _consistent(self) -> OrgConfig:
        codes = [unit.code for unit in self.units]
        if len(set(codes)) != len(codes):
            raise ValueError("unit_twice|")
        for unit in self.units:
            if unit.parent is not None and unit.parent not in codes:
                raise ValueError(f"parent_missing|{unit.code} → {unit.parent}")
        keys = [theme.key for theme in [*self.themes, self.default_theme]]
        if len(set(keys)) != len(keys):
            raise ValueError("theme_twice|")
        if len({event.key for event in self.events}) != len(self.events):
            raise ValueError("event_twice|")
        for event in self.events:
            for code in event.units:
                if code not in codes:
                    raise ValueError(f"event_unit_missing|{event.key} → {code}")
        self.trusted_domains = [d.lower().lstrip(".") for d in self.trusted_domains]
        return self

    def unit(self, code: str | None) -> Unit | None:
        return next((unit for unit in self.units if unit.code == code), None)

    def unit_name(self, code: str) -> str:
        unit = self.unit(code)
        return unit.name if unit is not None else code

    def receivers(self, code: str | None) -> list[Unit]:
        """The units whose own targets get an item of ``code``: the unit itself and each
        ancestor that takes its children's items."""
        found: list[Unit] = []
        unit, seen = self.unit(code), set()
        first = True
        while unit is not None and unit.code not in seen:
            seen.add(unit.code)
            if first or unit.take_children:
                found.append(unit)
            first, unit = False, self.unit(unit.parent)
        return found

    def theme_on(self, day: date) -> Theme:
        return next((t for t in self.themes if t.contains(day)), self.default_theme)

    def theme(self, key: str | None) -> Theme:
        return next((t for t in self.themes if t.key == key), self.default_theme)

    def next_theme(self, day: date) -> tuple[Theme, date] | None:
        """The calendar range that starts soonest after ``day``, with its start date."""
        starts = [(t.next_start(day), t) for t in self.themes]
        upcoming = [(start, t) for start, t in starts if start is not None]
        if not upcoming:
            return None
        start, theme = min(upcoming, key=lambda pair: pair[0])
        return theme, start

    def event(self, key: str) -> Event | None:
        return next((e for e in self.events if e.key == key), None)

    def is_trusted(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in self.trusted_domains)


def load_org(path: Path) -> OrgConfig:
    with path.open("rb") as handle:
        return OrgConfig.model_validate(tomllib.load(handle))
