"""The console demo's people and places: it plays every role in one terminal, with its own
editors' group and channel, instead of the deployment's."""

from __future__ import annotations

from dataclasses import replace

from bot.platforms.console import CONSOLE
from bot.platforms.console.service import CHANNEL, EDITORS, ROLES
from handlers.engine.context import Deps


def demo_deps(deps: Deps) -> Deps:
    name = CONSOLE.name
    return replace(
        deps,
        editor_chat=EDITORS,
        editor_platform=name,
        admins=frozenset({f"{name}:{ROLES['quantri'][0]}"}),
        editors=frozenset({f"{name}:{ROLES['bientap'][0]}"}),
        targets=((name, CHANNEL),),
        web_base=None,
        web_secret=None,
    )
