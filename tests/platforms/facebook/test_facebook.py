"""Facebook Pages as a publish target, end to end: a Telegram member submits, an editor approves,
and the real outbox posts to the Telegram channel and, through the real Graph API client, to a
fake Graph API, once each; every error the Graph API gives takes its own path."""

from __future__ import annotations

import asyncio
import struct
import time
import zlib
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import select

from bot.platforms.facebook.client import GraphClient
from bot.platforms.facebook.sender import FacebookSender
from bot.platforms.media import Change
from bot.runtime.media import MediaFile
from bot.settings import Settings, describe_error
from storage.models import Media, Outbox
from tests.conftest import FROZEN
from tests.fake_base import PATIENCE
from tests.harness import ADMIN, CHANNEL, ED1, EDITORS, ORG, Harness
from tests.platforms.facebook.fake_graph import PAGE, TOKEN, FakeGraph, Post
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.support.flows import press, submit_raw

HTML = "Chị <b>Hoa</b> & nhóm “Áo xanh” <script>x</script>"


def png(seed: int) -> bytes:
    """A real 1x1 PNG whose one pixel differs by ``seed``."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    pixel = zlib.compress(bytes([0, seed % 256, 128, 64]))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixel) + chunk(b"IEND", b"")
    )


MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(64)


class TestStore:
    """The media store's part until it lands: the bytes of each Telegram file id."""

    __test__ = False

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def get(self, media: Media) -> MediaFile:
        self.asked.append(media.ref)
        if media.kind == "video":
            return MediaFile(MP4, "video/mp4", f"{media.ref}.mp4", "video")
        return MediaFile(png(len(self.asked)), "image/png", f"{media.ref}.png", "photo", 1, 1)


def harness(db_url: str, fake: FakeTelegram, graph: FakeGraph) -> Harness:
    return Harness(
        db_url=db_url,
        fake=fake,
        now=FROZEN,
        media=TestStore(),
        editor_chat_id=EDITORS,
        admin_ids=f"telegram:{ADMIN}",
        editor_ids=f"telegram:{ED1}",
        publish_targets=f"telegram:{CHANNEL},facebook:{PAGE}",
        facebook_page_tokens=f"{PAGE}:{TOKEN}",
        facebook_graph_base=graph.base,
    )


async def started(h: Harness, graph: FakeGraph) -> Harness:
    """Started, with the page token checked once (the start's check) and the admin having
    written to the bot (a bot cannot write first on Telegram)."""
    await h.start()
    await until(lambda: ("GET", PAGE) in graph.calls)  # imports take a while
    await h.member(ADMIN, "Quản trị").send("/start")
    return h


@pytest.fixture
async def fb(db_url: str, fake: FakeTelegram, graph: FakeGraph) -> AsyncIterator[Harness]:
    h = await started(harness(db_url, fake, graph), graph)
    try:
        yield h
    finally:
        await h.stop()


async def until(check: Callable[[], object], timeout: float = PATIENCE) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "never happened"
        await asyncio.sleep(0.02)


async def put_back(h: Harness) -> Outbox:
    """The post's row once the worker has stored the refusal: queued again, minutes later. The
    page's answer comes before that write, so the test waits for the row, not for a while."""
    deadline = time.monotonic() + PATIENCE
    while True:
        row = await fb_row(h)
        later = row.status == "queued" and row.not_before > h.now + timedelta(minutes=4)
        if later or time.monotonic() > deadline:
            return row
        await asyncio.sleep(0.05)


async def fb_row(h: Harness) -> Outbox:
    assert h.app is not None
    async with h.app.sessions() as session:
        query = select(Outbox).where(Outbox.platform == "facebook")
        return (await session.exec(query)).one()


async def approve(h: Harness, fake: FakeTelegram, *, photos: int = 0, user: int = 1001) -> None:
    answers = ["Sáng 15/11", "Nhà văn hóa", HTML, "Dạy học", "Lan tỏa"]
    await submit_raw(h.member(user), fake, answers, photos=photos)
    await fake.wait_for(EDITORS, "Chờ duyệt")
    press(fake, ED1, "Duyệt")
    await fake.wait_for(CHANNEL, "#moingay1tintot")


async def published(fake: FakeTelegram, user: int = 1001) -> str:
    notice = await fake.wait_for(user, "đã được đăng")
    return notice.plain or ""


async def test_text_post_reaches_channel_and_page_once_with_link_and_literal_text(
    fb: Harness, fake: FakeTelegram, graph: FakeGraph
) -> None:
    await approve(fb, fake)
    shown = await published(fake)
    [post] = graph.live(PAGE)
    assert post.photos == [] and ("POST", f"{PAGE}/feed") in graph.calls
    assert post.message is not None and "#moingay1tintot" in post.message
    assert HTML in post.message and "&amp;" not in post.message and "&lt;" not in post.message
    assert f"https://www.facebook.com/{post.id}" in shown and "https://t.me/c/555/" in shown
    row = await fb_row(fb)
    assert (row.status, row.message_ids) == ("sent", [post.id])
    assert len([s for s in fake.sent if s.chat_id == CHANNEL]) == 1


async def test_one_photo_goes_as_a_photo_post_with_its_caption(
    fb: Harness, fake: FakeTelegram, graph: FakeGraph
) -> None:
    await approve(fb, fake, photos=1)
    await published(fake)
    [post] = graph.live(PAGE)
    assert post.photos == [png(1)] and post.message and "#moingay1tintot" in post.message
    assert not any(path.endswith("/feed") for _, path in graph.calls)


async def test_an_album_from_telegram_is_one_post_with_every_photo_and_no_url(
    fb: Harness, fake: FakeTelegram, graph: FakeGraph
) -> None:
    await approve(fb, fake, photos=3)
    shown = await published(fake)
    [post] = graph.live(PAGE)
    assert post.photos == [png(1), png(2), png(3)] and not graph.unpublished
    uploads = [path for method, path in graph.calls if path == f"{PAGE}/photos"]
    assert len(uploads) == 3 and graph.urls == []  # bytes, never a Telegram URL
    assert post.id in shown


async def test_a_video_goes_to_the_videos_edge(
    fb: Harness, fake: FakeTelegram, graph: FakeGraph
) -> None:
    member = fb.member(1003)
    await member.register()
    await member.send("/gui", "Bạn muốn gửi gì")
    await member.press("Tin tốt", "Bước 2")
    await member.press("Thông tin thô", "Thời gian")
    await member.raw_answers(["Sáng 15/11", "Nhà văn hóa", "Cô Hoa", "Dạy học"])
    await member.send("Lan tỏa", "Ảnh")
    mark = fake.mark()
    fake.push_video(member.id, file_id="V1003")
    await fake.wait_for(member.id, "Đã nhận", after=mark)
    await member.press("Xong", "đồng ý cho đăng")
    await member.press("Đã đồng ý", "Xem lại")
    await member.press("Gửi", "Đã gửi")
    await fake.wait_for(EDITORS, "Chờ duyệt")
    press(fake, ED1, "Duyệt")
    shown = await published(fake, 1003)
    [post] = graph.live(PAGE)
    assert post.video == MP4 and post.message and "Cô Hoa" in post.message
    assert f"https://www.facebook.com/{post.id}" in shown


async def test_an_expired_token_holds_the_post_tells_admins_once_and_posts_after_renewal(
    db_url: str, fake: FakeTelegram, graph: FakeGraph
) -> None:
    h = await started(harness(db_url, fake, graph), graph)
    try:
        graph.expire(PAGE)  # mid-run, after the start's check passed
        await approve(h, fake)
        told = await fake.wait_for(ADMIN, "Mã truy cập trang Facebook")
        assert PAGE in (told.plain or "") and TOKEN not in (told.plain or "")
        await until(lambda: sum(1 for m, p in graph.calls if p.endswith("/feed")) == 1)
        row = await fb_row(h)
        assert row.status == "queued" and "#190" in (row.error or "") and row.attempts == 0
        h.now = h.now + timedelta(minutes=16)  # held again: still expired
        await until(lambda: sum(1 for m, p in graph.calls if p.endswith("/feed")) == 2)
        await h.restart()  # the held post survives a restart
        graph.renew(PAGE, TOKEN)
        h.now = h.now + timedelta(minutes=16)
        await published(fake)
        assert len(graph.live(PAGE)) == 1
        assert len([s for s in fake.sent if "Mã truy cập trang" in (s.plain or "")]) == 1
    finally:
        await h.stop()


async def test_a_token_revoked_while_the_bot_was_down_is_told_at_start_before_any_post(
    db_url: str, fake: FakeTelegram, graph: FakeGraph
) -> None:
    h = await started(harness(db_url, fake, graph), graph)
    await h.stop()
    graph.expire(PAGE)
    await h.start()
    try:
        told = await fake.wait_for(ADMIN, "FACEBOOK_PAGE_TOKENS")
        assert "190" in (told.plain or "") and not graph.posts
    finally:
        await h.stop()


@pytest.mark.parametrize("code", [200, 10, 368])
async def test_permission_or_policy_refusal_waits_for_an_editor_with_the_reason(
    fb: Harness, fake: FakeTelegram, graph: FakeGraph, code: int
) -> None:
    graph.fail_next(403 if code != 368 else 400, code, f"(#{code}) Not allowed", on="feed")
    await approve(fb, fake)
    told = await fake.wait_for(EDITORS, "từ chối bài")
    assert f"#{code}" in (told.plain or "")
    row = await fb_row(fb)
    assert row.status == "needs_check" and f"#{code}" in (row.error or "")
    assert graph.live(PAGE) == []


@pytest.mark.parametrize(("status", "code"), [(400, 4), (400, 17), (400, 32), (400, 613)])
async def test_a_rate_limit_waits_then_posts_once(
    fb: Harness, fake: FakeTelegram, graph: FakeGraph, status: int, code: int
) -> None:
    graph.fail_next(status, code, "(#4) Application request limit reached", on="feed")
    await approve(fb, fake)
    await until(lambda: bool(graph.calls) and not graph.faults)
    row = await put_back(fb)
    assert row.status == "queued" and row.not_before > fb.now + timedelta(minutes=4)
    fb.now = fb.now + timedelta(minutes=6)
    await published(fake)
    assert len(graph.live(PAGE)) == 1


@pytest.mark.parametrize(("status", "code"), [(500, 1), (503, 2), (500, None), (429, None)])
async def test_transient_errors_back_off_and_post_once(
    fb: Harness, fake: FakeTelegram, graph: FakeGraph, status: int, code: int | None
) -> None:
    graph.fail_next(status, code, "An unexpected error has occurred", on="feed")
    await approve(fb, fake)
    if status == 429:  # throttled: waits its five minutes
        await until(lambda: not graph.faults)
        await put_back(fb)
        fb.now = fb.now + timedelta(minutes=6)
    await published(fake)
    assert len(graph.live(PAGE)) == 1


async def test_an_unanswered_post_is_checked_by_an_editor_never_posted_twice(
    fb: Harness, fake: FakeTelegram, graph: FakeGraph
) -> None:
    graph.drop_next()
    await approve(fb, fake)
    await fake.wait_for(EDITORS, "không rõ bài đã lên chưa")
    fb.now = fb.now + timedelta(hours=1)
    await asyncio.sleep(1.0)
    assert len(graph.live(PAGE)) == 1  # it did go out, once
    assert (await fb_row(fb)).status == "needs_check"


async def test_a_post_is_corrected_and_taken_down_on_the_page(
    fb: Harness, fake: FakeTelegram, graph: FakeGraph
) -> None:
    await approve(fb, fake)
    await published(fake)
    row = await fb_row(fb)
    assert fb.app is not None
    client = GraphClient(graph.base)
    sender = FacebookSender(client, {PAGE: TOKEN}, fb.app.sessions, TestStore())
    try:
        fixed = await sender.correct(row, "Sửa: <b>đúng</b> & đủ #moingay1tintot")
        [post] = graph.live(PAGE)
        assert (
            fixed.change is Change.DONE and post.message == "Sửa: <b>đúng</b> & đủ #moingay1tintot"
        )
        graph.expire(PAGE)
        refused = await sender.take_down(row)
        assert refused.change is Change.FAILED and "#190" in refused.reason
        graph.renew(PAGE, TOKEN)
        assert (await sender.take_down(row)).change is Change.DONE
        assert graph.live(PAGE) == [] and isinstance(graph.posts[row.message_ids[0]], Post)
    finally:
        await client.close()


def test_settings_name_the_variable_and_never_the_token() -> None:
    base: dict[str, Any] = {"org_config": ORG, "publish_targets": f"facebook:{PAGE}"}
    with pytest.raises(ValidationError) as missing:
        Settings(_env_file=None, **base)
    assert describe_error(missing.value) == ("FACEBOOK_PAGE_TOKENS", "facebook/token_missing", PAGE)
    with pytest.raises(ValidationError) as malformed:
        Settings(_env_file=None, **base, facebook_page_tokens=f"{PAGE}:{TOKEN},{TOKEN}")
    assert describe_error(malformed.value) == (
        "FACEBOOK_PAGE_TOKENS",
        "facebook/tokens_format",
        "2",
    )
    assert TOKEN not in str(malformed.value)
    ok = Settings(_env_file=None, **base, facebook_page_tokens=f" {PAGE} : {TOKEN} ")
    assert ok.facebook_page_tokens[PAGE].get_secret_value() == TOKEN
    assert str(ok.facebook_graph_base).startswith("https://graph.facebook.com/v")
