"""The one list of platforms. ``bot/runtime/runner.py`` serves every row whose token is set,
``bot/settings.py`` runs every row's ``check`` at start, and the log redaction finds every
secret in the settings by itself.

Adding a platform, e.g. a publish-only target such as Facebook Pages or WordPress:
1. a folder ``bot/platforms/<name>/`` whose ``__init__.py`` holds a class implementing
   ``Served`` (``bot/platforms/protocol.py``: its name, buttons, text limit and unit, secrets,
   ``check`` of its settings, how it receives, what it sends, ``open`` and ``explain``) and
   whose service sends through the outbox (``receives`` NOTHING: ``start`` returns None);
2. its settings in ``bot/settings.py`` (tokens as ``SecretStr``, or lists or dicts of them,
   e.g. ``FACEBOOK_PAGE_TOKENS``: redacted from logs without further work) and
   ``.env.example``;
3. one row below;
4. a sender that can change what it posted implements ``Correctable``
   (``bot/platforms/media.py``) and ``open`` registers it in ``app.core.deps.correctors``
   under the platform's name: ``/gobai`` and ``/suabai`` then reach it (through the outbox:
   its own worker carries out each change);
5. a target that can read back a unit's page registers a ``PageReader``
   (``handlers/engine/page_reading.py``) in ``app.core.deps.readers``: units' own posts and
   followers are then counted there (``handlers/pages/counting.py``).
"""

from __future__ import annotations

from bot.platforms.console import CONSOLE
from bot.platforms.facebook import FACEBOOK
from bot.platforms.protocol import Platform, Served
from bot.platforms.telegram import TELEGRAM
from bot.platforms.wordpress import WORDPRESS
from bot.platforms.zalo import ZALO
from bot.settings import Settings

PLATFORMS: tuple[Platform, ...] = (TELEGRAM, ZALO, FACEBOOK, WORDPRESS, CONSOLE)


def served(settings: Settings) -> list[Served]:
    """The platforms ``python -m bot run`` starts with these settings; none: the console."""
    return [p for p in PLATFORMS if isinstance(p, Served) and p.enabled(settings)]
