"""Each unit's own publish targets (``targets = [...]`` in the organisation file), checked at
start (by start-up, which knows the registry; the runtime is handed ``widened``) like
``PUBLISH_TARGETS``: the platform part must be a platform of the registry, and the
platform's own check (a page's token, a site's address and login) must pass. The settings
the platforms then see hold both lists, so a page named only by a unit is served, its token
watched and its posts read, like any page of ``PUBLISH_TARGETS``."""

from __future__ import annotations

from pydantic import ValidationError

from bot.platforms.protocol import Sends
from bot.settings import PlatformId, Settings, describe_error
from handlers.engine.texts import render
from handlers.engine.types import Say
from handlers.org import OrgConfig


class TargetProblem(Exception):
    """A unit's target the bot could not serve: the unit and one line saying what to fix."""

    def __init__(self, unit: str, line: str) -> None:
        super().__init__(unit, line)
        self.unit, self.line = unit, line


def widened(settings: Settings, org: OrgConfig) -> Settings:
    """``settings`` whose publish targets also hold the units' own (each once), every
    platform's check passed on them; raises ``TargetProblem`` naming the first unit whose
    target would fail."""
    from bot.platforms.registry import PLATFORMS  # the registry imports the settings
    from bot.runtime.app import pages

    targets = list(settings.publish_targets)
    known = {str(target) for target in targets}
    for code, platform, ident in pages(org):
        try:
            target = PlatformId.model_validate({"platform": platform, "id": ident})
        except ValidationError:
            names = [row.name for row in PLATFORMS if Sends.POSTS in row.sends]
            context = {"key": "platform", "value": platform, "names": names}
            line = render(Say("cli/unit_target.j2", context), "plain")
            raise TargetProblem(code, line) from None
        if str(target) in known:
            continue
        known.add(str(target))
        targets.append(target)
        alone = settings.model_copy(update={"publish_targets": [target]})
        for row in PLATFORMS:
            try:
                row.check(alone)
            except ValueError as error:
                raise TargetProblem(code, _line(error)) from None
    return settings.model_copy(update={"publish_targets": targets})


def _line(error: ValueError) -> str:
    """A platform check's ``VARIABLE|key|value`` in the words of cli/config_error.j2."""
    name, _, rest = str(error).partition("|")
    key, _, value = rest.partition("|")
    if isinstance(error, ValidationError):  # not a platform's own check
        name, key, value = describe_error(error)
    from bot.platforms.registry import chat_names  # config_error.j2's examples of an id

    context = {"key": "refused", "name": name, "why": key, "value": value, "chats": chat_names()}
    return render(Say("cli/unit_target.j2", context), "plain")
