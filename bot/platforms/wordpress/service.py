"""WordPress sites as a running, publish-only service: no updates to receive, one outbox
worker for every site, and the admins told (once a day per site) when a site refuses the
application password."""

from __future__ import annotations

import asyncio

from bot.platforms.wordpress.client import WordPressClient
from bot.platforms.wordpress.sender import HOLD_SECONDS, WordPressSender
from bot.runtime.app import App
from bot.runtime.outbox import OutboxWorker, worker_for
from bot.web.hooks import Routes
from handlers.admin.tell import tell_admins
from storage import outbox, submissions
from storage.models import Media


class WordPressService:
    def __init__(self, app: App) -> None:
        settings = app.settings
        self.app = app
        sites = {t.id for t in settings.publish_targets if t.platform == "wordpress"}
        self.clients = {
            name: WordPressClient(
                settings.wordpress_sites[name],
                settings.wordpress_credentials[name].user,
                settings.wordpress_credentials[name].password.get_secret_value(),
                timeout=settings.wordpress_timeout_seconds,
            )
            for name in sorted(sites)
        }
        self.sender = WordPressSender(
            self.clients,
            dict(settings.wordpress_status),
            media=app.media,
            load_media=self.load_media,
            on_refused=self.refused,
        )

    async def check(self) -> None:
        """Every site's password works (``GET /users/me``) before the first post needs it."""
        for name, client in self.clients.items():
            await client.me()
            async with self.app.sessions.begin() as session:  # a renewed password: posts go now
                now = self.app.core.deps.clock()
                await outbox.retry_now(session, platform="wordpress", chat_id=name, now=now)

    def worker(self) -> OutboxWorker:
        return worker_for(self.app, self.sender)

    async def load_media(self, submission_id: int) -> list[Media]:
        async with self.app.sessions() as session:
            return list(await submissions.media(session, submission_id=submission_id))

    async def refused(self, site: str, error: str) -> None:
        deps = self.app.core.deps
        day = deps.clock().astimezone(deps.tz).date().isoformat()
        context = {"site": site, "error": error[:200], "minutes": round(HOLD_SECONDS / 60)}
        async with self.app.sessions.begin() as session:
            await tell_admins(
                session,
                deps,
                key=f"wp_refused:{site}:{day}",
                template="platforms/wordpress/notice_refused.j2",
                context=context,
            )

    async def start(self, routes: Routes) -> asyncio.Task[None] | None:
        return None

    async def after_listening(self) -> None:
        return None

    async def stop_listening(self) -> None:
        return None

    async def close(self) -> None:
        for client in self.clients.values():
            await client.close()
