"""The editors' card always fits in one message of the editors' group, so it can be edited in
place when a decision is made (and lose its buttons).

Telegram takes 1-4096 characters of text after entity parsing
(https://core.telegram.org/bots/api#sendmessage, #editmessagetext); the project counts UTF-16
code units, which errs on the safe side for emoji. A story with every field at its limit in
emoji is about 6,000 units: its fields are shortened on the card, longest first, each ending
with "…". The status and decision lines are never shortened; the whole story stays in the
database, in the post and in /xem.
"""

from __future__ import annotations

from typing import Any

from handlers.engine.states import PATHS
from handlers.engine.texts import render
from handlers.engine.types import Say
from storage.models import Submission

CARD_LIMIT = 4096  # Telegram's text limit: the editors' group is on Telegram
ELLIPSIS = "…"
SHORTEST = 40  # a field is never cut below this many units: it still says what it is about


def units(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts."""
    return len(text.encode("utf-16-le")) // 2


def cut(text: str, budget: int) -> str:
    """``text`` within ``budget`` units, ending with the ellipsis when shortened."""
    if units(text) <= budget:
        return text
    kept, used = [], units(ELLIPSIS)
    for char in text:
        used += units(char)
        if used > budget:
            break
        kept.append(char)
    return "".join(kept).rstrip() + ELLIPSIS


def _cap(lengths: list[int], excess: int) -> int:
    """The largest cap that, applied to every field, removes at least ``excess`` units."""
    low, high = SHORTEST, max(lengths, default=SHORTEST)
    while low < high:
        middle = (low + high + 1) // 2
        if sum(max(0, n - middle) for n in lengths) >= excess:
            low = middle
        else:
            high = middle - 1
    return low


def fit(say: Say, limit: int = CARD_LIMIT) -> Say:
    """``say`` (a card's template and context) with its story fields shortened to fit."""
    measure = units(render(say, "plain"))
    sub: Submission = say.ctx["sub"]
    names = [step.value for step in PATHS.get(sub.path or "raw", ())]
    values = {name: getattr(sub, name) or "" for name in names}
    ctx: dict[str, Any] = dict(say.ctx)
    personal = list(ctx.get("personal") or [])
    while measure > limit:
        lengths = [units(value) for value in values.values()]
        if max(lengths, default=0) > SHORTEST:
            cap = _cap(lengths, measure - limit + len(values) * units(ELLIPSIS))
            values = {name: cut(value, cap) for name, value in values.items()}
        elif len(personal) > 1:  # a story made of phone numbers: list fewer of them
            personal = personal[: len(personal) // 2]
            ctx["personal_more"] = len(ctx.get("personal") or []) - len(personal)
        else:
            break
        shortened = Submission.model_validate({**sub.model_dump(), **values})
        ctx |= {"sub": shortened, "personal": personal}
        measure = units(render(Say(say.template, ctx), "plain"))
    return Say(say.template, ctx)
