"""The Zalo bot's webhook: ``setWebhook``'s ``secret_token`` comes back in every call's
``X-Bot-Api-Secret-Token`` header (https://bot.zaloplatforms.com/docs/)."""

from __future__ import annotations

from bot.web.hooks import Receiver

SECRET_HEADER = "X-Bot-Api-Secret-Token"


class ZaloReceiver(Receiver):
    header = SECRET_HEADER
