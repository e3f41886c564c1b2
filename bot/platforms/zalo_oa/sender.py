"""Replies, notices and posts through the OA: texts as consultation messages split at 2,000
characters, photos uploaded from the media store (the ``attachment_id`` is used at once and
never kept: it expires after 7 days), choices as a numbered list, the report's files as a link
to the board (the OA takes no XLSX). Every Zalo refusal becomes the outbox's outcome: outside
the window → held; not following / inactive → unreachable (the card says so); a refused
refresh token → the row waits for an admin to connect again."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.platforms.plain import plain_reply
from bot.platforms.textsplit import split, utf16_len
from bot.platforms.zalo_oa.articles import Articles
from bot.platforms.zalo_oa.client import TEXT_LIMIT, ZaloOAClient
from bot.platforms.zalo_oa.outcomes import outcome
from bot.platforms.zalo_oa.tokens import TokenKeeper
from bot.platforms.zalo_oa.window import Window
from bot.runtime.sending import Delivery, Permanent
from handlers.engine.texts import render
from handlers.engine.types import MediaRef, Reply, Say
from storage import media_store

log = logging.getLogger(__name__)
PLATFORM = "zalo_oa"
ARTICLES = "articles"  # the publish target ``zalo_oa:articles``


def reply_text(reply: Reply, board: str | None) -> str:
    text = plain_reply(reply)
    if reply.files:
        say = Say(
            "platforms/zalo_oa/files_on_board.j2", {"count": len(reply.files), "board": board}
        )
        text += "\n\n" + render(say, "plain")
    return text


class OASender:
    platform = PLATFORM
    buttons = False  # v3 consultation buttons are undocumented: choices stay a numbered list

    def __init__(
        self,
        client: ZaloOAClient,
        tokens: TokenKeeper,
        window: Window,
        articles: Articles,
        sessions: async_sessionmaker[AsyncSession],
        *,
        board: str | None,
    ) -> None:
        self.client, self.tokens, self.window, self.articles = client, tokens, window, articles
        self.sessions, self.board = sessions, board

    async def send(self, chat_id: str, reply: Reply, *, kind: str) -> Delivery:
        if kind == "post":
            if chat_id != ARTICLES:
                raise Permanent(f"the OA publishes articles only (zalo_oa:{ARTICLES})")
            return await self.articles.publish(reply)
        await self.window.check(chat_id)
        return await self.send_text(chat_id, reply.media, reply_text(reply, self.board))

    async def send_text(self, chat_id: str, media: Sequence[MediaRef], text: str) -> Delivery:
        ids: list[str] = []
        try:
            for item in media:
                if item.kind == "photo" and (photo := await self._stored(item.ref)) is not None:
                    ids.append(await self._photo(chat_id, *photo))
            for part in split(text, TEXT_LIMIT, utf16_len):
                ids.append(await self.tokens.call(partial(self._text, chat_id, part)))
        except Exception as error:
            raise outcome(error, sent=bool(ids)) from error
        return Delivery(ids, None)

    async def _text(self, chat_id: str, text: str, token: str) -> str:
        return await self.client.send_text(token, chat_id, text)

    async def _photo(self, chat_id: str, data: bytes, name: str, mime: str) -> str:
        attachment = await self.tokens.call(lambda t: self.client.upload_image(t, data, name, mime))
        return await self.tokens.call(lambda t: self.client.send_image(t, chat_id, attachment))

    async def _stored(self, ref: str) -> tuple[bytes, str, str] | None:
        """A member's photo from the store (fetched at intake); None when it is not there."""
        async with self.sessions() as session:
            found = await media_store.stored_ref(session, platform=PLATFORM, ref=ref)
            data = await media_store.read(session, sha256=found[0]) if found else None
        if found is None or data is None:
            return None
        sha, mime = found
        return data, f"{sha[:16]}.{mime.rpartition('/')[2]}", mime
