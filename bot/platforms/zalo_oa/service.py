"""The OA as a running service: the signed webhook (``webhook.OAReceiver``) on the shared web
server, the inbox (store, answer 200, then handle, each member's events in Zalo's order), the
outbox worker (``sender.OASender``), and a task keeping the tokens fresh across restarts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from bot.platforms.zalo_oa import events, held
from bot.platforms.zalo_oa.articles import Articles
from bot.platforms.zalo_oa.client import ZaloOAClient
from bot.platforms.zalo_oa.sender import OASender, reply_text
from bot.platforms.zalo_oa.tokens import TokenKeeper
from bot.platforms.zalo_oa.webhook import OAReceiver
from bot.platforms.zalo_oa.window import Window
from bot.runtime import url_photos
from bot.runtime.app import App
from bot.runtime.inbox import InboxRunner
from bot.runtime.outbox import OutboxWorker, worker_for
from bot.runtime.sending import Held
from bot.web.hooks import Routes
from handlers.engine.types import MediaRef, Reply, Say

log = logging.getLogger(__name__)
PLATFORM = "zalo_oa"
KEEP_SECONDS = 300.0  # how often the tokens' ends are looked at
Message = tuple[str, tuple[MediaRef, ...], str]


class ZaloOAService:
    def __init__(self, app: App) -> None:
        settings = app.settings
        assert settings.zalo_oa_app_id and settings.zalo_oa_app_secret
        self.app = app
        self.client = ZaloOAClient(
            app_id=settings.zalo_oa_app_id,
            app_secret=settings.zalo_oa_app_secret.get_secret_value(),
            api_base=str(settings.zalo_oa_api_base),
            oauth_base=str(settings.zalo_oa_oauth_base),
        )
        first = settings.zalo_oa_refresh_token
        self.tokens = TokenKeeper(
            app.sessions,
            self.client,
            app.core.deps,
            first_refresh_token=first.get_secret_value() if first else None,
        )
        self.window = Window(app.sessions, paid=settings.oa_paid_window)
        base = str(settings.public_base_url).rstrip("/") if settings.public_base_url else None
        articles = Articles(self.client, self.tokens, app.sessions, app.media, base)
        board = f"{base}/web" if base else None
        self.sender = OASender(
            self.client, self.tokens, self.window, articles, app.sessions, board=board
        )
        self.inbox = InboxRunner(app.sessions, app.locks, PLATFORM, self.handle)
        self.receiver = OAReceiver(
            settings.zalo_oa_app_id or "",
            settings.zalo_oa_secret_key,
            self.store,
            self.inbox.handle_later,
        )
        self.stopping = asyncio.Event()

    def worker(self) -> OutboxWorker:
        return worker_for(self.app, self.sender, held.compose)  # held replies keep photos

    async def proven(self) -> None:
        """The tokens work: the first one seeded, refreshed if need be, the OA answering."""
        await self.tokens.seed()
        await self.tokens.call(self.client.get_oa)

    async def start(self, routes: Routes) -> asyncio.Task[None] | None:
        await self.inbox.sweep(everything=True)  # what a crash left stored but unhandled
        routes.add(self.receiver.path, self.receiver)
        return asyncio.create_task(self.keep_tokens())

    async def after_listening(self) -> None:
        """Nothing to register: the webhook's URL and events are set on Zalo for Developers."""

    async def keep_tokens(self) -> None:
        while not self.stopping.is_set():
            try:
                await self.tokens.keep_fresh()
            except Exception:  # the database away, Zalo away: next time
                log.warning("Zalo OA: looking after the tokens failed", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), KEEP_SECONDS)

    async def store(self, raw: dict[str, Any]) -> str | None:
        """Keep an event in the inbox (once per key: Zalo's retries find it there); its
        sender, or None for an echo, a receipt or an unknown shape (acknowledged only)."""
        event = events.parse(raw)
        if event is None:
            return None
        sender = f"{PLATFORM}:{event.user_id}"
        await self.inbox.store(event.key, raw, sender=sender, seq=event.timestamp_ms)
        return sender

    async def handle(self, raw: dict[str, Any]) -> None:
        event = events.parse(raw)
        if event is None:
            return
        if event.name != "unfollow":
            await self.window.opened(event.user_id)  # held notices go out now
        inbound = events.to_inbound(event)
        if inbound is None:
            return
        stored = (
            await url_photos.fetch_in(
                self.app.sessions, self.app.fetchers[PLATFORM], event.photo_url
            )
            if event.photo_url
            else None
        )
        if isinstance(stored, Say):  # told at once; the flow stays where it was
            replies: list[Reply] = [Reply(stored)]
        else:
            replies = list(await self.app.core.handle(inbound))
            if event.photo_url and stored is not None:
                await url_photos.note(self.app.sessions, PLATFORM, event.photo_url, stored)
        await self.answer(replies, inbound.chat_id, key=event.key)

    async def answer(self, replies: list[Reply], chat_id: str, *, key: str) -> None:
        """The replies to an event from ``chat_id``, now. One owed to someone else who is
        outside their window is held for their next message (``held``), never dropped."""
        for index, (chat, media, text) in enumerate(merged(replies, chat_id, self.sender.board)):
            try:
                if chat != chat_id:  # someone else: only inside their own window
                    await self.window.check(chat)
                await self.sender.send_text(chat, media, text)
            except Held:
                if chat == chat_id:  # they just wrote: Zalo's window disagrees with ours
                    log.warning("the Zalo OA called a member who just wrote out of reach")
                    continue
                await held.hold(
                    self.app.sessions, key=f"held:{key}:{index}", chat_id=chat, media=media,
                    text=text,
                )  # fmt: skip
            except Exception as error:  # the answer is stored; the member's next message re-asks
                log.warning("could not answer on the Zalo OA: %s", type(error).__name__)

    async def stop_listening(self) -> None:
        self.stopping.set()
        await self.inbox.wait()

    async def close(self) -> None:
        await self.client.close()


def merged(replies: list[Reply], chat_id: str, board: str | None) -> list[Message]:
    """One message per step, as on the Zalo bot: consecutive replies to one chat become one
    text; only the last numbered list is kept (the one the core maps "1", "2" back from)."""
    listed = [i for i, reply in enumerate(replies) if reply.choices and not reply.alert]
    messages: list[Message] = []
    for index, reply in enumerate(replies):
        if reply.choices and (not listed or index != listed[-1]):
            reply = Reply(reply.say, media=reply.media, files=reply.files)
        chat, text = reply.chat_id or chat_id, reply_text(reply, board)
        if messages and messages[-1][0] == chat and not reply.media:
            messages[-1] = (chat, messages[-1][1], f"{messages[-1][2]}\n\n{text}")
        else:
            messages.append((chat, reply.media, text))
    return messages
