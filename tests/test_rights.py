"""A member's rights end to end: /rut withdraws a waiting item (and nothing else), /xoadulieu
forgets the member after two presses while the reports count as before, and the server's
``forget`` does the same; on Telegram and on Zalo."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from bot.cli import tasks
from bot.settings import Settings
from handlers.engine.texts import Markup_, render
from handlers.engine.types import Say
from handlers.reports.periods import parse_period
from handlers.reports.report import build_report
from handlers.reports.report_data import ReportData
from storage import outbox, reports
from storage.db import make_engine, make_sessions, migrate
from storage.models import Audit, Inbox, Media, Member, Outbox, OutboxKind, Status, Submission
from storage.rights import Erased
from tests.harness import CHANNEL, ED1, EDITORS, ORG, ZALO_EDITOR, Chat, Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.zalo.fake_zalo import FakeZalo
from tests.support.cli import main_in_process, run_bot
from tests.support.flows import (
    ARTICLE,
    ZaloChat,
    card,
    press,
    send_article,
    submit,
    submit_raw,
    zalo_article,
)


async def another(member: Chat, answers: list[str]) -> None:
    """One more raw item from a member already registered."""
    await member.send("/gui", "Bạn muốn gửi gì")
    await member.press("Tin tốt", "Bước 2")
    await member.press("Thông tin thô", "Thời gian")
    await member.raw_answers(answers[:4])
    await member.send(answers[4], "Ảnh")
    await member.press("Bỏ qua", "Xem lại")
    await member.press("Gửi", "Đã gửi")


async def rows(bot: Harness, model: Any, *where: Any) -> list[Any]:
    assert bot.app is not None
    async with bot.app.sessions() as session:
        return list((await session.exec(select(model).where(*where))).all())


async def figures(bot: Harness) -> tuple[Any, ...]:
    """This year's report, without the names: what must not change when someone is erased,
    and the named ranking of members (which no longer names an erased one)."""
    assert bot.app is not None
    deps = bot.app.core.deps
    today = datetime.now(UTC).astimezone(deps.tz).date()
    period, _ = parse_period(f"nam {today.year}", today=today, tz=deps.tz)
    async with bot.app.sessions() as session:
        data: ReportData = await build_report(session, deps=deps, period=period, unit=None)
    ranked = [(r.name, r.published, r.submitted) for r in data.top_members]
    return (data.units, data.totals, data.targets, data.themes, data.top_units), ranked


async def test_withdraw_only_ones_own_waiting_item(desk: Harness, fake: FakeTelegram) -> None:
    lan = desk.member(1301, "Lan")
    await submit_raw(lan, fake)
    shown = await card(fake)
    usage = await lan.send("/rut", "Để rút một tin")
    assert "#1" in (usage.plain or "") and "đang chờ duyệt" in (usage.plain or "")
    await lan.send("/rut abc", "không phải số của một tin")
    stranger = await desk.member(1302, "Minh").send("/rut 1", "Không thấy tin")
    unknown = await lan.send("/rut 99", "Không thấy tin")
    assert stranger.plain == (unknown.plain or "").replace("#99", "#1")  # nothing leaks

    mark = fake.mark()
    await lan.send("/rut #1", "Đã rút tin #1")
    edited = await card(fake, "Thành viên đã rút bài", after=mark)
    assert edited.message_id == shown.message_id and not edited.buttons
    # A late press on the old card decides nothing.
    fake.push_callback(ED1, shown.message_id, "card:approve:1", chat_id=EDITORS)
    await fake.idle()
    alert = fake.callback_answers[-1]
    assert "đã rút lại" in str(alert.get("text")) and "Lan" in str(alert.get("text"))
    await lan.send("/rut 1", "đã được rút trước đó")
    listing = await lan.send("/cuatoi", "Các tin bạn đã gửi")
    assert "đã rút lại" in (listing.plain or "")

    [sub] = await desk.submissions()
    assert sub.status == Status.WITHDRAWN and sub.decided_by == "telegram:1301"
    [audit] = await rows(desk, Audit, col(Audit.action) == "withdraw")
    assert audit.actor == "telegram:1301" and audit.submission_id == 1
    assert not await rows(desk, Outbox, col(Outbox.kind) == "post")
    assert desk.app is not None
    async with desk.app.sessions() as session:
        start, end = datetime(2000, 1, 1, tzinfo=UTC), datetime.now(UTC)
        assert await reports.submitted(session, start=start, end=end, units=None) == []
        assert await reports.waiting(session, end=end, units=None) == []  # nor waiting


async def test_a_decided_item_cannot_be_withdrawn(desk: Harness, fake: FakeTelegram) -> None:
    lan = desk.member(1303, "Lan")
    await submit_raw(lan, fake)
    await card(fake)
    press(fake, ED1, "Duyệt")
    await fake.wait_for(CHANNEL, "#moingay1tintot")
    await fake.wait_for(1303, "đã được đăng")
    answer = await lan.send("/rut 1", "không rút được")
    assert "đã đăng" in (answer.plain or "")
    [sub] = await desk.submissions()
    assert sub.status == Status.PUBLISHED


async def test_withdrawing_a_story_others_joined_gives_them_back(
    desk: Harness, fake: FakeTelegram
) -> None:
    lan = desk.member(1321, "Lan")
    await send_article(lan, ARTICLE, "Cảm phục thầy.")
    await card(fake, "Cảm phục thầy")
    mark = fake.mark()
    await send_article(desk.member(1322, "Minh"), ARTICLE, "Xin chia sẻ.", "Đoàn phường Tân Tạo")
    await card(fake, "có thể trùng với #1", after=mark)
    press(fake, ED1, "Gộp vào #1")
    await fake.wait_for(1322, "gộp hai tin làm một")
    mark = fake.mark()
    await lan.send("/rut 1", "Đã rút tin #1")
    again = await card(fake, "Xin chia sẻ", after=mark)  # #2 waits again, on a new card
    assert [label for row in again.buttons for label, _ in row][:2] == ["✅ Duyệt", "❌ Từ chối"]
    first, second = await desk.submissions()
    assert (first.status, second.status, second.merged_into) == ("withdrawn", "pending", None)


async def test_withdraw_on_zalo_in_the_middle_of_a_supplement(
    both: Harness, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    editor = ZaloChat(zalo, ZALO_EDITOR, "Biên tập Zalo")
    await editor.send("/start", "Chọn đơn vị")
    member = ZaloChat(zalo, "zu-1301")
    await submit(member, zalo)
    await fake.wait_for(EDITORS, "Chờ duyệt")
    await editor.send("/bosung 1 dia diem: Ghi rõ số nhà", "Người gửi đã được báo")
    await zalo.wait_for("zu-1301", "cần bạn bổ sung")
    await member.send("1", "Địa điểm")  # supplementing #1
    await member.send("/rut 1", "Đã rút tin #1")
    idle = await member.send("Số 12 đường số 7", "/gui")  # the flow is over: not an answer
    assert "Số 12" not in (idle.text or "")
    [sub] = await both.submissions()
    row = await both.member_row_platform("zalo", "zu-1301")
    assert sub.status == Status.WITHDRAWN and sub.dia_diem == "Nhà văn hóa"
    assert (row.step, row.draft_id) == ("idle", None)
    late = await editor.send("/duyet 1", "xử lý trước")
    assert "đã rút lại" in (late.text or "") and "Hà" in (late.text or "")
    await fake.wait_for(EDITORS, "Thành viên đã rút bài")


async def test_forget_twice_confirmed_on_telegram(desk: Harness, fake: FakeTelegram) -> None:
    lan = desk.member(1311, "Lan Nguyễn", "lan_dv")
    await submit_raw(lan, fake, ["Sáng 15/11", "Nhà văn hóa", "Cô Hoa", "Dạy học", "Lan tỏa"])
    await card(fake)
    press(fake, ED1, "Duyệt")  # #1: published, stays as it is
    await fake.wait_for(1311, "đã được đăng")
    mark = fake.mark()
    await another(lan, ["Chiều 16/11", "Chợ An Lạc", "Anh Tư", "Nhặt được ví", "Trả lại"])
    rejected_card = await card(fake, "Anh Tư", after=mark)
    press(fake, ED1, "Từ chối")
    await fake.idle()
    press(fake, ED1, "Trùng lặp")  # #2: rejected, never public: its text goes
    await fake.wait_for(1311, "chưa được duyệt")
    await lan.send("/gui", "Bạn muốn gửi gì")
    await lan.press("Tin tốt", "Bước 2")  # #3: a draft, deleted
    before = await figures(desk)

    first = await lan.send("/xoadulieu", "Xóa dữ liệu cá nhân")
    await lan.press("Thôi", "vẫn được giữ nguyên")
    await fake.wait_for(1311, "Thông tin thô")  # and the draft's question again
    fake.push_callback(1311, first.message_id, "forget:0:yes")  # "yes" without "go" first
    await fake.idle()
    assert "hết hạn" in str(fake.callback_answers[-1].get("text"))
    assert (await desk.member_row(1311)).erased_at is None
    await lan.send("/xoadulieu", "Bot giữ lại")
    await lan.press("Tiếp tục", "Xác nhận lần cuối")
    mark = fake.mark()
    done = await lan.press("Xóa vĩnh viễn", "Đã xóa dữ liệu cá nhân")
    assert "1 tin đã đăng vẫn ở trên kênh" in (done.plain or "")

    [member] = await rows(desk, Member, col(Member.erased_at).is_not(None))
    assert (member.display_name, member.username, member.chat_id) == ("", None, "")
    assert member.platform_user_id == f"erased:{member.id}" and member.draft_id is None
    subs = {sub.id: sub for sub in await desk.submissions()}
    assert list(subs) == [1, 2]  # the draft is gone
    assert subs[1].nhan_vat == "Cô Hoa" and subs[1].status == Status.PUBLISHED
    assert subs[2].nhan_vat is None and subs[2].status == Status.REJECTED
    assert subs[2].unit_code == "p-anlac" and subs[2].reject_reason == "Trùng lặp với tin đã có"
    assert not await rows(desk, Outbox, col(Outbox.chat_id) == "1311")
    edited = await card(fake, "đã xóa dữ liệu cá nhân", after=mark)
    assert edited.message_id == rejected_card.message_id and "Anh Tư" not in (edited.plain or "")
    assert "tg://user?id=1311" not in (edited.text or "") and "Từ chối" in (edited.plain or "")
    counts, ranked = await figures(desk)
    assert counts == before[0]  # the reports count as before
    assert before[1] and before[1][0][0] == "Lan Nguyễn" and ranked == []  # not named any more

    await lan.send("/start", "Chọn đơn vị")  # a stranger now: a new member
    fresh = await desk.member_row(1311)
    assert fresh.id != member.id and (fresh.display_name, fresh.unit_code) == ("Lan Nguyễn", None)


async def test_forget_on_zalo_by_numbers(both: Harness, fake: FakeTelegram, zalo: FakeZalo) -> None:
    member = ZaloChat(zalo, "zu-1311")
    await submit(member, zalo)
    await fake.wait_for(EDITORS, "Chờ duyệt")
    ask = await member.send("/xoadulieu", "1. ➡️ Tiếp tục")
    assert "<b>" not in (ask.text or "")
    await member.send("2", "vẫn được giữ nguyên")  # 2. Thôi
    await member.send("/xoadulieu", "Tiếp tục")
    await member.send("1", "2. ↩️ Thôi")  # the final question
    done = await member.send("1", "Đã xóa dữ liệu cá nhân")
    assert "Đã rút 1 tin đang chờ duyệt" in (done.text or "")
    [sub] = await both.submissions()
    assert sub.status == Status.WITHDRAWN and sub.y_nghia is None
    assert not await rows(both, Media)  # never published: the photo reference goes
    [gone] = await rows(both, Member, col(Member.erased_at).is_not(None))
    assert gone.platform == "zalo" and gone.platform_user_id == f"erased:{gone.id}"
    assert not await rows(both, Inbox, col(Inbox.sender) == "zalo:zu-1311")  # updates stored
    await fake.wait_for(EDITORS, "Thành viên đã rút bài")


async def test_erasure_removes_stored_messages_and_notices(db_url: str) -> None:
    """The rows a chat test cannot see: the stored updates, the notices to their chat."""
    settings = Settings(_env_file=None, database_url=db_url, org_config=ORG)
    engine = make_engine(db_url)
    await migrate(engine)
    sessions = make_sessions(engine)
    try:
        async with sessions() as session, session.begin():
            member = Member(
                platform="zalo", platform_user_id="zu-9", chat_id="zu-9", display_name="Hà"
            )
            other = Member(platform="zalo", platform_user_id="zu-8", chat_id="zu-8")
            session.add_all([member, other])
            await session.flush()
            for n, (sender, handled) in enumerate(
                [("zalo:zu-9", True), ("zalo:zu-9", False), ("zalo:zu-8", True)]
            ):
                session.add(
                    Inbox(
                        key=f"zalo:{n}",
                        platform="zalo",
                        sender=sender,
                        payload={"text": "Hà"},
                        handled_at=datetime.now(UTC) if handled else None,
                    )
                )
            for key, chat in (("a", "zu-9"), ("b", "zu-9"), ("c", "zu-8")):
                await outbox.enqueue(
                    session,
                    key=key,
                    kind=OutboxKind.NOTICE,
                    platform="zalo",
                    chat_id=chat,
                    template="notice/weekly_reminder.j2",
                    context={"name": "Hà"},
                )
        async with sessions() as session, session.begin():
            sent = (await session.exec(select(Outbox).where(Outbox.key == "b"))).one()
            await outbox.mark_sent(session, item=sent, message_ids=["m1"], link=None)
        args = argparse.Namespace(command="forget", member="zalo:zu-9")
        assert await tasks.run_task(args, settings) == 0
        async with sessions() as session:
            inbox = (await session.exec(select(Inbox.key).order_by(col(Inbox.key)))).all()
            notices = (await session.exec(select(Outbox).order_by(col(Outbox.key)))).all()
            erased = await session.get(Member, member.id)
            count = (await session.exec(select(func.count()).select_from(Audit))).one()
        assert inbox == ["zalo:1", "zalo:2"]  # an update not yet handled is handled later
        assert [(n.key, n.chat_id, n.context) for n in notices] == [
            ("b", "", {}),
            ("c", "zu-8", {"name": "Hà"}),
        ]
        assert erased is not None and erased.erased_at is not None and count == 1
        args = argparse.Namespace(command="forget", member=f"#{member.id}")
        assert await tasks.run_task(args, settings) == 0  # once is enough: nothing left
    finally:
        await engine.dispose()


def test_forget_from_the_shell(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"

    async def one_member() -> None:
        engine = make_engine(url)
        await migrate(engine)
        async with make_sessions(engine)() as session, session.begin():
            session.add(Member(platform="telegram", platform_user_id="555", chat_id="555"))
        await engine.dispose()

    asyncio.run(one_member())
    env = {"DATABASE_URL": url}
    done = run_bot(env, "forget", "--member", "telegram:555")
    assert done.returncode == 0, done.stderr
    assert "Đã xóa dữ liệu cá nhân của thành viên #1 (telegram:555)" in done.stdout
    # Again, and for an account that is gone: main's answers, in this process.
    code, out, _ = main_in_process(env, "forget", "--member", "#1")
    assert code == 0 and "đã được xóa dữ liệu từ trước" in out
    code, _, err = main_in_process(env, "forget", "--member", "telegram:555")
    assert code == 2 and "Không tìm thấy thành viên" in err and "Traceback" not in err


@pytest.mark.parametrize("markup", ["html", "plain"])
def test_templates_render(markup: Markup_) -> None:
    sent = datetime(2026, 11, 17, 2, tzinfo=UTC)
    subs = [
        Submission(id=n, member_id=1, kind="tin_tot", status=status, submitted_at=sent)
        for n, status in ((5, "pending"), (6, "needs_info"))
    ]
    context = {"outcome": "usage", "typed": "a<b>", "rows": subs, "tz": UTC}
    usage = render(Say("rights/withdraw.j2", context), markup)
    lines = "#5 · Tin tốt · đang chờ duyệt · gửi lúc 02:00 17/11/2026\n#6 · Tin tốt · cần bổ sung"
    assert lines in usage.replace("<b>#", "#").replace("</b> ·", " ·")
    assert ("a&lt;b&gt;" if markup == "html" else "“a<b>”") in usage
    listing = render(Say("my_list.j2", {"rows": subs, "units": {}, "tz": UTC}), markup)
    assert ("/rut &lt;số tin&gt;" if markup == "html" else "/rut <số tin>") in listing
    warning = render(
        Say("notice/draft_purge.j2", {"kind": "cau_chuyen_dep", "day": "24/12/2026"}), markup
    )
    assert "Câu chuyện đẹp" in warning and "24/12/2026" in warning
    erased = Erased(drafts=1, texts=2, media=3, kept=4, messages=5)
    line = render(
        Say(
            "cli/forgotten.j2",
            {
                "member_id": 7,
                "account": "zalo:x",
                "erased": erased,
                "withdrawn": 1,
                "already": False,
            },
        ),
        markup,
    )
    assert "#7 (zalo:x)" in line and "giữ 4 tin đã đăng" in line


async def test_zalo_editors_told_of_a_withdrawal_and_of_what_it_released(
    both: Harness, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    editor = ZaloChat(zalo, ZALO_EDITOR, "Biên tập Zalo")
    await editor.send("/start", "Chọn đơn vị")  # a Zalo bot writes only to those who wrote
    await zalo_article(ZaloChat(zalo, "zu-1401", "Hà"), "2", ARTICLE, "Thầy giáo trẻ đáng quý.")
    await zalo_article(ZaloChat(zalo, "zu-1402", "Bình"), "3", ARTICLE, "Rất cảm phục thầy.")
    await zalo.wait_for(ZALO_EDITOR, "Tin chờ duyệt #2")
    await editor.send("/gop 2", "Đã gộp tin #2 vào #1")
    mark = zalo.mark()
    await ZaloChat(zalo, "zu-1401", "Hà").send("/rut 1", "Đã rút tin #1")
    gone = await zalo.wait_for(ZALO_EDITOR, "đã được thành viên rút lại", after=mark)
    assert "#1" in (gone.text or "") and "/duyet" not in (gone.text or "")
    back = await zalo.wait_for(ZALO_EDITOR, "chờ duyệt riêng trở lại", after=mark)
    assert "#2" in (back.text or "") and "/duyet 2" in (back.text or "")
    await editor.send("/duyet 2", "Người gửi đã được báo")
    await fake.wait_for(CHANNEL, "Rất cảm phục thầy")
