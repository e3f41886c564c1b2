"""Logging that never prints a secret, whatever a library puts in its messages or tracebacks.

The secrets are every ``SecretStr`` of the settings (``bot.settings.secret_values``), in the
forms they take in logs: as written, percent-encoded in a URL (the Bot APIs put the token in
the path, ``/bot<TOKEN>/getMe``) and, for a Telegram token ``<bot id>:<key>``, the key alone.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import TextIO
from urllib.parse import quote

MASK = "<secret>"


def forms(secrets: Iterable[str]) -> list[str]:
    """Each secret as it may appear in a log line, longest first (a token before its key)."""
    found: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        found |= {secret, quote(secret, safe=""), quote(secret)}
        head, sep, tail = secret.partition(":")
        if sep and head.isdigit() and len(tail) >= 8:  # the bot id is public, the key is not
            found |= {tail, quote(tail, safe="")}
    return sorted(found, key=len, reverse=True)


class Redact(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = forms(secrets)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # wrong arguments: logging would print them raw to stderr
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = self.scrub(message), None
        if record.exc_info and record.exc_info[1] is not None:
            # The traceback is formatted later from the exception: redact that text now.
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, self.scrub(text)
        elif record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        return True


def _uncaught(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    # Python would print this traceback straight to stderr, past the redaction.
    logging.getLogger("bot").critical("uncaught exception", exc_info=(kind, error, trace))


def _uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        _uncaught(args.exc_type, args.exc_value, args.exc_traceback)


def setup(level: str, secrets: Iterable[str], *, stream: TextIO | None = None) -> Redact:
    """Every record, of every logger, goes through one handler that redacts ``secrets``."""
    redact = Redact(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redact)
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.captureWarnings(True)
    sys.excepthook = _uncaught
    threading.excepthook = _uncaught_in_thread
    return redact
