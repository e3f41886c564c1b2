"""A member who writes formulas, or characters no file can hold: the archive export and the
/report workbook keep every cell as text, the CSV neutralises formulas as OWASP advises, JSON
keeps the words verbatim, and the answers that no file could hold are refused politely."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.export import COLUMNS, export
from handlers.org import load_org
from handlers.reports.cell_text import csv_cell
from handlers.reports.periods import parse_period
from handlers.reports.report import build_report
from handlers.reports.report_files import workbook
from storage.db import make_engine, make_sessions, migrate
from storage.models import Member, Status, Submission, Unit
from tests.harness import Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SENT = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)  # the harness's day: 17/11/2026, 09:00 there
ADMIN = 9001
# Each answer field gets one payload; the display name carries a control character too.
PAYLOADS = {
    "thoi_gian": '=HYPERLINK("http://evil.example","Nhận quà")',
    "dia_diem": "=cmd|' /C calc'!A0",
    "nhan_vat": "+1",
    "muc_dich": "-2",
    "y_nghia": "@SUM(A1)",
    "link": "\tTab đầu dòng",
    "cam_nhan": "\r=1+1",
    "post_text": "Bài đăng bình thường",
}
NAME = "=Lan\x01 Anh"
UNIT = "@Chi đoàn\x02 khu phố 3"


async def _hostile(sessions: async_sessionmaker[AsyncSession]) -> None:
    """A published item whose every field, its member's name and its unit's name attack."""
    async with sessions.begin() as session:
        session.add(Unit(code="kp3", name=UNIT, position=99, active=True))
        await session.flush()  # the unit before the member who belongs to it
        member = Member(platform="telegram", platform_user_id="777", chat_id="777")
        member.display_name, member.unit_code = NAME, "kp3"
        session.add(member)
        await session.flush()
        assert member.id is not None
        sub = Submission(kind="tin_tot", path="raw", member_id=member.id, unit_code="kp3")
        for name, value in PAYLOADS.items():
            setattr(sub, name, value)
        sub.status, sub.submitted_at = Status.PUBLISHED, SENT - timedelta(hours=2)
        sub.decided_at = sub.published_at = SENT - timedelta(hours=1)
        session.add(sub)


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(db_url)
    await migrate(engine)
    try:
        yield make_sessions(engine, lambda: SENT)
    finally:
        await engine.dispose()


def test_csv_cells_starting_like_a_formula_get_a_quote() -> None:
    for text in ("=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(text) == "'" + text
    assert csv_cell("Cô Hoa -2") == "Cô Hoa -2" and csv_cell(-2) == -2 and csv_cell(None) is None
    assert csv_cell("\x01=1+1") == "'=1+1"  # a control character hides no formula


async def test_the_export_writes_text_never_a_formula(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await _hostile(sessions)
    org = load_org(ROOT / "config" / "org.example.toml")
    formats: tuple[Literal["xlsx", "csv", "json"], ...] = ("xlsx", "csv", "json")
    files = {fmt: tmp_path / f"kho.{fmt}" for fmt in formats}
    for fmt, out in files.items():
        day = date(2026, 11, 17)
        assert await export(sessions, tz=TZ, org=org, fmt=fmt, start=day, end=day, out=out) == 1

    sheet = load_workbook(files["xlsx"]).active
    header, row = list(sheet.iter_rows(max_row=2))
    assert all(cell.data_type != "f" for cell in (*header, *row))
    xlsx = dict(zip(COLUMNS, (cell.value for cell in row), strict=True))
    # Verbatim, as text; XML reads a carriage return as a line feed, as any line end.
    assert {name: xlsx[name] for name in PAYLOADS} == {
        name: value.replace("\r", "\n") for name, value in PAYLOADS.items()
    }
    assert xlsx["member"] == "=Lan Anh" and xlsx["unit_name"] == "@Chi đoàn khu phố 3"

    with files["csv"].open(encoding="utf-8-sig", newline="") as handle:
        _, values = list(csv.reader(handle))
    cells = dict(zip(COLUMNS, values, strict=True))
    assert cells["thoi_gian"] == "'" + PAYLOADS["thoi_gian"]
    assert cells["cam_nhan"] == "'\r=1+1" and cells["link"] == "'\tTab đầu dòng"
    assert cells["member"] == "'=Lan Anh" and cells["post_text"] == "Bài đăng bình thường"
    assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in values)

    text = files["json"].read_text(encoding="utf-8")
    assert '"member": "=Lan\\u0001 Anh"' in text  # JSON keeps the words verbatim
    assert '"thoi_gian": "=HYPERLINK(\\"http://evil.example\\",\\"Nhận quà\\")"' in text


@pytest.fixture
async def office(db_url: str, fake: FakeTelegram) -> AsyncIterator[Harness]:
    harness = Harness(db_url=db_url, fake=fake, now=SENT, admin_ids=f"telegram:{ADMIN}")
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_the_report_workbook_keeps_names_as_text(office: Harness, fake: FakeTelegram) -> None:
    assert office.app is not None
    await _hostile(office.app.sessions)
    admin = office.member(ADMIN, "Bí thư")
    mark = fake.mark()
    await admin.send("/report thang", "Báo cáo")  # the chat's path: the files are built and sent
    document = await fake.wait_for(ADMIN, after=mark)
    while document.method != "sendDocument":
        document = await fake.wait_for(ADMIN, after=fake.sent.index(document) + 1)

    deps = office.app.core.deps
    period, unit = parse_period("thang", today=date(2026, 11, 17), tz=TZ)
    async with office.app.sessions() as session:
        data = await build_report(session, deps=deps, period=period, unit=unit)
    assert NAME in [member.name for member in data.top_members]
    book = load_workbook(BytesIO(workbook(data)))
    cells: list[Any] = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    values = {cell.value for cell in cells}
    assert "=Lan Anh" in values and "@Chi đoàn khu phố 3" in values


INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200c\u200d",  # ZWNJ, ZWJ
    "\u2060",  # word joiner
    "\ufeff",  # BOM
    "\u3164",  # Hangul filler
    "\u2800",  # braille blank
    "\u00ad \u200b\u3164",  # soft hyphen, a space and more
]


async def test_an_answer_of_invisible_characters_is_empty(bot: Harness) -> None:
    member = bot.member(2101)
    await member.register()
    await member.send("/gui", "Bạn muốn gửi gì")
    await member.press("Tin tốt", "Bước 2")
    await member.press("Thông tin thô", "Thời gian")
    for invisible in INVISIBLE:  # each alone, as the whole answer
        await member.send(invisible, "đang trống")
        assert (await bot.member_row(2101)).step == "thoi_gian", repr(invisible)
    await member.send("Sáng\u200b 15/11", "Địa điểm")  # one among visible words is fine
    [draft] = await bot.submissions()
    assert draft.thoi_gian == "Sáng\u200b 15/11"


async def test_an_answer_no_file_could_hold_is_refused(bot: Harness) -> None:
    member = bot.member(2102)
    await member.register()
    await member.send("/gui", "Bạn muốn gửi gì")
    await member.press("Tin tốt", "Bước 2")
    await member.press("Thông tin thô", "Thời gian")
    for hidden in ("Sáng\x01 15/11", "Sáng 15/11\x0b tại nhà văn hoá", "\x00Sáng"):
        await member.send(hidden, "ký tự điều khiển ẩn")
    assert (await bot.member_row(2102)).step == "thoi_gian"
    [draft] = await bot.submissions()
    assert draft.thoi_gian is None
    await member.send("Sáng 15/11\ttại nhà văn hoá", "Địa điểm")  # a tab is a plain space
