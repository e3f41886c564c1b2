"""Facebook Pages as a running service: publish-only, so no polling and no webhook; an outbox
worker for the pages of ``PUBLISH_TARGETS``, and a watch over their tokens.

Each page token is checked at start and every day (``GET /{page-id}?fields=id,name``); a bad
one is told to the admins before a post fails on it, once per token and problem: the
outbox's unique key, so several workers agree. A new token is a new key."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.platforms.facebook.client import GraphClient, GraphError, GraphNetworkError
from bot.platforms.facebook.sender import STORED, FacebookSender
from bot.runtime.app import App
from bot.runtime.media import MediaFile, MediaSource, MediaUnavailable
from bot.runtime.outbox import OutboxWorker, worker_for
from bot.web.hooks import Routes
from handlers.admin.tell import tell_admins
from handlers.desk import outbound
from handlers.engine.context import Deps
from handlers.engine.types import MediaRef, Reply
from storage import outbox, submissions
from storage.models import Media, Outbox, OutboxKind

log = logging.getLogger(__name__)
CHECK_EVERY = 24 * 3600.0  # seconds between two checks of every page token


class NoMediaStore:
    """Until a media store is wired in: no bytes, so a post with photos waits for an editor."""

    async def get(self, media: Media) -> MediaFile:
        raise MediaUnavailable("no media store configured")


class FacebookService:
    def __init__(self, app: App) -> None:
        settings = app.settings
        self.app = app
        self.client = GraphClient(str(settings.facebook_graph_base))
        self.tokens = {p: t.get_secret_value() for p, t in settings.facebook_page_tokens.items()}
        source: MediaSource = app.media or NoMediaStore()
        self.sender = FacebookSender(
            self.client, self.tokens, app.sessions, source, on_token_problem=self.token_problem
        )
        self.stopping = asyncio.Event()

    def pages(self) -> list[str]:
        """The pages to publish to (every one has a token: the settings' check)."""
        return [t.id for t in self.app.settings.publish_targets if t.platform == "facebook"]

    def worker(self) -> OutboxWorker:
        return worker_for(self.app, self.sender, compose)

    async def check_tokens(self) -> int:
        """Asks Facebook about every page's token; the admins hear of each bad one. Returns
        how many work."""
        good = 0
        for page in self.pages():
            try:
                await self.client.page(page, self.tokens[page])
                good += 1
                await self.release(page)
            except GraphError as error:
                await self.token_problem(page, error)
            except GraphNetworkError as error:  # Facebook away: the next check tells
                log.warning("Facebook page %s not checked: %s", page, error)
        return good

    async def release(self, page: str) -> None:
        """The token works (perhaps renewed since a post failed on it): what waits for the
        page goes now."""
        async with self.app.sessions.begin() as session:
            released = await outbox.retry_now(
                session, platform="facebook", chat_id=page, now=self.app.core.deps.clock()
            )
        if released:
            log.info("Facebook page %s: %d held posts go now", page, released)

    async def token_problem(self, page: str, error: GraphError) -> None:
        log.warning("Facebook page %s: token refused: %s", page, error)
        token = self.tokens.get(page, "")
        mark = hashlib.sha256(token.encode()).hexdigest()[:12]  # names the token, reveals nothing
        context = {"page": page, "code": error.code, "error": error.message[:200]}
        async with self.app.sessions.begin() as session:
            await tell_admins(
                session,
                self.app.core.deps,
                key=f"fbtoken:{page}:{mark}:{error.code}",
                template="platforms/facebook/notice_token.j2",
                context=context,
            )

    async def watch(self) -> None:
        while not self.stopping.is_set():
            try:
                await self.check_tokens()
            except Exception:  # the database away: the next day's check tries again
                log.exception("Facebook token check failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), CHECK_EVERY)

    async def start(self, routes: Routes) -> asyncio.Task[None] | None:
        return asyncio.create_task(self.watch())

    async def after_listening(self) -> None:
        return None

    async def stop_listening(self) -> None:
        self.stopping.set()

    async def close(self) -> None:
        await self.client.close()


async def compose(session: AsyncSession, item: Outbox, deps: Deps) -> Reply | None:
    """The core's post, with every photo and video of the submission named by its row in the
    media table: Facebook takes bytes, which the media source gives for a row."""
    reply = await outbound.compose(session, item, deps)
    if reply is None or item.kind != OutboxKind.POST:
        return reply
    rows = await submissions.media(session, submission_id=item.submission_id or 0)
    refs = tuple(
        MediaRef("video" if m.kind == "video" else "photo", f"{STORED}{m.id}") for m in rows
    )
    return dataclasses.replace(reply, media=refs)
