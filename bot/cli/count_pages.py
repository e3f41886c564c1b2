"""``python -m bot count-pages``: read every unit's own page now (what the scheduler does every
6 hours): the publish-only platforms are opened for their readers, and closed after."""

from __future__ import annotations

import logging

from bot.platforms import registry
from bot.platforms.protocol import Receives, Service
from bot.runtime.app import App
from handlers.engine.texts import render
from handlers.engine.types import Say
from handlers.pages import counting

log = logging.getLogger(__name__)


async def run(app: App) -> int:
    opened: list[Service] = []
    try:
        for platform in registry.served(app.settings):
            if platform.receives(app.settings) != Receives.NOTHING:
                continue  # a chat platform reads no page
            try:
                opened.append(await platform.open(app))
            except Exception as error:  # its pages are named below as not read
                log.warning("%s not opened: %s", platform.name, type(error).__name__)
        counted = await counting.count(app.sessions, app.core.deps)
    finally:
        for service in opened:
            await service.close()
    print(render(Say("cli/pages_counted.j2", {"counted": counted}), "plain"))
    return 1 if counted.failed or counted.refused else 0
