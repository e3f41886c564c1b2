"""Telegram (Bot API through aiogram 3): the registry's row.

Limits and rules from https://core.telegram.org/bots/api: text 1-4096 characters (counted
here in UTF-16 units, the safe side), ``setWebhook``'s ``secret_token`` 1-256 characters of
``A-Z a-z 0-9 _ -``. Imports of aiogram wait until a service is opened: settings are checked
before anything else loads."""

from __future__ import annotations

import re
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
from bot.platforms.telegram.receiver import TelegramReceiver
from bot.platforms.telegram.settings import TelegramSettings

if TYPE_CHECKING:
    from bot.runtime.app import App
    from bot.runtime.media import FetchMedia
    from bot.settings import Settings
    from bot.web.hooks import Receiver

_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]", "::1")  # where BENCH_NO_LIMITS may point


class Telegram(Row):
    name: str = "telegram"
    chats: bool = True
    buttons: bool = True
    text_limit: int = 4096
    text_unit: TextUnit = TextUnit.UTF16
    secrets: tuple[str, ...] = ("telegram_bot_token", "telegram_webhook_secret")
    sends: frozenset[Sends] = frozenset({Sends.REPLIES, Sends.CARDS, Sends.POSTS})
    settings_model: type[BaseModel] | None = TelegramSettings
    receiver: type[Receiver] | None = TelegramReceiver  # its webhook: verify, then receive
    fetch_media: FetchMedia | None = None

    def enabled(self, settings: Settings) -> bool:
        return settings.telegram_bot_token is not None

    def receives(self, settings: Settings) -> Receives:
        return Receives.WEBHOOK if settings.telegram_webhook_url else Receives.POLLING

    def check(self, settings: Settings) -> None:
        token = settings.telegram_bot_token
        if token is not None:
            head, sep, tail = token.get_secret_value().partition(":")
            if not (head.isdigit() and sep and len(tail) >= 10):
                raise problem("TELEGRAM_BOT_TOKEN", "telegram/token_format")
        secret = settings.telegram_webhook_secret
        if settings.telegram_webhook_url is not None and secret is None:
            # Without it anybody could post fake updates to the webhook.
            raise problem("TELEGRAM_WEBHOOK_SECRET", "secret_needed")
        if secret is not None and not _SECRET.fullmatch(secret.get_secret_value()):
            raise problem("TELEGRAM_WEBHOOK_SECRET", "telegram/secret_format")
        if settings.bench_no_limits and settings.telegram_api_base.host not in _LOOPBACK:
            raise problem("BENCH_NO_LIMITS", "telegram/bench_only")

    async def open(self, app: App) -> Service:
        from bot.platforms.telegram.changes import TelegramChanges
        from bot.platforms.telegram.service import TelegramService

        service = TelegramService(app)
        await proven(service, service.bot.get_me)
        app.core.deps.correctors[self.name] = TelegramChanges(service.bot, app.core.deps.clock)
        return service

    async def doctor(self, settings: Settings) -> list[Finding]:
        from bot.platforms.telegram.doctor import check

        return await check(settings)

    def explain(self, error: BaseException, *, stage: str) -> StartProblem:
        from aiogram.exceptions import (
            TelegramAPIError,
            TelegramNetworkError,
            TelegramNotFound,
            TelegramRetryAfter,
            TelegramServerError,
            TelegramUnauthorizedError,
        )

        detail = getattr(error, "message", None) or str(error) or type(error).__name__
        # aiogram's network error is a TelegramAPIError too: it is told apart first.
        if isinstance(error, TelegramNetworkError | OSError | TimeoutError):
            return StartProblem("TELEGRAM_API_BASE", "unreachable", detail)
        if isinstance(error, TelegramServerError | TelegramRetryAfter):
            return StartProblem("TELEGRAM_API_BASE", "server_error", detail)
        if isinstance(error, TelegramUnauthorizedError | TelegramNotFound):
            return StartProblem("TELEGRAM_BOT_TOKEN", "token_refused", detail, lasting=True)
        if isinstance(error, TelegramAPIError) and stage == "webhook":
            variable = "TELEGRAM_WEBHOOK_URL, TELEGRAM_WEBHOOK_SECRET"
            return StartProblem(variable, "webhook", detail, lasting=True)
        if isinstance(error, TelegramAPIError):
            return StartProblem("TELEGRAM_BOT_TOKEN", "refused", detail, lasting=True)
        return StartProblem("TELEGRAM_API_BASE", "other", f"{type(error).__name__}: {detail}")


TELEGRAM = Telegram()
