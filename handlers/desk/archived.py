"""What the public archive's search index holds for an item: its words as published (personal
data masked as in the post, the unit's name), folded. Refreshed when an item is published or
corrected; ``storage.archive.forget`` takes it out."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import fields
from handlers.engine.textnorm import fold
from handlers.privacy import personal_data
from storage import archive, units
from storage.models import Submission

# The member's (and the editors') own words: the fields that may hold personal data, masked
# in the index as they are in the post.
WORDS = fields.personal()


def searchable(sub: Submission, unit_name: str | None) -> str:
    shown = sub if sub.keep_personal else personal_data.masked_copy(sub)
    parts = [getattr(shown, name) or "" for name in WORDS]
    return fold(" ".join([*parts, unit_name or ""]))


async def refresh(session: AsyncSession, sub: Submission) -> None:
    unit = await units.get(session, code=sub.unit_code)
    body = searchable(sub, unit.name if unit else None)
    await archive.index(session, submission_id=sub.id or 0, body=body)
