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
import secrets
from datetime import timedelta

from handlers.engine.context import Ctx
from handlers.engine.roles import actor, audit, holds
from handlers.engine.router import Router
from storage import web_sessions

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


@router.command("web")
async def web_link(ctx: Ctx) -> None:
    if not await holds(ctx, "editor"):
        ctx.say("staff/web_refused.j2")
        return
    base, secret = ctx.deps.web_base, ctx.deps.web_secret
    if not base or not secret:
        ctx.say("staff/web_off.j2")
        return
    now = ctx.deps.clock()
    token = new_signed(secret)
    expires = now + timedelta(minutes=LINK_MINUTES)
    who = actor(ctx)[0]
    await web_sessions.add_token(ctx.session, token=token, who=who, expires_at=expires, now=now)
    await audit(ctx, "web_link")
    ctx.say(
        "staff/web_link.j2",
        url=f"{base}{SIGN_IN_PATH}?t={token}",
        minutes=LINK_MINUTES,
        until=expires.astimezone(ctx.deps.tz),
    )
