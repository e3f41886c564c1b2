"""The figures of one report, as plain data: built by ``handlers.reports.report`` from the database,
shown by the summary template, the workbook and the chart alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Period:
    kind: str  # tuan | thang | quy | 6thang | nam | khoang
    start: date  # first day, inclusive, in the organisation's time zone
    end: date  # last day, inclusive
    label: str  # "tháng 10/2026", "quý 3/2026", "từ 01/09/2026 đến 30/09/2026"
    start_utc: datetime  # start 00:00 local, as aware UTC
    end_utc: datetime  # the day after ``end`` 00:00 local, as aware UTC (exclusive)


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    parent: str | None
    depth: int  # 0 for a root unit: the tree as indentation
    submitted: int
    approved: int  # decided approved in the period (published ones included)
    published: int
    rejected: int
    waiting: int  # pending or needs_info at the end of the period
    tin_tot: int  # submitted, by kind
    cau_chuyen_dep: int
    weeks_with_post: int  # weeks of the period with at least one item published
    weeks: int
    # The same figures summed over the unit and all units below it.
    total_submitted: int = 0
    total_published: int = 0
    total_approved: int = 0
    total_rejected: int = 0
    total_waiting: int = 0
    total_weeks_with_post: int = 0  # weeks with a publication from the unit or one below it
    # Posts the unit made on its own page itself, with a campaign hashtag (not the bot's):
    # they cover their weeks like the bot's publications.
    direct: int = 0
    total_direct: int = 0


@dataclass(frozen=True)
class TargetCadence:
    target: str  # "telegram:-100123"
    days_with_tin_tot: int  # days with at least one Tin tốt published there
    days: int
    unit: str = ""  # a unit's own page (``targets`` in the organisation file): its name


@dataclass(frozen=True)
class PageFigures:
    """A unit's page's followers: the last reading by the period's end, the first of the
    period and of the year (None: no reading then), and the growth in percent."""

    unit: str  # the unit's name
    target: str  # "facebook:104857600123456"
    now: int | None
    at_start: int | None
    at_year_start: int | None
    period_percent: float | None
    year_percent: float | None
    reached: bool  # the year's growth reached the organisation's aim


@dataclass(frozen=True)
class Ranked:
    name: str  # a member's display name or a unit's name
    unit: str  # the unit's name (for members)
    published: int
    submitted: int


@dataclass(frozen=True)
class ReportData:
    org_name: str
    period: Period
    unit_filter: str | None  # the unit asked for, with its subtree; None: every unit
    generated_at: datetime
    units: list[UnitRow] = field(default_factory=list)
    units_without_post: list[str] = field(default_factory=list)  # names
    targets: list[TargetCadence] = field(default_factory=list)
    median_hours_to_decision: float | None = None
    top_members: list[Ranked] = field(default_factory=list)
    top_units: list[Ranked] = field(default_factory=list)
    themes: list[tuple[str, int]] = field(default_factory=list)  # (theme title, submitted)
    totals: dict[str, int] = field(default_factory=dict)  # submitted, approved, published, ...
    weeks: int = 0  # Monday-Sunday weeks overlapping the period
    days: int = 0  # days of the period
    # Messages the bot sent this month (of generated_at), per platform: Zalo's quota.
    messages_month: str = ""  # "2026-11"
    messages: list[tuple[str, int]] = field(default_factory=list)
    # Units' own pages: followers against the yearly aim ([reports] followers_growth_percent).
    pages: list[PageFigures] = field(default_factory=list)
    followers_aim: float = 0.0
    # Issue 24 (handlers.reports.unit_figures): participation, every member's tally, events.
    participation: list[Participation] = field(default_factory=list)
    participation_aim: int | None = None  # [reports] participation_aim_percent
    member_tally: list[MemberTally] = field(default_factory=list)
    event: EventInfo | None = None  # set when the report is an event's (/report dot <key>)
    event_reports: list[ReportData] = field(default_factory=list)  # a year's: one per event


@dataclass(frozen=True)
class Participation:
    code: str
    name: str
    depth: int
    senders: int  # members who sent at least one item in the period
    members: int | None  # the unit's headcount, when known
    share: float | None  # senders / members


@dataclass(frozen=True)
class MemberTally:
    name: str  # "(đã xóa)" for a member who asked to be forgotten
    unit: str
    submitted: int
    published_tin_tot: int
    published_cau_chuyen_dep: int
    weeks_with_post: int
    erased: bool = False


@dataclass(frozen=True)
class EventInfo:
    key: str
    title: str
    units: list[str]  # the names of its units; empty: every unit
    hashtag: str | None
