"""The Telegram adapter: an aiogram router that hands private chats to the core and sends
back what it answers. It decides nothing itself."""

from __future__ import annotations

import logging
from dataclasses import replace

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    CallbackQuery,
    Chat,
    Message,
    Update,
)

from bot.platforms.telegram import convert
from bot.platforms.telegram.send import alert_text, call, deliver
from handlers.engine.core import Core
from handlers.engine.texts import environment
from handlers.engine.types import Reply

log = logging.getLogger(__name__)
MENU = ("gui", "cuatoi", "chude", "huongdan", "donvi", "huy", "start")


def make_router(core: Core, *, editor_chat: int | None = None) -> Router:
    """Private chats (members) and the editors' group; any other group is ignored."""
    router = Router(name="telegram")

    def ours(chat: Chat) -> bool:
        return chat.type == "private" or (editor_chat is not None and chat.id == editor_chat)

    router.message.filter(lambda message: ours(message.chat))
    router.callback_query.filter(
        lambda query: query.message is not None and ours(query.message.chat)
    )

    @router.message()
    async def on_message(
        message: Message, bot: Bot, event_update: Update, replay: bool = False
    ) -> None:
        event = convert.from_message(message, event_update.update_id)
        replies = await core.handle(replace(event, replay=replay))
        await _send_all(bot, message.chat.id, replies, pressed=None)

    @router.callback_query()
    async def on_press(
        query: CallbackQuery, bot: Bot, event_update: Update, replay: bool = False
    ) -> None:
        event = convert.from_callback(query, event_update.update_id)
        replies = await core.handle(replace(event, replay=replay))
        alerts = [reply for reply in replies if reply.alert]
        try:
            await call(
                lambda: query.answer(
                    alert_text(alerts[0]) if alerts else None, show_alert=bool(alerts)
                )
            )
        except TelegramAPIError as error:  # an old query (> 15 min) can no longer be answered
            log.info("could not answer callback: %s", error)
        message = query.message
        if message is None:
            return
        edits = any(reply.edit for reply in replies)
        if message.chat.type == "private" and not edits:
            # The choice is made (or the buttons are stale): take them off the old message.
            try:
                await call(
                    lambda: bot.edit_message_reply_markup(
                        chat_id=message.chat.id, message_id=message.message_id, reply_markup=None
                    )
                )
            except TelegramAPIError as error:
                log.debug("could not remove the keyboard: %s", error)
        rest = [reply for reply in replies if not reply.alert]
        await _send_all(bot, message.chat.id, rest, pressed=message.message_id)

    return router


async def _send_all(bot: Bot, chat_id: int, replies: list[Reply], *, pressed: int | None) -> None:
    for reply in replies:
        target = int(reply.chat_id) if reply.chat_id else chat_id
        try:
            await deliver(bot, target, reply, edit_message_id=pressed)
        except TelegramAPIError:
            # The state is already stored: the member's next message gets the question again.
            log.exception("could not send a reply to chat %s", target)


async def set_menu(bot: Bot) -> None:
    """The commands menu (Telegram's menu button) in every private chat."""
    module = environment("plain").get_template("menu.j2").module
    commands = [BotCommand(command=name, description=getattr(module, name)) for name in MENU]
    await call(lambda: bot.set_my_commands(commands, scope=BotCommandScopeAllPrivateChats()))
