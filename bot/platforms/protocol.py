"""What every platform says about itself, and what a running one does: the interface the
registry (``bot/platforms/registry.py``) lists and start-up (``bot/serve/``) serves.

A row says what the platform is (``name``, ``label``, ``chats``, ``buttons``, its text limit),
where its variables are (``settings_model``, a leaf module ``bot/platforms/<name>/settings.py``
composed into ``bot.settings.Settings``), how a webhook reaches it (``receiver``), how a URL
arriving in a message becomes bytes (``fetch_media``) and where its own texts are
(``templates``: ``templates/platforms/<name>/``). Nothing outside ``bot/platforms/`` spells a
platform's name: everything else reads these rows, or what start-up derives from them."""

from __future__ import annotations

import argparse
import asyncio
import enum
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel

if TYPE_CHECKING:
    from bot.runtime.app import App
    from bot.runtime.inbox import InboxRunner
    from bot.runtime.media import FetchMedia
    from bot.runtime.outbox import OutboxWorker
    from bot.settings import Settings
    from bot.web.hooks import Receiver, Routes


class Receives(enum.StrEnum):
    POLLING = "polling"  # the bot asks the platform (long polling)
    WEBHOOK = "webhook"  # the platform calls the bot's web server
    TERMINAL = "terminal"  # someone types (the console)
    NOTHING = "nothing"  # a publish-only target (Facebook Pages, WordPress)


class Sends(enum.StrEnum):
    REPLIES = "replies"  # answers in a member's or an editor's chat
    CARDS = "cards"  # the editors' review cards
    POSTS = "posts"  # published items (PUBLISH_TARGETS)


class TextUnit(enum.StrEnum):
    """How a platform's text limit is counted; UTF-16 code units err on the safe side."""

    UTF16 = "utf-16 code units"
    CODE_POINTS = "code points"


@dataclass(frozen=True)
class StartProblem:
    """Why a platform could not start: the variable to fix, a key of
    templates/cli/platform_failed.j2 and the platform's own words (one line). ``lasting``: a
    refused token or a wrong setting, which trying again cannot cure (the platform stays off
    and the admins are told); anything else (unreachable, a 5xx, a timeout) is tried again."""

    variable: str
    key: str
    detail: str = ""
    lasting: bool = False


@dataclass(frozen=True)
class Finding:
    """One line of ``python -m bot doctor``: passed or not, a key of templates/cli/doctor.j2
    and what that line shows (never a secret)."""

    ok: bool
    key: str
    context: Mapping[str, object]


def problem(variable: str, key: str, value: str = "") -> ValueError:
    """A wrong setting found by a check spanning several fields (a platform's): pydantic gives
    such errors no field, so the variable travels in the message, read by
    ``bot.settings.describe_error``."""
    return ValueError(f"{variable}|{key}|{value}")


class Row:
    """What every row derives from its ``name``: its label (how people see it, from
    ``templates/platforms/<name>/names.j2``) and its templates' folder."""

    name: str

    @property
    def label(self) -> str:
        from handlers.engine.texts import label  # the row loads before any template

        return label("label", f"{self.templates}/names.j2")

    @property
    def templates(self) -> str:
        return f"platforms/{self.name}"

    # Its own commands of ``python -m bot`` (e.g. a first sign-in with the platform), which
    # bot/__main__.py adds and hands over to it: none by default.
    commands: tuple[str, ...] = ()

    def add_commands(self, commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        """Add the parsers of ``commands`` to ``python -m bot``'s."""

    async def run_command(self, args: argparse.Namespace, settings: Settings) -> int:
        """Run one of ``commands`` (``args.command``); its exit status."""
        raise NotImplementedError(args.command)


@runtime_checkable
class Platform(Protocol):
    """A platform as the registry lists it."""

    name: str  # as in PUBLISH_TARGETS, ADMIN_IDS and the update keys
    chats: bool  # people talk to the bot there (members, editors, admins)
    buttons: bool  # inline buttons; without them choices are a numbered list
    text_limit: int  # longest text of one message, in ``text_unit``
    text_unit: TextUnit
    secrets: tuple[str, ...]  # the Settings fields holding its secrets
    sends: frozenset[Sends]
    settings_model: type[BaseModel] | None  # its variables; composed into Settings
    receiver: type[Receiver] | None  # its webhook (verify, then receive); None: none
    fetch_media: FetchMedia | None  # a URL in a message (a photo) → bytes; None: no URLs

    @property
    def label(self) -> str: ...  # how people see it: "Telegram", "Website"

    @property
    def templates(self) -> str: ...  # its folder under templates/: "platforms/<name>"

    commands: tuple[str, ...]  # its own commands of ``python -m bot`` (``Row``: none)

    def add_commands(
        self, commands: argparse._SubParsersAction[argparse.ArgumentParser]
    ) -> None: ...

    async def run_command(self, args: argparse.Namespace, settings: Settings) -> int: ...

    def enabled(self, settings: Settings) -> bool:
        """Whether ``python -m bot run`` serves it (its token is set)."""
        ...

    def receives(self, settings: Settings) -> Receives: ...

    def check(self, settings: Settings) -> None:
        """Refuse settings the platform would refuse later: raise ``bot.settings.problem``."""
        ...


@runtime_checkable
class Served(Platform, Protocol):
    """A platform ``python -m bot run`` starts: everything but the console."""

    async def open(self, app: App) -> Service:
        """Make the running service and prove the token works (the platform's getMe)."""
        ...

    def explain(self, error: BaseException, *, stage: str) -> StartProblem:
        """What to fix after ``error`` at ``stage`` ("start" or "webhook")."""
        ...


@runtime_checkable
class Checked(Protocol):
    """A platform that ``python -m bot doctor`` can ask about: its token, its webhook, its
    publish targets, through its own client (each call with a timeout)."""

    name: str

    async def doctor(self, settings: Settings) -> list[Finding]: ...


class Service(Protocol):
    """A running platform, which sends through the outbox; the keeper calls these in this
    order. A publish-only target (Facebook Pages, WordPress) is no more than this."""

    def worker(self) -> OutboxWorker: ...

    async def start(self, routes: Routes) -> asyncio.Task[None] | None:
        """Register its webhook receiver on the shared server, or start polling, or a watch
        of its own (the task)."""
        ...

    async def after_listening(self) -> None:
        """Once the web server listens: register the webhook with the platform."""
        ...

    async def stop_listening(self) -> None: ...

    async def close(self) -> None: ...


@runtime_checkable
class Listening(Service, Protocol):
    """A running platform that people talk to: what arrives is stored in its inbox first,
    which the keeper sweeps for rows a dead worker left."""

    inbox: InboxRunner


S = TypeVar("S", bound=Service)


async def proven(service: S, check: Callable[[], Awaitable[object]]) -> S:
    """``service`` once ``check`` (its getMe, a sign-in) passed; closed when it did not, so a
    platform that cannot start leaves no session open."""
    try:
        await check()
    except BaseException:
        await service.close()
        raise
    return service
