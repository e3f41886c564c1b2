"""A small platform-free router: commands, button actions, input per step, card buttons.

Each feature module owns one ``Router``; ``handlers.wiring`` joins them. A button action names
the steps in which it is current, so a press on an old message is recognised and refused. A
card button (``handlers.engine.card_actions``) names whether it still works once decided.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from handlers.engine.card_actions import CardAction, CardPress
from handlers.engine.context import Ctx
from handlers.engine.states import Step
from storage.models import Submission

K = TypeVar("K")
V = TypeVar("V")
H = TypeVar("H")
Handler = Callable[[Ctx], Awaitable[None]]
ActionHandler = Callable[[Ctx, str], Awaitable[None]]
CardHandler = Callable[[Ctx, Submission, CardPress], Awaitable[None]]


@dataclass(frozen=True)
class Action:
    handler: ActionHandler
    steps: frozenset[Step] | None  # None: current in every step
    draft_bound: bool  # the button belongs to one draft; refused once that draft is gone


@dataclass(frozen=True)
class CardRoute:
    handler: CardHandler
    pending_only: bool  # once decided, a press is answered with who decided and when


@dataclass
class Router:
    commands: dict[str, Handler] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)
    inputs: dict[Step, Handler] = field(default_factory=dict)
    prompts: dict[Step, Handler] = field(default_factory=dict)
    cards: dict[CardAction, CardRoute] = field(default_factory=dict)

    def command(self, *names: str) -> Callable[[Handler], Handler]:
        return _filed(self.commands, names, _same)

    def action(
        self, name: str, *, steps: Iterable[Step] | None = None, draft_bound: bool = True
    ) -> Callable[[ActionHandler], ActionHandler]:
        allowed = frozenset(steps) if steps is not None else None
        return _filed(self.actions, [name], lambda handler: Action(handler, allowed, draft_bound))

    def input(self, *steps: Step) -> Callable[[Handler], Handler]:
        return _filed(self.inputs, steps, _same)

    def prompt(self, *steps: Step) -> Callable[[Handler], Handler]:
        """How a step asks its question: used on arrival and whenever it must be asked again."""
        return _filed(self.prompts, steps, _same)

    def card(
        self, *actions: CardAction, pending_only: bool = True
    ) -> Callable[[CardHandler], CardHandler]:
        """A button on the editors' card; the press is already checked (the editors' chat, an
        editor, a submission that exists)."""
        return _filed(self.cards, actions, lambda handler: CardRoute(handler, pending_only))

    def include(self, *others: Router) -> Router:
        for other in others:
            _merge(self.commands, other.commands)
            _merge(self.actions, other.actions)
            _merge(self.inputs, other.inputs)
            _merge(self.prompts, other.prompts)
            _merge(self.cards, other.cards)
        return self


def _same(handler: Handler) -> Handler:
    return handler


def _filed(table: dict[K, V], keys: Iterable[K], entry: Callable[[H], V]) -> Callable[[H], H]:
    """A decorator filing its handler (as ``entry`` makes it) under each key, once."""

    def register(handler: H) -> H:
        _merge(table, {key: entry(handler) for key in keys})
        return handler

    return register


def _merge(mine: dict[K, V], theirs: dict[K, V]) -> None:
    clash = set(mine) & set(theirs)
    if clash:
        raise ValueError(f"registered twice: {sorted(map(str, clash))}")
    mine.update(theirs)
