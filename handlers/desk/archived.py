"""What the public archive holds for an item, frozen when it is published or corrected: the
post as published (plain text, personal data masked as in the post, no character XML
forbids) and who was credited, so a member renaming themselves later changes nothing public;
and its search words (the member's and the editors' words, the unit's name), folded. A
taken-down item is never put back in the index; ``storage.archive.forget`` takes one out."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import fields
from handlers.desk import cards
from handlers.engine.context import Deps
from handlers.engine.textnorm import fold, without_forbidden
from handlers.engine.texts import render
from handlers.privacy import personal_data
from storage import archive, merges, units
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


async def published_text(session: AsyncSession, sub: Submission, deps: Deps) -> str:
    """The post as the archive shows it (its frozen credits, if any)."""
    return without_forbidden(render(await cards.post_say(session, sub, deps), "plain"))


async def refresh(session: AsyncSession, sub: Submission, deps: Deps) -> None:
    """Freeze what the archive shows of ``sub`` (published now, or just corrected: the credits
    stay those of its publication) and index its words, unless it was taken down."""
    if sub.published_credits is None:
        sub.published_credits = await merges.credits(session, primary_id=sub.id or 0)
    sub.published_text = await published_text(session, sub, deps)
    session.add(sub)
    if sub.taken_down_at is not None:  # a correction after a take-down: never public again
        await archive.changed(session)
        return
    unit = await units.get(session, code=sub.unit_code)
    body = searchable(sub, unit.name if unit else None)
    await archive.index(session, submission_id=sub.id or 0, body=body)  # bumps the version


async def index_missing(sessions: async_sessionmaker[AsyncSession], *, batch: int = BATCH) -> int:
    """Index every shown item the index lacks, a batch per transaction: idempotent, and a start
    cut short resumes where it stood (what is indexed is no longer missing). How many. The bot
    runs it beside serving (``bot.serve.runner``): search finds older items as it goes."""
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


async def forget_member(session: AsyncSession, member_id: int, deps: Deps) -> None:
    """An erased member: their name leaves the frozen credits of every published item and the
    text is rendered again from those credits (nobody else's later name comes in)."""
    for sub in await merges.credited_in(session, member_id=member_id):
        credits = sub.published_credits or []
        sub.published_credits = [[m, "" if m == member_id else n, u] for m, n, u in credits]
        sub.published_text = await published_text(session, sub, deps)
        session.add(sub)
        await archive.changed(session)
