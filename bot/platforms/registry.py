"""The one list of platforms. Start-up (``bot/serve/``) serves every row whose token is set,
``bot/settings.py`` runs every row's ``check`` at start and validates the platform part of
``ADMIN_IDS``, ``EDITOR_IDS`` and ``PUBLISH_TARGETS`` against the rows' names, and the log
redaction finds every secret in the settings by itself. Everything else that needs to know
the platforms (which have buttons, where people chat, how a photo's URL is fetched, a
platform's label) reads the rows, or what start-up derives from them (``facts``).

Adding a platform, e.g. the Zalo Official Account or a publish-only target (WordPress):
1. a folder ``bot/platforms/<name>/`` whose ``__init__.py`` holds a row implementing
   ``Served`` (``bot/platforms/protocol.py``) and whose ``settings.py`` holds its variables
   (a leaf pydantic model, named as ``settings_model`` and listed among ``Settings``' bases);
2. its texts under ``templates/platforms/<name>/`` (``names.j2``: its label, and its examples
   of a person's id, ``example_id``, and of a target, ``example_target``, for usage lines);
3. its tests and fake server under ``tests/platforms/<name>/``;
4. one row below; its variables in ``.env.example`` and README.md.
5. a sender that can change what it posted implements ``Correctable``
   (``bot/platforms/media.py``) and ``open`` registers it in ``app.core.deps.correctors``
   under the platform's name: ``/gobai`` and ``/suabai`` then reach it (through the outbox:
   its own worker carries out each change);
6. a target that can read back a unit's page registers a ``PageReader``
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
from bot.platforms.zalo_oa import ZALO_OA
from bot.settings import Settings

PLATFORMS: tuple[Platform, ...] = (TELEGRAM, ZALO, ZALO_OA, FACEBOOK, WORDPRESS, CONSOLE)


def served(settings: Settings) -> list[Served]:
    """The platforms ``python -m bot run`` starts with these settings; none: the console."""
    return [p for p in PLATFORMS if isinstance(p, Served) and p.enabled(settings)]


def served_names() -> tuple[str, ...]:
    """The names ``ADMIN_IDS``, ``EDITOR_IDS`` and ``PUBLISH_TARGETS`` may use (the first
    gives ``cli/org_error.j2`` its example of a target)."""
    return tuple(p.name for p in PLATFORMS if isinstance(p, Served))


def chat_names() -> tuple[str, ...]:
    """Where people talk to the bot: ``cli/config_error.j2``'s examples of a person's id."""
    return tuple(p.name for p in PLATFORMS if isinstance(p, Served) and p.chats)
