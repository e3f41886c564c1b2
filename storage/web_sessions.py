"""Sign-in to the office's board: one-time tokens and browser sessions, both kept as SHA-256
hashes (a copy of the database opens nothing), both read by any worker.

A token is used once: ``consume`` is one conditional UPDATE (unused, unexpired) whose row count
says who won, so two browsers opening the same link get one session between them.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import SignInToken, WebSession


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def add_token(
    session: AsyncSession, *, token: str, who: str, expires_at: datetime, now: datetime
) -> None:
    # Expired tokens go as new ones come: the table stays as small as the recent sign-ins.
    await session.exec(delete(SignInToken).where(col(SignInToken.expires_at) < now))
    session.add(SignInToken(token_hash=digest(token), who=who, expires_at=expires_at))
    await session.flush()


async def usable(session: AsyncSession, *, token: str, now: datetime) -> bool:
    """Whether the token is known, unused and unexpired; reading only (a link's preview)."""
    row = await session.get(SignInToken, digest(token))
    return row is not None and row.used_at is None and row.expires_at > now


async def consume(session: AsyncSession, *, token: str, now: datetime) -> str | None:
    """Who the token was for, once; None when unknown, used or expired."""
    hashed = digest(token)
    result = await session.exec(
        update(SignInToken)
        .where(
            col(SignInToken.token_hash) == hashed,
            col(SignInToken.used_at).is_(None),
            col(SignInToken.expires_at) > now,
        )
        .values(used_at=now)
    )
    if getattr(result, "rowcount", 0) != 1:
        return None
    row = await session.get(SignInToken, hashed)
    return row.who if row is not None else None


async def retire(session: AsyncSession, *, token_hash: str, now: datetime) -> str | None:
    """Use up an unused token known by its hash (a held link replaced by a fresh one); whom it
    was for, or None when it was used already."""
    result = await session.exec(
        update(SignInToken)
        .where(col(SignInToken.token_hash) == token_hash, col(SignInToken.used_at).is_(None))
        .values(used_at=now)
    )
    if getattr(result, "rowcount", 0) != 1:
        return None
    row = await session.get(SignInToken, token_hash)
    return row.who if row is not None else None


async def open_session(
    session: AsyncSession, *, session_id: str, who: str, expires_at: datetime, now: datetime
) -> None:
    await session.exec(delete(WebSession).where(col(WebSession.expires_at) < now))
    session.add(WebSession(id_hash=digest(session_id), who=who, expires_at=expires_at))
    await session.flush()


async def who_is(session: AsyncSession, *, session_id: str, now: datetime) -> str | None:
    """The person signed in with this cookie's id, while the session lasts."""
    row = await session.get(WebSession, digest(session_id))
    if row is None or row.expires_at <= now:
        return None
    return row.who


async def close(session: AsyncSession, *, session_id: str) -> None:
    await session.exec(delete(WebSession).where(col(WebSession.id_hash) == digest(session_id)))
