"""How close the outbox comes to Telegram's limit for one channel (20 messages a minute).

    python bench/publish.py                   # 500 approved items, SQLite, a 20× clock
    python bench/publish.py --posts 200 --speed 10 --db postgresql+asyncpg://…

500 approved items are queued for one channel; the real outbox worker and Telegram sender
(with its rate limiter) publish them through the fake Bot API server of the tests, which
enforces the flood limits and answers 429 past them, as Telegram does. A minute would make
this a 25-minute run, so both the limiter's and the server's clocks run ``--speed`` times
faster: the ratio of the rate reached to the rate allowed does not depend on it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiogram import Bot  # noqa: E402
from aiogram.client.default import DefaultBotProperties  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402
from sqlmodel import col, func, select  # noqa: E402
from sqlmodel.ext.asyncio.session import AsyncSession  # noqa: E402

from bot.platforms.telegram.send import TelegramSender  # noqa: E402
from bot.runtime.outbox import OutboxWorker  # noqa: E402
from bot.runtime.ratelimit import RateLimiter  # noqa: E402
from bot.serve.compose import build  # noqa: E402
from bot.settings import Settings  # noqa: E402
from handlers.desk import outbound  # noqa: E402
from handlers.engine.context import Deps  # noqa: E402
from storage import outbox  # noqa: E402
from storage.models import (  # noqa: E402
    Member,
    Outbox,
    OutboxKind,
    OutboxStatus,
    Status,
    Submission,
)
from tests.platforms.telegram.fake_telegram import TOKEN, FakeTelegram  # noqa: E402

CHANNEL = "-100555"
PER_MINUTE = 20


async def marked(
    session: AsyncSession, item: Outbox, *, message_ids: list[str], link: str | None, deps: Deps
) -> None:
    await outbox.mark_sent(session, item=item, message_ids=message_ids, link=link)


async def ignore(session: AsyncSession, item: Outbox, deps: Deps) -> None:
    return None


async def queue(sessions: Any, posts: int) -> None:
    async with sessions() as session, session.begin():
        member = Member(platform="telegram", platform_user_id="1", chat_id="1", display_name="Lan")
        session.add(member)
        await session.flush()
        for n in range(posts):
            sub = Submission(
                member_id=member.id or 0, kind="tin_tot", path="raw", unit_code="p-anlac",
                status=Status.APPROVED, nhan_vat=f"Cô Hoa {n}", thoi_gian="Sáng 15/11",
                dia_diem="Nhà văn hóa", muc_dich="Dạy học", y_nghia="Lan tỏa",
            )  # fmt: skip
            session.add(sub)
            await session.flush()
            await outbox.enqueue(
                session, key=f"post:{sub.id}", kind=OutboxKind.POST, platform="telegram",
                chat_id=CHANNEL, submission_id=sub.id,
            )  # fmt: skip


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--speed", type=float, default=20.0, help="how much faster the clocks run")
    parser.add_argument("--db", help="a database URL (default: a new SQLite file)")
    args = parser.parse_args()
    fake = FakeTelegram()
    await fake.start()
    fake.enforce_flood_limits(period=60 / args.speed)
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite+aiosqlite:///{folder}/publish.db"
        app = await build(Settings(_env_file=None, database_url=url))
        await queue(app.sessions, args.posts)
        session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
        bot = Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
        speed = args.speed
        limiter = RateLimiter(
            clock=lambda: time.monotonic() * speed, sleep=lambda s: asyncio.sleep(s / speed)
        )
        worker = OutboxWorker(
            app.sessions, app.core.deps, TelegramSender(bot, limiter),
            compose=outbound.compose, after_sent=marked, after_problem=ignore, idle_sleep=0.05,
        )  # fmt: skip
        stop = asyncio.Event()
        started = time.perf_counter()
        task = asyncio.create_task(worker.run(stop))
        while True:
            async with app.sessions() as db:
                query = select(func.count()).where(col(Outbox.status) != OutboxStatus.SENT)
                left = (await db.exec(query)).one()
            if not left:
                break
            await asyncio.sleep(0.05)
        seconds = (time.perf_counter() - started) * speed
        stop.set()
        await task
        await bot.session.close()
        await app.close()
    await fake.stop()
    sent = len([s for s in fake.sent if str(s.chat_id) == CHANNEL])
    # Within the limit, the fastest possible: 20 at once, then 20 more each minute.
    floor = (args.posts / PER_MINUTE - 1) * 60
    rate = sent / (seconds / 60)
    print(f"{'posts':>6}{'minutes (scaled)':>18}{'posts/min':>11}{'allowed':>9}{'429s':>6}")
    print(f"{sent:>6}{seconds / 60:>18.2f}{rate:>11.2f}{PER_MINUTE:>9}{fake.flood_429s:>6}")
    print(f"drain time at the limit / drain time reached: {floor / seconds:.3f} (aim ≥ 0.95), "
          f"429s from the flood limit: {fake.flood_429s} (aim 0)")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
