"""Telling every admin something once (a quota, a token to renew, a site refusing posts)."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine.context import Deps
from handlers.engine.roles import admins
from storage import outbox


async def tell_admins(
    session: AsyncSession, deps: Deps, *, key: str, template: str, context: dict[str, Any]
) -> int:
    """A notice to every admin now (ADMIN_IDS and those added, less those removed), each once
    per ``key``: a private chat's id is the user's id on Telegram and on Zalo. How many went."""
    count = 0
    for who in await admins(session, deps):
        platform, _, chat_id = who.partition(":")
        count += await outbox.notice(
            session,
            to=(platform, chat_id),
            key=f"{key}:{who}"[:128],
            template=template,
            context=context,
        )
    return count
