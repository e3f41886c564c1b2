"""What ``python -m bot doctor`` asks Telegram, through the bot's own aiogram client: the
token (getMe), the webhook (getWebhookInfo against TELEGRAM_WEBHOOK_URL), the editors' group
and each channel of PUBLISH_TARGETS (getChat, getChatMember of the bot: a channel needs the
bot as an administrator allowed to post)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramUnauthorizedError,
)

from bot.platforms.protocol import Finding
from bot.platforms.telegram.service import make_bot
from bot.settings import Settings

NAME = "telegram"
TIMEOUT = 15  # seconds, each call


def _said(error: BaseException) -> str:
    return (getattr(error, "message", None) or str(error) or type(error).__name__)[:200]


def _away(error: BaseException, **context: object) -> Finding:
    """Telegram did not answer (or answered with a server error): TELEGRAM_API_BASE."""
    detail = {"variable": "TELEGRAM_API_BASE", "detail": _said(error)}
    return Finding(False, "unreachable", {"platform": NAME, **context, **detail})


async def check(settings: Settings) -> list[Finding]:
    bot = make_bot(settings)
    try:
        return await _check(bot, settings)
    finally:
        await bot.session.close()


async def _check(bot: Bot, settings: Settings) -> list[Finding]:
    try:
        me = await bot.get_me(request_timeout=TIMEOUT)
    except (TelegramUnauthorizedError, TelegramNotFound):
        return [
            Finding(False, "token_refused", {"platform": NAME, "variable": "TELEGRAM_BOT_TOKEN"})
        ]
    except (TelegramAPIError, OSError, TimeoutError) as error:
        return [_away(error)]
    found = [Finding(True, "token_ok", {"platform": NAME, "name": f"@{me.username}"})]
    found.append(await _webhook(bot, settings))
    if settings.editor_chat_id is not None:
        found.append(await _chat(bot, me.id, settings.editor_chat_id, editors=True))
    for target in settings.publish_targets:
        if target.platform == NAME:
            found.append(await _chat(bot, me.id, int(target.id), editors=False))
    return found


async def _webhook(bot: Bot, settings: Settings) -> Finding:
    configured = str(settings.telegram_webhook_url) if settings.telegram_webhook_url else ""
    context: dict[str, object] = {"platform": NAME, "url": configured}
    try:
        info = await bot.get_webhook_info(request_timeout=TIMEOUT)
    except (TelegramAPIError, OSError, TimeoutError) as error:
        return _away(error, **context)
    context["registered"] = info.url
    if not configured:  # polling: a webhook left registered would take the updates
        return Finding(not info.url, "polling" if not info.url else "webhook_left", context)
    if not info.url:
        return Finding(False, "webhook_missing", context)
    if info.url != configured:
        return Finding(False, "webhook_other", context)
    return Finding(True, "webhook_ok", context | {"pending": info.pending_update_count})


async def _chat(bot: Bot, me: int, chat_id: int, *, editors: bool) -> Finding:
    """The bot in a chat: in the editors' group it must be a member; in a channel it must be
    an administrator allowed to post (a group of PUBLISH_TARGETS: a member who may write)."""
    context: dict[str, object] = {"platform": NAME, "chat": chat_id, "editors": editors}
    try:
        chat = await bot.get_chat(chat_id, request_timeout=TIMEOUT)
        member = await bot.get_chat_member(chat_id, me, request_timeout=TIMEOUT)
    except TelegramNetworkError as error:
        return _away(error, **context)
    except TelegramAPIError as error:
        return Finding(False, "telegram/chat_not_found", context | {"detail": _said(error)})
    context |= {"title": chat.title or "", "status": member.status}
    if member.status == "creator":
        return Finding(True, "telegram/chat_ok", context)
    if chat.type == "channel":
        allowed = member.status == "administrator" and bool(
            getattr(member, "can_post_messages", False)
        )
        return Finding(
            allowed, "telegram/chat_ok" if allowed else "telegram/channel_rights", context
        )
    allowed = member.status in ("administrator", "member") or (
        member.status == "restricted" and bool(getattr(member, "can_send_messages", False))
    )
    return Finding(allowed, "telegram/chat_ok" if allowed else "telegram/chat_rights", context)
