"""What the OA API and OAuth answer, read the one way (zalo-java-sdk and the OA docs: HTTP 200
with ``error`` 0 on success, a non-zero ``error`` and a ``message`` otherwise; OAuth's
``expires_in`` a string), and the errors the rest of the folder tells apart."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# Error codes of the OA API (developers.zalo.me, "Mã lỗi"): the token is no longer valid or
# has expired (refresh now), the person does not follow the OA or is inactive (tell the
# card, never retry), outside the window of consultation messages (hold for their next one).
TOKEN_INVALID, TOKEN_EXPIRED = -216, -220
NOT_FOLLOWING, INACTIVE = -213, -227
OUTSIDE_WINDOW = (-230, -232)


class ZaloOAError(Exception):
    """The OA API or OAuth refused a call: ``code`` is the body's ``error`` (0 when the
    answer was no JSON at all, with the HTTP ``status``)."""

    def __init__(self, method: str, code: int, message: str, *, status: int = 200) -> None:
        super().__init__(f"{method}: {message} (error {code})")
        self.method, self.code, self.message, self.status = method, code, message, status


class ZaloOANetworkError(ZaloOAError):
    """No answer; ``maybe_delivered`` is False only when the connection was never made."""

    def __init__(self, method: str, detail: str, *, maybe_delivered: bool) -> None:
        super().__init__(method, 0, detail)
        self.maybe_delivered = maybe_delivered


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int  # seconds the access token lives


def checked(method: str, status: int, raw: bytes) -> dict[str, Any]:
    """The answer's body, or ZaloOAError: a non-zero ``error`` comes with HTTP 200."""
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ZaloOAError(method, 0, f"HTTP {status}, not a Zalo answer", status=status)
    code = body.get("error", 0)
    code = int(code) if isinstance(code, int | str) and str(code).lstrip("-").isdigit() else -1
    if code != 0 or status >= 400:
        words = body.get("message") or body.get("error_description") or body.get("error_name")
        raise ZaloOAError(method, code, str(words or f"HTTP {status}"), status=status)
    return body


def data_of(body: dict[str, Any]) -> dict[str, Any]:
    data = body.get("data")
    return data if isinstance(data, dict) else {}


def tokens_of(body: dict[str, Any]) -> Tokens:
    access, refresh = body.get("access_token"), body.get("refresh_token")
    seconds = str(body.get("expires_in", ""))  # a string: "90000"
    if not (isinstance(access, str) and access and isinstance(refresh, str) and refresh):
        raise ZaloOAError("oauth", -1, "no tokens in the answer")
    return Tokens(access, refresh, int(seconds) if seconds.isdigit() else 3600)
