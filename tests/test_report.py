"""/report: the period words, the figures counted by the database (checked against fixtures
counted by hand, on every backend) and the command through the core."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import org as orgfile
from handlers import wiring
from handlers.engine.context import Deps
from handlers.engine.router import Router
from handlers.engine.texts import render
from handlers.engine.types import FileOut, Inbound
from handlers.reports import report
from handlers.reports.periods import PeriodError, UnitNotFound, find_unit, parse_period
from handlers.reports.report_data import Period, Ranked, ReportData, TargetCadence
from storage.db import make_engine, make_sessions, migrate
from storage.models import Member, Outbox, Submission, Unit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2026, 11, 17)  # a Tuesday
NOW = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)
ORG = orgfile.OrgConfig(
    name="Quận đoàn Thử",
    short_name="QĐT",
    trusted_domains=["example.vn"],
    units=[orgfile.Unit(code="quan", name="Quận đoàn")],
    themes=[
        orgfile.Theme(key="nhagiao", start="14/11", end="20/11", title="Nhà giáo trẻ", focus=".")
    ],
    default_theme=orgfile.Theme(
        key="chung", start="01/01", end="31/12", title="Chủ đề chung", focus="."
    ),
)
DEPS = Deps(
    org=ORG,
    tz=TZ,
    clock=lambda: NOW,
    admins=frozenset({"zalo:admin"}),
    editors=frozenset({"zalo:editor"}),
    targets=(("telegram", "-100"), ("zalo", "grp")),
)
counter = itertools.count()


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def period(text: str, *, tz: ZoneInfo = TZ) -> Period:
    return parse_period(text, today=TODAY, tz=tz)[0]


# -- the period words ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "start", "end", "label"),
    [
        ("", "thang", date(2026, 11, 1), date(2026, 11, 30), "tháng 11/2026"),
        ("thang", "thang", date(2026, 11, 1), date(2026, 11, 30), "tháng 11/2026"),
        ("Tháng 10/2026", "thang", date(2026, 10, 1), date(2026, 10, 31), "tháng 10/2026"),
        ("THANG 2", "thang", date(2026, 2, 1), date(2026, 2, 28), "tháng 2/2026"),
        ("tháng trước", "thang", date(2026, 10, 1), date(2026, 10, 31), "tháng 10/2026"),
        ("tuan", "tuan", date(2026, 11, 16), date(2026, 11, 22), "tuần 47/2026 (16/11–22/11/2026)"),
        (
            "tuần trước",
            "tuan",
            date(2026, 11, 9),
            date(2026, 11, 15),
            "tuần 46/2026 (09/11–15/11/2026)",
        ),
        (
            "tuan 1/2027",
            "tuan",
            date(2027, 1, 4),
            date(2027, 1, 10),
            "tuần 1/2027 (04/01–10/01/2027)",
        ),
        (
            "tuan 01/01/2026",
            "tuan",
            date(2025, 12, 29),
            date(2026, 1, 4),
            "tuần 1/2026 (29/12–04/01/2026)",
        ),
        ("quy", "quy", date(2026, 10, 1), date(2026, 12, 31), "quý 4/2026"),
        ("quý 3/2026", "quy", date(2026, 7, 1), date(2026, 9, 30), "quý 3/2026"),
        ("Quy III/2026", "quy", date(2026, 7, 1), date(2026, 9, 30), "quý 3/2026"),
        ("quy truoc", "quy", date(2026, 7, 1), date(2026, 9, 30), "quý 3/2026"),
        ("6thang", "6thang", date(2026, 7, 1), date(2026, 12, 31), "6 tháng cuối năm 2026"),
        ("6 tháng 1/2026", "6thang", date(2026, 1, 1), date(2026, 6, 30), "6 tháng đầu năm 2026"),
        ("6thang 2/2026", "6thang", date(2026, 7, 1), date(2026, 12, 31), "6 tháng cuối năm 2026"),
        ("nam", "nam", date(2026, 1, 1), date(2026, 12, 31), "năm 2026"),
        ("năm 2025", "nam", date(2025, 1, 1), date(2025, 12, 31), "năm 2025"),
        ("nam truoc", "nam", date(2025, 1, 1), date(2025, 12, 31), "năm 2025"),
        (
            "từ 01/09/2026 đến 30/09/2026",
            "khoang",
            date(2026, 9, 1),
            date(2026, 9, 30),
            "từ 01/09/2026 đến 30/09/2026",
        ),
        (
            "1/9/2026 - 3/9/2026",
            "khoang",
            date(2026, 9, 1),
            date(2026, 9, 3),
            "từ 01/09/2026 đến 03/09/2026",
        ),
    ],
)
def test_period_words(text: str, kind: str, start: date, end: date, label: str) -> None:
    got, unit = parse_period(text, today=TODAY, tz=TZ)
    assert (got.kind, got.start, got.end, got.label, unit) == (kind, start, end, label, None)


@pytest.mark.parametrize(
    "text",
    [
        "hom qua",
        "thang 13/2026",
        "thang 10/26",
        "quy 5/2026",
        "6thang 3/2026",
        "nam 2025 2026",
        "tuan 54/2026",
        "tu 30/09/2026 den 01/09/2026",
        "tu 31/09/2026 den 30/10/2026",
        "tu 01/09/2026",
        "thang donvi",
        "<script>",
    ],
)
def test_bad_period_words(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text, today=TODAY, tz=TZ)


def test_unit_words_and_local_midnights() -> None:
    got, unit = parse_period("thang 10/2026 Đơn vị Phường  A", today=TODAY, tz=TZ)
    assert unit == "Phường A"
    assert parse_period("quy donvi p-a", today=TODAY, tz=TZ)[1] == "p-a"
    # Midnight in Vietnam is 17:00 UTC the day before; the end is the next day's midnight.
    assert got.start_utc == datetime(2026, 9, 30, 17, tzinfo=UTC)
    assert got.end_utc == datetime(2026, 10, 31, 17, tzinfo=UTC)
    # A zone with summer time: October begins in CEST (+2) and ends in CET (+1).
    berlin = period("thang 10/2026", tz=ZoneInfo("Europe/Berlin"))
    assert berlin.start_utc == datetime(2026, 9, 30, 22, tzinfo=UTC)
    assert berlin.end_utc == datetime(2026, 10, 31, 23, tzinfo=UTC)


def test_find_unit() -> None:
    units = [
        Unit(code="quan", name="Quận đoàn"),
        Unit(code="p-a", name="Phường A", parent_code="quan"),
        Unit(code="cd-a1", name="Chi đoàn A1", parent_code="p-a"),
    ]
    assert find_unit(units, "P-A").code == "p-a"
    assert find_unit(units, "phuong a").code == "p-a"
    assert find_unit(units, "A1").code == "cd-a1"
    with pytest.raises(UnitNotFound) as ambiguous:
        find_unit(units, "đoàn")
    assert ambiguous.value.candidates == ["Quận đoàn", "Chi đoàn A1"]
    with pytest.raises(UnitNotFound):
        find_unit(units, "phuong z")


# -- the figures -----------------------------------------------------------------------------


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(db_url)
    await migrate(engine)
    factory = make_sessions(engine)
    async with factory() as session, session.begin():
        await fill(session)
    yield factory
    await engine.dispose()


async def fill(session: AsyncSession) -> None:
    """October 2026 (Thu 1 - Sat 31: five Monday-Sunday weeks) in a small tree:
    quan > p-a > cd-a1, quan > p-b (no members, nothing), khac; "cu" is gone from the file."""
    tree = [("quan", None), ("p-a", "quan"), ("cd-a1", "p-a"), ("p-b", "quan"), ("khac", None)]
    names = ["Quận đoàn", "Phường A", "Chi đoàn A1", "Phường B", "Đơn vị khác"]
    for position, ((code, parent), name) in enumerate(zip(tree, names, strict=True)):
        session.add(Unit(code=code, name=name, parent_code=parent, position=position))
    session.add(Unit(code="cu", name="Đơn vị cũ", position=9, active=False))
    await session.flush()
    people = {"lan": ("Lan <b>&", "p-a"), "minh": ("Minh", "cd-a1"), "hoa": ("Hoa", "khac")}
    ids: dict[str, int] = {}
    for key, (name, unit) in people.items():
        member = Member(
            platform="zalo", platform_user_id=key, chat_id=key, display_name=name, unit_code=unit
        )
        session.add(member)
        await session.flush()
        assert member.id is not None
        ids[key] = member.id
    at, tt, ccd = local, "tin_tot", "cau_chuyen_dep"
    items = [  # who, unit, kind, submitted, decided, status, published, theme
        # Decided in 2 and 4 hours.
        ("lan", "p-a", tt, at(10, 2, 8), at(10, 2, 10), "published", at(10, 2, 10, 5), "chung"),
        ("lan", "p-a", tt, at(10, 6, 8), at(10, 6, 12), "published", at(10, 6, 12), "chung"),
        # Published at 23:30 on the last day: October's. Decided in 6 hours.
        ("minh", "cd-a1", ccd, at(10, 20, 9), at(10, 20, 15), "published", at(10, 31, 23, 30), ""),
        # Decided in October (3 hours), published at 00:30 on 1 November: not October's.
        ("minh", "cd-a1", tt, at(10, 31, 20), at(10, 31, 23), "published", at(11, 1, 0, 30), ""),
        # Sent on 30 September at 23:00, approved in October (2 hours), not yet published.
        ("hoa", "khac", tt, at(9, 30, 23), at(10, 1, 1), "approved", None, "chung"),
        # Sent in October, rejected in November.
        ("hoa", "khac", tt, at(10, 30, 10), at(11, 2, 10), "rejected", None, None),
        ("lan", "p-a", tt, at(10, 15, 10), None, "pending", None, "het-han"),
        ("minh", "cd-a1", tt, at(11, 3, 10), None, "pending", None, "chung"),
        # Rejected in half an hour.
        ("hoa", "khac", ccd, at(10, 10, 10), at(10, 10, 10, 30), "rejected", None, "nhagiao"),
        ("lan", "p-a", tt, at(9, 1, 10), at(9, 2, 10), "needs_info", None, "chung"),
        ("lan", "p-a", tt, None, None, "draft", None, None),
    ]
    subs = []
    for who, unit, kind, sent, decided, status, published, theme in items:
        sub = Submission(kind=kind, member_id=ids[who], unit_code=unit, theme_key=theme)
        sub.submitted_at, sub.decided_at, sub.status, sub.published_at = (
            sent,
            decided,
            status,
            published,
        )
        session.add(sub)
        await session.flush()
        subs.append(sub.id)
    posts = [  # submission (index), platform, chat, kind, status, sent
        (0, "telegram", "-100", "post", "sent", local(10, 2, 10, 5)),
        (0, "zalo", "grp", "post", "sent", local(10, 2, 10, 6)),
        (1, "telegram", "-100", "post", "sent", local(10, 6, 12)),
        (1, "zalo", "grp", "post", "failed", None),
        (1, "telegram", "-200", "post", "sent", local(10, 6, 12)),  # a target since removed
        (1, "telegram", "-100", "card", "sent", local(10, 7, 12)),
        (2, "telegram", "-100", "post", "sent", local(10, 31, 23, 30)),  # a story: not Tin tốt
        (3, "telegram", "-100", "post", "sent", local(11, 1, 0, 30)),
        # 06:30 on 3 October here is still 2 October in UTC: a day of its own.
        (4, "telegram", "-100", "post", "sent", local(10, 3, 6, 30)),
    ]
    for index, platform, chat, kind, status, sent in posts:
        key = f"{kind}:{next(counter)}"
        session.add(
            Outbox(
                key=key,
                kind=kind,
                platform=platform,
                chat_id=chat,
                submission_id=subs[index],
                status=status,
                sent_at=sent,
            )
        )


async def build(
    factory: async_sessionmaker[AsyncSession], text: str, deps: Deps = DEPS
) -> ReportData:
    chosen, unit = parse_period(text, today=TODAY, tz=TZ)
    async with factory() as session:
        return await report.build_report(session, deps=deps, period=chosen, unit=unit)


async def test_october_by_hand(sessions: async_sessionmaker[AsyncSession]) -> None:
    data = await build(sessions, "thang 10/2026")
    assert data.totals == {
        "submitted": 7,
        "approved": 5,
        "published": 3,
        "rejected": 1,
        "waiting": 2,
        "tin_tot": 5,
        "cau_chuyen_dep": 2,
        "published_tin_tot": 2,
        "published_cau_chuyen_dep": 1,
        "taken_down": 0,
        "direct": 0,
    }
    rows = {row.code: row for row in data.units}
    assert [(row.code, row.depth) for row in data.units] == [
        ("quan", 0),
        ("p-a", 1),
        ("cd-a1", 2),
        ("p-b", 1),
        ("khac", 0),
    ]
    own = {
        code: (r.submitted, r.approved, r.published, r.rejected, r.waiting, r.tin_tot)
        for code, r in rows.items()
    }
    assert own == {
        "quan": (0, 0, 0, 0, 0, 0),
        "p-a": (3, 2, 2, 0, 2, 3),
        "cd-a1": (2, 2, 1, 0, 0, 1),
        "p-b": (0, 0, 0, 0, 0, 0),
        "khac": (2, 1, 0, 1, 0, 1),
    }
    trees = {
        code: (r.total_submitted, r.total_approved, r.total_published, r.total_waiting)
        for code, r in rows.items()
    }
    assert trees["quan"] == trees["p-a"] == (5, 4, 3, 2)
    assert trees["khac"] == (2, 1, 0, 0)
    weeks = {
        code: (r.weeks_with_post, r.total_weeks_with_post, r.weeks) for code, r in rows.items()
    }
    # Week 1 (28/9-4/10) and 2 (5-11/10) from p-a, week 5 (26/10-1/11) from cd-a1.
    assert weeks == {
        "quan": (0, 3, 5),
        "p-a": (2, 3, 5),
        "cd-a1": (1, 1, 5),
        "p-b": (0, 0, 5),
        "khac": (0, 0, 5),
    }
    assert data.units_without_post == ["Phường B", "Đơn vị khác"]
    assert data.targets == [
        TargetCadence("telegram:-100", 3, 31),
        TargetCadence("zalo:grp", 1, 31),
        TargetCadence("telegram:-200", 1, 31),
    ]
    # 0.5, 2, 2, 3, 4, 6 hours: the middle two are 2 and 3.
    assert data.median_hours_to_decision == pytest.approx(2.5)
    assert data.top_members == [
        Ranked("Lan <b>&", "Phường A", 2, 3),
        Ranked("Minh", "Chi đoàn A1", 1, 2),
    ]
    assert data.top_units == [Ranked("Phường A", "", 2, 3), Ranked("Chi đoàn A1", "", 1, 2)]
    assert data.themes == [("Chủ đề chung", 6), ("Nhà giáo trẻ", 1)]
    assert (data.weeks, data.days, data.unit_filter) == (5, 31, None)


async def test_one_unit_and_its_subtree(sessions: async_sessionmaker[AsyncSession]) -> None:
    data = await build(sessions, "thang 10/2026 donvi phuong a")
    assert data.unit_filter == "Phường A"
    assert [(row.code, row.depth) for row in data.units] == [("p-a", 0), ("cd-a1", 1)]
    assert (data.totals["submitted"], data.totals["approved"], data.totals["waiting"]) == (5, 4, 2)
    assert data.units[0].total_published == 3
    assert [t.days_with_tin_tot for t in data.targets] == [2, 1, 1]  # without khac's post
    assert data.median_hours_to_decision == pytest.approx(3.5)  # 2, 3, 4, 6
    assert [m.name for m in data.top_members] == ["Lan <b>&", "Minh"]


async def test_other_periods(sessions: async_sessionmaker[AsyncSession]) -> None:
    # An odd count: 2, 4 and 0.5 hours.
    assert (await build(sessions, "tu 02/10/2026 den 10/10/2026")).median_hours_to_decision == 2
    november = await build(sessions, "thang 11/2026")
    assert (november.totals["published"], november.totals["rejected"]) == (1, 1)
    assert november.totals["waiting"] == 3  # p-a's two and cd-a1's of 3 November
    assert november.median_hours_to_decision == 72  # the one rejected on 2 November
    empty = await build(sessions, "nam 2025")
    assert empty.median_hours_to_decision is None and empty.top_members == []
    assert empty.totals["submitted"] == 0 and len(empty.units_without_post) == 5
    # A unit gone from the organisation file is left out when it has no figures.
    assert "cu" not in [row.code for row in empty.units]


# -- the command -----------------------------------------------------------------------------


async def fake_files(data: ReportData) -> tuple[FileOut, ...]:
    return (FileOut(f"{data.period.start:%Y%m}.xlsx", b"xlsx"),)


def routers() -> list[Router]:
    """Every feature's router, /report's with its files made by a stand-in."""
    others = [router for router in wiring.get_routers() if router is not report.router]
    return [*others, report.make_router(fake_files)]


async def ask(
    factory: async_sessionmaker[AsyncSession], user: str, args: str, deps: Deps = DEPS
) -> list[tuple[str, str, tuple[FileOut, ...]]]:
    event = Inbound(
        platform="zalo",
        update_key=f"report:{next(counter)}",
        user_id=user,
        chat_id=user,
        command="report",
        args=args,
    )
    replies = await wiring.build_core(factory, deps, routers=routers()).handle(event)
    return [(render(r.say, "html"), render(r.say, "plain"), r.files) for r in replies]


async def test_report_command(sessions: async_sessionmaker[AsyncSession]) -> None:
    [(html, plain, files)] = await ask(sessions, "admin", "Tháng 10/2026")
    assert files == (FileOut("202610.xlsx", b"xlsx"),)
    assert "<b>Báo cáo tháng 10/2026</b>" in html
    assert "Gửi 7 · duyệt 5 · đăng 3" in plain
    assert "Từ chối 1 · đang chờ 2" in plain
    assert "(trung vị): 2,5 giờ" in plain
    assert "Quận đoàn: 3/5 tuần, 3 tin" in plain
    assert "Phường B, Đơn vị khác" in plain
    assert "telegram:-100: 3/31 ngày" in plain
    assert "1. Lan &lt;b&gt;&amp; (Phường A): 2 tin đăng" in html
    assert "1. Lan <b>& (Phường A): 2 tin đăng" in plain
    assert "Chủ đề chung: 6" in plain
    assert "Lập lúc 09:00 17/11/2026." in plain
    [(_, unit_plain, _)] = await ask(sessions, "admin", "thang 10/2026 donvi cd-a1")
    assert "đơn vị Chi đoàn A1" in unit_plain and "Gửi 2 · duyệt 2 · đăng 1" in unit_plain


async def test_report_usage_and_refusals(sessions: async_sessionmaker[AsyncSession]) -> None:
    [(html, plain, files)] = await ask(sessions, "admin", "thang 13/2026 <b>")
    assert "Chưa đọc được khoảng thời gian “thang 13/2026 &lt;b&gt;”" in html
    assert "/report tu 01/09/2026 den 30/09/2026" in plain and files == ()
    [(_, plain, _)] = await ask(sessions, "admin", "donvi doan")
    assert "Có nhiều đơn vị khớp với “doan”: Quận đoàn, Chi đoàn A1" in plain
    [(_, plain, _)] = await ask(sessions, "admin", "thang donvi phuong z")
    assert "Không tìm thấy đơn vị “phuong z”" in plain
    [(_, member, files)] = await ask(sessions, "someone", "thang")
    assert "chỉ dành cho quản trị viên" in member and files == ()
    [(_, editor, _)] = await ask(sessions, "editor", "thang")
    assert "chỉ dành cho quản trị viên" in editor
    allowing = ORG.model_copy(update={"reports": orgfile.Reports(editors_allowed=True)})
    [(_, editor, files)] = await ask(sessions, "editor", "", replace(DEPS, org=allowing))
    assert "Báo cáo tháng 11/2026" in editor and files
