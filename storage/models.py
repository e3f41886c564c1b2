"""The tables. Times are aware UTC datetimes; SQLModel stores them as UTC on every backend."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Status(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"  # waiting for the editors
    CANCELLED = "cancelled"


class UnitBase(SQLModel):
    code: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=120)
    parent_code: str | None = Field(default=None, max_length=32)
    position: int = 0  # the order of the organisation file, kept for the unit picker
    active: bool = True


class Unit(UnitBase, table=True):
    pass


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
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


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
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    unit_code: str | None = Field(default=None, foreign_key="unit.code", max_length=32)
    theme_key: str | None = Field(default=None, max_length=32)
    status: str = Field(default=Status.DRAFT, max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None


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
    created_at: datetime = Field(default_factory=utcnow)


class ProcessedUpdate(SQLModel, table=True):
    """One row per handled update: the claim that makes handling at-most-once."""

    key: str = Field(primary_key=True, max_length=96)
    created_at: datetime = Field(default_factory=utcnow)
