"""The real ``python -m bot run`` process: killed with SIGKILL mid-flow, and served by webhook."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

from sqlmodel import col, select

from storage import inbox
from storage.db import make_engine, make_sessions
from storage.models import Inbox, Member, Submission
from tests.conftest import FROZEN
from tests.harness import Chat, Harness, free_port
from tests.platforms.telegram.fake_telegram import TOKEN, FakeTelegram
from tests.support import forked
from tests.support.cli import PROCESS_TIMEOUT, own_environment
from tests.support.forked import Forked

ROOT = Path(__file__).resolve().parents[1]


async def start_process(db_url: str, fake: FakeTelegram, stderr: Path) -> Forked:
    """``python -m bot run`` (forked from a parent that imported the bot once:
    ``tests/support/forked.py``), its stderr appended to ``stderr``."""
    env = own_environment()
    env |= {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": fake.base_url, "DATABASE_URL": db_url}
    env["WEB_PORT"] = "0"  # its web server (/healthz) on any free port: tests run side by side
    polls = polls_of(fake)
    process = await forked.start(["run"], env, stderr=stderr)
    # Ready once it polls: it migrates first, which on a loaded machine can take longer than
    # a member's answer is waited for (the test is about what survives).
    deadline = time.monotonic() + PROCESS_TIMEOUT
    while polls_of(fake) == polls:
        if process.returncode is not None:
            said = (await asyncio.to_thread(stderr.read_text, errors="replace"))[-2000:]
            raise AssertionError(f"the bot exited {process.returncode}: {said}")
        assert time.monotonic() < deadline, "the bot never polled"
        await asyncio.sleep(0.05)
    return process


def polls_of(fake: FakeTelegram) -> int:
    return sum(1 for method, _ in fake.calls if method == "getUpdates")


async def test_kill_9_between_steps_loses_nothing(
    db_url: str, fake: FakeTelegram, tmp_path: Path
) -> None:
    lan = Chat(fake, 4001, "Lan", "lan_dv")
    answers = ["Sáng 15/11", "Nhà văn hóa", "Cô Hoa", "Dạy học", "Lan tỏa"]
    stderr = tmp_path / "stderr.log"
    process = await start_process(db_url, fake, stderr)
    try:
        await lan.register("Tân Tạo A")
        await lan.send("/gui", "Bạn muốn gửi gì")
        await lan.press("Tin tốt", "Bước 2")
        await lan.press("Thông tin thô", "Thời gian")
        # A run killed before its getUpdates confirmed the last update asks its question
        # again at start: waiting for the next question, not any message, tells them apart.
        for answer, then in zip(
            answers, ["Địa điểm", "Nhân vật", "Mục đích", "Ý nghĩa", "Ảnh"], strict=True
        ):
            await lan.send(answer, then)
            process.send_signal(signal.SIGKILL)  # no chance to save anything at exit
            await process.wait()
            process = await start_process(db_url, fake, stderr)
        await lan.press("Bỏ qua", "Xem lại")
        await lan.press("Gửi", "Đã gửi")
        process.send_signal(signal.SIGTERM)  # a clean stop, too
        assert await asyncio.wait_for(process.wait(), 120) == 0  # a real process, maybe slowed
        said = await asyncio.to_thread(stderr.read_text, errors="replace")
        assert TOKEN not in said and TOKEN.split(":")[1] not in said
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    engine = make_engine(db_url)
    async with make_sessions(engine)() as session:
        [sub] = (await session.exec(select(Submission))).all()
        member = (await session.exec(select(Member))).one()
    await engine.dispose()
    assert [sub.thoi_gian, sub.dia_diem, sub.nhan_vat, sub.muc_dich, sub.y_nghia] == answers
    assert sub.status == "pending" and sub.unit_code == "p-tantaoa" and member.step == "idle"
    assert all(not drop for _, drop in fake.drop_pending_calls)


async def test_webhook_checks_the_secret(db_url: str, fake: FakeTelegram) -> None:
    port = free_port()
    bot = Harness(
        db_url=db_url,
        fake=fake,
        now=FROZEN,
        telegram_webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        telegram_webhook_secret="s3cret-Value_1",
        telegram_max_connections=7,
        webhook_host="127.0.0.1",
        webhook_port=port,
    )
    await bot.start()
    try:
        await fake.until(lambda: fake.webhook is not None)
        assert fake.webhook and fake.webhook["secret_token"] == "s3cret-Value_1"
        assert int(fake.webhook["max_connections"]) == 7
        assert fake.webhook["url"].endswith("/telegram/hook")
        lan = bot.member(4002)
        await lan.send("/start", "Chọn đơn vị")
        forged = {
            "update_id": 999_999,
            "message": {
                "message_id": 1,
                "date": 1,
                "chat": {"id": 4002, "type": "private"},
                "from": {"id": 4002, "is_bot": False, "first_name": "X"},
                "text": "/gui",
            },
        }
        assert await fake.post_webhook(forged, secret="wrong") == 401
        assert await fake.post_webhook(forged, secret=None) == 401
        await lan.press("An Lạc A", "Đã lưu")
        assert (await bot.member_row(4002)).unit_code == "p-anlaca"
        # Stored before the 200: an update a dying worker had acknowledged is handled at start.
        await bot.stop()
        assert bot.settings is not None
        engine = make_engine(bot.settings.database_url)
        async with make_sessions(engine, bot.clock)() as session, session.begin():
            acknowledged = {**forged, "update_id": 999_998}
            await inbox.store(
                session,
                key="telegram:999998",
                platform="telegram",
                payload=acknowledged,
                sender="telegram:4002",
                seq=999_998,
            )
            handled = (
                await session.exec(select(Inbox).where(col(Inbox.handled_at).is_not(None)))
            ).all()
        await engine.dispose()
        assert len(handled) >= 2  # the webhook's updates went through the inbox
        mark = fake.mark()
        await bot.start()
        await fake.wait_for(4002, "Bạn muốn gửi gì", after=mark)  # the stored /gui, handled
    finally:
        await bot.stop()
