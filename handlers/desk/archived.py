"""What the public archive's search index holds for an item: its words as published (personal
data masked as in the post, the unit's name), folded. Refreshed when an item is published or
corrected; ``storage.archive.forget`` takes it out."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import fields
from handlers.engine.textnorm import fold
from handlers.privacy import personal_data
from storage import archive, units
from storage.models import Submission

log = logging.getLogger(__name__)
BATCH = 500
# The member's (and the editors') own words: the fields that may hold personal data, masked
# in the index as they are in the post.
WORDS = fields.personal()


def searchable(sub: Submission, unit_name: str | None) -> str:
    shown = sub if sub.keep_personal else personal_data.masked_copy(sub)
    parts = [getattr(shown, name) or "" for name in WORDS]
    return fold(" ".join([*parts, unit_name or ""]))


async def refresh(session: AsyncSession, sub: Submission) -> None:
    unit = await units.get(session, code=sub.unit_code)
    body = searchable(sub, unit.name if unit else None)
    await archive.index(session, submission_id=sub.id or 0, body=body)


async def index_missing(sessions: async_sessionmaker[AsyncSession], *, batch: int = BATCH) -> int:
    """Index every shown item the index lacks, a batch per transaction: idempotent, and a start
    cut short resumes where it stood (what is indexed is no longer missing). How many. The bot
    runs it beside serving (``bot.runtime.runner``): search finds older items as it goes."""
    done, last = 0, 0
    while True:
        async with sessions() as session, session.begin():
            subs = await archive.unindexed(session, after=last, limit=batch)
            names = {u.code: u.name for u in await units.every(session)} if subs else {}
            bodies = {s.id or 0: searchable(s, names.get(s.unit_code or "")) for s in subs}
            await archive.index_new(session, bodies=bodies)
        if not subs:
            break
        done, last = done + len(subs), subs[-1].id or 0
        log.info("archive search: %d published items indexed so far", done)
    if done:
        log.info("archive search: done, %d items indexed", done)
    return done


async def index_beside(sessions: async_sessionmaker[AsyncSession], stop: asyncio.Event) -> None:
    """``index_missing`` as one of the service's background tasks: then it waits for the stop.
    A failure is logged, not fatal: the archive's search is not worth stopping the bot for,
    and the next start tries again."""
    try:
        await index_missing(sessions)
    except Exception:
        log.exception("archive search: indexing what was missing failed")
    await stop.wait()
