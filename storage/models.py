"""The tables. Times are aware UTC datetimes; SQLModel stores them as UTC on every backend.
A new row's empty ``created_at`` / ``updated_at`` / ``not_before`` are stamped at flush from the
session's clock (``storage.clock.stamp``), never from the wall clock by a default."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel


class Status(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"  # waiting for the editors
    NEEDS_INFO = "needs_info"  # the editors asked the member for more
    APPROVED = "approved"  # decided; its posts are queued (or wait for a slot)
    PUBLISHED = "published"  # every target has it
    REJECTED = "rejected"
    CANCELLED = "cancelled"  # a draft given up (/huy)
    WITHDRAWN = "withdrawn"  # taken back by its member while it waited (/rut)
    MERGED = "merged"  # joined to another submission of the same story (Gộp); follows its fate


class OutboxKind(StrEnum):
    """What an outbox row sends; stored as its value (the column stays a string)."""

    CARD = "card"  # a submission's card to the editors' group
    CARD_EDIT = "card_edit"  # that card edited to show a decision made elsewhere
    NOTICE = "notice"  # a message from a template: to a member, the editors, an editor
    POST = "post"  # the published post, one row per target
    REPORT = "report"  # a scheduled report, built when its turn comes
    CHANGE = "change"  # a correction or take-down of one sent post (/suabai, /gobai)


class OutboxStatus(StrEnum):
    WAITING = "waiting"  # a post held for its kind's posting slot
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the retries; shown to the editors
    NEEDS_CHECK = "needs_check"  # the request left but no answer came: maybe sent, maybe not
    HELD = "held"  # the person cannot be reached yet (outside a platform's window): sent with
    # their next message


class UnitBase(SQLModel):
    code: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=120)
    parent_code: str | None = Field(default=None, max_length=32)
    position: int = 0  # the order of the organisation file, kept for the unit picker
    active: bool = True


class Unit(UnitBase, table=True):
    # The headcount set by an admin (/donvi sodoanvien); None: the organisation file's.
    members: int | None = None


class MemberBase(SQLModel):
    platform: str = Field(max_length=16)
    platform_user_id: str = Field(max_length=64)
    display_name: str = Field(default="", max_length=200)
    username: str | None = Field(default=None, max_length=64)


class Member(MemberBase, table=True):
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: str = Field(max_length=64)
    unit_code: str | None = Field(default=None, foreign_key="unit.code", max_length=32)
    step: str = Field(default="idle", max_length=32)
    # Small per-step data: the field being re-answered, the unit page, the last choices shown
    # (so a platform without buttons can answer by number).
    step_data: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON))
    draft_id: int | None = Field(default=None)
    created_at: datetime = Field(default=None, nullable=False)
    updated_at: datetime = Field(default=None, nullable=False)
    erased_at: datetime | None = None  # asked to be forgotten: name and platform ids are gone


class SubmissionBase(SQLModel):
    kind: str = Field(max_length=16)  # tin_tot | cau_chuyen_dep
    path: str | None = Field(default=None, max_length=16)  # article | raw
    thoi_gian: str | None = None
    dia_diem: str | None = None
    nhan_vat: str | None = None
    muc_dich: str | None = None
    y_nghia: str | None = None
    link: str | None = None
    link_trusted: bool | None = None
    cam_nhan: str | None = None


class Submission(SubmissionBase, table=True):
    # Reports count by period in the database; each index covers one of their GROUP BYs.
    __table_args__ = (
        Index(
            "ix_submission_report_submitted",
            "submitted_at",
            "unit_code",
            "kind",
            "theme_key",
            "status",
        ),
        Index("ix_submission_report_decided", "decided_at", "status", "unit_code", "submitted_at"),
        Index("ix_submission_report_published", "published_at", "unit_code", "kind", "member_id"),
        Index("ix_submission_archive", "status", "published_at"),  # the archive's newest first
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    unit_code: str | None = Field(default=None, foreign_key="unit.code", max_length=32)
    theme_key: str | None = Field(default=None, max_length=32)
    # The events an editor set (",tet,thang-nhan-dao," or "," for none); None: by its day and unit.
    events: str | None = Field(default=None, max_length=400)
    status: str = Field(default=Status.DRAFT, max_length=16, index=True)
    created_at: datetime = Field(default=None, nullable=False)
    updated_at: datetime = Field(default=None, nullable=False)
    submitted_at: datetime | None = None
    # Review: who decided, when, and what the editors said.
    decided_by: str | None = Field(default=None, max_length=96)  # "telegram:123"
    decided_by_name: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = None
    reject_reason: str | None = None
    info_fields: list[str] | None = Field(default=None, sa_column=Column(JSON))
    info_note: str | None = None
    post_text: str | None = None  # the editors' own text for the post, when they wrote one
    # Did the people in the photos agree to be published: yes | not_asked | no_people.
    consent: str | None = Field(default=None, max_length=16)
    # The editor chose to publish the personal data found in the text as written (else masked).
    keep_personal: bool = False
    # A likely earlier telling of the same story, found when it was sent, and the rule that
    # found it (link | details | text); see handlers/merging/duplicates.py.
    duplicate_of: int | None = None
    duplicate_rule: str | None = Field(default=None, max_length=16)
    merged_into: int | None = Field(default=None, index=True)  # Gộp: published with that one
    purge_warned_at: datetime | None = None  # an abandoned draft's member was told it will go
    card_chat_id: str | None = Field(default=None, max_length=64)
    card_message_id: str | None = Field(default=None, max_length=64)
    card_version: int = 0  # bumped each time a new card is due (after a supplement)
    reminded_at: datetime | None = None
    published_at: datetime | None = None
    # /gobai: still counted as published in reports, shown as taken down.
    taken_down_at: datetime | None = None
    # What the archive shows, frozen at publication or at the editors' last /suabai: the post
    # as published (plain text) and who was credited ([member id, name, unit name] each), so a
    # member renaming themselves later changes nothing public.
    published_text: str | None = None
    published_credits: list[list[Any]] | None = Field(default=None, sa_column=Column(JSON))


class Media(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("submission_id", "source_key"),)

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    kind: str = Field(max_length=8)  # photo | video
    ref: str = Field(max_length=512)  # a platform file id or a public URL, never a download link
    platform: str = Field(max_length=16)
    # The message it came in, so a re-delivered album message is not stored twice.
    source_key: str = Field(max_length=96)
    media_group_id: str | None = Field(default=None, max_length=64)
    size: int | None = None
    created_at: datetime = Field(default=None, nullable=False)
    # Its bytes in the media store (storage/media_store.py), once fetched: content-addressed.
    sha256: str | None = Field(default=None, max_length=64, index=True)
    mime: str | None = Field(default=None, max_length=64)
    width: int | None = None
    height: int | None = None
    stored_at: datetime | None = None
    # A photo's small copy for the archive's listing, in the store too (JPEG), made once.
    thumb_sha256: str | None = Field(default=None, max_length=64, index=True)
    # Failed tries at bringing a published photo into the store (bot.runtime.archive_media).
    archive_tries: int = 0


class MediaBlob(SQLModel, table=True):
    """The media store's bytes on PostgreSQL, shared by every worker by construction (with
    SQLite they live in MEDIA_DIR instead and this table stays empty)."""

    sha256: str = Field(primary_key=True, max_length=64)
    mime: str = Field(max_length=64)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default=None, nullable=False)


class ProcessedUpdate(SQLModel, table=True):
    """One row per handled update: the claim that makes handling at-most-once."""

    key: str = Field(primary_key=True, max_length=96)
    # Indexed for dropping old claims.
    created_at: datetime = Field(default=None, nullable=False, index=True)


class Staff(SQLModel, table=True):
    """Editors and admins added by admins (those of EDITOR_IDS / ADMIN_IDS need no row)."""

    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    user_id: str = Field(max_length=64)
    role: str = Field(max_length=8)  # editor | admin
    active: bool = True
    added_by: str | None = Field(default=None, max_length=96)
    created_at: datetime = Field(default=None, nullable=False)


class Audit(SQLModel, table=True):
    """Every editorial action: who, what, when, and the note that went with it."""

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int | None = Field(default=None, foreign_key="submission.id", index=True)
    actor: str = Field(max_length=96)  # "telegram:123"
    actor_name: str = Field(default="", max_length=200)
    action: str = Field(max_length=32)
    note: str | None = None
    created_at: datetime = Field(default=None, nullable=False)


class PendingInput(SQLModel, table=True):
    """An editor's next message in a chat is the answer to a question the bot asked there
    (a reason, a note, the post text); kept apart from the member flow of the same person."""

    __table_args__ = (UniqueConstraint("platform", "user_id", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    user_id: str = Field(max_length=64)
    chat_id: str = Field(max_length=64)
    action: str = Field(max_length=32)
    submission_id: int = Field(foreign_key="submission.id")
    data: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default=None, nullable=False)


class Outbox(SQLModel, table=True):
    """Everything sent outside the chat being answered: editors' cards, notices to members,
    posts. A row is sent by the outbox worker of its platform, once."""

    __table_args__ = (
        Index(
            "ix_outbox_report_sent",
            "kind",
            "status",
            "sent_at",
            "platform",
            "chat_id",
            "submission_id",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Enqueueing twice with one key is a no-op: one post per submission and target.
    key: str = Field(max_length=128, unique=True)
    kind: str = Field(max_length=16)  # an OutboxKind
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    submission_id: int | None = Field(default=None, foreign_key="submission.id", index=True)
    template: str | None = Field(default=None, max_length=64)
    context: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON))
    status: str = Field(default=OutboxStatus.QUEUED, max_length=16, index=True)
    attempts: int = 0
    not_before: datetime = Field(default=None, nullable=False, index=True)
    lease_until: datetime | None = None
    message_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    link: str | None = Field(default=None, max_length=256)
    error: str | None = None
    created_at: datetime = Field(default=None, nullable=False)
    updated_at: datetime = Field(default=None, nullable=False)
    sent_at: datetime | None = None


class SlotRun(SQLModel, table=True):
    """A job's claim made once across workers: a posting slot (or its 'nothing queued'
    warning) served, a 6-hour round of reading the units' pages, or the lease of one page's
    reading in progress (deleted when it ends)."""

    key: str = Field(primary_key=True, max_length=64)  # "slot:tin_tot:2026-11-17T00:30+00:00"
    submission_id: int | None = None
    created_at: datetime = Field(default=None, nullable=False)


class Inbox(SQLModel, table=True):
    """An update stored before it is acknowledged (a webhook's 200, a Zalo poll that consumed
    it), so a crash before it is handled loses nothing: another worker, or this one at start,
    handles it. One sender's updates are handled in ``seq`` order, one worker at a time."""

    __table_args__ = (Index("ix_inbox_sender_seq", "sender", "seq"),)

    key: str = Field(primary_key=True, max_length=96)  # "zalo:<message_id>"
    platform: str = Field(max_length=16)
    sender: str = Field(default="", max_length=96)  # "telegram:<user id>", as the core's lock
    seq: int = Field(default=0, sa_type=BigInteger)  # Telegram's update_id, Zalo's date (ms)
    payload: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default=None, nullable=False)
    handled_at: datetime | None = Field(default=None, index=True)


class Ban(SQLModel, table=True):
    """A member an admin stopped; kept (with its reason) after it is lifted."""

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    user_id: str = Field(max_length=64, index=True)
    reason: str = Field(default="", max_length=500)
    banned_by: str = Field(max_length=96)
    active: bool = True
    notified: bool = False  # the member is told once, then ignored
    created_at: datetime = Field(default=None, nullable=False)
    lifted_at: datetime | None = None


class PlatformUsage(SQLModel, table=True):
    """Messages the bot sent on one platform in one month (in the organisation's time zone):
    Zalo's free plan is reported to cap them, and the count outlives restarts and workers."""

    platform: str = Field(primary_key=True, max_length=16)
    month: str = Field(primary_key=True, max_length=7)  # "2026-11"
    sent: int = 0
    updated_at: datetime = Field(default=None, nullable=False)


class SignInToken(SQLModel, table=True):
    """A one-time sign-in link of the office's board (/web): only its hash is kept; used once
    (``used_at`` set by a conditional UPDATE), within minutes."""

    token_hash: str = Field(primary_key=True, max_length=64)  # sha256 hex of the token
    who: str = Field(max_length=96)  # "telegram:123"
    expires_at: datetime = Field(nullable=False)
    used_at: datetime | None = None
    created_at: datetime = Field(default=None, nullable=False)


class WebSession(SQLModel, table=True):
    """A signed-in browser of the board; in the database so that any worker accepts it."""

    id_hash: str = Field(primary_key=True, max_length=64)  # sha256 hex of the cookie's id
    who: str = Field(max_length=96, index=True)
    expires_at: datetime = Field(nullable=False)
    created_at: datetime = Field(default=None, nullable=False)


class UnitContact(SQLModel, table=True):
    """Who hears the weekly nudge of a unit that has nothing this week (set by admins)."""

    unit_code: str = Field(primary_key=True, foreign_key="unit.code", max_length=32)
    who: str = Field(primary_key=True, max_length=96)  # "telegram:123" or "zalo:abc"
    added_by: str = Field(default="", max_length=96)
    created_at: datetime = Field(default=None, nullable=False)


class PostVersion(SQLModel, table=True):
    """A published post's text before an editors' correction (/suabai): who, when, what."""

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    old_text: str  # the post as it was shown until the correction
    new_text: str
    by: str = Field(max_length=96)  # "telegram:123"
    by_name: str = Field(default="", max_length=200)
    created_at: datetime = Field(default=None, nullable=False)


class ArchiveState(SQLModel, table=True):
    """One row: bumped whenever what the archive shows changes (publish, correction, take-down,
    erasure); every worker's short page cache is keyed by it."""

    id: int = Field(default=1, primary_key=True)
    version: int = 0


class DirectPost(SQLModel, table=True):
    """A post a unit made on its own page or site by itself (not through the bot), carrying
    one of the campaign's hashtags: it counts in the unit's cadence, never in the archive.
    ``gone_at``: deleted since, or edited so that no hashtag is left."""

    __table_args__ = (
        UniqueConstraint("platform", "target", "post_id"),
        Index("ix_direct_post_report", "posted_at", "unit_code", "gone_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_code: str = Field(max_length=32)
    platform: str = Field(max_length=16)
    target: str = Field(max_length=64)  # the page id, the site's name
    post_id: str = Field(max_length=96)
    link: str | None = Field(default=None, max_length=256)
    kind: str = Field(max_length=16)  # tin_tot | cau_chuyen_dep, by its hashtag
    posted_at: datetime = Field(nullable=False)
    gone_at: datetime | None = None
    created_at: datetime = Field(default=None, nullable=False)
    updated_at: datetime = Field(default=None, nullable=False)


class PageReading(SQLModel, table=True):
    """A page's audience as read on one local day: at most one reading a day per page."""

    platform: str = Field(primary_key=True, max_length=16)
    target: str = Field(primary_key=True, max_length=64)
    day: str = Field(primary_key=True, max_length=10)  # "2026-12-07", the organisation's day
    unit_code: str = Field(max_length=32, index=True)
    followers: int | None = None
    fans: int | None = None
    created_at: datetime = Field(default=None, nullable=False)


class PlatformToken(SQLModel, table=True):
    """A platform's OAuth tokens (the Zalo OA's): kept here, not in the environment, because
    every refresh replaces a single-use refresh token, and every worker and restart must use
    the newest one. ``refresh_expires_at`` is counted by the bot (the platform does not say)."""

    platform: str = Field(primary_key=True, max_length=16)
    access_token: str = ""
    access_expires_at: datetime = Field(default=None, nullable=False)
    refresh_token: str = ""
    refresh_expires_at: datetime = Field(default=None, nullable=False)
    refreshed_at: datetime = Field(default=None, nullable=False)
    refused: str | None = Field(default=None, max_length=300)  # the last refusal, until a success
    updated_at: datetime = Field(default=None, nullable=False)
    # The refresh's lease: the worker calling the OAuth server now, until when (no
    # transaction stays open across that call; another worker takes over once it lapses).
    refreshing_by: str | None = Field(default=None, max_length=32)
    refreshing_until: datetime | None = None


class LastContact(SQLModel, table=True):
    """When a person last wrote to (or followed, or opened the chat of) the bot on a platform
    that may only answer within a window after it (the Zalo OA's 48 hours)."""

    platform: str = Field(primary_key=True, max_length=16)
    user_id: str = Field(primary_key=True, max_length=64)
    at: datetime = Field(default=None, nullable=False)
