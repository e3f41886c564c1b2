"""``zalo_oa:articles``: an approved item becomes an OA article (``type: normal``, title ≤ 150,
description ≤ 300, the first photo as its cover by a public URL of the media route, the text
and the other photos as body items, ``status: show``). Zalo makes articles asynchronously:
``article/create`` answers a token, and ``article/verify`` with it gives the article's id once
it exists; only then does the item count as published. Broadcasting the article to the
followers is never done: it spends the OA's small monthly quota."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.platforms.zalo_oa.answers import ZaloOAError
from bot.platforms.zalo_oa.client import ZaloOAClient
from bot.platforms.zalo_oa.outcomes import outcome
from bot.platforms.zalo_oa.tokens import TokenKeeper
from bot.runtime.media import MediaSource, MediaUnavailable
from bot.runtime.media_route import public_url
from bot.runtime.sending import Delivery, Unknown
from handlers.engine.texts import render
from handlers.engine.types import Reply, Say
from storage import submissions

log = logging.getLogger(__name__)
TITLE, DESCRIPTION = 150, 300
# article/verify asked after 0.5 s, then twice as long each time up to 5 s: about a minute
# in all, then an editor checks the OA (the post is "maybe published", never sent again).
VERIFY_TRIES, VERIFY_SECONDS, VERIFY_CAP = 15, 0.5, 5.0


class Articles:
    def __init__(
        self,
        client: ZaloOAClient,
        tokens: TokenKeeper,
        sessions: async_sessionmaker[AsyncSession],
        media: MediaSource | None,
        public_base: str | None,
        *,
        verify_seconds: float = VERIFY_SECONDS,
    ) -> None:
        self.client, self.tokens, self.sessions = client, tokens, sessions
        self.media, self.base, self.verify_seconds = media, public_base, verify_seconds

    async def publish(self, reply: Reply) -> Delivery:
        article = await self.article(reply)
        try:
            token = await self.tokens.call(lambda t: self.client.create_article(t, article))
        except Exception as error:
            raise outcome(error, sent=False) from error
        for attempt in range(VERIFY_TRIES):
            try:
                found = await self.tokens.call(lambda t: self.client.verify_article(t, token))
            except ZaloOAError as error:  # asked again: the article is being made meanwhile
                log.info("Zalo OA article/verify: %s", error)
                found = None
            if found:
                return Delivery([found], None)
            await asyncio.sleep(min(self.verify_seconds * 2**attempt, VERIFY_CAP))
        raise Unknown("article created, but Zalo did not confirm it: an editor checks the OA")

    async def article(self, reply: Reply) -> dict[str, object]:
        ctx = reply.say.ctx
        text = render(reply.say, "plain")
        photos = await self._photo_urls(int(ctx["sub"].id or 0))
        body: list[dict[str, str]] = [
            {"type": "text", "content": part} for part in text.split("\n\n") if part.strip()
        ]
        body += [{"type": "image", "url": url} for url in photos[1:]]
        found: dict[str, object] = {
            "type": "normal",
            "title": _cut(render(Say("platforms/zalo_oa/article_title.j2", ctx), "plain"), TITLE),
            "author": _cut(str(getattr(ctx.get("org"), "short_name", "")), 50),
            "description": _cut(text.replace("\n", " "), DESCRIPTION),
            "body": body,
            "status": "show",
            "comment": "show",
        }
        if photos:
            found["cover"] = {"cover_type": "photo", "photo_url": photos[0], "status": "show"}
        return found

    async def _photo_urls(self, submission_id: int) -> list[str]:
        """Public URLs of the item's photos in the store (fetched into it when not yet)."""
        if self.base is None or self.media is None:
            return []
        async with self.sessions() as session:
            rows = await submissions.media(session, submission_id=submission_id)
        urls = []
        for row in rows:
            if row.kind != "photo":
                continue
            try:
                got = await self.media.get(row)
            except MediaUnavailable as error:
                log.info("a photo left out of the OA article: %s", error)
                continue
            sha = got.name.partition(".")[0]
            urls.append(public_url(self.base, sha, got.mime))
        return urls


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
