"""Issue 24 as stories: a unit's secretary sees their own units; an event's report counts its
items and no others; an editor corrects an item's theme and events and the report follows; a
Red Cross item posts with its branch's hashtag; participation with and without a headcount;
the members' sheet with an erased member. SQLite and PostgreSQL (the db_url fixture)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import aiohttp
import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]
from sqlmodel import col, select

from bot.web.board import data as board_data
from handlers import branches
from handlers.desk import cards
from handlers.engine.texts import render
from handlers.org import load_org
from handlers.reports import report_files
from handlers.reports.secretary import board_scope
from storage import units
from storage.db import make_engine, make_sessions, migrate
from storage.models import Audit, Member, Outbox, Submission, UnitBase
from tests.harness import ADMIN, CHANNEL, ED1, Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.support.board import link_from_bot, sign_in
from tests.support.cli import ROOT, main_in_process, run_bot
from tests.support.figures import DEPS, Desk, October, add_contacts, fill, table
from tests.support.flows import card, press, submit_raw


@pytest.fixture
async def october(db_url: str) -> AsyncIterator[tuple[Desk, October]]:
    engine = make_engine(db_url)
    await migrate(engine)
    sessions = make_sessions(engine)
    async with sessions() as session, session.begin():
        made = await fill(session)
        await add_contacts(
            session,
            [("p-a", "zalo:bithu-a"), ("cd-a1", "zalo:bithu-2"), ("khac", "zalo:bithu-2")],
        )
    yield Desk(sessions), made
    await engine.dispose()


def codes(desk: Desk) -> list[tuple[str, int]]:
    return [(row.code, row.depth) for row in desk.reports[-1].units]


async def test_a_secretary_sees_their_units_only(october: tuple[Desk, October]) -> None:
    desk, _ = october
    answer = await desk.one("bithu-a", "report", "thang 10/2026")
    assert "đơn vị Phường A và các đơn vị trực thuộc" in answer
    assert codes(desk) == [("p-a", 0), ("cd-a1", 1)]
    # Lan's two, Minh's one and the erased member's two; nothing of Hoa's (another unit).
    assert desk.reports[-1].totals["submitted"] == 5
    assert desk.reports[-1].totals["published"] == 3
    # Every period form, one unit of their own included; another unit's is not found.
    await desk.one("bithu-a", "report", "tuan 05/10/2026 donvi cd-a1")
    assert codes(desk) == [("cd-a1", 0)] and desk.reports[-1].totals["submitted"] == 1
    assert "Không tìm thấy đơn vị" in await desk.one("bithu-a", "report", "thang donvi khac")
    # A contact of two units sees both, as two trees.
    await desk.one("bithu-2", "report", "thang 10/2026")
    assert codes(desk) == [("cd-a1", 0), ("khac", 0)]
    assert desk.reports[-1].totals["submitted"] == 2
    # Anyone else without a role is refused as before.
    refused = await desk.one("nguoi-la", "report", "thang 10/2026")
    assert "chỉ dành cho quản trị viên" in refused and len(desk.reports) == 3
    # Their board: the same subtrees, the waiting queue of their units only.
    async with desk.sessions() as session:
        scope = await board_scope(session, DEPS, "zalo:bithu-a")
        assert scope == ("secretary", ["p-a"])
        assert await board_scope(session, DEPS, "zalo:nguoi-la") is None
        board = await board_data.load(session, DEPS, roots=scope[1])
        whole = await board_data.load(session, DEPS)
    assert [cell.row.code for cell in board.tree] == ["p-a"]
    assert [child.row.code for child in board.tree[0].children] == ["cd-a1"]
    assert {w.unit for w in board.queue} == {"Phường A", "Chi đoàn A1"}
    assert len(whole.tree) > len(board.tree)


async def test_an_event_counts_its_items_and_no_others(october: tuple[Desk, October]) -> None:
    desk, _ = october
    answer = await desk.one("admin", "report", "dot dot-a 2026")
    assert "Báo cáo đợt Đợt A (01/10/2026–15/10/2026)" in answer
    assert "Đợt Đợt A · áp dụng cho Phường A · #dota" in answer
    data = desk.reports[-1]
    assert [(r.code, r.submitted, r.published) for r in data.units] == [
        ("p-a", 3, 1 + 1),
        ("cd-a1", 1, 0),
    ]
    assert data.totals["submitted"] == 4  # not Hoa's (her unit), not Lan's of 20/10
    # Tết Nhân ái has the Red Cross chapter's one item; an unknown key gets the list.
    await desk.one("bithu-a", "report", "dot nhan-ai")
    assert desk.reports[-1].totals["submitted"] == 0  # a secretary of p-a: not their units
    await desk.one("admin", "report", "dot nhan-ai")
    assert desk.reports[-1].totals["submitted"] == 1
    assert [r.code for r in desk.reports[-1].units] == ["ctd", "ctd-1"]
    unknown = await desk.one("admin", "report", "dot khong-co")
    assert "Không có đợt/sự kiện nào mã “khong-co”" in unknown and "dot-a" in unknown
    # The year's workbook: a sheet per event of 2026.
    await desk.one("admin", "report", "nam 2026")
    year = desk.reports[-1]
    assert [e.event.key for e in year.event_reports if e.event] == ["dot-a", "nhan-ai", "cuoi-nam"]
    book = load_workbook(BytesIO(report_files.workbook(year)))
    assert book.sheetnames[-3:] == ["Đợt Đợt A", "Đợt Tết Nhân ái", "Đợt Cuối năm"]
    assert book["Đợt Đợt A"]["A2"].value.endswith("đợt Đợt A (01/10/2026–15/10/2026)")


async def test_an_editor_corrects_theme_and_events_and_the_report_follows(
    october: tuple[Desk, October],
) -> None:
    desk, made = october
    first, hoas = made.items[0], made.items[2]
    await desk.one("admin", "report", "thang 10/2026")
    assert desk.reports[-1].themes == [("Chủ đề chung", 7)]
    refused = await desk.one("lan", "suachude", f"{first} nhagiao")
    assert "ban biên tập" in refused
    done = await desk.one("editor", "suachude", f"{first} nhagiao dot -")
    assert "Đã sửa chủ đề và đợt của tin" in done and "chủ đề Nhà giáo trẻ" in done
    assert "không thuộc đợt nào" in done
    done = await desk.one("editor", "suachude", f"{hoas} dot dot-a")
    assert "Đợt/sự kiện: Đợt A" in done
    bad = await desk.one("editor", "suachude", f"{hoas} dot khong-co")
    assert "Không có chủ đề hay đợt nào mã khong-co" in bad
    await desk.one("admin", "report", "thang 10/2026")
    assert desk.reports[-1].themes == [("Chủ đề chung", 6), ("Nhà giáo trẻ", 1)]
    await desk.one("admin", "report", "dot dot-a 2026")
    event = desk.reports[-1]
    assert event.totals["submitted"] == 4  # Lan's first left it, Hoa's joined it
    assert event.totals["published"] == 2  # the erased member's and Hoa's
    assert {r.code: r.submitted for r in event.units} == {"p-a": 2, "cd-a1": 1}
    async with desk.sessions() as session:
        audit = (await session.exec(select(Audit).order_by(col(Audit.id)))).all()
        notices = (await session.exec(select(Outbox))).all()
    assert [(a.action, a.submission_id) for a in audit] == [
        ("theme_set", first),
        ("events_set", first),
        ("events_set", hoas),
    ]
    assert all(a.actor == "zalo:editor" for a in audit)
    # The member is not asked anything: no notice went to anyone for it.
    assert [n for n in notices if n.kind == "notice"] == []


async def test_a_red_cross_item_posts_with_its_branch_hashtag(
    october: tuple[Desk, October],
) -> None:
    desk, made = october
    async with desk.sessions() as session:
        red_cross = await session.get(Submission, made.items[4])
        youth = await session.get(Submission, made.items[0])
        assert red_cross is not None and youth is not None
        red_post = render(await cards.post_say(session, red_cross, DEPS), "plain")
        youth_post = render(await cards.post_say(session, youth, DEPS), "plain")
    assert red_post.rstrip().endswith("#moingay1tintot #chuthapdothu #tetnhanai")
    assert "#tuoitrethu" not in red_post and "— Chi hội 1, Hội CTĐ" in red_post
    assert youth_post.rstrip().endswith("#moingay1tintot #tuoitrethu #dota")
    assert "#chuthapdothu" not in youth_post and "— Phường A\n" in youth_post


async def test_participation_with_and_without_a_headcount(october: tuple[Desk, October]) -> None:
    desk, _ = october
    answer = await desk.one("admin", "report", "thang 10/2026")
    shares = {p.code: (p.senders, p.members) for p in desk.reports[-1].participation}
    # Lan and the erased member sent for Phường A (4 members); Hoa for a unit with no count.
    assert shares["p-a"] == (2, 4) and shares["khac"] == (1, None)
    assert shares["quan"] == (0, 10) and shares["cd-a1"] == (1, None)
    assert "Đoàn viên tham gia (chỉ tiêu 50%)" in answer
    section = answer.split("Đoàn viên tham gia")[1].split("\n\n")[0].splitlines()[1:]
    # Units with no headcount have no share to show in the chat (the workbook lists them).
    assert section == ["• Quận đoàn: 0/10 (0%) ⬜", "  • Phường A: 2/4 (50%) ✅"]
    refused = await desk.one("editor", "donvi", "sodoanvien khac 4")
    assert "chỉ dành cho quản trị viên" in refused
    done = await desk.one("admin", "donvi", "sodoanvien khac 4")
    assert "Đã đặt số đoàn viên của khac: 4" in done
    answer = await desk.one("admin", "report", "thang 10/2026")
    assert "\n• Đơn vị khác: 1/4 (25%) ⬜\n" in answer
    book = load_workbook(BytesIO(report_files.workbook(desk.reports[-1])))
    sheet = book["Tham gia"]
    rows = {r[1]: r[2:] for r in table(sheet, "Đơn vị")}
    assert rows["khac"] == (1, 4, 0.25, 0.5) and rows["cd-a1"] == (1, None, None, 0.5)
    assert "Đã bỏ số đoàn viên" in await desk.one("admin", "donvi", "sodoanvien khac -")
    await desk.one("admin", "report", "thang 10/2026")
    assert {p.code: p.members for p in desk.reports[-1].participation}["khac"] is None


async def test_every_member_tallied_an_erased_one_too(october: tuple[Desk, October]) -> None:
    desk, _ = october
    answer = await desk.one("admin", "report", "thang 10/2026")
    data = desk.reports[-1]
    tally = [
        (
            m.name,
            m.unit,
            m.submitted,
            m.published_tin_tot,
            m.published_cau_chuyen_dep,
            m.weeks_with_post,
        )
        for m in data.member_tally
    ]
    assert tally == [
        ("Lan", "Phường A", 2, 1, 1, 2),
        ("(đã xóa)", "Phường A", 2, 1, 0, 1),
        ("Hoa", "Đơn vị khác", 1, 1, 0, 1),
        ("Mai", "Chi hội 1", 1, 1, 0, 1),
        ("Minh", "Chi đoàn A1", 1, 0, 0, 0),
    ]
    # The chat keeps its top five, without the erased member.
    assert "(đã xóa)" not in answer and "1. Lan (Phường A): 2 tin đăng" in answer
    book = load_workbook(BytesIO(report_files.workbook(data)))
    sheet = book["Đoàn viên"]
    rows = table(sheet, "STT")
    assert rows[1] == (2, "(đã xóa)", "Phường A", 2, 1, 0, 1)
    assert len(rows) == 5


def test_org_file_dates_and_branches() -> None:
    org = load_org(Path(__file__).resolve().parents[1] / "config" / "org.example.toml")
    tet = org.event("tet-nhan-ai")
    month = org.event("thang-nhan-dao")
    assert tet is not None and month is not None
    assert tet.contains(date(2027, 1, 20)) and not tet.contains(date(2027, 12, 20))
    assert month.in_year(2027) == (date(2027, 5, 1), date(2027, 5, 31))
    chain = ["ctd-anlac", "ctd-binhtan"]
    tags = branches.hashtags(org, "cau_chuyen_dep", chain, [month])
    assert tags == ["#moituan1cauchuyendep", "#chuthapdobinhtan", "#thangnhandao"]
    assert branches.hashtags(org, "tin_tot", ["p-anlac", "qd-binhtan"], []) == [
        "#moingay1tintot",
        "#tuoitrebinhtan",
    ]
    assert branches.signature(org, chain) == "Hội Chữ thập đỏ quận Bình Tân"
    with pytest.raises(ValueError, match="range_forms"):
        type(tet).model_validate({"key": "x", "title": "Xx", "start": "01/01", "end": "02/01/2027"})


async def test_an_editor_corrects_the_theme_from_the_card_and_the_post_follows(
    desk: Harness, fake: FakeTelegram
) -> None:
    await submit_raw(desk.member(1001), fake)
    shown = await card(fake)
    assert "Nhà giáo trẻ" in (shown.plain or "")  # the calendar's theme on 17/11
    before = len(fake.messages(1001))
    mark = fake.mark()
    press(fake, ED1, "Chủ đề")
    listing = await card(fake, after=mark)
    labels = [label for row in listing.buttons for label, _ in row]
    assert "✅ Nhà giáo trẻ" in labels and "⬜ Tháng Nhân đạo" in labels
    mark = fake.mark()
    press(fake, ED1, "Anh bộ đội Cụ Hồ")
    listing = await card(fake, after=mark)
    assert "✅ Anh bộ đội Cụ Hồ" in [label for row in listing.buttons for label, _ in row]
    mark = fake.mark()
    press(fake, ED1, "Tháng Nhân đạo")
    listing = await card(fake, after=mark)
    assert "☑️ Tháng Nhân đạo" in [label for row in listing.buttons for label, _ in row]
    mark = fake.mark()
    press(fake, ED1, "Quay lại")
    back = await card(fake, after=mark)
    assert "Anh bộ đội Cụ Hồ" in (back.plain or "")
    assert "✅ Duyệt" in [label for row in back.buttons for label, _ in row]
    press(fake, ED1, "Duyệt")
    post = await fake.wait_for(CHANNEL, "#moingay1tintot")
    assert "Anh bộ đội Cụ Hồ" in (post.plain or "") and "#thangnhandao" in (post.plain or "")
    [sub] = await desk.submissions()
    assert (sub.theme_key, sub.events) == ("bo-doi-cu-ho", ",thang-nhan-dao,")
    assert desk.app is not None
    async with desk.app.sessions() as session:
        actions = (await session.exec(select(Audit.action).order_by(col(Audit.id)))).all()
    assert actions[:2] == ["theme_set", "events_set"]
    # The member heard only of the approval and publication, nothing of the correction.
    await fake.wait_for(1001, "đã được đăng")
    told = [s.plain or "" for s in fake.messages(1001)[before:]]
    assert told and all("được ban biên tập duyệt" in t or "đã được đăng" in t for t in told)


def test_an_event_report_from_the_shell(tmp_path: Path) -> None:
    """``python -m bot report --event``: the example file's Tháng Nhân đạo of the Red Cross."""
    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    asyncio.run(_red_cross_may(url))
    xlsx = tmp_path / "dot.xlsx"
    args = ["report", "--event", "thang-nhan-dao", "--year", "2026", "--xlsx", str(xlsx)]
    made = run_bot({"DATABASE_URL": url}, *args)
    assert made.returncode == 0, made.stderr
    assert "Báo cáo đợt Tháng Nhân đạo (01/05/2026–31/05/2026)" in made.stdout
    assert "Gửi 1 · duyệt 0 · đăng 0" in made.stdout  # the Youth Union's item is not counted
    book = load_workbook(xlsx)
    assert [row[1] for row in table(book["Theo đơn vị"], "Đơn vị")] == [
        "ctd-binhtan",
        "ctd-anlac",
    ]
    code, _, err = main_in_process({"DATABASE_URL": url}, "report", "--event", "khong-co")
    assert code == 2 and "tet-nhan-ai, thang-nhan-dao" in err


async def _red_cross_may(url: str) -> None:
    org = load_org(ROOT / "config" / "org.example.toml")
    engine = make_engine(url)
    await migrate(engine)
    async with make_sessions(engine)() as session, session.begin():
        await units.sync(
            session,
            units=[UnitBase(code=u.code, name=u.name, parent_code=u.parent) for u in org.units],
        )
        member = Member(platform="zalo", platform_user_id="m", chat_id="m", unit_code="ctd-anlac")
        session.add(member)
        await session.flush()
        for unit_code in ("ctd-anlac", "p-anlac"):
            sent = datetime(2026, 5, 10, 3, tzinfo=UTC)
            session.add(
                Submission(
                    member_id=member.id or 0,
                    kind="tin_tot",
                    unit_code=unit_code,
                    status="pending",
                    submitted_at=sent,
                )
            )
    await engine.dispose()


async def test_a_secretarys_board_shows_their_subtree(board: tuple[Harness, str]) -> None:
    harness, base = board
    admin = harness.member(ADMIN, name="Quản trị")
    await admin.send("/lienhe p-anlac them telegram:501", "Đã thêm telegram:501")
    link = await link_from_bot(harness, 501)
    jar = aiohttp.CookieJar(unsafe=True)
    timeout = aiohttp.ClientTimeout(10)
    async with aiohttp.ClientSession(cookie_jar=jar, timeout=timeout) as web:
        status, page = await sign_in(web, link)
        assert status == 200 and "bí thư, người liên hệ của đơn vị" in page
        assert "Đoàn phường An Lạc" in page and "Chi đoàn Khu phố 3, phường An Lạc" in page
        assert "Bình Hưng Hòa" not in page and "Hội Chữ thập đỏ" not in page
        assert 'action="/quantri/lienhe"' not in page  # the contacts form is the admins'
        async with web.get(f"{base}/quantri/tep", params={"ky": "thang"}) as own:
            assert own.status == 200
            book = load_workbook(BytesIO(await own.read()))
        codes = [row[1] for row in table(book["Theo đơn vị"], "Đơn vị")]
        assert codes == ["p-anlac", "cd-kp3-anlac"]
        async with web.get(f"{base}/quantri/tep", params={"ky": "thang donvi p-bhh"}) as other:
            assert other.status == 400
    # Someone who is no unit's contact still gets no link.
    sent = await harness.member(1201).send("/web", "chỉ dành cho ban biên tập")
    assert "quantri" not in (sent.plain or "")
