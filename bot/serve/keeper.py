"""Starting one platform, and starting it again when it could not: an unreachable API, a 5xx
or a timeout at start is tried again with a pause doubling up to a cap, while the other
platforms serve; a refused token or a wrong setting (``StartProblem.lasting``) stays off, is
told to the admins once a day, and ``python -m bot doctor`` names it. Each change of state is
logged once, never each try; ``/healthz`` shows the state all along."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from bot.platforms.protocol import Listening, Served, Service, StartProblem
from bot.runtime.app import App
from bot.runtime.health import Health, State
from bot.serve.supervision import Supervisor, failed
from bot.web.hooks import Webhooks
from handlers.admin.tell import tell_admins
from handlers.engine.texts import render
from handlers.engine.types import Say

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    """Seconds between two tries: ``first``, doubling, never above ``cap``."""

    first: float = 2.0
    cap: float = 300.0

    def pause(self, tries: int) -> float:
        return float(min(self.cap, self.first * 2 ** min(max(tries - 1, 0), 30)))


class _Failed(Exception):
    def __init__(self, stage: str, error: BaseException) -> None:
        super().__init__(stage)
        self.stage, self.error = stage, error


@dataclass
class Startup:
    """What the first tries gave: ``tried`` is set once every platform was tried once
    (serving, retrying or off); ``serving`` names those that started at their first try."""

    tried: asyncio.Event = field(default_factory=asyncio.Event)
    serving: set[str] = field(default_factory=set)


class Keeper:
    """The platforms of one ``serve``: each started by ``keep`` (a task of its own), its
    background tasks handed to the supervisor once it serves."""

    def __init__(
        self,
        app: App,
        hooks: Webhooks,
        health: Health,
        supervisor: Supervisor,
        stop: asyncio.Event,
        *,
        wanted: list[Served],
        backoff: Backoff,
        startup: Startup | None = None,
    ) -> None:
        self.app, self.hooks, self.health, self.supervisor = app, hooks, health, supervisor
        self.stop, self.wanted, self.backoff = stop, wanted, backoff
        self.running: list[tuple[Served, Service]] = []
        # ``startup.tried`` is set once every platform has been tried once (serving, retrying
        # or off): the scheduler's first reading of the units' pages waits for it, or it would
        # find the readers of platforms still signing in missing and skip them for six hours.
        # ``startup``: the caller's own (the tests' harness waits on it).
        self.startup = startup if startup is not None else Startup()
        self._untried = {platform.name for platform in wanted}
        if not wanted:
            self.startup.tried.set()
        for platform in wanted:
            health.set(platform.name, State.STARTING)

    async def keep(self, platform: Served) -> None:
        try:
            await self._keep(platform)
        except Exception:  # a bug here must not leave the platform "starting" in silence
            log.exception("starting %s failed", platform.name)
            self.health.set(platform.name, State.OFF, "other")
        finally:
            self._tried(platform.name)

    def _tried(self, name: str) -> None:
        self._untried.discard(name)
        if not self._untried:
            self.startup.tried.set()

    async def _keep(self, platform: Served) -> None:
        tries = 0
        while not self.stop.is_set():
            tries += 1
            try:
                service, listener = await self._attempt(platform)
            except _Failed as failure:
                self._tried(platform.name)
                found = platform.explain(failure.error, stage=failure.stage)
                if found.lasting:
                    await self._off(platform, found)
                    return
                if self.health.set(platform.name, State.RETRYING, found.key, tries):
                    failed(platform, found, others=len(self.wanted) > 1)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), self.backoff.pause(tries))
                continue
            self._serving(platform, service, listener, tries)
            self._tried(platform.name)
            return

    async def _attempt(self, platform: Served) -> tuple[Service, asyncio.Task[None] | None]:
        """Open (its getMe), register its webhook path or start polling, then register the
        webhook with the platform; nothing left open when any of it fails."""
        try:
            service = await platform.open(self.app)  # closed by ``proven`` when refused
        except Exception as error:
            raise _Failed("start", error) from error
        stage = "start"
        try:
            listener = await service.start(self.hooks.of(platform.name))
            stage = "webhook"
            await service.after_listening()  # e.g. setWebhook, which Zalo may refuse
        except BaseException as error:
            self.hooks.drop(platform.name)
            with contextlib.suppress(Exception):
                await service.stop_listening()
            await service.close()
            if isinstance(error, Exception):
                raise _Failed(stage, error) from error
            raise
        return service, listener

    def _serving(
        self, platform: Served, service: Service, listener: asyncio.Task[None] | None, tries: int
    ) -> None:
        self.running.append((platform, service))
        if platform.name in self._untried:  # at its first try
            self.startup.serving.add(platform.name)
        if self.health.set(platform.name, State.SERVING) and tries > 1:
            back = Say("cli/platform_back.j2", {"platform": platform.name, "tries": tries})
            log.warning(render(back, "plain"))
        add, name = self.supervisor.add, platform.name
        if listener is not None:
            add(listener, f"{name}: polling")
        add(asyncio.create_task(service.worker().run(self.stop)), f"{name}: outbox")
        if isinstance(service, Listening):  # a publish-only target has no inbox
            sweep = service.inbox.sweep_forever(self.stop)
            add(asyncio.create_task(sweep), f"{name}: inbox sweep")

    async def _off(self, platform: Served, found: StartProblem) -> None:
        self.health.set(platform.name, State.OFF, found.key)
        failed(platform, found, others=len(self.wanted) > 1)
        if all(self.health.platforms[p.name].state == State.OFF for p in self.wanted):
            self.supervisor.give_up()
            return  # nobody could read a notice
        deps = self.app.core.deps
        day = deps.clock().astimezone(deps.tz).date().isoformat()
        context = {"platform": platform.name, "key": found.key, "variable": found.variable}
        try:
            async with self.app.sessions.begin() as session:
                await tell_admins(
                    session,
                    deps,
                    key=f"platform_off:{platform.name}:{found.key}:{day}",
                    template="notice/platform_off.j2",
                    context=context,
                )
        except Exception:  # the database away: the log line above still says it
            log.warning("admins not told that %s is off", platform.name, exc_info=True)

    async def stop_all(self) -> None:
        """Stop listening (their webhook paths answer 503 from now: updates come again)."""
        for platform, service in self.running:
            self.hooks.drop(platform.name)
            await service.stop_listening()

    async def close_all(self) -> None:
        for _, service in self.running:
            await service.close()
