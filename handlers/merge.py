"""Gộp: one story sent by several members, published once, crediting each of them."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.context import Deps
from handlers.router import Router
from storage.models import Submission

router = Router()


async def release_children(session: AsyncSession, primary: Submission, deps: Deps) -> None:
    """The submission others were merged into leaves the queue without a decision
    (withdrawn, erased): each of them waits for the editors again on its own card."""
    # Being built by the merging work; called by /rut and erasure.
