"""Zalo Bot Platform (``bot/platforms/zalo/client.py``): the registry's row.

Rules from https://bot.zaloplatforms.com/docs/: sendMessage's text is 1-2000 "ký tự" (unit
undocumented: counted in UTF-16 units, the safe side), no buttons, ``setWebhook``'s
``secret_token`` 8-256 characters, returned in the ``X-Bot-Api-Secret-Token`` header."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
from bot.platforms.zalo.receiver import ZaloReceiver
from bot.platforms.zalo.settings import ZaloSettings

if TYPE_CHECKING:
    from bot.runtime.app import App
    from bot.runtime.media import FetchMedia
    from bot.runtime.safe_fetch import Allowed
    from bot.settings import Settings
    from bot.web.hooks import Receiver


async def fetch_url(url: str, *, allowed: Allowed, limit: int) -> bytes:
    """A photo arrives as a URL on Zalo's servers: fetched through the one guarded fetcher
    (imported when first needed: the row loads with the settings, before the runtime)."""
    from bot.runtime.media import fetch_url as guarded

    return await guarded(url, allowed=allowed, limit=limit)


class Zalo(Row):
    name: str = "zalo"
    chats: bool = True
    buttons: bool = False
    text_limit: int = 2000
    text_unit: TextUnit = TextUnit.UTF16
    secrets: tuple[str, ...] = ("zalo_bot_token", "zalo_webhook_secret")
    sends: frozenset[Sends] = frozenset({Sends.REPLIES, Sends.CARDS, Sends.POSTS})
    settings_model: type[BaseModel] | None = ZaloSettings
    receiver: type[Receiver] | None = ZaloReceiver  # its webhook: verify, then receive
    fetch_media: FetchMedia | None

    def __init__(self) -> None:
        self.fetch_media = fetch_url  # on the instance: a function, not a bound method

    def enabled(self, settings: Settings) -> bool:
        return settings.zalo_bot_token is not None

    def receives(self, settings: Settings) -> Receives:
        return Receives.WEBHOOK if settings.zalo_webhook_url else Receives.POLLING

    def check(self, settings: Settings) -> None:
        secret = settings.zalo_webhook_secret
        if settings.zalo_webhook_url is not None and secret is None:
            # Zalo would be told no secret, and every update refused: a deaf bot.
            raise problem("ZALO_WEBHOOK_SECRET", "secret_needed")
        if secret is not None and not 8 <= len(secret.get_secret_value()) <= 256:
            raise problem("ZALO_WEBHOOK_SECRET", "zalo/secret_format")

    async def open(self, app: App) -> Service:
        from bot.platforms.zalo.service import ZaloService

        service = ZaloService(app)
        await proven(service, service.client.get_me)
        app.core.deps.correctors[self.name] = service.sender
        return service

    async def doctor(self, settings: Settings) -> list[Finding]:
        from bot.platforms.zalo.doctor import check

        return await check(settings)

    def explain(self, error: BaseException, *, stage: str) -> StartProblem:
        from bot.platforms.zalo.client import ZaloError, ZaloNetworkError

        if isinstance(error, ZaloNetworkError):
            return StartProblem("ZALO_API_BASE", "unreachable", error.description)
        if isinstance(error, ZaloError):
            codes = (error.status, error.error_code)
            if any(code in codes for code in (401, 403, 404)):  # the token's path is unknown
                return StartProblem("ZALO_BOT_TOKEN", "token_refused", error.description, True)
            if error.status >= 500 or 429 in codes:
                return StartProblem("ZALO_API_BASE", "server_error", error.description)
            if stage == "webhook":
                variable = "ZALO_WEBHOOK_URL, ZALO_WEBHOOK_SECRET"
                return StartProblem(variable, "webhook", str(error), lasting=True)
            return StartProblem("ZALO_BOT_TOKEN", "refused", str(error), lasting=True)
        if isinstance(error, OSError | TimeoutError):
            return StartProblem("ZALO_API_BASE", "unreachable", str(error))
        return StartProblem("ZALO_API_BASE", "other", f"{type(error).__name__}: {error}")


ZALO = Zalo()
