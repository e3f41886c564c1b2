"""The archive under load: a page costs the same few queries whatever it lists, pages are
cached per process but never shown stale after a change made by another worker, and a
request that finds every turn taken gets a polite 503 instead of queueing on the pool."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import aiohttp
from sqlalchemy import event
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime.app import App
from bot.web.archive.load import Gate
from storage import archive
from storage.db import make_engine
from storage.models import Submission
from tests.conftest import FROZEN
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.support.archive import publish, serving


async def get(url: str, status: int = 200) -> str:
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as http, http.get(url) as response:
        body = await response.text()
        assert response.status == status, body[:300]
        return body


@contextmanager
def counted(app: App) -> Iterator[list[str]]:
    """Every SQL statement the app's engine runs meanwhile."""
    seen: list[str] = []

    def note(*args: Any) -> None:
        seen.append(str(args[2]))

    engine = app.engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


async def test_a_page_costs_the_same_queries_for_two_items_or_twenty(
    db_url: str, fake: FakeTelegram
) -> None:
    async with serving(db_url, fake, FROZEN) as (app, url):
        counts = {}
        for listed in (2, 20):
            while await listed_now(app) < listed:
                await publish(app, at=FROZEN - timedelta(hours=await listed_now(app)))
            with counted(app) as feed:  # publishing changed the archive: nothing cached
                page = await get(f"{url}feed.atom?loai=tin_tot")
            assert page.count("<entry>") == listed
            with counted(app) as index:
                page = await get(f"{url}?loai=tin_tot")
            assert page.count('class="item"') == listed
            counts[listed] = (len(feed), len(index))
        assert counts[2] == counts[20], counts
        assert max(counts[20]) <= 8, counts


async def listed_now(app: App) -> int:
    async with app.sessions() as session:
        return await archive.count(session, words="", filters=archive.Filters())


async def test_a_cached_page_follows_a_change_made_by_another_worker(
    db_url: str, fake: FakeTelegram
) -> None:
    async with serving(db_url, fake, FROZEN) as (reader, url):
        number = await publish(reader, at=FROZEN, who="Cô Hoa")
        assert "Cô Hoa" in await get(url)
        with counted(reader) as again:
            assert "Cô Hoa" in await get(url)
        assert len(again) == 1  # from the cache: only the archive's version was read
        other = make_engine(db_url)  # another worker's connections to the same store
        try:
            async with AsyncSession(other) as session, session.begin():
                sub = await session.get(Submission, number)
                assert sub is not None
                sub.taken_down_at = FROZEN  # taken down there, as /gobai does
                await archive.forget(session, submission_id=number)
        finally:
            await other.dispose()
        assert "Cô Hoa" not in await get(url)
        await get(f"{url}tin/{number}", status=410)


async def test_a_request_finding_every_turn_taken_gets_a_503(
    db_url: str, fake: FakeTelegram
) -> None:
    gate = Gate(at_once=1, wait=0.05)
    async with gate.entered() as first, gate.entered() as second:
        assert first and not second
    async with gate.entered() as later:
        assert later
    async with serving(db_url, fake, FROZEN) as (app, url):
        await publish(app, at=FROZEN, who="Cô Hoa")
        pages = await asyncio.gather(*(get(url) for _ in range(12)))
        assert all("Cô Hoa" in page for page in pages)  # 12 at once: they wait their turn
