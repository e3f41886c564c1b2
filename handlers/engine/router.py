"""A small platform-free router: commands, button actions and input per step.

Each feature module owns one ``Router``; ``handlers.engine.core`` joins them. A button action names
the steps in which it is current, so a press on an old message is recognised and refused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from handlers.engine.context import Ctx
from handlers.engine.states import Step

K = TypeVar("K")
V = TypeVar("V")
Handler = Callable[[Ctx], Awaitable[None]]
ActionHandler = Callable[[Ctx, str], Awaitable[None]]


@dataclass(frozen=True)
class Action:
    handler: ActionHandler
    steps: frozenset[Step] | None  # None: current in every step
    draft_bound: bool  # the button belongs to one draft; refused once that draft is gone


@dataclass
class Router:
    commands: dict[str, Handler] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)
    inputs: dict[Step, Handler] = field(default_factory=dict)
    prompts: dict[Step, Handler] = field(default_factory=dict)

    def command(self, *names: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for name in names:
                self.commands[name] = handler
            return handler

        return register

    def action(
        self, name: str, *, steps: Iterable[Step] | None = None, draft_bound: bool = True
    ) -> Callable[[ActionHandler], ActionHandler]:
        def register(handler: ActionHandler) -> ActionHandler:
            allowed = frozenset(steps) if steps is not None else None
            self.actions[name] = Action(handler, allowed, draft_bound)
            return handler

        return register

    def input(self, *steps: Step) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for step in steps:
                self.inputs[step] = handler
            return handler

        return register

    def prompt(self, *steps: Step) -> Callable[[Handler], Handler]:
        """How a step asks its question: used on arrival and whenever it must be asked again."""

        def register(handler: Handler) -> Handler:
            for step in steps:
                self.prompts[step] = handler
            return handler

        return register

    def include(self, *others: Router) -> Router:
        for other in others:
            _merge(self.commands, other.commands)
            _merge(self.actions, other.actions)
            _merge(self.inputs, other.inputs)
            _merge(self.prompts, other.prompts)
        return self


def _merge(mine: dict[K, V], theirs: dict[K, V]) -> None:
    clash = set(mine) & set(theirs)
    if clash:
        raise ValueError(f"registered twice: {sorted(map(str, clash))}")
    mine.update(theirs)
