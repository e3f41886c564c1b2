"""The entry point of the conversation core: one inbound event in, replies out.

Every event is handled in one transaction that first claims the update's key, so an update
delivered twice is acted on once, and a crash mid-way leaves no half-made change behind.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import replace

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.engine import flood, numbers
from handlers.engine.context import Ctx, Deps
from handlers.engine.router import Router
from handlers.engine.states import Step
from handlers.engine.textnorm import fold
from handlers.engine.types import Inbound, Reply, Say
from storage import inbox, members, quick_commit, quick_read
from storage.db import unreachable, writing

log = logging.getLogger(__name__)
Hook = Callable[[Ctx], Awaitable[None]]


class StoreUnavailable(Exception):
    """The database could not be reached: nothing of the update was stored, and it must be
    handled again later (its webhook row is kept; polling waits and retries)."""


class Core:
    """Built by ``handlers.wiring.build_core``, which gives it the routes of every feature and
    its hooks, required so that no core runs without the ban check: ``stopped`` (True when a
    private message's sender was answered and must be stopped), ``on_group`` (a group
    message: the editors' desk) and ``resync`` (a group update handled before whose answer
    may not have gone out)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        deps: Deps,
        *,
        routes: Router,
        stopped: Callable[[Ctx], Awaitable[bool]],
        on_group: Hook,
        resync: Hook,
    ) -> None:
        self.sessions = sessions
        self.deps = deps
        self.routes = routes
        self.stopped, self.on_group, self.resync = stopped, on_group, resync
        # One member's updates are handled one after another (an album's parts, a double
        # press); the state itself lives in the database, the locks only order the work.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        # Updates this process handled, by platform: a count for GET /metrics, not state.
        self.handled: collections.Counter[str] = collections.Counter()

    async def handle(self, event: Inbound) -> list[Reply]:
        lock = self._locks.setdefault(f"{event.platform}:{event.user_id}", asyncio.Lock())
        async with lock:
            try:
                return await self._handle(event)
            except Exception as error:
                if unreachable(error):
                    raise StoreUnavailable(event.update_key) from error
                log.exception("update %s failed; nothing of it was stored", event.update_key)
                return [Reply(Say("internal_error.j2"), alert=event.choice is not None)]

    async def _handle(self, event: Inbound) -> list[Reply]:
        holder = f"update {event.update_key}"
        async with writing(self.sessions, holder), self.sessions() as session, session.begin():
            fresh, found = await quick_read.claim(
                session, key=event.update_key, platform=event.platform, user_id=event.user_id
            )
            if not fresh and not (
                event.replay or await inbox.unanswered(session, key=event.update_key)
            ):
                log.info("update %s seen before; skipped", event.update_key)
                return []
            member, banned, draft = await members.get_or_create(
                session,
                platform=event.platform,
                user_id=event.user_id,
                chat_id=None if event.group else event.chat_id,
                display_name=event.display_name,
                username=event.username,
                found=found,
            )
            choice = _as_choice(event, member.step_data or {})
            ctx = Ctx(session, choice, member, self.deps, self.ask, banned=banned, loaded=draft)
            step_before = ctx.step
            if not fresh:
                # Handled, but its worker died before it was marked so: the answer may never
                # have gone out. Ask again where the member stands (harmless if it did).
                if event.group:
                    await self.resync(ctx)
                else:
                    await self.remind(ctx)
                return ctx.replies
            if not event.group and await self.stopped(ctx):
                pass  # answered once, then nothing: the update is still claimed
            elif event.group:
                await self.on_group(ctx)
            else:
                await self._member_turn(ctx, step_before)
            session.add(member)
            await quick_commit.commit(session)  # else the ORM's flush and commit, at the end
        self.handled[event.platform] += 1  # committed: counted once
        return ctx.replies

    async def ask(self, ctx: Ctx, step: Step) -> None:
        prompt = self.routes.prompts.get(step)
        if prompt is not None:
            await prompt(ctx)

    async def _member_turn(self, ctx: Ctx, step_before: Step) -> None:
        """A member's update, unless a flood skips it (``flood``: told once, the latest kept)."""
        verdict = flood.check(ctx, ctx.deps.clock())
        if verdict.warn:
            ctx.say("flood.j2")
        before = dict(ctx.member.step_data or {})
        if verdict.handle:
            await self.dispatch(ctx)
            _remember_choices(ctx, step_before)
        flood.keep(ctx.member, before, verdict)  # a skipped update is counted too

    async def remind(self, ctx: Ctx) -> None:
        if ctx.step == Step.IDLE:
            ctx.say("idle.j2", choices=[[ctx.choice("send", "gui")]])
        else:
            await self.ask(ctx, ctx.step)
        _remember_choices(ctx, ctx.step)

    async def dispatch(self, ctx: Ctx) -> None:
        event, routes = ctx.event, self.routes
        if event.other == "edited":  # the answer stored stays the one first sent
            ctx.say("edited.j2")
        elif event.command is not None:
            handler = routes.commands.get(event.command)
            if handler is None:
                ctx.say("unknown_command.j2", command=event.command, busy=ctx.step != Step.IDLE)
                return
            await handler(ctx)
        elif event.choice is not None:
            await self._press(ctx, event.choice)
        elif ctx.step in routes.inputs:
            await routes.inputs[ctx.step](ctx)
        elif event.other is not None:  # a voice message, an unknown kind: say what we read
            ctx.say("unsupported.j2", got=event.other, choices=[[ctx.choice("send", "gui")]])
        else:
            ctx.say("idle.j2", choices=[[ctx.choice("send", "gui")]])

    async def _press(self, ctx: Ctx, data: str) -> None:
        name, _, rest = data.partition(":")
        draft, _, arg = rest.partition(":")
        action = self.routes.actions.get(name)
        current = action is not None and (action.steps is None or ctx.step in action.steps)
        if action is not None and current and action.draft_bound:
            current = draft == str(ctx.member.draft_id or 0)
        if action is None or not current:
            ctx.alert("stale_button.j2")
            return
        await action.handler(ctx, arg)


def _as_choice(event: Inbound, data: dict[str, object]) -> Inbound:
    """Typed text that names one of the choices last shown ("2", "tin tot") is a press."""
    shown = data.get("choices")
    if (
        event.text is None
        or event.command is not None
        or event.group
        or not isinstance(shown, list)
    ):
        return event
    typed = fold(event.text)
    if not typed:
        return event
    labels = [(fold(label), payload) for label, payload in shown]
    picked = numbers.number(typed) if event.numbered_choices else None
    if picked is not None and 0 < picked <= len(labels):
        return replace(event, choice=labels[picked - 1][1], text=None)
    # The label's words, or their beginning when only one label starts so ("thong tin tho").
    exact = [payload for label, payload in labels if label == typed]
    starts = [payload for label, payload in labels if len(typed) >= 3 and label.startswith(typed)]
    found = exact or (starts if len(starts) == 1 else [])
    return replace(event, choice=found[0], text=None) if found else event


def _remember_choices(ctx: Ctx, step_before: Step) -> None:
    shown = [reply for reply in ctx.replies if reply.choices and not reply.alert]
    data = ctx.data
    if shown:
        data["choices"] = [[c.label, c.data] for row in shown[-1].choices for c in row]
    elif ctx.step != step_before or ctx.member.step == Step.IDLE:
        data.pop("choices", None)
    else:
        return
    ctx.member.step_data = data
