"""The bot's own log setup (``bot.runtime.logs``) writing into a string, for tests that read
what an operator would see; and the secret settings of the Settings model, each with a value
no test could print by accident."""

from __future__ import annotations

import contextlib
import io
import logging
import sys
import threading
import uuid
from collections.abc import Iterator
from typing import Any, get_args, get_origin

from pydantic import SecretStr, ValidationError

from bot.runtime import logs
from bot.settings import Settings


@contextlib.contextmanager
def captured_logs(secrets: list[str], level: str = "DEBUG") -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level_was, hooks = (
        root.handlers[:],
        root.level,
        (sys.excepthook, threading.excepthook),
    )
    stream = io.StringIO()
    logs.setup(level, secrets, stream=stream)
    try:
        yield stream
    finally:
        root.handlers[:] = handlers
        root.setLevel(level_was)
        sys.excepthook, threading.excepthook = hooks
        logging.captureWarnings(False)


def _holds_secret(annotation: Any) -> bool:
    return annotation is SecretStr or any(_holds_secret(arg) for arg in get_args(annotation))


def _shaped(annotation: Any, text: str) -> Any:
    """``text`` in the shape of the field: a list or dict of secrets holds it as its item."""
    for arg in get_args(annotation) or (annotation,):
        origin = get_origin(arg)
        if origin in (list, tuple, set, frozenset):
            return [text]
        if origin is dict:
            return {"key": text}
    return text


def secret_settings() -> dict[str, Any]:
    """Every Settings field that holds a secret (found from the model's annotations, so a new
    one is included by itself) with a distinctive value its own checks accept."""
    values: dict[str, Any] = {}
    for n, (name, field) in enumerate(Settings.model_fields.items()):
        if not _holds_secret(field.annotation):
            continue
        mark = f"S3cret_{name}_{uuid.uuid4().hex[:12]}"
        for candidate in (mark, f"{70000 + n}:{mark}"):  # the second one shaped like a token
            value = _shaped(field.annotation, candidate)
            try:
                Settings(_env_file=None, **{name: value})
            except ValidationError:
                continue
            values[name] = value
            break
        else:
            raise AssertionError(f"no distinctive value accepted for {name}: extend logcapture")
    return values
