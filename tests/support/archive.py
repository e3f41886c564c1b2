"""Stories already published, put straight in the store the way publishing leaves them (the
submission, its post on the channel with its link, the search index), for the archive's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from bot.runtime.app import App
from bot.serve.compose import build
from bot.web import server
from handlers.desk import archived
from storage.models import Member, Outbox, OutboxKind, OutboxStatus, Status, Submission
from tests.harness import make_settings
from tests.platforms.telegram.fake_telegram import FakeTelegram

CHANNEL_LINK = "https://t.me/c/555/{}"


@asynccontextmanager
async def serving(
    db_url: str, fake: FakeTelegram, now: datetime, **extra: Any
) -> AsyncIterator[tuple[App, str]]:
    """The bot's web server on 127.0.0.1 (``web_port`` in ``extra``, else a free port), over a
    store the test fills; the app and the address a browser opens."""
    settings = make_settings(db_url, fake, **extra)
    app = await build(settings, clock=lambda: now)
    runner, url = await server.start(server.make_web(app), "127.0.0.1", settings.web_port or 0)
    try:
        yield app, url
    finally:
        await runner.cleanup()
        await app.close()


async def publish(
    app: App,
    *,
    at: datetime,
    unit: str = "p-anlac",
    kind: str = "tin_tot",
    who: str = "Cô Hoa",
    deed: str = "Dạy học miễn phí",
    meaning: str = "Lan tỏa",
    member: str = "Lan",
    theme: str | None = None,
) -> int:
    """One published raw story by a new member of ``unit``; its number."""
    async with app.sessions() as session:
        person = Member(
            platform="telegram",
            platform_user_id=f"{at.timestamp()}{who}{member}",
            chat_id="1",
            display_name=member,
            unit_code=unit,
            created_at=at,
            updated_at=at,
        )
        session.add(person)
        await session.flush()
        sub = Submission(
            kind=kind,
            path="raw",
            thoi_gian="Sáng 15/11",
            dia_diem="Nhà văn hóa khu phố 3",
            nhan_vat=who,
            muc_dich=deed,
            y_nghia=meaning,
            member_id=person.id or 0,
            unit_code=unit,
            theme_key=theme,
            status=Status.PUBLISHED,
            created_at=at - timedelta(hours=1),
            updated_at=at,
            submitted_at=at - timedelta(hours=1),
            published_at=at,
            consent="no_people",
        )
        session.add(sub)
        await session.flush()
        number = sub.id or 0
        session.add(
            Outbox(
                key=f"post:{number}",
                kind=OutboxKind.POST,
                platform="telegram",
                chat_id="-100555",
                submission_id=number,
                status=OutboxStatus.SENT,
                not_before=at,
                link=CHANNEL_LINK.format(number),
                created_at=at,
                updated_at=at,
                sent_at=at,
            )
        )
        await archived.refresh(session, sub, app.core.deps)
        await session.commit()
        return number


async def merge_into(app: App, child: int, primary: int) -> None:
    """Gộp after publication: ``child`` credited on ``primary``'s page (frozen again, as a
    merge into a published item does)."""
    async with app.sessions() as session:
        sub, main = await session.get(Submission, child), await session.get(Submission, primary)
        assert sub is not None and main is not None
        sub.merged_into = primary
        session.add(sub)
        main.published_credits = None
        await archived.refresh(session, main, app.core.deps)
        await session.commit()
