"""WordPress sites (``bot/platforms/wordpress/client.py``): the registry's row, publish only.

``PUBLISH_TARGETS`` names ``wordpress:<name>``; ``WORDPRESS_SITES`` gives each name its base
URL (https: the application password travels in every request, per the REST API handbook's
https://developer.wordpress.org/rest-api/using-the-rest-api/authentication/),
``WORDPRESS_CREDENTIALS`` its ``user:application password`` and ``WORDPRESS_STATUS``
``publish`` (default) or ``draft``."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pydantic import BaseModel

from bot.platforms.protocol import (
    Finding,
    Receives,
    Row,
    Sends,
    Service,
    StartProblem,
    TextUnit,
    problem,
    proven,
)
from bot.platforms.wordpress.settings import WordPressSettings

if TYPE_CHECKING:
    from bot.runtime.app import App
    from bot.runtime.media import FetchMedia
    from bot.settings import Settings
    from bot.web.hooks import Receiver

LOOPBACK = ("127.0.0.1", "localhost", "::1")  # plain http only to this machine (a test, a proxy)


class WordPress(Row):
    name: str = "wordpress"
    chats: bool = False
    buttons: bool = False
    text_limit: int = 100_000  # a post's body; no documented limit
    text_unit: TextUnit = TextUnit.CODE_POINTS
    secrets: tuple[str, ...] = ("wordpress_credentials",)
    sends: frozenset[Sends] = frozenset({Sends.POSTS})
    settings_model: type[BaseModel] | None = WordPressSettings
    receiver: type[Receiver] | None = None  # nothing calls it
    fetch_media: FetchMedia | None = None

    def enabled(self, settings: Settings) -> bool:
        return any(t.platform == self.name for t in settings.publish_targets)

    def receives(self, settings: Settings) -> Receives:
        return Receives.NOTHING

    def check(self, settings: Settings) -> None:
        for target in settings.publish_targets:
            if target.platform != self.name:
                continue
            url = settings.wordpress_sites.get(target.id)
            if url is None:
                raise problem("WORDPRESS_SITES", "wordpress/site_missing", target.id)
            parts = urlsplit(url)
            local = parts.scheme == "http" and parts.hostname in LOOPBACK
            if not (parts.scheme == "https" and parts.hostname) and not local:
                raise problem("WORDPRESS_SITES", "wordpress/url", target.id)
            if target.id not in settings.wordpress_credentials:
                raise problem("WORDPRESS_CREDENTIALS", "wordpress/login_missing", target.id)

    async def open(self, app: App) -> Service:
        from bot.platforms.wordpress.service import WordPressService

        service = WordPressService(app)
        await proven(service, service.check)
        app.core.deps.correctors[self.name] = service.sender
        from bot.platforms.wordpress.reader import WordPressReader

        app.core.deps.readers[self.name] = WordPressReader(service.clients, service.refused)
        return service

    async def doctor(self, settings: Settings) -> list[Finding]:
        from bot.platforms.wordpress.doctor import check

        return await check(settings)

    def explain(self, error: BaseException, *, stage: str) -> StartProblem:
        from bot.platforms.wordpress.client import NeverLeft, WordPressError

        if isinstance(error, WordPressError) and error.status in (401, 403):
            return StartProblem("WORDPRESS_CREDENTIALS", "token_refused", error.message, True)
        if isinstance(error, WordPressError) and (error.status >= 500 or error.status == 429):
            return StartProblem("WORDPRESS_SITES", "server_error", str(error))
        if isinstance(error, WordPressError):
            return StartProblem("WORDPRESS_SITES", "refused", str(error), lasting=True)
        if isinstance(error, NeverLeft | OSError | TimeoutError):
            return StartProblem("WORDPRESS_SITES", "unreachable", str(error))
        return StartProblem("WORDPRESS_SITES", "other", f"{type(error).__name__}: {error}")


WORDPRESS = WordPress()
