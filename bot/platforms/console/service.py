"""The offline console: the same core in a terminal, on the embedded store, with no token.

One person plays every role: ``/vai thanhvien`` (a member in a private chat), ``/vai bientap``
(an editor in the editors' group) and ``/vai quantri`` (an admin). Choices show as a numbered
list answered by number or by name, as on Zalo. Cards, notices and posts go through the same
outbox as on Telegram and are printed with the chat they went to.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from bot.platforms.plain import plain_reply
from bot.runtime.outbox import OutboxWorker
from bot.runtime.sending import Delivery
from handlers.desk import outbound
from handlers.engine import numbers
from handlers.engine.core import Core
from handlers.engine.texts import label, render
from handlers.engine.types import Choice, Inbound, MediaKind, MediaRef, Reply, Say, typed

EDITORS, CHANNEL = "bien-tap", "kenh"
REPORTS = Path(__file__).resolve().parents[3] / "data" / "reports"
# Who the console person is in each role: (user id, chat id, in a group).
ROLES = {
    "thanhvien": ("demo-member", "demo-member", False),
    "bientap": ("demo-editor", EDITORS, True),
    "quantri": ("demo-admin", "demo-admin", False),
}


def event_from_line(
    line: str, user_id: str = "demo-member", chat_id: str | None = None, group: bool = False
) -> Inbound | None:
    """Turn one typed line into an event; None for an empty line."""
    text = line.strip()
    if not text:
        return None
    base = {
        "platform": "console",
        "update_key": f"console:{uuid.uuid4().hex}",
        "user_id": user_id,
        "chat_id": chat_id or user_id,
        "display_name": label(f"name_{user_id.replace('-', '_')}", "console_labels.j2"),
        "numbered_choices": True,
        "group": group,
    }
    word, _, rest = text.partition(" ")
    if word in ("/anh", "/video"):
        kind: MediaKind = "photo" if word == "/anh" else "video"
        media = MediaRef(kind, f"console:{rest.strip() or 'anh.jpg'}", size=200_000)
        return Inbound(**base, media=(media,))  # type: ignore[arg-type]
    if word == "/album":
        asked = numbers.number(rest)
        count = 3 if asked is None else min(asked, 50)  # "/album ²" or a huge one: no crash
        group_id = uuid.uuid4().hex[:8]
        items = tuple(
            MediaRef("photo", f"console:album-{i + 1}.jpg", 200_000, group_id) for i in range(count)
        )
        return Inbound(**base, media=items)  # type: ignore[arg-type]
    if word == "/nhandan":
        return Inbound(**base, other="sticker")  # type: ignore[arg-type]
    return typed(base, text)


def show(reply: Reply, heading: str = "") -> str:
    lines = [heading] if heading else []
    for item in reply.media:
        kind = label(f"media_{item.kind}", "console_labels.j2")
        lines.append(f"[{kind}: {item.ref.removeprefix('console:')}]")
    text = plain_reply(reply)
    lines.append(("⚠️  " + text) if reply.alert else text)
    return "\n".join(lines)


@dataclass
class Terminal:
    """The screen and who is typing. The choices last printed in the editors' group are kept
    here to map "2" to a button there, as a person reads it off the screen."""

    write: Callable[[str], None]
    role: str = "thanhvien"
    group_choices: list[Choice] = field(default_factory=list)

    def save(self, reply: Reply) -> None:
        """Files (a report's workbook and chart) are written beside the database."""
        for item in reply.files:
            path = REPORTS / item.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(item.data)
            self.write(render(Say("console_file.j2", {"path": str(path)}), "plain"))

    def print(self, reply: Reply, chat_id: str) -> None:
        own = chat_id == ROLES[self.role][1]
        heading = (
            ""
            if own
            else render(
                Say(
                    "console_heading.j2",
                    {"chat": chat_id, "editors": chat_id == EDITORS, "channel": chat_id == CHANNEL},
                ),
                "plain",
            )
        )
        if chat_id == EDITORS and reply.choices:
            self.group_choices = [c for row in reply.choices for c in row]
        self.write(show(reply, heading) + "\n")
        self.save(reply)

    def event(self, line: str) -> Inbound | None:
        user_id, chat_id, group = ROLES[self.role]
        stripped = line.strip()
        picked = numbers.number(stripped)
        if group and picked is not None and 0 < picked <= len(self.group_choices):
            base = event_from_line("x", user_id, chat_id, group)
            assert base is not None
            return replace(base, text=None, choice=self.group_choices[picked - 1].data)
        return event_from_line(line, user_id, chat_id, group)


class ConsoleSender:
    """The outbox's sender for the console: prints what Telegram would have sent."""

    platform = "console"

    def __init__(self, terminal: Terminal) -> None:
        self.terminal = terminal

    async def send(self, chat_id: str, reply: Reply, *, kind: str) -> Delivery:
        self.terminal.print(reply, chat_id)
        return Delivery([uuid.uuid4().hex[:8]], None)


async def settle(worker: OutboxWorker) -> None:
    """Until every row due is shown, the one the background loop may be sending too: the next
    line typed (an editor's "2") must find the card it answers."""
    for _ in range(500):
        if not await worker.drain_once() and not await worker.in_flight():
            return
        await asyncio.sleep(0.01)


async def run_console(
    core: Core, *, stdin: TextIO = sys.stdin, write: Callable[[str], None] = print
) -> None:
    terminal = Terminal(write)
    stop = asyncio.Event()
    worker = OutboxWorker(
        core.sessions,
        core.deps,
        ConsoleSender(terminal),
        compose=outbound.compose,
        after_sent=outbound.after_sent,
        after_problem=outbound.after_problem,
        idle_sleep=0.1,
    )
    sending = asyncio.create_task(worker.run(stop))
    write(render(Say("console_intro.j2"), "plain"))
    try:
        line: str | None = "/start"
        while line is not None:
            word, _, rest = line.strip().partition(" ")
            if word in ("/thoat", "/exit", "/quit"):
                break
            if word == "/vai":
                terminal.role = rest.strip() if rest.strip() in ROLES else terminal.role
                write(render(Say("console_role.j2", {"role": terminal.role}), "plain") + "\n")
            elif (event := terminal.event(line)) is not None:
                for reply in await core.handle(event):
                    terminal.print(reply, reply.chat_id or event.chat_id)
                await settle(worker)  # the cards and notices this caused, before the next line
            line = await asyncio.to_thread(stdin.readline) or None
    finally:
        stop.set()
        await sending
    write(render(Say("console_bye.j2"), "plain"))
