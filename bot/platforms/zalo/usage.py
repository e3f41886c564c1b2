"""Zalo's monthly message quota, as the service meets it: each message sent is counted, a
refusal is told to the admins, and a refused reply waits in the outbox instead of being lost."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.platforms.zalo.adapter import QUOTA_RETRY_SECONDS
from bot.runtime.app import App
from handlers.admin import quota, web_link
from storage import outbox
from storage.models import OutboxKind

log = logging.getLogger(__name__)


class ZaloUsage:
    def __init__(self, app: App) -> None:
        self.app = app

    async def hold(self, key: str, chat_id: str, text: str) -> None:
        """A reply Zalo refused as over quota: queued as it would have been shown (its
        numbered list included; photos are not kept), offered again later."""
        retry_at = self.app.core.deps.clock() + timedelta(seconds=QUOTA_RETRY_SECONDS)
        # A /web answer keeps only its token's hash: a fresh link is made on delivery.
        token_hash = web_link.held_sign_in(text)
        template, context = (
            ("staff/web_link.j2", {"sign_in": token_hash})
            if token_hash
            else ("platforms/zalo/held_reply.j2", {"text": text})
        )
        async with self.app.sessions.begin() as session:
            await outbox.enqueue(
                session,
                key=key[:128],
                kind=OutboxKind.NOTICE,
                platform="zalo",
                chat_id=chat_id,
                template=template,
                context=context,
                not_before=retry_at,
            )

    async def count(self, sent: int) -> None:
        budget = self.app.settings.zalo_monthly_message_budget
        async with self.app.sessions.begin() as session:
            deps = self.app.core.deps
            await quota.count_sent(session, deps, platform="zalo", count=sent, budget=budget)

    async def refused(self, error: str) -> None:
        log.warning("Zalo refused a message (quota or permission?): %s", error)
        minutes = round(QUOTA_RETRY_SECONDS / 60)
        async with self.app.sessions.begin() as session:
            await quota.refused(
                session, self.app.core.deps, platform="zalo", error=error, retry_minutes=minutes
            )
