"""The outbox's sender for WordPress sites (one client per site of ``WORDPRESS_SITES``): a
post becomes a WordPress post with its photos uploaded from the media store, its hashtags as
tags and its kind as a category; WordPress's errors become the worker's outcomes. It also
corrects (``POST /posts/<id>``) and trashes (``DELETE /posts/<id>``) what it posted."""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.platforms.media import Change, ChangeResult
from bot.platforms.wordpress.client import NeverLeft, WordPressClient, WordPressError
from bot.runtime.media import MediaFile, MediaSource, MediaUnavailable
from bot.runtime.sending import Delivery, Permanent, RetryLater, Transient, Unknown
from handlers.engine.texts import label, render
from handlers.engine.types import Reply, Say
from storage.models import Media, Outbox

log = logging.getLogger(__name__)
HOLD_SECONDS = 900.0  # a refused password: the post waits, offered again every 15 minutes
REFUSED = (401, 403)
LoadMedia = Callable[[int], Awaitable[list[Media]]]
OnRefused = Callable[[str, str], Awaitable[object]]


class WordPressSender:
    platform = "wordpress"

    def __init__(
        self,
        clients: dict[str, WordPressClient],
        status: dict[str, str],
        *,
        media: MediaSource | None,
        load_media: LoadMedia,
        on_refused: OnRefused,
    ) -> None:
        self.clients, self.status, self.media = clients, status, media
        self.load_media, self.on_refused = load_media, on_refused

    async def send(self, chat_id: str, reply: Reply, *, kind: str) -> Delivery:
        client = self.clients.get(chat_id)
        if client is None:
            raise Permanent(f"no WordPress site named {chat_id!r} in WORDPRESS_SITES")
        try:
            fields = await self._fields(client, chat_id, reply)
        except Exception as error:  # nothing was posted yet: the media and terms may be again
            raise await self._outcome(chat_id, error, posting=False) from error
        try:
            post = await client.create_post(fields)
        except Exception as error:
            raise await self._outcome(chat_id, error, posting=True) from error
        public = post.get("status") == "publish"
        return Delivery([str(post["id"])], str(post.get("link")) if public else None)

    async def _fields(self, client: WordPressClient, site: str, reply: Reply) -> dict[str, Any]:
        ctx = reply.say.ctx
        sub = ctx["sub"]
        uploaded = [await client.upload(f) for f in await self._photos(int(sub.id or 0))]
        figures = "".join(
            f'<figure><img src="{html.escape(str(m.get("source_url", "")))}" alt=""/></figure>'
            for m in uploaded[1:]
        )
        names = [str(tag).lstrip("#") for tag in ctx.get("hashtags", ())]
        kind = "tin_tot" if sub.kind == "tin_tot" else "cau_chuyen_dep"
        category = label(kind, "platforms/wordpress/labels.j2")
        fields: dict[str, Any] = {
            "title": render(Say("platforms/wordpress/title.j2", ctx), "html"),
            "content": paragraphs(render(reply.say, "html")) + figures,
            "status": self.status.get(site, "publish"),
            "tags": [await client.term("tags", name) for name in names if name],
            "categories": [await client.term("categories", category)],
        }
        if uploaded:
            fields["featured_media"] = uploaded[0]["id"]
        return fields

    async def _photos(self, submission_id: int) -> list[MediaFile]:
        if self.media is None:
            return []
        files = []
        for row in await self.load_media(submission_id):
            if row.kind != "photo":
                continue
            try:
                files.append(await self.media.get(row))
            except MediaUnavailable as error:  # the post goes without it rather than not at all
                log.warning("WordPress: photo %s left out: %s", row.id, error)
        return files

    async def _outcome(self, site: str, error: Exception, *, posting: bool) -> Exception:
        if isinstance(error, WordPressError):
            detail = f"{error.code}: {error.message}"
            if error.status in REFUSED:
                await self.on_refused(site, detail)
                return RetryLater(HOLD_SECONDS, detail)
            if error.status == 429:
                return RetryLater(error.retry_after or 30.0, detail)
            if error.status >= 500:
                return Transient(detail)
            return Permanent(detail)
        if isinstance(error, NeverLeft) or not posting:
            return Transient(f"{type(error).__name__}: {error}")
        return Unknown(f"{type(error).__name__}: {error}")  # the post may exist: not again

    async def correct(self, row: Outbox, text: str) -> ChangeResult:
        fields = {"content": paragraphs(html.escape(text))}
        return await self._change(row, lambda c, pid: c.update_post(pid, fields))

    async def take_down(self, row: Outbox) -> ChangeResult:
        return await self._change(row, lambda c, pid: c.trash_post(pid))

    async def _change(
        self, row: Outbox, act: Callable[[WordPressClient, str], Awaitable[object]]
    ) -> ChangeResult:
        client = self.clients.get(row.chat_id)
        if client is None or not row.message_ids:
            return ChangeResult(Change.FAILED, "no such site or post")
        try:
            await act(client, row.message_ids[0])
        except WordPressError as error:
            return ChangeResult(Change.FAILED, f"{error.code}: {error.message}")
        except Exception as error:
            return ChangeResult(Change.FAILED, type(error).__name__)
        return ChangeResult(Change.DONE)


def paragraphs(markup: str) -> str:
    """Text (already escaped, with Telegram's few tags) as WordPress paragraphs."""
    blocks = [b.strip() for b in markup.split("\n\n") if b.strip()]
    return "".join("<p>" + block.replace("\n", "<br/>") + "</p>" for block in blocks)
