"""/web: an admin or editor gets a one-time link that signs them in to the office's board.

The link carries ``<nonce>.<signature>``: the signature is an HMAC-SHA256 of the nonce under
WEB_SECRET (Python's ``hmac`` docs: compare with ``hmac.compare_digest``), so a forged link is
refused before the database is asked; the database keeps only the token's SHA-256 and marks it
used once (``storage.web_sessions.consume``). Valid ``LINK_MINUTES`` minutes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine.context import Ctx, Deps
from handlers.engine.roles import actor, audit, holds
from handlers.engine.router import Router
from storage import contacts, web_sessions

router = Router()
LINK_MINUTES = 10
SIGN_IN_PATH = "/quantri/dangnhap"


def sign(value: str, secret: str) -> str:
    """``value.signature``: what a link's token or a session cookie carries."""
    mac = hmac.new(secret.encode(), value.encode(), hashlib.sha256).digest()[:18]
    return f"{value}.{base64.urlsafe_b64encode(mac).decode()}"


def unsign(signed: str, secret: str) -> str | None:
    """The value if its signature is right, else None."""
    value, _, _ = signed.rpartition(".")
    if not value or len(signed) > 200:
        return None
    # Bytes: ``compare_digest`` raises on a str that is not ASCII (a forged cookie or link).
    return value if hmac.compare_digest(sign(value, secret).encode(), signed.encode()) else None


def new_signed(secret: str) -> str:
    return sign(secrets.token_urlsafe(24), secret)


HELD_LINK = re.compile(re.escape(SIGN_IN_PATH) + r"\?t=([\w.-]+)")


def held_sign_in(text: str) -> str | None:
    """The hash of the sign-in token a reply carries, if any: a reply held in the outbox (Zalo
    over quota) keeps only this, never the token itself."""
    found = HELD_LINK.search(text)
    return web_sessions.digest(found.group(1)) if found else None


async def reissue(session: AsyncSession, deps: Deps, token_hash: str) -> dict[str, Any] | None:
    """The /web answer's context with a fresh link for whom the held one was made (that one
    retired): delivered late, it is still valid LINK_MINUTES. None when the held link was used,
    or the board is off now."""
    now = deps.clock()
    who = await web_sessions.retire(session, token_hash=token_hash, now=now)
    if who is None or not deps.web_base or not deps.web_secret:
        return None
    return await _issue(session, deps, who)


async def _issue(session: AsyncSession, deps: Deps, who: str) -> dict[str, Any]:
    assert deps.web_base and deps.web_secret
    now = deps.clock()
    token = new_signed(deps.web_secret)
    expires = now + timedelta(minutes=LINK_MINUTES)
    await web_sessions.add_token(session, token=token, who=who, expires_at=expires, now=now)
    return {
        "url": f"{deps.web_base}{SIGN_IN_PATH}?t={token}",
        "minutes": LINK_MINUTES,
        "until": expires.astimezone(deps.tz),
    }


@router.command("web")
async def web_link(ctx: Ctx) -> None:
    secretary = await contacts.units_of(ctx.session, who=actor(ctx)[0])
    if not secretary and not await holds(ctx, "editor"):
        ctx.say("staff/web_refused.j2")
        return
    base, secret = ctx.deps.web_base, ctx.deps.web_secret
    if not base or not secret:
        ctx.say("staff/web_off.j2")
        return
    link = await _issue(ctx.session, ctx.deps, actor(ctx)[0])
    await audit(ctx, "web_link")
    ctx.say("staff/web_link.j2", **link)
