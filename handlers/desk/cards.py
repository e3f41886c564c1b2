"""The editors' card, the post as it will be published, and notices to the member: built from
the database, so a card re-sent days later shows the submission as it stands."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import branches
from handlers.desk import card_fit
from handlers.engine.card_actions import CardAction as A
from handlers.engine.card_actions import button
from handlers.engine.context import Deps
from handlers.engine.states import PATHS
from handlers.engine.texts import label
from handlers.engine.types import Choice, MediaRef, Reply, Say
from handlers.merging import duplicates
from handlers.privacy import personal_data
from storage import merges, outbox, personal, submissions, units, versions
from storage.models import Media, Member, OutboxKind, OutboxStatus, Status, Submission


def showable(rows: Sequence[Media], platform: str) -> tuple[MediaRef, ...]:
    """The submission's media a platform can show (its own file ids, and public URLs), from
    rows already read (``card_context``'s ``media_rows``)."""
    return tuple(
        MediaRef("video" if m.kind == "video" else "photo", m.ref)
        for m in rows
        if m.platform == platform or m.ref.startswith(("http://", "https://"))
    )


def review_choices(sub: Submission, *, waiting_slot: bool) -> tuple[tuple[Choice, ...], ...]:
    sid = sub.id
    if sub.status == Status.PENDING:
        return (
            (button(label("approve"), A.APPROVE, sid), button(label("reject"), A.REJECT, sid)),
            (button(label("more"), A.MORE, sid), button(label("edit_post"), A.EDIT_POST, sid)),
            (button(label("theme"), A.THEME, sid),),
            *duplicates.card_row(sub),
            *personal_data.card_row(sub),
        )
    if sub.status == Status.APPROVED and waiting_slot:
        return ((button(label("post_now"), A.POST_NOW, sid),),)
    if sub.status == Status.PUBLISHED and sub.taken_down_at is None:
        return (
            (button(label("take_down"), A.TAKE_DOWN, sid),),
            (button(label("theme"), A.THEME, sid),),
        )
    return ()


async def card_context(session: AsyncSession, sub: Submission, deps: Deps) -> dict[str, Any]:
    """Everything card.j2 shows; the member's preview and the editors' card use the same."""
    member = await session.get(Member, sub.member_id)
    unit_code = sub.unit_code or (member.unit_code if member else None)
    media = await submissions.media(session, submission_id=sub.id or 0)
    theme = (
        deps.org.theme(sub.theme_key)
        if sub.theme_key
        else deps.org.theme_on(deps.clock().astimezone(deps.tz).date())
    )
    return {
        "sub": sub,
        "member": member,
        "unit": await units.get(session, code=unit_code),
        "theme": theme,
        "media_count": len(media),
        "media_rows": media,  # for ``showable``: the card's photos without reading them again
        "fields": PATHS.get(sub.path or "raw", ()),
        # The branch's hashtags and signature, the events' hashtags (handlers/branches.py).
        **await branches.post_parts(session, deps.org, sub, unit_code, deps.tz),
        "tz": deps.tz,
        "personal": personal_data.found_in(sub),
        "personal_more": 0,  # findings left off a card too long for one message
        "personal_kept_by": (
            await personal.kept_by(session, submission_id=sub.id or 0)
            if sub.keep_personal
            else None
        ),
        # Gộp: every member who sent this story, when others were merged into it; as frozen
        # at publication once published (a member's later name never reaches the post).
        "contributors": (
            merges.credited(sub.published_credits)
            if sub.published_credits is not None
            else await merges.contributors(session, primary_id=sub.id or 0)
        ),
        "versions": (
            await versions.of(session, submission_id=sub.id or 0)
            if sub.status == Status.PUBLISHED
            else []
        ),
    }


async def card_reply(
    session: AsyncSession,
    sub: Submission,
    deps: Deps,
    *,
    media: bool = True,
    shown_on: str | None = None,
) -> Reply:
    """The review card, with the media the platform it is shown on can show (``shown_on``,
    the editors' by default); ``media=False`` for none (a card edited in place keeps its own)."""
    context = await card_context(session, sub, deps)
    posts = await outbox.of_submission(session, submission_id=sub.id or 0, kind=OutboxKind.POST)
    waiting = any(p.status == OutboxStatus.WAITING for p in posts)
    problems = [p for p in posts if p.status in (OutboxStatus.FAILED, OutboxStatus.NEEDS_CHECK)]
    platform = shown_on or deps.editor_platform
    refs = showable(context["media_rows"], platform) if media else ()
    member = context["member"]
    unreached = (  # notices the member cannot receive yet (a platform's window) or at all
        await outbox.unreached(
            session, submission_id=sub.id or 0, platform=member.platform, chat_id=member.chat_id
        )
        if member is not None
        else []
    )
    shown = {"waiting": waiting, "posts": posts, "problems": problems, "unreached": unreached}
    say = card_fit.fit(Say("review/card.j2", {**context, **shown}))
    return Reply(say, review_choices(sub, waiting_slot=waiting), refs)


async def post_say(
    session: AsyncSession, sub: Submission, deps: Deps, *, text: str | None = None
) -> Say:
    """The published post: the editors' text when they wrote one, else rendered from the
    submission; always ending with the kind's hashtag and the organisation's own."""
    return _post(await card_context(session, sub, deps), sub, deps, text)


async def post_reply(session: AsyncSession, sub: Submission, deps: Deps, platform: str) -> Reply:
    """The post as one platform sends it: ``post_say`` and the media it can show, one read."""
    context = await card_context(session, sub, deps)
    media = showable(context["media_rows"], platform)
    return Reply(_post(context, sub, deps, None), media=media, as_caption=True)


def _post(context: dict[str, Any], sub: Submission, deps: Deps, text: str | None) -> Say:
    own = text if text is not None else sub.post_text
    if not sub.keep_personal:  # masked before rendering, so the markup stays valid
        context["sub"] = personal_data.masked_copy(sub)
        own = personal_data.masked(own) if own else own
    return Say("post.j2", {**context, "own_text": own, "org": deps.org})


async def notify_member(
    session: AsyncSession, sub: Submission, event: str, deps: Deps, **context: Any
) -> None:
    """A notice to the member on their own platform, through the outbox (sent once)."""
    member = await session.get(Member, sub.member_id)
    if member is None:
        return
    choices = context.pop("choices", [])
    await outbox.notice(
        session,
        to=(member.platform, member.chat_id),
        key=f"notice:{sub.id}:{event}:{sub.card_version}",
        template=f"notice/{event}.j2",
        context={"sub_id": sub.id, "kind": sub.kind, "choices": choices, **context},
        submission_id=sub.id,
    )


async def mirror_card(session: AsyncSession, sub: Submission, deps: Deps, now: datetime) -> None:
    """Edit the card already in the editors' group to show a decision made elsewhere."""
    if sub.card_chat_id is None or sub.card_message_id is None:
        return
    key = f"card_edit:{sub.id}:{sub.status}:{int(now.timestamp() * 1000)}"
    await _card_row(session, sub, deps, OutboxKind.CARD_EDIT, key, sub.card_chat_id)


async def announce(
    session: AsyncSession, sub: Submission, deps: Deps, editors: list[str], *, reason: str = ""
) -> None:
    """A short numbered card in the private chat of editors who use a platform without
    buttons (Zalo): they act with text commands. ``reason``: why it is told again: "released"
    (waiting on its own again after the story it joined left) or "withdrawn" (by its member)."""
    context = {
        "sub_id": sub.id,
        "kind": sub.kind,
        "unit": sub.unit_code or "",
        "again": sub.card_version > 0,
        "duplicate_of": sub.duplicate_of,
        "duplicate_rule": sub.duplicate_rule,
        "personal": bool(personal_data.found_in(sub)),
        "reason": reason,
    }
    for editor in editors:
        platform, _, user_id = editor.partition(":")
        await outbox.notice(
            session,
            to=(platform, user_id),
            key=f"announce:{sub.id}:{sub.card_version}:{reason}:{editor}",
            template="review/announce.j2",
            context=context,
            submission_id=sub.id,
        )


async def enqueue_card(
    session: AsyncSession, sub: Submission, deps: Deps, *, reason: str = ""
) -> None:
    if deps.editor_chat is not None:
        key = f"card:{sub.id}:{sub.card_version}{reason}"
        await _card_row(session, sub, deps, OutboxKind.CARD, key, deps.editor_chat)


async def _card_row(
    session: AsyncSession, sub: Submission, deps: Deps, kind: OutboxKind, key: str, chat: str
) -> None:
    """A card (or an edit of one) in the editors' chat, composed when its turn comes."""
    platform = deps.editor_platform
    await outbox.enqueue(
        session, key=key, kind=kind, platform=platform, chat_id=chat, submission_id=sub.id
    )
