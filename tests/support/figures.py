"""A small organisation for the stories of issue 24 (secretaries, events, branches,
participation, every member's tally), its October 2026, and asking the core as a person would."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import org as orgfile
from handlers import wiring
from handlers.engine.context import Deps
from handlers.engine.router import Router
from handlers.engine.texts import render
from handlers.engine.types import FileOut, Inbound
from handlers.org_dates import Event
from handlers.reports import report
from handlers.reports.report_data import ReportData
from storage import contacts
from storage.models import Member, Submission, Unit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)


def _theme(key: str, start: str, end: str, title: str) -> orgfile.Theme:
    return orgfile.Theme(key=key, start=start, end=end, title=title, focus=".")


ORG = orgfile.OrgConfig(
    name="Quận đoàn Thử",
    short_name="QĐT",
    trusted_domains=["example.vn"],
    hashtags=orgfile.Hashtags(extra=["#tuoitrethu"]),
    units=[
        orgfile.Unit(code="quan", name="Quận đoàn", members=10),
        orgfile.Unit(code="p-a", name="Phường A", parent="quan", members=4),
        orgfile.Unit(code="cd-a1", name="Chi đoàn A1", parent="p-a"),
        orgfile.Unit(code="khac", name="Đơn vị khác"),
        orgfile.Unit(
            code="ctd", name="Hội CTĐ quận", extra_hashtags=["#chuthapdothu"], signature="Hội CTĐ"
        ),
        orgfile.Unit(code="ctd-1", name="Chi hội 1", parent="ctd"),
    ],
    themes=[_theme("nhagiao", "14/11", "20/11", "Nhà giáo trẻ")],
    default_theme=_theme("chung", "01/01", "31/12", "Chủ đề chung"),
    events=[
        Event(
            key="dot-a", title="Đợt A", start="01/10", end="15/10", units=["p-a"], hashtag="#dota"
        ),
        Event(
            key="nhan-ai",
            title="Tết Nhân ái",
            start="10/10/2026",
            end="20/10/2026",
            units=["ctd"],
            hashtag="#tetnhanai",
        ),
        Event(key="cuoi-nam", title="Cuối năm", start="01/12", end="05/01"),
    ],
    reports=orgfile.Reports(participation_aim_percent=50),
)
DEPS = Deps(
    org=ORG,
    tz=TZ,
    clock=lambda: NOW,
    admins=frozenset({"zalo:admin"}),
    editors=frozenset({"zalo:editor"}),
)
counter = itertools.count()


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=TZ)


@dataclass
class October:
    """The ids fill() gave: members by key, items by their number in ``ITEMS``."""

    members: dict[str, int] = field(default_factory=dict)
    items: list[int] = field(default_factory=list)


# who, unit, kind, submitted, published (None: waiting), theme
ITEMS = [
    ("lan", "p-a", "tin_tot", at(10, 2), at(10, 2, 11), "chung"),  # 0: Đợt A
    ("minh", "cd-a1", "tin_tot", at(10, 5), None, "chung"),  # 1: Đợt A (p-a's subtree)
    ("hoa", "khac", "tin_tot", at(10, 3), at(10, 3, 11), "chung"),  # 2: no event (its unit)
    ("lan", "p-a", "cau_chuyen_dep", at(10, 20), at(10, 21), "chung"),  # 3: no event (its day)
    ("mai", "ctd-1", "tin_tot", at(10, 12), at(10, 12, 11), "chung"),  # 4: Tết Nhân ái
    ("xoa", "p-a", "tin_tot", at(10, 6), at(10, 6, 11), "chung"),  # 5: Đợt A, member erased
    ("xoa", "p-a", "cau_chuyen_dep", at(10, 7), None, "chung"),  # 6: Đợt A, member erased
]


async def fill(session: AsyncSession) -> October:
    for position, unit in enumerate(ORG.units):
        session.add(
            Unit(code=unit.code, name=unit.name, parent_code=unit.parent, position=position)
        )
    await session.flush()
    made = October()
    people = {
        "lan": ("Lan", "p-a"),
        "minh": ("Minh", "cd-a1"),
        "hoa": ("Hoa", "khac"),
        "mai": ("Mai", "ctd-1"),
        "xoa": ("", "p-a"),
    }
    for key, (name, unit_code) in people.items():
        member = Member(
            platform="zalo",
            platform_user_id=key,
            chat_id=key,
            display_name=name,
            unit_code=unit_code,
        )
        if key == "xoa":  # asked to be forgotten: no name, no platform id kept
            member.platform_user_id, member.erased_at = "erased-1", at(11, 1)
        session.add(member)
        await session.flush()
        made.members[key] = member.id or 0
    for who, unit_code, kind, sent, published, theme in ITEMS:
        sub = Submission(
            kind=kind,
            member_id=made.members[who],
            unit_code=unit_code,
            theme_key=theme,
            status="published" if published else "pending",
            submitted_at=sent,
            decided_at=published,
            published_at=published,
            path="raw",
            nhan_vat="Cô giáo Hạnh",
            muc_dich="Giúp học sinh",
            thoi_gian="Sáng thứ bảy",
            dia_diem="Trường Tiểu học",
            y_nghia="Lan tỏa điều tốt",
        )
        session.add(sub)
        await session.flush()
        made.items.append(sub.id or 0)
    return made


async def add_contacts(session: AsyncSession, pairs: list[tuple[str, str]]) -> None:
    for unit_code, who in pairs:
        assert await contacts.add(session, unit_code=unit_code, who=who, by="zalo:admin")


@dataclass
class Asked:
    html: str
    plain: str
    files: tuple[FileOut, ...]


@dataclass
class Desk:
    """The core with every feature; a report's data is kept in ``reports`` (its files are
    made from it by the real builders only where a story opens them)."""

    sessions: async_sessionmaker[AsyncSession]
    deps: Deps = DEPS
    reports: list[ReportData] = field(default_factory=list)

    def routers(self) -> list[Router]:
        async def keep(data: ReportData) -> tuple[FileOut, ...]:
            self.reports.append(data)
            return (FileOut("bao-cao.xlsx", b"xlsx"),)

        others = [r for r in wiring.get_routers() if r is not report.router]
        return [*others, report.make_router(keep)]

    async def ask(self, user: str, command: str, args: str = "") -> list[Asked]:
        event = Inbound(
            platform="zalo",
            update_key=f"figures:{next(counter)}",
            user_id=user,
            chat_id=user,
            command=command,
            args=args,
        )
        core = wiring.build_core(self.sessions, self.deps, routers=self.routers())
        replies = await core.handle(event)
        return [Asked(render(r.say, "html"), render(r.say, "plain"), r.files) for r in replies]

    async def one(self, user: str, command: str, args: str = "") -> str:
        [asked] = await self.ask(user, command, args)
        return asked.plain


def table(sheet: Any, first_header: str) -> list[tuple[Any, ...]]:
    """A workbook sheet's table: the rows under the header row that starts with
    ``first_header``."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == first_header)
    return rows[start + 1 :]
