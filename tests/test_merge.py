"""Duplicate stories end to end: the editors' card says which earlier item a new one may
repeat, Gộp merges them, and the story is published once crediting everyone who sent it,
counted in the reports for each member and unit. Telegram buttons, and /gop on Zalo."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from handlers.desk import cards
from handlers.engine.texts import render
from handlers.merging import merge
from handlers.privacy import erasure
from storage import reports
from storage.models import Audit, Member, Outbox, Status, Submission
from tests.conftest import FROZEN
from tests.harness import CHANNEL, ED1, ED2, EDITORS, Harness, settings_for
from tests.platforms.telegram.fake_telegram import FakeTelegram, Sent
from tests.platforms.zalo.fake_zalo import FakeZalo
from tests.support.flows import ARTICLE, ZaloChat, send_article, submit_raw, zalo_article

SCHOOL = "Đoàn trường THPT Bình Tân"


async def on_desk(fake: FakeTelegram, contains: str, after: int = 0) -> Sent:
    return await fake.wait_for(EDITORS, contains, after=after)


def press(fake: FakeTelegram, label: str, user: int = ED1) -> None:
    fake.press(user, label, chat_id=EDITORS)


def labels(sent: Sent) -> list[str]:
    return [label for row in sent.buttons for label, _ in row]


async def two_tellings(desk: Harness, fake: FakeTelegram) -> Sent:
    """Lan (An Lạc) and Minh (a school's union) send the same article; Minh's card."""
    await send_article(desk.member(1001, "Lan"), ARTICLE, "Thầy giáo trẻ thật đáng quý.")
    await on_desk(fake, "Thầy giáo trẻ thật đáng quý")
    mark = fake.mark()
    copied = ARTICLE.replace("https://", "http://www.") + "?utm_source=fb&fbclid=IwAR0"
    await send_article(desk.member(1002, "Minh", "minh_dv"), copied, "Cảm phục thầy.", SCHOOL)
    return await on_desk(fake, "Cảm phục thầy", after=mark)


async def rows(desk: Harness) -> list[Submission]:
    return await desk.submissions()


async def test_same_link_merged_published_once_crediting_both(
    desk: Harness, fake: FakeTelegram
) -> None:
    second = await two_tellings(desk, fake)
    text = second.plain or ""
    assert "⚠️ có thể trùng với #1 (cùng liên kết)" in text
    assert labels(second)[-2:] == ["🔎 Xem #1", "🔗 Gộp vào #1"]
    first_sub, second_sub = await rows(desk)
    assert (second_sub.duplicate_of, second_sub.duplicate_rule) == (1, "link")
    assert first_sub.duplicate_of is None

    mark = fake.mark()
    press(fake, "Xem #1")  # the existing "send the card again" action, for #1
    await on_desk(fake, "Thầy giáo trẻ thật đáng quý", after=mark)
    mark = fake.mark()
    press(fake, "Gộp vào #1")
    merged = await on_desk(fake, "Đã gộp vào #1", after=mark)
    assert merged.message_id == second.message_id and not merged.buttons
    notice = await fake.wait_for(1002, "gộp hai tin làm một")
    assert "#2" in (notice.plain or "") and "#1" in (notice.plain or "")
    credited = await on_desk(fake, "Cùng gửi tin này", after=mark)  # #1's card, mirrored
    assert "Lan, Đoàn phường An Lạc; Minh, Đoàn trường THPT Bình Tân" in (credited.plain or "")

    # The old card of #2 pressed again: already decided, nothing changes.
    fake.push_callback(ED2, second.message_id, "card:approve:2", chat_id=EDITORS)
    await fake.idle()
    alert = fake.callback_answers[-1]
    assert alert.get("show_alert") and "đã gộp vào tin khác" in str(alert.get("text"))
    assert [s.status for s in await rows(desk)] == ["pending", "merged"]

    press(fake, "Duyệt")  # on #1's latest card
    post = await fake.wait_for(CHANNEL, "#moituan1cauchuyendep")
    assert "🤝 Cùng gửi tin: Lan, Đoàn phường An Lạc; Minh, Đoàn trường THPT Bình Tân" in (
        post.plain or ""
    )
    await fake.wait_for(1002, "Tin #2 của bạn đã được ban biên tập duyệt")
    await fake.wait_for(1002, "Tin #2 của bạn đã được đăng")
    await fake.wait_for(1001, "Tin #1 của bạn đã được đăng")
    await fake.idle()
    assert len(fake.messages(CHANNEL)) == 1  # one post
    first_sub, second_sub = await rows(desk)
    assert (first_sub.status, second_sub.status) == ("published", "published")
    assert second_sub.merged_into == 1 and second_sub.published_at == first_sub.published_at
    assert second_sub.decided_by == first_sub.decided_by == f"telegram:{ED1}"
    assert desk.app is not None
    async with desk.app.sessions() as session:
        posts = (await session.exec(select(Outbox).where(Outbox.kind == "post"))).all()
        assert [p.submission_id for p in posts] == [1]
        merges = (await session.exec(select(Audit).where(Audit.action == "merge"))).all()
        assert sorted(a.submission_id or 0 for a in merges) == [1, 2]

        # Each contribution counts for its member and unit.
        now = desk.now
        window = reports.Window(
            start=now - timedelta(days=1), end=now + timedelta(days=1), units=None
        )
        sent = {(unit, n) for unit, _, _, n in await reports.submitted(session, **window)}
        assert sent == {("p-anlac", 1), ("thpt-binhtan", 1)}
        decided = set(await reports.decided(session, **window))
        assert decided == {("p-anlac", "published", 1), ("thpt-binhtan", "published", 1)}
        published = set(await reports.published(session, **window))
        assert published == {
            ("p-anlac", "cau_chuyen_dep", 1),
            ("thpt-binhtan", "cau_chuyen_dep", 1),
        }
        top = await reports.top_members(session, **window)
        assert sorted((m.display_name, n) for m, n, _ in top) == [("Lan", 1), ("Minh", 1)]
    assert not fake.errors, fake.errors


async def test_retold_event_flagged_and_another_story_at_the_school_not(
    desk: Harness, fake: FakeTelegram
) -> None:
    hoa = ["Sáng chủ nhật 15/11/2026", "Trường THCS Lê Lợi, phường An Lạc",
           "Cô Nguyễn Thị Hoa, giáo viên Ngữ văn",
           "Mở lớp học miễn phí buổi tối cho học sinh có hoàn cảnh khó khăn",
           "Lan tỏa tấm gương nhà giáo tận tụy"]  # fmt: skip
    retold = ["sang 15/11", "truong thcs le loi", "co giao Hoa day van",
              "co Hoa day them cho cac ban nha ngheo", "rat dang tran trong"]  # fmt: skip
    other = ["Sáng 15/11/2026", "Trường THCS Lê Lợi, phường An Lạc",
             "Em Trần Minh Khôi, học sinh lớp 8A",
             "Nhặt được ví 5 triệu đồng, trả người đánh rơi", "Tấm gương thật thà"]  # fmt: skip
    await submit_raw(desk.member(1011, "Lan"), fake, hoa)
    await on_desk(fake, "Cô Nguyễn Thị Hoa")
    mark = fake.mark()
    await submit_raw(desk.member(1012, "Minh"), fake, retold)
    flagged = await on_desk(fake, "co giao Hoa day van", after=mark)
    assert "có thể trùng với #1 (cùng đơn vị, thời gian, địa điểm, nhân vật)" in (
        flagged.plain or ""
    )
    mark = fake.mark()
    await submit_raw(desk.member(1013, "Hà"), fake, other)
    alone = await on_desk(fake, "Trần Minh Khôi", after=mark)
    assert "có thể trùng" not in (alone.plain or "")
    assert labels(alone) == [
        "✅ Duyệt",
        "❌ Từ chối",
        "📝 Yêu cầu bổ sung",
        "✏️ Sửa bài",
        "🗓 Chủ đề",
    ]
    assert [(s.duplicate_of, s.duplicate_rule) for s in await rows(desk)] == [
        (None, None),
        (1, "details"),
        (None, None),
    ]

    # #1 rejected meanwhile: merging into it is refused, #2 still waits on its own.
    first = await on_desk(fake, "Cô Nguyễn Thị Hoa")
    fake.push_callback(ED1, first.message_id, "card:reject_preset:1:0", chat_id=EDITORS)  # a preset
    await fake.wait_for(1011, "chưa được duyệt")
    fake.push_callback(ED1, flagged.message_id, "card:merge:2", chat_id=EDITORS)
    await fake.idle()
    alert = fake.callback_answers[-1]
    assert alert.get("show_alert")
    assert "Không gộp được: tin #1 bị từ chối" in str(alert.get("text"))
    assert [s.status for s in await rows(desk)] == ["rejected", "pending", "pending"]


async def test_merge_into_a_published_story(desk: Harness, fake: FakeTelegram) -> None:
    await send_article(desk.member(1001, "Lan"), ARTICLE, "Thầy giáo trẻ thật đáng quý.")
    await on_desk(fake, "Chờ duyệt")
    press(fake, "Duyệt")
    post = await fake.wait_for(CHANNEL, "#moituan1cauchuyendep")
    await fake.wait_for(1001, "đã được đăng")
    mark = fake.mark()
    await send_article(desk.member(1002, "Minh"), ARTICLE + "/", "Cảm phục thầy.", SCHOOL)
    await on_desk(fake, "có thể trùng với #1", after=mark)
    press(fake, "Gộp vào #1")
    notice = await fake.wait_for(1002, "gộp hai tin làm một")
    assert "Tin đã được đăng" in (notice.plain or "")
    assert f"https://t.me/c/555/{post.message_id}" in (notice.plain or "")
    await fake.idle()
    assert len(fake.messages(CHANNEL)) == 1  # not posted again
    _, second_sub = await rows(desk)
    assert second_sub.status == "published" and second_sub.published_at is not None
    assert second_sub.merged_into == 1

    # Minh asks to be forgotten (his name erased): the post credits his unit only.
    assert desk.app is not None
    async with desk.app.sessions() as session, session.begin():
        minh = await session.get(Member, second_sub.member_id)
        assert minh is not None
        await erasure.forget(session, minh, desk.app.core.deps, actor="cli")
    async with desk.app.sessions() as session:
        sub = await session.get(Submission, 1)
        assert sub is not None
        text = render(await cards.post_say(session, sub, desk.app.core.deps), "plain")
    assert "🤝 Cùng gửi tin: Lan, Đoàn phường An Lạc; Đoàn trường THPT Bình Tân" in text


async def test_merged_ones_wait_while_more_is_asked_then_share_the_rejection(
    desk: Harness, fake: FakeTelegram
) -> None:
    await two_tellings(desk, fake)
    press(fake, "Gộp vào #1")
    await fake.wait_for(1002, "gộp hai tin làm một")
    await on_desk(fake, "Cùng gửi tin này")  # #1's card shows both senders
    await fake.idle()
    press(fake, "Yêu cầu bổ sung")
    await fake.idle()
    press(fake, "Cảm nhận")
    await fake.idle()
    press(fake, "Tiếp")
    await on_desk(fake, "ghi chú")
    fake.push_text(ED1, "Viết thêm vài dòng", chat_id=EDITORS)
    await fake.wait_for(1001, "cần bạn bổ sung")
    assert [s.status for s in await rows(desk)] == ["needs_info", "merged"]
    lan = desk.member(1001, "Lan")
    await lan.press("Bổ sung ngay", "Cảm nhận")
    await lan.send("Thầy dạy miễn phí ba năm nay, rất đáng quý.", "Xem lại")
    mark = fake.mark()
    await lan.press("Gửi", "phần bổ sung")
    await on_desk(fake, "đã bổ sung lần 1", after=mark)
    press(fake, "Từ chối")
    await fake.idle()
    press(fake, "Trùng lặp")
    rejected = await fake.wait_for(1002, "Tin #2 của bạn chưa được duyệt")
    assert "Trùng lặp với tin đã có" in (rejected.plain or "")
    first_sub, second_sub = await rows(desk)
    assert (first_sub.status, second_sub.status) == ("rejected", "rejected")
    assert second_sub.reject_reason == first_sub.reject_reason == "Trùng lặp với tin đã có"
    await fake.idle()
    assert not fake.messages(CHANNEL)


async def test_release_children_when_the_primary_leaves(desk: Harness, fake: FakeTelegram) -> None:
    await two_tellings(desk, fake)
    press(fake, "Gộp vào #1")
    await fake.wait_for(1002, "gộp hai tin làm một")
    mark = fake.mark()
    await send_article(desk.member(1003, "Hà"), ARTICLE, "Xin chia sẻ.", "Đoàn phường Tân Tạo")
    third = await on_desk(fake, "có thể trùng với #1", after=mark)  # #2 is merged: not a match
    fake.push_callback(ED1, third.message_id, "card:merge:3", chat_id=EDITORS)
    await fake.wait_for(1003, "gộp hai tin làm một")

    # #1 withdrawn (/rut, erasure): those merged into it wait again, each on a new card.
    assert desk.app is not None
    mark = fake.mark()
    async with desk.app.sessions() as session, session.begin():
        primary = await session.get(Submission, 1)
        assert primary is not None
        primary.status = Status.WITHDRAWN
        session.add(primary)
        await merge.release_children(session, primary, desk.app.core.deps)
    again = await on_desk(fake, "Xin chia sẻ", after=mark)
    assert "có thể trùng với #2 (cùng liên kết)" in (again.plain or "")
    assert labels(again)[:4] == ["✅ Duyệt", "❌ Từ chối", "📝 Yêu cầu bổ sung", "✏️ Sửa bài"]
    await on_desk(fake, "Cảm phục thầy", after=mark)
    _, second, third_sub = await rows(desk)
    assert (second.status, second.merged_into, second.decided_by) == ("pending", None, None)
    assert (second.duplicate_of, second.card_version) == (None, 0)  # nothing was supplemented
    assert "bổ sung" not in (again.plain or "")
    assert (third_sub.status, third_sub.duplicate_of) == ("pending", 2)
    async with desk.app.sessions() as session:
        query = select(Audit.submission_id).where(Audit.action == "unmerge")
        released = (await session.exec(query.order_by(col(Audit.id)))).all()
        assert sorted(sid or 0 for sid in released) == [2, 3]
    press(fake, "Duyệt")  # the newest card: #3's, now on its own
    await fake.wait_for(CHANNEL, "Xin chia sẻ")


async def test_zalo_editor_merges_with_gop(db_url: str, fake: FakeTelegram, zalo: FakeZalo) -> None:
    harness = Harness(db_url=db_url, fake=fake, now=FROZEN, **settings_for(zalo))
    await harness.start()
    try:
        editor = ZaloChat(zalo, "ed-zalo-01", "Biên tập Zalo")
        await editor.send("/start", "Chọn đơn vị")  # a Zalo bot writes only to those who wrote
        await zalo_article(ZaloChat(zalo, "zu-1", "Hà"), "2", ARTICLE, "Thầy giáo trẻ đáng quý.")
        copied = ARTICLE.replace("https://", "https://www.") + "#top"
        await zalo_article(ZaloChat(zalo, "zu-2", "Bình"), "3", copied, "Rất cảm phục thầy.")
        announce = await zalo.wait_for("ed-zalo-01", "Tin chờ duyệt #2")
        assert "Có thể trùng với #1 (cùng liên kết)" in (announce.text or "")
        assert "/gop 2" in (announce.text or "")
        card = await fake.wait_for(EDITORS, "có thể trùng với #1")

        await ZaloChat(zalo, "zu-9", "Người lạ").send("/gop 2", "Chỉ ban biên tập")
        await editor.send("/gop", "Cách dùng")
        await editor.send("/gop 1", "không được đánh dấu trùng")
        await editor.send("/gop 2 2", "không thể gộp tin #2 vào chính nó")
        await editor.send("/gop 2 9", "không có tin #9")
        done = await editor.send("/gop 2", "Đã gộp tin #2 vào #1")
        assert "<" not in (done.text or "")
        await fake.wait_for(EDITORS, "Đã gộp vào #1")
        edited = [s for s in fake.sent if s.message_id == card.message_id and s.chat_id == EDITORS]
        assert not edited[-1].buttons
        await zalo.wait_for("zu-2", "gộp hai tin làm một")
        await editor.send("/gop 2", "xử lý trước")  # once only
        await editor.send("/gop 3 2", "Không thấy tin #3")

        await editor.send("/duyet 1", "Người gửi đã được báo")
        post = await fake.wait_for(CHANNEL, "#moituan1cauchuyendep")
        assert "Cùng gửi tin: Hà, Đoàn phường An Lạc; Bình, Đoàn phường An Lạc A" in (
            post.plain or ""
        )
        await zalo.wait_for("zu-2", "Tin #2 của bạn đã được đăng")
        await fake.idle()
        assert len(fake.messages(CHANNEL)) == 1
        assert [s.status for s in await harness.submissions()] == ["published", "published"]
    finally:
        await harness.stop()


async def test_two_editors_press_gop_at_once_one_merge(desk: Harness, fake: FakeTelegram) -> None:
    await two_tellings(desk, fake)
    press(fake, "Gộp vào #1", ED1)
    press(fake, "Gộp vào #1", ED2)
    await fake.wait_for(1002, "gộp hai tin làm một")
    await fake.idle()
    alerts = [a for a in fake.callback_answers if a.get("show_alert")]
    assert len(alerts) == 1 and "xử lý trước" in str(alerts[0].get("text"))
    assert desk.app is not None
    async with desk.app.sessions() as session:
        merged = (await session.exec(select(Audit).where(Audit.action == "merge"))).all()
        notices = (
            await session.exec(select(Outbox).where(Outbox.template == "notice/merged.j2"))
        ).all()
    assert len(merged) == 2 and len(notices) == 1  # one merge: an audit row on each side


async def test_a_merged_member_takes_their_telling_back(desk: Harness, fake: FakeTelegram) -> None:
    await two_tellings(desk, fake)
    press(fake, "Gộp vào #1")
    await fake.wait_for(1002, "gộp hai tin làm một")
    await on_desk(fake, "Cùng gửi tin này")
    mark = fake.mark()
    await desk.member(1002, "Minh").send("/rut 2", "Đã rút tin")
    # #1's card no longer credits Minh; the story is published as Lan's alone.
    card = await on_desk(fake, "Thầy giáo trẻ thật đáng quý", after=mark)
    assert card.method == "editMessageText" and "Cùng gửi tin này" not in (card.plain or "")
    first, second = await rows(desk)
    assert (second.status, second.merged_into) == ("withdrawn", None)
    press(fake, "Duyệt")
    post = await fake.wait_for(CHANNEL, "Thầy giáo trẻ thật đáng quý")
    assert "Minh" not in (post.plain or "") and SCHOOL not in (post.plain or "")
    await fake.wait_for(1001, "đã được đăng")  # told once it is recorded
    first, second = await rows(desk)
    assert (first.status, second.status) == ("published", "withdrawn")
    window = {"start": desk.now - timedelta(days=1), "end": desk.now + timedelta(days=1)}
    async with desk.app.sessions() as session:  # type: ignore[union-attr]
        sent = await reports.submitted(session, **window, units=None)
        published = await reports.published(session, **window, units=None)
    assert sum(n for *_, n in sent) == 1 and sum(n for *_, n in published) == 1
