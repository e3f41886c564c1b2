"""Facebook Pages (``bot/platforms/facebook/client.py``): the registry's row. Publish-only: it
receives nothing and sends posts to the pages named ``facebook:<page_id>`` in
``PUBLISH_TARGETS``, each with its page access token from ``FACEBOOK_PAGE_TOKENS``.

A Page post's text may be 63,206 characters (graph-api/reference/page/feed does not say the
unit: counted in UTF-16 units, the safe side); no buttons."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

from bot.platforms.facebook.settings import FacebookSettings
from bot.platforms.protocol import (
    Finding,
    Receives,
    Row,
    Sends,
    Service,
    StartProblem,
    TextUnit,
    problem,
)

if TYPE_CHECKING:
    from bot.runtime.app import App
    from bot.runtime.media import FetchMedia
    from bot.settings import Settings
    from bot.web.hooks import Receiver


class Facebook(Row):
    name: str = "facebook"
    chats: bool = False
    buttons: bool = False
    text_limit: int = 63206
    text_unit: TextUnit = TextUnit.UTF16
    secrets: tuple[str, ...] = ("facebook_page_tokens",)
    sends: frozenset[Sends] = frozenset({Sends.POSTS})
    settings_model: type[BaseModel] | None = FacebookSettings
    receiver: type[Receiver] | None = None  # nothing calls it
    fetch_media: FetchMedia | None = None

    def enabled(self, settings: Settings) -> bool:
        return any(t.platform == "facebook" for t in settings.publish_targets)

    def receives(self, settings: Settings) -> Receives:
        return Receives.NOTHING

    def check(self, settings: Settings) -> None:
        for who in (*settings.admin_ids, *settings.editor_ids):
            if who.platform == "facebook":  # a page is no person: nobody could answer there
                raise problem("ADMIN_IDS, EDITOR_IDS", "facebook/not_target", str(who))
        for target in settings.publish_targets:
            if target.platform == "facebook" and target.id not in settings.facebook_page_tokens:
                raise problem("FACEBOOK_PAGE_TOKENS", "facebook/token_missing", target.id)

    async def open(self, app: App) -> Service:
        """Tokens are checked by the service's watch, which tells the admins of a bad one:
        one page's expired token must not stop the others, nor Telegram."""
        from bot.platforms.facebook.reader import FacebookReader
        from bot.platforms.facebook.service import FacebookService

        service = FacebookService(app)
        app.core.deps.correctors[self.name] = service.sender  # /suabai, /gobai
        # Units' own pages: their posts and followers (``python -m bot count-pages``).
        reader = FacebookReader(service.client, service.tokens, service.token_problem)
        app.core.deps.readers[self.name] = reader
        return service

    async def doctor(self, settings: Settings) -> list[Finding]:
        from bot.platforms.facebook.doctor import check

        return await check(settings)

    def explain(self, error: BaseException, *, stage: str) -> StartProblem:
        return StartProblem("FACEBOOK_GRAPH_BASE", "other", f"{type(error).__name__}: {error}")


FACEBOOK = Facebook()
