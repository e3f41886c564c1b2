"""Posts to a Facebook Page through the outbox, and changes them afterwards.

No media: a ``/feed`` post. One photo: ``/photos`` with the caption. Several: each uploaded
unpublished, then one ``/feed`` post attaching them. A video: ``/videos`` with the text as
its description (photos beside a video are left out: a Page post cannot mix them). Facebook
shows plain text: the post is rendered without markup, a member's ``<b>`` or ``&`` as typed.

How the Graph API's errors (graph-api/guides/error-handling) become the outbox's outcomes:
190 (token expired or revoked) holds the post and tells the admins; 4/17/32/613 and HTTP 429
wait; 1/2 and 5xx back off; 10, 200-299 and 368 stop for an editor, with the reason; a
publishing call that got no answer may have posted, so it is never repeated by itself."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.platforms.facebook.client import GraphClient, GraphError, GraphNetworkError
from bot.platforms.media import Change, ChangeResult
from bot.runtime.media import MediaFile, MediaSource, MediaUnavailable
from bot.runtime.sending import Delivery, Permanent, RetryLater, Transient, Unknown
from handlers.engine.texts import render
from handlers.engine.types import MediaRef, Reply
from storage.models import Media, Outbox

log = logging.getLogger(__name__)
STORED = "stored:"  # a MediaRef naming a row of the media table, whose bytes the source has
VIDEO = "video:"  # a message id that is a video's, not a post's
TOKEN_HOLD, RATE_WAIT = 900.0, 300.0  # seconds a post waits: a broken token, throttling
TOKEN_CODES, RATE_CODES, TRANSIENT_CODES = {190, 102}, {4, 17, 32, 613}, {1, 2}
FACEBOOK = "https://www.facebook.com"
T = TypeVar("T")

TokenProblem = Callable[[str, GraphError], Awaitable[object]]


class Refused(Unknown):
    """Facebook refused the post for a permission or a policy: an editor looks (needs_check);
    sending again unchanged cannot help."""


class FacebookSender:
    platform = "facebook"

    def __init__(
        self,
        client: GraphClient,
        tokens: dict[str, str],
        sessions: async_sessionmaker[AsyncSession],
        media: MediaSource,
        *,
        on_token_problem: TokenProblem | None = None,
    ) -> None:
        self.client, self.tokens, self.sessions, self.media = client, tokens, sessions, media
        self.on_token_problem = on_token_problem

    async def send(self, chat_id: str, reply: Reply, *, kind: str) -> Delivery:
        token = self.tokens.get(chat_id)
        if token is None:  # the settings' check makes this a bug, not a deployment's mistake
            raise Permanent(f"no page token for facebook:{chat_id}")
        text = render(reply.say, "plain")
        try:
            files = [await self._file(ref) for ref in reply.media]
        except MediaUnavailable as error:
            raise Permanent(f"media unavailable: {error}") from error
        try:
            return await self._publish(chat_id, token, text, files)
        except GraphError as error:
            raise await self._outcome(chat_id, error) from error

    async def _publish(self, page: str, token: str, text: str, files: list[MediaFile]) -> Delivery:
        videos = [f for f in files if f.kind == "video"]
        photos = [f for f in files if f.kind != "video"]
        if videos:
            video_id = await self._final(self.client.video(page, token, videos[0], text))
            return Delivery([VIDEO + video_id], await self._link(video_id, token))
        if len(photos) == 1:
            answer = await self._final(self.client.photo(page, token, photos[0], caption=text))
            post_id = str(answer.get("post_id") or answer["id"])
            return Delivery([post_id], await self._link(post_id, token))
        attach = []
        for photo in photos:  # unpublished: an upload repeated after a failure shows nowhere
            try:
                attach.append(
                    str((await self.client.photo(page, token, photo, caption=None))["id"])
                )
            except GraphNetworkError as error:
                raise Transient(str(error)) from error
        post_id = await self._final(self.client.feed(page, token, text, attach))
        return Delivery([post_id], await self._link(post_id, token))

    async def _final(self, call: Awaitable[T]) -> T:
        """The call that makes the post public: without an answer it may have posted."""
        try:
            return await call
        except GraphNetworkError as error:
            raise (Unknown if error.maybe_delivered else Transient)(str(error)) from error

    async def _link(self, object_id: str, token: str) -> str:
        """The post's permalink; built from its id when Facebook will not say (it is up)."""
        try:
            link = await self.client.permalink(object_id, token)
        except (GraphError, GraphNetworkError) as error:
            log.warning("Facebook permalink of %s not read: %s", object_id, error)
            link = None
        if link and link.startswith("/"):
            link = FACEBOOK + link
        return link or f"{FACEBOOK}/{object_id}"

    async def _outcome(self, page: str, error: GraphError) -> Exception:
        code = error.code
        if code in TOKEN_CODES:
            if self.on_token_problem is not None:
                try:
                    await self.on_token_problem(page, error)
                except Exception:  # telling the admins must not lose the post
                    log.exception("Facebook token problem not reported")
            return RetryLater(TOKEN_HOLD, str(error))
        if code in RATE_CODES or error.status == 429:
            return RetryLater(RATE_WAIT, str(error))
        if code in TRANSIENT_CODES or error.status >= 500:
            return Transient(str(error))
        if code is not None and (code in (10, 368) or 200 <= code <= 299):
            return Refused(str(error))
        return Permanent(str(error))

    async def _file(self, ref: MediaRef) -> MediaFile:
        if not ref.ref.startswith(STORED):
            raise MediaUnavailable(f"not in the media store: {ref.kind}")
        async with self.sessions() as session:
            row = await session.get(Media, int(ref.ref.removeprefix(STORED)))
        if row is None:
            raise MediaUnavailable("media row gone")
        return await self.media.get(row)

    # --- Correctable (bot/platforms/media.py): /suabai and /gobai -----------------------------

    async def correct(self, row: Outbox, text: str) -> ChangeResult:
        async def edit(object_id: str, token: str) -> None:
            if object_id.startswith(VIDEO):  # a video's text is its description
                fields = {"description": text}
                await self.client.call("POST", object_id.removeprefix(VIDEO), token, dict(fields))
            else:
                await self.client.edit(object_id, token, text)

        return await self._change(row, edit)

    async def take_down(self, row: Outbox) -> ChangeResult:
        async def delete(object_id: str, token: str) -> None:
            await self.client.delete(object_id.removeprefix(VIDEO), token)

        return await self._change(row, delete)

    async def _change(
        self, row: Outbox, act: Callable[[str, str], Awaitable[None]]
    ) -> ChangeResult:
        token = self.tokens.get(row.chat_id)
        if token is None or not row.message_ids:
            return ChangeResult(Change.FAILED, "no post id or page token")
        try:
            await act(row.message_ids[0], token)
        except (GraphError, GraphNetworkError) as error:
            return ChangeResult(Change.FAILED, str(error)[:200])
        return ChangeResult(Change.DONE)
