"""Withdrawing a waiting submission and forgetting a member: what the chat commands (/rut,
/xoadulieu) and the server's ``python -m bot forget`` share.

Forgetting keeps what the organisation must still count or has made public, and nothing that
names the person: their name, username and platform ids go (the account becomes
``erased:<member id>``, so writing again makes a new member); their drafts are deleted; their
waiting items are withdrawn; the text and media of every item never published are erased;
their stored updates, PendingInput rows and unsent notices are deleted and sent notices lose
the chat. Published items stay (they are public, and the organisation's record), as do bans
(so a ban cannot be shed) and the editors' audit trail.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import fields
from handlers.desk import archived, cards
from handlers.engine import roles
from handlers.engine.context import Deps
from handlers.merging import merge
from storage import review, rights, submissions
from storage.models import Member, Submission


async def withdraw(
    session: AsyncSession,
    sub: Submission,
    deps: Deps,
    *,
    member: Member,
    actor: str,
    actor_name: str,
    now: datetime,
) -> bool:
    """Take a waiting submission off the queue: False when it no longer waits."""
    assert sub.id is not None and member.id is not None
    joined = sub.merged_into  # a merged one: the card of the story it joined credits it
    if not await rights.withdraw(
        session,
        submission_id=sub.id,
        member_id=member.id,
        actor=actor,
        actor_name=actor_name,
        now=now,
    ):
        return False
    await review.audit(
        session, submission_id=sub.id, actor=actor, actor_name=actor_name, action="withdraw"
    )
    await cards.mirror_card(session, sub, deps, now)  # the card loses its buttons
    await cards.announce(
        session, sub, deps, await roles.text_editors(session, deps), reason="withdrawn"
    )
    await merge.release_children(session, sub, deps)
    primary = await submissions.get(session, submission_id=joined)
    if primary is not None:
        await cards.mirror_card(session, primary, deps, now)
    if member.draft_id == sub.id:  # it was being supplemented
        member.draft_id = None
    return True


async def forget(
    session: AsyncSession,
    member: Member,
    deps: Deps,
    *,
    actor: str | None = None,
    update_key: str | None = None,
) -> tuple[rights.Erased, int]:
    """Erase a member (see the module's docstring); the counts, and how many waiting items
    were withdrawn. ``actor``: who asked, for the audit ("cli"); None: the member themselves,
    recorded under their new placeholder. ``update_key``: the update asking, if any."""
    assert member.id is not None
    now = deps.clock()
    who = f"{member.platform}:{member.platform_user_id}"
    withdrawn = 0
    for sub in await rights.waiting_of(session, member_id=member.id):
        withdrawn += await withdraw(
            session, sub, deps, member=member, actor=who, actor_name="", now=now
        )
    erased, changed = await rights.erase(
        session, member=member, columns=fields.erased(), now=now, update_key=update_key
    )
    await archived.forget_member(session, member.id, deps)  # out of the frozen credits
    for sub in changed:  # the editors' cards no longer show what was erased
        await cards.mirror_card(session, sub, deps, now)
    await review.audit(
        session,
        submission_id=None,
        actor=actor or member.platform_user_id,
        actor_name="",
        action="erase_member",
        note=f"member #{member.id}: {withdrawn} withdrawn, {erased.texts} erased, "
        f"{erased.drafts} drafts deleted, {erased.kept} published kept",
    )
    return erased, withdrawn
