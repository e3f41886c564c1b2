"""Telegram's webhook: ``setWebhook``'s ``secret_token`` comes back in every call's
``X-Telegram-Bot-Api-Secret-Token`` header (https://core.telegram.org/bots/api#setwebhook)."""

from __future__ import annotations

from bot.web.hooks import Receiver

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramReceiver(Receiver):
    header = SECRET_HEADER
