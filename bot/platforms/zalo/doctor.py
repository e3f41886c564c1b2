"""What ``python -m bot doctor`` asks the Zalo Bot API through the bot's own client: the
token (getMe) and the webhook (getWebhookInfo against ZALO_WEBHOOK_URL). Zalo has no call
that tells whether the bot may post in a chat: its publish targets are not checked."""

from __future__ import annotations

from bot.platforms.protocol import Finding
from bot.platforms.zalo.client import ZaloClient, ZaloError, ZaloNetworkError
from bot.settings import Settings

NAME = "zalo"


async def check(settings: Settings) -> list[Finding]:
    assert settings.zalo_bot_token is not None
    client = ZaloClient(
        settings.zalo_bot_token.get_secret_value(),
        api_base=str(settings.zalo_api_base).rstrip("/"),
    )
    try:
        return await _check(client, settings)
    finally:
        await client.close()


async def _check(client: ZaloClient, settings: Settings) -> list[Finding]:
    unreachable = {"platform": NAME, "variable": "ZALO_API_BASE"}
    try:
        me = await client.get_me()
    except ZaloNetworkError as error:
        return [Finding(False, "unreachable", unreachable | {"detail": error.description})]
    except ZaloError as error:
        if {error.status, error.error_code} & {401, 403, 404}:
            return [
                Finding(False, "token_refused", {"platform": NAME, "variable": "ZALO_BOT_TOKEN"})
            ]
        return [Finding(False, "unreachable", unreachable | {"detail": error.description})]
    name = str(me.get("account_name") or me.get("display_name") or me.get("id") or "")
    found = [Finding(True, "token_ok", {"platform": NAME, "name": name})]
    configured = str(settings.zalo_webhook_url) if settings.zalo_webhook_url else ""
    context: dict[str, object] = {"platform": NAME, "url": configured}
    try:
        info = await client.get_webhook_info()
    except ZaloError as error:
        return [*found, Finding(False, "unreachable", unreachable | {"detail": error.description})]
    registered = str(info.get("url") or "")
    context["registered"] = registered
    if not configured:
        key = "polling" if not registered else "webhook_left"
        return [*found, Finding(not registered, key, context)]
    if not registered:
        return [*found, Finding(False, "webhook_missing", context)]
    if registered != configured:
        return [*found, Finding(False, "webhook_other", context)]
    return [*found, Finding(True, "webhook_ok", context)]
