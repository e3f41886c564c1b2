"""What the outbox makes of an OA failure: outside the window → held (sent with the member's
next message); not following / inactive → unreachable (the card says so, never retried); a
refused refresh token → the row waits for an admin to connect the OA again."""

from __future__ import annotations

from bot.platforms.zalo_oa.answers import (
    INACTIVE,
    NOT_FOLLOWING,
    OUTSIDE_WINDOW,
    ZaloOAError,
    ZaloOANetworkError,
)
from bot.platforms.zalo_oa.tokens import TokenRefused
from bot.runtime.sending import Held, Permanent, RetryLater, Transient, Unknown, Unreachable

TOKEN_RETRY_SECONDS = 900.0  # a refused refresh token: rows wait, offered again every 15 min
RATE_LIMITED = (-32, -240)  # "exceeded the rate limit" in the OA's error table


def outcome(error: BaseException, *, sent: bool) -> Exception:
    """What the outbox makes of a failed send; ``sent``: part of it went out already."""
    if isinstance(error, Held | RetryLater | Transient | Unknown | Permanent):
        return error
    if isinstance(error, TokenRefused):
        return RetryLater(TOKEN_RETRY_SECONDS, str(error))
    if isinstance(error, ZaloOANetworkError):
        return Unknown(str(error)) if sent or error.maybe_delivered else Transient(str(error))
    if sent:
        return Unknown(str(error))
    if isinstance(error, ZaloOAError):
        if error.code in OUTSIDE_WINDOW:
            return Held(str(error))
        if error.code in (NOT_FOLLOWING, INACTIVE):
            return Unreachable(str(error))
        if error.code in RATE_LIMITED or error.status == 429:
            return RetryLater(5.0, str(error))
        if error.status >= 500:
            return Transient(str(error))
        return Permanent(str(error))
    return Unknown(repr(error))
