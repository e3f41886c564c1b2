"""Wiring: settings → organisation file → database (migrated) → the conversation core."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import IO

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime.doorbell import Doorbell
from bot.runtime.media import Fetch, FetchMedia, MediaSource, StoreSource
from bot.runtime.safe_fetch import Allowed
from bot.runtime.watchdog import check_writable
from bot.settings import Settings
from handlers.engine.context import Deps, PlatformFacts
from handlers.engine.core import Core
from handlers.org import OrgConfig, load_org
from handlers.wiring import build_core
from storage import units
from storage.clock import Clock, system
from storage.db import OUTBOX_BELL, make_engine, make_sessions, migrate
from storage.locks import AlreadyRunning, SenderLocks, hold_sqlite_file
from storage.media_store import LIMITS
from storage.models import UnitBase


@dataclass
class App:
    settings: Settings
    org: OrgConfig
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    core: Core
    locks: SenderLocks
    file_lock: IO[str] | None = None
    media: MediaSource | None = None  # the bytes of posts' photos, for targets that take bytes
    # How each platform's media are fetched into the store the first time (a running platform
    # adds its own: Telegram's needs its bot).
    fetchers: dict[str, Fetch] = field(default_factory=dict)
    # Rung when a transaction of this process commits an outbox row due: its workers send it
    # at once (``bot/runtime/doorbell.py``).
    bell: Doorbell = field(default_factory=Doorbell)

    async def close(self) -> None:
        await self.engine.dispose()
        if self.file_lock is not None:
            self.file_lock.close()


@dataclass(frozen=True)
class Platforms:
    """What the runtime is told of the registry by start-up (``bot/serve/``): the core's facts
    of each platform and how a URL arriving in a message on one becomes bytes."""

    facts: tuple[PlatformFacts, ...] = ()
    fetch_media: Mapping[str, FetchMedia] = field(default_factory=dict)
    # Replaces the deployment's people and places (the offline console's one-terminal demo).
    demo: Callable[[Deps], Deps] | None = None
    # The settings with every unit's own targets added to PUBLISH_TARGETS, each checked by its
    # platform (``bot/serve/unit_targets.widened``); none: PUBLISH_TARGETS alone.
    widen: Callable[[Settings, OrgConfig], Settings] | None = None


def pages(org: OrgConfig) -> tuple[tuple[str, str, str], ...]:
    """(unit code, platform, id) of every unit's own target, in the file's order."""
    found = []
    for unit in org.units:
        for target in unit.targets:
            platform, _, ident = target.partition(":")
            found.append((unit.code, platform.strip().lower(), ident.strip()))
    return tuple(found)


def make_deps(settings: Settings, org: OrgConfig, clock: Clock, platforms: Platforms) -> Deps:
    # EDITOR_CHAT_ID is a group where cards have buttons (the one platform with them).
    group = next((p.name for p in platforms.facts if p.buttons and p.chats), "")
    deps = Deps(
        org=org,
        tz=settings.tz,
        clock=clock,
        editor_chat=str(settings.editor_chat_id) if settings.editor_chat_id else None,
        editor_platform=group,
        admins=frozenset(str(ident) for ident in settings.admin_ids),
        editors=frozenset(str(ident) for ident in settings.editor_ids),
        targets=tuple((target.platform, target.id) for target in settings.publish_targets),
        draft_retention=timedelta(days=settings.draft_retention_days),
        web_base=str(settings.public_base_url).rstrip("/") if settings.public_base_url else None,
        web_secret=settings.web_secret.get_secret_value() if settings.web_secret else None,
        platforms=platforms.facts,
        pages=pages(org),
    )
    return platforms.demo(deps) if platforms.demo is not None else deps


async def build(
    settings: Settings,
    platforms: Platforms,
    *,
    clock: Clock = system,
    task: bool = False,
    media: MediaSource | None = None,
) -> App:
    """``clock``: the one clock of this process (a test passes its own). ``task``: a
    command-line task, which may run beside a bot serving the same SQLite file."""
    org = load_org(settings.org_config)
    # What the platforms serve: PUBLISH_TARGETS and every unit's own targets, each checked.
    served = platforms.widen(settings, org) if platforms.widen is not None else settings
    check_writable(settings.database_url)
    try:
        file_lock = hold_sqlite_file(settings.database_url, shared=task)
    except AlreadyRunning:
        if not task:
            raise
        file_lock = None  # a bot serves: it brought the schema and the units up to date
    engine = make_engine(settings.database_url)
    sessions = make_sessions(engine, clock)
    bell = Doorbell()
    sessions.kw["info"] = {**sessions.kw["info"], OUTBOX_BELL: bell.ring}
    if settings.media_dir is not None:  # the media store's directory (storage/media_store.py)
        sessions.kw["info"] = {**sessions.kw["info"], "media_dir": settings.media_dir}
    if file_lock is not None or not task or engine.dialect.name != "sqlite":
        await migrate(engine)
        async with sessions() as session, session.begin():
            rows = [UnitBase(code=u.code, name=u.name, parent_code=u.parent) for u in org.units]
            await units.sync(session, units=rows)
    if task and file_lock is not None:
        file_lock.close()  # held while migrating only: a bot may start while the task runs
        file_lock = None
    core = build_core(sessions, make_deps(settings, org, clock, platforms))
    allowed = Allowed.of(settings.media_fetch_allow_hosts)
    # A URL from a message, checked on every hop (bot.runtime.safe_fetch).
    fetchers: dict[str, Fetch] = {
        name: partial(fetch, allowed=allowed, limit=LIMITS["photo"])
        for name, fetch in platforms.fetch_media.items()
    }
    media = media or StoreSource(sessions, fetchers)
    locks = SenderLocks(engine)
    return App(served, org, engine, sessions, core, locks, file_lock, media, fetchers, bell)
