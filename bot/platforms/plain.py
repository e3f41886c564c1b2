"""A reply as plain text for platforms without buttons or markup (Zalo, the console): the
text, then the choices as a numbered list that the core maps back from "1", "2" or the label."""

from __future__ import annotations

from handlers.engine.texts import render
from handlers.engine.types import Reply


def plain_reply(reply: Reply) -> str:
    lines = [render(reply.say, "plain")]
    choices = [choice for row in reply.choices for choice in row]
    lines.extend(f"{number}. {choice.label}" for number, choice in enumerate(choices, start=1))
    return "\n".join(lines)
