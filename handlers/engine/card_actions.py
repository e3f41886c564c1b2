"""The buttons on the editors' card: what each one does, and its callback data, packed and
parsed here and nowhere else.

A button's data is ``card:<action>:<submission id>[:<argument>]``, at most 64 bytes
(Telegram's ``callback_data``, https://core.telegram.org/bots/api#inlinekeyboardbutton).
Feature modules register a handler per action on their ``Router`` (``router.card(...)``).

Cards sent before this format carry ``rv:<two letters>:<id>[:<arg>]``; they stay in the
editors' group for good, and every press is checked again on the server (editor, chat, status),
so they are read as the action they always meant rather than refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.engine import numbers
from handlers.engine.types import CALLBACK_LIMIT, Choice

PREFIX = "card"


class CardAction(StrEnum):
    APPROVE = "approve"
    APPROVE_CONFIRMED = "approve_confirmed"  # consent not asked: the editor confirmed anyway
    REJECT = "reject"  # shows the preset reasons
    REJECT_PRESET = "reject_preset"  # argument: the preset's index
    REJECT_OTHER = "reject_other"  # asks for a typed reason
    MORE = "more"  # Yêu cầu bổ sung: shows the fields to tick
    MORE_FIELD = "more_field"  # argument: the field ticked or unticked
    MORE_NOTE = "more_note"  # asks for the note to the member
    EDIT_POST = "edit_post"  # asks for the post's text
    PUBLISH = "publish"  # the edited text, approved
    PUBLISH_CONFIRMED = "publish_confirmed"
    BACK = "back"  # the card's own buttons again
    CANCEL = "cancel"
    POST_NOW = "post_now"  # an approved post waiting for its slot goes now
    RESEND = "resend"  # the card again at the bottom of the chat
    MERGE = "merge"  # into the submission it was flagged as repeating
    PERSONAL = "personal"  # argument: 1 publishes personal data as written, 0 masks it
    TAKE_DOWN = "take_down"  # a published post: asks to confirm
    TAKE_DOWN_CONFIRMED = "take_down_ok"  # gone from every target that allows it
    THEME = "theme"  # Chủ đề: the item's theme and events, each a button
    THEME_SET = "theme_set"  # argument: t<index> sets that theme, e<index> toggles that event


_BY_VALUE = {action.value: action for action in CardAction}
# The two-letter codes of the cards sent before; never extended.
LEGACY = {
    "ok": CardAction.APPROVE,
    "oc": CardAction.APPROVE_CONFIRMED,
    "no": CardAction.REJECT,
    "nr": CardAction.REJECT_PRESET,
    "nt": CardAction.REJECT_OTHER,
    "mi": CardAction.MORE,
    "mf": CardAction.MORE_FIELD,
    "mn": CardAction.MORE_NOTE,
    "ed": CardAction.EDIT_POST,
    "pb": CardAction.PUBLISH,
    "pc": CardAction.PUBLISH_CONFIRMED,
    "bk": CardAction.BACK,
    "cx": CardAction.CANCEL,
    "pn": CardAction.POST_NOW,
    "rc": CardAction.RESEND,
    "mg": CardAction.MERGE,
    "pk": CardAction.PERSONAL,
}


@dataclass(frozen=True)
class CardPress:
    action: CardAction
    submission_id: int
    arg: str = ""

    def pack(self) -> str:
        data = f"{PREFIX}:{self.action.value}:{self.submission_id}"
        return f"{data}:{self.arg}" if self.arg else data

    @classmethod
    def parse(cls, data: str | None) -> CardPress | None:
        """The press a button's data names; None for anything else (a forged or foreign one)."""
        if data is None or len(data.encode()) > CALLBACK_LIMIT:
            return None
        prefix, name, number, arg = [*data.split(":", 3), "", "", ""][:4]
        action = (_BY_VALUE if prefix == PREFIX else LEGACY if prefix == "rv" else {}).get(name)
        sid = numbers.number(number)
        return None if action is None or sid is None else cls(action, sid, arg)


def button(text: str, action: CardAction, submission_id: int | None, arg: object = "") -> Choice:
    """A button on a card: its label and its packed press."""
    return Choice(text, CardPress(action, submission_id or 0, str(arg)).pack())
