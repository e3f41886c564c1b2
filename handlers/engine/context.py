"""What a handler gets: the update, the member, a session and the organisation; and where it
puts its answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine.page_reading import PageReader
from handlers.engine.states import Step
from handlers.engine.texts import label
from handlers.engine.types import Choice, Inbound, MediaRef, Reply, Say
from handlers.org import OrgConfig
from storage import submissions
from storage.clock import Clock, system
from storage.models import Member, Outbox, Submission


class ChangeOutcome(Protocol):
    """What a target did with a correction or a take-down (``bot.platforms.media.ChangeResult``)."""

    @property
    def change(self) -> str: ...  # done | not_allowed | too_old | failed

    @property
    def reason(self) -> str: ...


class Corrector(Protocol):
    """A running publish target that can change its posts (``bot.platforms.media.Correctable``)."""

    async def correct(self, row: Outbox, text: str) -> ChangeOutcome: ...

    async def take_down(self, row: Outbox) -> ChangeOutcome: ...


@dataclass(frozen=True)
class PlatformFacts:
    """What the core knows of a platform: its registry row's words, passed in by start-up (the
    core imports no platform)."""

    name: str
    chats: bool  # people talk to the bot there: staff and units' contacts may be named there
    buttons: bool  # without buttons, editors there get new submissions in private


@dataclass(frozen=True)
class Deps:
    org: OrgConfig
    tz: ZoneInfo
    clock: Clock = system
    editor_chat: str | None = None  # the editors' group
    editor_platform: str = ""  # where that group is: the platform with buttons (or the console)
    admins: frozenset[str] = frozenset()  # "<platform>:123", from ADMIN_IDS
    editors: frozenset[str] = frozenset()  # from EDITOR_IDS
    targets: tuple[tuple[str, str], ...] = ()  # (platform, chat id), from PUBLISH_TARGETS
    draft_retention: timedelta = timedelta(days=30)  # abandoned drafts go (DRAFT_RETENTION_DAYS)
    web_base: str | None = None  # PUBLIC_BASE_URL: where the board's sign-in links point
    web_secret: str | None = field(default=None, repr=False)  # WEB_SECRET signs those links
    # By platform, filled by each publish target as it opens (``/gobai``, ``/suabai``).
    correctors: dict[str, Corrector] = field(default_factory=dict)
    # Each unit's own targets, (unit code, platform, id), from ``targets`` in the
    # organisation file; none in the console demo.
    pages: tuple[tuple[str, str, str], ...] = ()
    # By platform, filled by each target that can read its pages (counting units' own posts).
    readers: dict[str, PageReader] = field(default_factory=dict)
    # The registry's platforms that a deployment may name, by name (from start-up).
    platforms: tuple[PlatformFacts, ...] = ()

    @property
    def chat_platforms(self) -> tuple[str, ...]:
        """Where people talk to the bot: where staff and contacts can be named (in the
        registry's order: the usage lines' examples take the first)."""
        return tuple(p.name for p in self.platforms if p.chats)

    @property
    def buttonless(self) -> frozenset[str]:
        """Chat platforms without buttons: editors there get new submissions in private."""
        return frozenset(p.name for p in self.platforms if p.chats and not p.buttons)

    @property
    def editors_group(self) -> tuple[str, str | None]:
        """Where notices to the editors go: (platform, chat), no chat when none is set."""
        return self.editor_platform, self.editor_chat


@dataclass
class Ctx:
    session: AsyncSession
    event: Inbound
    member: Member
    deps: Deps
    asker: Callable[[Ctx, Step], Awaitable[None]]
    replies: list[Reply] = field(default_factory=list)
    # Whether an active ban names the sender, when read with the member's row (one statement
    # fewer per update); None: not known, the ban check reads it.
    banned: bool | None = None
    # The draft read with the member's row, held here so that the session keeps it and
    # ``draft()`` finds it without a query; ``draft()`` still asks the session (it may be
    # another draft by then, or deleted).
    loaded: Submission | None = None

    @property
    def step(self) -> Step:
        try:
            return Step(self.member.step)
        except ValueError:  # a step renamed by an upgrade: start over rather than crash
            return Step.IDLE

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.member.step_data or {})

    @property
    def org(self) -> OrgConfig:
        return self.deps.org

    @property
    def today(self) -> date:
        return self.deps.clock().astimezone(self.deps.tz).date()

    def goto(self, step: Step, **data: Any) -> None:
        # A new dict each time: SQLAlchemy does not see changes made inside a JSON value.
        self.member.step = step.value
        self.member.step_data = data
        self.member.updated_at = self.deps.clock()

    async def move(self, step: Step, **data: Any) -> None:
        """Go to a step and ask its question."""
        self.goto(step, **data)
        await self.asker(self, step)

    async def ask_again(self) -> None:
        await self.asker(self, self.step)

    def choice(self, name: str, action: str, arg: str = "", *, text: str | None = None) -> Choice:
        """A button whose data names the action and the draft it belongs to, so a press on an
        old message can be told apart from a current one."""
        return Choice(text or label(name), f"{action}:{self.member.draft_id or 0}:{arg}")

    def say(
        self,
        template: str,
        *,
        choices: Iterable[Iterable[Choice]] = (),
        media: Iterable[MediaRef] = (),
        edit: bool = False,
        **ctx: Any,
    ) -> None:
        rows = tuple(tuple(row) for row in choices)
        self.replies.append(Reply(Say(template, ctx), rows, tuple(media), edit=edit))

    def alert(self, template: str, **ctx: Any) -> None:
        self.replies.append(Reply(Say(template, ctx), alert=True))

    async def draft(self) -> Submission | None:
        # Without autoflush: loading a row by its key needs none of this update's pending
        # changes, and flushing them here would write the member's row twice in one update.
        with self.session.no_autoflush:
            return await submissions.get(self.session, submission_id=self.member.draft_id)
