"""What the public archive's search index holds for an item: its words as published (personal
data masked as in the post, the unit's name), folded. Refreshed when an item is published or
corrected; ``storage.archive.forget`` takes it out."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine.textnorm import fold
from handlers.privacy import personal_data
from storage import archive, units
from storage.models import Submission

WORDS = ("post_text", "cam_nhan", "nhan_vat", "muc_dich", "thoi_gian", "dia_diem", "y_nghia")


def searchable(sub: Submission, unit_name: str | None) -> str:
    shown = sub if sub.keep_personal else personal_data.masked_copy(sub)
    parts = [getattr(shown, name) or "" for name in WORDS]
    if sub.post_text and not sub.keep_personal:
        parts[0] = personal_data.masked(sub.post_text)
    return fold(" ".join([*parts, unit_name or ""]))


async def refresh(session: AsyncSession, sub: Submission) -> None:
    unit = await units.get(session, code=sub.unit_code)
    body = searchable(sub, unit.name if unit else None)
    await archive.index(session, submission_id=sub.id or 0, body=body)
