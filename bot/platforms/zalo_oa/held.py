"""A direct reply owed to someone other than the writer (an editor's answer to a member, say)
who is outside the OA's window: kept in the outbox as a platform-free ``held`` notice, as the
outbox's own notices are, and sent when they next write (``Window.opened`` releases it),
never dropped. It is kept as it was rendered (plain, its numbered list included) with its
photos' refs; a /web sign-in link keeps only its token's hash (a fresh link on delivery)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.admin import web_link
from handlers.desk import outbound
from handlers.engine.context import Deps
from handlers.engine.types import MediaRef, Reply
from storage import outbox
from storage.db import writing
from storage.models import Outbox, OutboxKind, OutboxStatus

PLATFORM = "zalo_oa"
HELD_REPLY = "platforms/zalo_oa/held_reply.j2"


async def hold(
    sessions: async_sessionmaker[AsyncSession],
    *,
    key: str,
    chat_id: str,
    media: Sequence[MediaRef],
    text: str,
) -> None:
    token_hash = web_link.held_sign_in(text)
    template, context = (
        ("staff/web_link.j2", {"sign_in": token_hash})
        if token_hash
        else (HELD_REPLY, {"text": text, "media": [[m.kind, m.ref] for m in media]})
    )
    async with writing(sessions, "zalo_oa held reply"), sessions.begin() as session:
        await outbox.enqueue(
            session,
            key=key[:128],
            kind=OutboxKind.NOTICE,
            platform=PLATFORM,
            chat_id=chat_id,
            template=template,
            context=context,
            status=OutboxStatus.HELD,
        )


async def compose(session: AsyncSession, item: Outbox, deps: Deps) -> Reply | None:
    """The desk's reply for a row; a held reply gets its photos back."""
    reply = await outbound.compose(session, item, deps)
    if reply is None or item.template != HELD_REPLY:
        return reply
    kept = (item.context or {}).get("media")
    refs = tuple(
        MediaRef("video" if kind == "video" else "photo", str(ref))
        for kind, ref in (kept if isinstance(kept, list) else [])
    )
    return dataclasses.replace(reply, media=refs)
