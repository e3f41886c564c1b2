"""What every platform says about itself, and what a running one does: the interface the
registry (``bot/platforms/registry.py``) lists and ``bot/runtime/runner.py`` serves."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar, runtime_checkable

if TYPE_CHECKING:
    from bot.runtime.app import App
    from bot.runtime.inbox import InboxRunner
    from bot.runtime.outbox import OutboxWorker
    from bot.settings import Settings
    from bot.web.hooks import Routes


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


@runtime_checkable
class Platform(Protocol):
    """A platform as the registry lists it."""

    name: str  # as in PUBLISH_TARGETS, ADMIN_IDS and the update keys: "telegram", "zalo"
    buttons: bool  # inline buttons; without them choices are a numbered list
    text_limit: int  # longest text of one message, in ``text_unit``
    text_unit: TextUnit
    secrets: tuple[str, ...]  # the Settings fields holding its secrets
    sends: frozenset[Sends]

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
    """A running platform; the runner calls these in this order."""

    inbox: InboxRunner

    def worker(self) -> OutboxWorker: ...

    async def start(self, routes: Routes) -> asyncio.Task[None] | None:
        """Register its webhook path on the shared server, or start polling (the task)."""
        ...

    async def after_listening(self) -> None:
        """Once the web server listens: register the webhook with the platform."""
        ...

    async def stop_listening(self) -> None: ...

    async def close(self) -> None: ...


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
