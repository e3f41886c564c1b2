"""What the runtime is told of the registry: the core's facts of each platform a deployment
may name, and how a URL arriving in a message on one becomes bytes. The runtime imports no
platform (``tests/test_layers.py``): everything it needs of them comes through here."""

from __future__ import annotations

from bot.platforms.console.demo import demo_deps
from bot.platforms.protocol import Served
from bot.platforms.registry import PLATFORMS
from bot.runtime.app import App, Platforms
from bot.runtime.app import build as build_app
from bot.runtime.media import MediaSource
from bot.serve.unit_targets import widened
from bot.settings import Settings
from handlers.engine.context import PlatformFacts
from storage.clock import Clock, system


def platforms(*, console: bool = False) -> Platforms:
    """``console``: the offline demo, which plays every role in one terminal."""
    rows = [p for p in PLATFORMS if isinstance(p, Served)]
    return Platforms(
        facts=tuple(PlatformFacts(p.name, chats=p.chats, buttons=p.buttons) for p in rows),
        fetch_media={p.name: p.fetch_media for p in rows if p.fetch_media is not None},
        demo=demo_deps if console else None,
        widen=widened,
    )


async def build(
    settings: Settings,
    *,
    clock: Clock = system,
    console: bool = False,
    task: bool = False,
    media: MediaSource | None = None,
) -> App:
    """``bot.runtime.app.build`` with the registry's platforms."""
    return await build_app(
        settings, platforms(console=console), clock=clock, task=task, media=media
    )
