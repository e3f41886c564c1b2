"""The Telegram adapter: an aiogram router that hands private chats to the core and queues
what it answers (``ChatQueues``: each chat in order, none waiting for another). It decides
nothing itself (https://docs.aiogram.dev/en/latest/dispatcher/router.html)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from functools import partial

from aiogram import Bot, Router
from aiogram.exceptions import AiogramError
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    CallbackQuery,
    Chat,
    Message,
    Update,
)

from bot.platforms.telegram import convert
from bot.platforms.telegram.replies import ChatQueues
from bot.platforms.telegram.send import TelegramSender
from handlers.engine.core import Core
from handlers.engine.texts import environment
from handlers.engine.types import Inbound, Reply

log = logging.getLogger(__name__)
MENU = ("gui", "cuatoi", "chude", "huongdan", "donvi", "huy", "start")
ANSWER_TIMEOUT = 10  # seconds: a callback's spinner, never retried (it is cosmetic)


def make_router(
    core: Core, sender: TelegramSender, queues: ChatQueues, *, editor_chat: int | None = None
) -> Router:
    """Private chats (members) and the editors' group; any other group is ignored."""
    router = Router(name="telegram")

    def ours(chat: Chat) -> bool:
        return chat.type == "private" or (editor_chat is not None and chat.id == editor_chat)

    async def answer(
        event: Inbound, replies: list[Reply], *, sent_first: bool, pressed: str | None = None
    ) -> None:
        """Queue the replies; with ``sent_first``, return once they went."""
        sends = []
        for reply in replies:
            target = reply.chat_id or event.chat_id
            send = partial(sender.send, target, reply, kind="reply", pressed=pressed)
            sends.append(queues.post(target, send))
        if sent_first:
            await asyncio.gather(*sends)

    async def handle(event: Inbound, replay: bool) -> list[Reply]:
        return await core.handle(replace(event, replay=replay))

    # Coroutine filters: aiogram runs a plain function in a thread (asyncio.to_thread), one
    # thread hop per update for a comparison.
    async def our_message(message: Message) -> bool:
        return ours(message.chat)

    async def private_edit(message: Message) -> bool:
        return message.chat.type == "private"

    async def our_press(query: CallbackQuery) -> bool:
        return query.message is not None and ours(query.message.chat)

    router.message.filter(our_message)
    router.edited_message.filter(private_edit)
    router.callback_query.filter(our_press)

    # ``sent_first``: the update came from the inbox (a webhook), whose workers take a
    # sender's updates in turn; its replies go out before the sender's next update is taken,
    # or two workers' queues could show a member the answers out of order.
    @router.message()
    async def on_message(
        message: Message,
        event_update: Update,
        replay: bool = False,
        superseded: bool = False,
        sent_first: bool = False,
    ) -> None:
        event = convert.from_message(message, event_update.update_id, superseded=superseded)
        await answer(event, await handle(event, replay), sent_first=sent_first)

    @router.edited_message()
    async def on_edit(message: Message, replay: bool = False, sent_first: bool = False) -> None:
        event = convert.from_edit(message)
        await answer(event, await handle(event, replay), sent_first=sent_first)

    @router.callback_query()
    async def on_press(
        query: CallbackQuery,
        bot: Bot,
        event_update: Update,
        replay: bool = False,
        sent_first: bool = False,
    ) -> None:
        event = convert.from_callback(query, event_update.update_id)
        replies = await handle(event, replay)
        alerts = [reply for reply in replies if reply.alert]
        text = convert.alert_text(alerts[0]) if alerts else None
        try:  # an old query (> 15 min) can no longer be answered
            await bot.answer_callback_query(
                query.id, text=text, show_alert=bool(alerts), request_timeout=ANSWER_TIMEOUT
            )
        except (AiogramError, TimeoutError) as error:
            log.info("could not answer callback: %s", error)
        message = query.message
        if message is None:
            return
        pressed = str(message.message_id)
        if message.chat.type == "private" and not any(reply.edit for reply in replies):
            # The choice is made (or the buttons are stale): take them off the old message.
            queues.post(event.chat_id, partial(sender.drop_keyboard, event.chat_id, pressed))
        rest = [reply for reply in replies if not reply.alert]
        await answer(event, rest, sent_first=sent_first, pressed=pressed)

    return router


async def set_menu(bot: Bot) -> None:
    """The commands menu (Telegram's menu button) in every private chat; without it the bot
    still works, so a failure is logged, not fatal."""
    module = environment("plain").get_template("menu.j2").module
    commands = [BotCommand(command=name, description=getattr(module, name)) for name in MENU]
    try:
        await bot.set_my_commands(
            commands, scope=BotCommandScopeAllPrivateChats(), request_timeout=ANSWER_TIMEOUT
        )
    except (AiogramError, TimeoutError) as error:
        log.warning("could not set the commands menu: %s", error)
