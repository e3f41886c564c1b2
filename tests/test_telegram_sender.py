"""Polling reads an update's sender off the parsed object, webhooks off the JSON: the same."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.types import Update

from bot.platforms.telegram.service import sender_of, update_sender

USER = {"id": 42, "is_bot": False, "first_name": "Lan"}
CHAT = {"id": -100, "type": "supergroup", "title": "Ban biên tập"}
UPDATES: list[dict[str, Any]] = [
    {"update_id": 1, "message": {"message_id": 5, "date": 0, "chat": CHAT, "from": USER}},
    {
        "update_id": 2,
        "callback_query": {"id": "c", "from": USER, "chat_instance": "i", "data": "card:approve:1"},
    },
    {"update_id": 3, "channel_post": {"message_id": 6, "date": 0, "chat": CHAT}},
    {"update_id": 4, "message": {"message_id": 7, "date": 0, "chat": CHAT}},  # no sender
]


@pytest.mark.parametrize("raw", UPDATES, ids=lambda raw: str(raw["update_id"]))
def test_both_ways_name_the_same_sender(raw: dict[str, Any]) -> None:
    expected = "42" if raw["update_id"] in (1, 2) else ""
    assert sender_of(raw) == expected
    assert update_sender(Update.model_validate(raw)) == expected
