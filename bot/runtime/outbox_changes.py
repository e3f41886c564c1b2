"""A change row (``/gobai``, ``/suabai``; ``handlers/desk/changes.py``) carried out by its
target's outbox worker: the target's ``Corrector`` asked outside any transaction, the result
recorded by the core. Platform-free: the corrector is the one registered under the row's
platform."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from handlers.desk import changes
from storage import outbox
from storage.db import writing
from storage.models import OutboxStatus

if TYPE_CHECKING:
    from bot.runtime.outbox import OutboxWorker

log = logging.getLogger(__name__)


async def carry_out(worker: OutboxWorker, item_id: int) -> None:
    async with worker.sessions() as session:
        item = await outbox.get(session, item_id=item_id)
        post_id, text = changes.asked(item) if item is not None else (0, None)
        post = await outbox.get(session, item_id=post_id) if post_id else None
    corrector = worker.deps.correctors.get(worker.platform)
    change, reason = "unavailable", ""  # the target does not run in this process
    if post is not None and corrector is not None:
        try:
            result = await (
                corrector.take_down(post) if text is None else corrector.correct(post, text)
            )
            change, reason = str(result.change), result.reason
        except Exception as error:  # a bug of the target: its result says failed
            log.exception("outbox %s: change row %s failed", worker.platform, item_id)
            change, reason = "failed", type(error).__name__
    elif post is None:
        change, reason = "failed", "no such post"
    async with writing(worker.sessions, worker.holder), worker.sessions.begin() as session:
        item = await outbox.get(session, item_id=item_id)
        if item is None or item.status != OutboxStatus.SENDING:
            return  # taken over after the lease ran out: the other worker's result stands
        await changes.after_change(session, item, change=change, reason=reason, deps=worker.deps)
