"""The offline console: the same core in a terminal, on the embedded store, with no token.

Choices show as a numbered list answered by number or by name, as on Zalo. A few console-only
commands stand in for what a phone would send (a photo, an album, a sticker).
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Callable
from typing import TextIO

from handlers.core import Core
from handlers.texts import render
from handlers.types import Inbound, MediaKind, MediaRef, Reply, Say

USER_ID = "demo-member"


def event_from_line(line: str, user_id: str = USER_ID) -> Inbound | None:
    """Turn one typed line into an event; None for an empty line."""
    text = line.strip()
    if not text:
        return None
    base = {
        "platform": "console",
        "update_key": f"console:{uuid.uuid4().hex}",
        "user_id": user_id,
        "chat_id": user_id,
        "display_name": "Bạn (thử trên máy)",
        "numbered_choices": True,
    }
    word, _, rest = text.partition(" ")
    if word in ("/anh", "/video"):
        kind: MediaKind = "photo" if word == "/anh" else "video"
        media = MediaRef(kind, f"console:{rest.strip() or 'anh.jpg'}", size=200_000)
        return Inbound(**base, media=(media,))  # type: ignore[arg-type]
    if word == "/album":
        count = int(rest) if rest.strip().isdigit() else 3
        group = uuid.uuid4().hex[:8]
        media_items = tuple(
            MediaRef("photo", f"console:album-{i + 1}.jpg", 200_000, group) for i in range(count)
        )
        return Inbound(**base, media=media_items)  # type: ignore[arg-type]
    if word == "/nhandan":
        return Inbound(**base, other="sticker")  # type: ignore[arg-type]
    if text.startswith("/"):
        command = word[1:].split("@", 1)[0].lower()
        return Inbound(**base, command=command, args=rest.strip(), text=text)  # type: ignore[arg-type]
    return Inbound(**base, text=text)  # type: ignore[arg-type]


def show(reply: Reply) -> str:
    lines = []
    for item in reply.media:
        lines.append(
            f"[{'ảnh' if item.kind == 'photo' else 'video'}: {item.ref.removeprefix('console:')}]"
        )
    text = render(reply.say, "plain")
    lines.append(("⚠️  " + text) if reply.alert else text)
    number = 0
    for row in reply.choices:
        for choice in row:
            number += 1
            lines.append(f"   {number}. {choice.label}")
    return "\n".join(lines)


async def run_console(
    core: Core,
    *,
    stdin: TextIO = sys.stdin,
    write: Callable[[str], None] = print,
) -> None:
    write(render(Say("console_intro.j2"), "plain"))
    first = event_from_line("/start")
    assert first is not None
    for reply in await core.handle(first):
        write(show(reply) + "\n")
    while True:
        line = await asyncio.to_thread(stdin.readline)
        if not line or line.strip() in ("/thoat", "/exit", "/quit"):
            write(render(Say("console_bye.j2"), "plain"))
            return
        event = event_from_line(line)
        if event is None:
            continue
        for reply in await core.handle(event):
            write(show(reply) + "\n")
