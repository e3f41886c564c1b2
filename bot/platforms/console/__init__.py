"""The offline console (``service.py``): the registry's row. It needs no token and no
network; ``python -m bot demo`` runs it, and ``run`` does when no other platform is on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

from bot.platforms.protocol import Receives, Row, Sends, TextUnit

if TYPE_CHECKING:
    from bot.runtime.media import FetchMedia
    from bot.settings import Settings
    from bot.web.hooks import Receiver


class Console(Row):
    name: str = "console"
    chats: bool = True
    buttons: bool = False  # choices as a numbered list, answered by number or by name
    text_limit: int = 1_000_000  # a terminal takes anything; the flow's own limits still apply
    text_unit: TextUnit = TextUnit.CODE_POINTS
    secrets: tuple[str, ...] = ()
    sends: frozenset[Sends] = frozenset({Sends.REPLIES, Sends.CARDS, Sends.POSTS})
    settings_model: type[BaseModel] | None = None
    receiver: type[Receiver] | None = None  # nothing calls it
    fetch_media: FetchMedia | None = None

    def enabled(self, settings: Settings) -> bool:
        return False  # never served by ``run``: it is what runs when nothing else is

    def receives(self, settings: Settings) -> Receives:
        return Receives.TERMINAL

    def check(self, settings: Settings) -> None:
        return None


CONSOLE = Console()
