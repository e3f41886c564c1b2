"""The framework's floor for bench/flow.py: an aiogram bot that only answers each message
and each button press, with aiogram's defaults, by long polling or by webhook.

    TELEGRAM_BOT_TOKEN=… TELEGRAM_API_BASE=http://127.0.0.1:… python bench/bare_bot.py
    (with WEBHOOK_PORT set, it serves a webhook at /telegram instead; setWebhook is the
    harness's job)
"""

from __future__ import annotations

import asyncio
import os
import signal

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web


async def main() -> None:
    api = TelegramAPIServer.from_base(os.environ["TELEGRAM_API_BASE"])
    bot = Bot(os.environ["TELEGRAM_BOT_TOKEN"], session=AiohttpSession(api=api))
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def answer(message: Message) -> None:
        await message.answer("ok")

    @dispatcher.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await query.answer()
        if query.message is not None:
            await bot.send_message(query.message.chat.id, "ok")

    port = os.environ.get("WEBHOOK_PORT")
    if port is None:
        await dispatcher.start_polling(bot, handle_signals=True)
        return
    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, handle_in_background=True).register(app, "/telegram")
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(port)).start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()
    await bot.session.close()


if __name__ == "__main__":
    asyncio.run(main())
